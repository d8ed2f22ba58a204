// Stochastic rounding inside arithmetic: the result is always one of the two neighbours of the exact
// result, and over many draws the frequency of rounding up matches the exact discarded fraction (sr)
// or its K-bit quantisation (sr:K).
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>

#include "numerics/arith/arith.h"
#include "numerics/core/convert.h"
#include "numerics/core/random.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

// Products of two binary16 values are exact in double. The neighbours of the exact product are found
// by decoding every code of the result format (no rounding code involved), and the exact fraction of
// the distance from the lower neighbour to the upper one is computed exactly in double.
struct Case {
  Bits a, b;
  double lo = 0, hi = 0;  // the largest value <= the product and the smallest value >= it
  double fraction = 0;
};

Case make_case(Bits a, Bits b, const Format& f16, const Format& out) {
  const double exact = decode(a, f16) * decode(b, f16);
  Case c{a, b, -INFINITY, INFINITY, 0};
  for (uint64_t code = 0; code < (uint64_t{1} << out.total_bits()); ++code) {
    const double v = decode(Bits{code}, out);
    if (!std::isfinite(v)) continue;
    if (v <= exact) c.lo = std::max(c.lo, v);
    if (v >= exact) c.hi = std::min(c.hi, v);
  }
  c.fraction = c.hi == c.lo ? 0 : (exact - c.lo) / (c.hi - c.lo);
  return c;
}

TEST_CASE("stochastic rounding in arithmetic returns a neighbour, rounding up with the exact probability", "[sr]") {
  const Format f16 = parse_format("binary16"), e4m3 = parse_format("e4m3");
  test::OperandGen gen(7);
  const RandomStream stream(42, 0, 0, 0);
  int cases = 0;
  for (int k = 0; k < 200 && cases < 24; ++k) {
    // Operands around 1 so the product is a normal e4m3 value.
    const Bits a{0x3800 | (gen.word() & 0x7ff)}, b{0x3800 | (gen.word() & 0x7ff)};
    const Case c = make_case(a, b, f16, e4m3);
    if (c.lo == c.hi) continue;  // exact product: nothing to test
    ++cases;
    for (int bits : {0, 3}) {
      Target t;
      t.format = e4m3;
      t.rounding = Rounding::Stochastic;
      t.sr_bits = bits;
      const double p = bits == 0 ? c.fraction : std::floor(c.fraction * (1 << bits)) / (1 << bits);
      const int n = 20000;
      int up = 0;
      for (int i = 0; i < n; ++i) {
        const Rounded r = mul(a, f16, b, f16, t, stream.bits(uint64_t(i) + 1000000u * cases));
        const double v = decode(r.bits, e4m3);
        REQUIRE((v == c.lo || v == c.hi));
        up += v == c.hi;
      }
      // 5 standard deviations of a binomial frequency (plus the sr:K bias-free case p = 0 exactly).
      const double sigma = std::sqrt(p * (1 - p) / n);
      INFO("fraction " << c.fraction << " sr_bits " << bits << " expected " << p << " got " << double(up) / n);
      CHECK(std::abs(double(up) / n - p) <= 5 * sigma + 1e-12);
    }
  }
  CHECK(cases == 24);
}

TEST_CASE("stochastic rounding of an exact result never moves it", "[sr]") {
  const Format f32 = parse_format("binary32");
  Target t;
  t.format = parse_format("bfloat16");
  t.rounding = Rounding::Stochastic;
  // 1.5 + 0.25 = 1.75 is a bfloat16 value: every random word gives 0x3FE0, no flags.
  for (uint64_t r : {uint64_t{0}, ~uint64_t{0}, uint64_t{0x8000000000000000}})
    CHECK(add({0x3fc00000}, f32, {0x3e800000}, f32, t, r) == Rounded{Bits{0x3fe0}, 0});
}

}  // namespace
}  // namespace fpsim
