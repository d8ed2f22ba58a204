// README "Conventions where IEEE 754 says nothing", as a table: each rule is checked for every overflow
// policy, signed and unsigned formats and every special-value encoding it applies to.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "compare.h"
#include "numerics/core/convert.h"

namespace fpsim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Formats covering fn / fnuz / finite, signed and unsigned, with and without zero, 0-mantissa ones.
const char* const kFormats[] = {"e4m3fn",          "e5m2,fn",          "e4m3,fn,unsigned", "e4m3fnuz",
                                "e5m2fnuz",        "e2m1fn",           "e3m2fn",           "e3m2,finite,unsigned",
                                "e8m0fnu",         "e5m0,fn,unsigned,nozero", "e4m2,fn,unsigned,nozero",
                                "e5m0,fn",         "e4m0,finite",      "e3m0,fnuz",        "e5m2",
                                "binary16",        "e4m3,unsigned"};

bool is_nan(Bits b, const Format& f) {
  const Class c = classify(b, f);
  return c == Class::QuietNaN || c == Class::SignalingNaN;
}

TEST_CASE("README conventions hold for every overflow policy, sign and special-value encoding", "[conventions]") {
  size_t checked = 0;
  for (const char* spec : kFormats) {
    const Format f = parse_format(spec);
    for (Overflow o : test::kOverflowPolicies) {
      Target t{f};
      t.overflow = o;
      INFO(spec << " overflow " << to_string(o));
      for (double x : {kInf, -kInf}) {
        const Rounded r = encode(x, t);
        INFO("input " << x);
        if (f.has_inf() || (x < 0 && !f.is_signed() && !f.has_nan())) continue;
        // Infinity into a format without inf: the NaN (fn/fnuz, invalid), even when saturating.
        if (f.has_nan()) {
          CHECK(is_nan(r.bits, f));
          CHECK(r.flags == flag::invalid);
        } else {  // ±max in finite formats
          CHECK(r.bits.v == (f.max_code().v | (x < 0 ? f.sign_mask() : 0)));
        }
        ++checked;
      }
      if (!f.has_nan()) {  // NaN into a finite format: +0 with invalid
        const Rounded r = encode(std::nan(""), t);
        CHECK(r.bits.v == 0);
        CHECK(r.flags == flag::invalid);
        ++checked;
      }
      if (!f.has_zero() && !f.is_signed()) {
        // No zero: tiny positives round to the smallest value (underflow+inexact); 0, negatives and −inf give
        // the NaN (invalid). Saturating: ±0 gives the smallest value (inexact), finite negatives too (invalid);
        // −inf gives the NaN (the infinity rule above).
        const double min = f.min_normal();
        const Rounded tiny = encode(min / 8, t);
        CHECK(tiny.bits.v == 0);
        CHECK(tiny.flags == (flag::underflow | flag::inexact));
        for (double x : {0.0, -0.0, -1.0, -min / 8, -kInf}) {
          INFO("input " << x);
          const Rounded r = encode(x, t);
          const bool saturates = o == Overflow::Saturate && std::isfinite(x);
          CHECK(r.bits.v == (saturates ? 0 : f.default_nan(false).v));
          CHECK(r.flags == (saturates && x == 0 ? flag::inexact : flag::invalid));
        }
        ++checked;
      }
      if (f.man_bits() == 0) {
        // 0-mantissa formats: ties-to-even looks at the implicit leading 1, so ties round up.
        for (int k = f.emin(); k < f.emax(); ++k) {
          const Rounded r = encode(1.5 * std::ldexp(1.0, k), t);
          CHECK(decode(r.bits, f) == std::ldexp(1.0, k + 1));
        }
        ++checked;
      }
    }
  }
  CHECK(checked > 100);
}

}  // namespace
}  // namespace fpsim
