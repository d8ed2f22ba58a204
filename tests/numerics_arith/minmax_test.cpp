// minimum / maximum / minimum_number / maximum_number over every operand pair of 8-bit presets (and a
// sample of binary16), against a reference built from decode(): the chosen operand's own code, -0
// below +0, NaN results for the NaN-propagating forms, invalid exactly for signalling NaN operands.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "numerics/arith/arith.h"
#include "numerics/core/convert.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

enum class Form { Minimum, Maximum, MinimumNumber, MaximumNumber };

Rounded run(Form form, Bits a, Bits b, const Format& f, const Target& t) {
  switch (form) {
    case Form::Minimum: return minimum(a, f, b, f, t);
    case Form::Maximum: return maximum(a, f, b, f, t);
    case Form::MinimumNumber: return minimum_number(a, f, b, f, t);
    case Form::MaximumNumber: return maximum_number(a, f, b, f, t);
  }
  return {};
}

bool is_nan_class(Class c) { return c == Class::QuietNaN || c == Class::SignalingNaN; }

// Number of mismatches of one pair in all four forms.
int check_pair(Bits a, Bits b, const Format& f, const Target& t) {
  const Class ca = classify(a, f), cb = classify(b, f);
  const bool nan_a = is_nan_class(ca), nan_b = is_nan_class(cb);
  const uint8_t want_flags = (ca == Class::SignalingNaN || cb == Class::SignalingNaN) ? flag::invalid : 0;
  const double x = decode(a, f), y = decode(b, f);
  int bad = 0;
  for (Form form : {Form::Minimum, Form::Maximum, Form::MinimumNumber, Form::MaximumNumber}) {
    const bool is_min = form == Form::Minimum || form == Form::MinimumNumber;
    const bool number = form == Form::MinimumNumber || form == Form::MaximumNumber;
    const Rounded r = run(form, a, b, f, t);
    if (nan_a || nan_b) {
      if (number && nan_a != nan_b) {
        bad += r != Rounded{nan_a ? b : a, want_flags};
      } else {
        bad += !is_nan_class(classify(r.bits, f));
        bad += r.flags != want_flags;
      }
      continue;
    }
    // -0 counts below +0; otherwise the smaller (larger) value; ties keep a.
    auto less = [](double p, double q) { return p < q || (p == 0 && q == 0 && std::signbit(p) && !std::signbit(q)); };
    const bool take_a = is_min ? !less(y, x) : !less(x, y);
    bad += r != Rounded{take_a ? a : b, 0};
  }
  return bad;
}

TEST_CASE("minimum and maximum forms agree with decoded values on every pair of 8-bit presets", "[minmax]") {
  for (const char* name : {"e5m2", "e4m3fn", "e4m3fnuz", "e4m3", "e2m3fn", "e2m1fn"}) {
    const Format f = parse_format(name);
    Target t;
    t.format = f;
    int bad = 0;
    const uint64_t codes = uint64_t{1} << f.total_bits();
    for (uint64_t a = 0; a < codes; ++a)
      for (uint64_t b = 0; b < codes; ++b) bad += check_pair(Bits{a}, Bits{b}, f, t);
    INFO(name);
    CHECK(bad == 0);
  }
}

TEST_CASE("minimum and maximum forms agree with decoded values on binary16 (random and edge pairs)", "[minmax]") {
  const Format f = parse_format("binary16");
  Target t;
  t.format = f;
  test::OperandGen gen(31);
  int bad = 0;
  for (int i = 0; i < 200000; ++i) {
    const Bits a = gen.code(f);
    const Bits b = i % 7 == 0 ? Bits{a.v ^ 0x8000} : gen.code(f);  // ±x pairs, ±0 among them
    bad += check_pair(a, b, f, t);
  }
  CHECK(bad == 0);
}

TEST_CASE("minimum of mixed formats converts the chosen operand into the target", "[minmax]") {
  const Format e5m2 = parse_format("e5m2"), f32 = parse_format("binary32");
  Target t;
  t.format = parse_format("binary16");
  // e5m2 1.5 (0x3e) vs binary32 1.25: the binary32 value 1.25 becomes binary16 0x3d00, exactly.
  CHECK(minimum(Bits{0x3e}, e5m2, Bits{0x3fa00000}, f32, t) == Rounded{Bits{0x3d00}, 0});
  // binary32 1 + 2^-20 is not a binary16 value: maximum rounds it (rne) and says so.
  CHECK(maximum(Bits{0x3e}, e5m2, Bits{0x3fc00008}, f32, t) == Rounded{Bits{0x3e00}, flag::inexact});
}

}  // namespace
}  // namespace fpsim
