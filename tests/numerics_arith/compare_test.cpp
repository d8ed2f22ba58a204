// Comparisons across formats: every pair of e5m2 x e4m3fn codes and of e4m3fnuz x binary16 samples
// against comparisons of the exactly decoded doubles, with IEEE's quiet / signalling NaN flags.
#include <catch2/catch.hpp>
#include <cmath>

#include "numerics/arith/arith.h"
#include "numerics/core/convert.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

// The expected results from decode() (exact: every format value is a binary64 value).
size_t mismatches(Bits a, const Format& fa, Bits b, const Format& fb) {
  const double x = decode(a, fa), y = decode(b, fb);
  const Class ca = classify(a, fa), cb = classify(b, fb);
  const bool snan = ca == Class::SignalingNaN || cb == Class::SignalingNaN;
  const bool nan = std::isnan(x) || std::isnan(y);
  const uint8_t quiet = snan ? flag::invalid : 0, signalling = nan ? flag::invalid : 0;
  size_t bad = 0;
  bad += compare_eq(a, fa, b, fb) != Rounded{Bits{x == y}, quiet};
  bad += compare_lt(a, fa, b, fb) != Rounded{Bits{x < y}, signalling};
  bad += compare_le(a, fa, b, fb) != Rounded{Bits{x <= y}, signalling};
  const Ordering want = nan ? Ordering::Unordered : x < y ? Ordering::Less : x == y ? Ordering::Equal : Ordering::Greater;
  bad += order(a, fa, b, fb) != want;
  return bad;
}

TEST_CASE("comparisons across formats agree with the exact decoded values and IEEE NaN flags", "[compare]") {
  const Format e5m2 = parse_format("e5m2"), e4m3fn = parse_format("e4m3fn");
  size_t bad = 0;
  for (uint64_t a = 0; a < 256; ++a)
    for (uint64_t b = 0; b < 256; ++b) bad += mismatches({a}, e5m2, {b}, e4m3fn);
  const Format fnuz = parse_format("e4m3fnuz"), f16 = parse_format("binary16"), f64 = parse_format("binary64");
  test::OperandGen gen(11);
  for (int i = 0; i < 100000; ++i) {
    bad += mismatches(gen.code(fnuz), fnuz, gen.code(f16), f16);
    bad += mismatches(gen.code(f64), f64, gen.code(f16), f16);
  }
  CHECK(bad == 0);
}

}  // namespace
}  // namespace fpsim
