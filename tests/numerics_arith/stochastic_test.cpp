// Stochastic rounding inside arithmetic: the result is always one of the two neighbours of the exact
// result, and over many draws the frequency of rounding up matches the exact discarded fraction (sr)
// or its K-bit quantisation (sr:K).
#include <catch2/catch.hpp>
#include <cmath>

#include "numerics/arith/arith.h"
#include "numerics/core/convert.h"
#include "numerics/core/random.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

// Products of two binary16 values are exact in double, so the exact fraction of the distance from
// the lower neighbour (rdn) to the upper one (rup) is computed exactly in double.
struct Case {
  Bits a, b;
  Rounded lo, hi;
  double fraction;
};

Case make_case(Bits a, Bits b, const Format& f16, const Format& out) {
  Target t;
  t.format = out;
  t.rounding = Rounding::Down;
  Case c{a, b, mul(a, f16, b, f16, t), {}, 0};
  t.rounding = Rounding::Up;
  c.hi = mul(a, f16, b, f16, t);
  const double exact = decode(a, f16) * decode(b, f16);
  const double lo = decode(c.lo.bits, out), hi = decode(c.hi.bits, out);
  c.fraction = hi == lo ? 0 : (exact - lo) / (hi - lo);
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
    if (c.lo.bits == c.hi.bits) continue;  // exact product: nothing to test
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
        REQUIRE((r.bits == c.lo.bits || r.bits == c.hi.bits));
        up += r.bits == c.hi.bits;
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
