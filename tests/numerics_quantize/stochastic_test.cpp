// Stochastic rounding statistics: only the two neighbours, unbiased, P(up) = discarded fraction
// (sr) or its K-bit truncation (sr:K); and the uniformity of the random stream itself.
#include <catch2/catch.hpp>
#include <cmath>

#include "compare.h"
#include "numerics/core/convert.h"

namespace fpsim::test {
namespace {

constexpr std::size_t kDraws = std::size_t{1} << 20;

// Fraction of kDraws copies of x (stream offsets 0..kDraws-1) that round up, through the fast path.
double up_fraction(const Target& t, float x, const RandomStream& stream, double* mean = nullptr) {
  std::vector<float> in(kDraws, x), out(kDraws);
  quantize(in, out, t, &stream);
  Target down = t, up = t;
  down.rounding = Rounding::Down;
  up.rounding = Rounding::Up;
  const float lo = static_cast<float>(decode(encode(x, down).bits, t.format));
  const float hi = static_cast<float>(decode(encode(x, up).bits, t.format));
  std::size_t ups = 0;
  double sum = 0;
  for (float y : out) {
    REQUIRE((y == lo || y == hi));
    ups += y == hi && hi != lo;
    sum += y;
  }
  if (mean) *mean = sum / kDraws;
  return static_cast<double>(ups) / kDraws;
}

// Binomial bound: |observed - p| <= 6 standard deviations (+ 1/n), false-failure odds ~ 1e-9.
double six_sigma(double p) { return 6 * std::sqrt(p * (1 - p) / kDraws) + 1.0 / kDraws; }

TEST_CASE("stochastic rounding only ever returns the two neighbours", "[quantize]") {
  for (const char* format : {"e5m2", "e4m3fn", "binary16", "e2m1fn"}) {
    const Format f = parse_format(format);
    std::vector<float> in = quantize_inputs(f, 2000, 21);
    std::erase_if(in, [&](float x) { return !(std::fabs(x) <= f.max_value()); });
    Target t = make_target(format, "sr", Overflow::Ieee);
    Target down = t, up = t;
    down.rounding = Rounding::Down;
    up.rounding = Rounding::Up;
    std::vector<float> out(in.size());
    for (uint64_t draw = 0; draw < 16; ++draw) {
      const RandomStream stream(draw);
      quantize(in, out, t, &stream);
      for (std::size_t i = 0; i < in.size(); ++i) {
        const float lo = static_cast<float>(decode(encode(in[i], down).bits, f));
        const float hi = static_cast<float>(decode(encode(in[i], up).bits, f));
        INFO(format << " input " << hex32(bits_of(in[i])));
        REQUIRE((bits_of(out[i]) == bits_of(lo) || bits_of(out[i]) == bits_of(hi)));
      }
    }
  }
}

TEST_CASE("stochastic rounding is unbiased: the mean of 2^20 draws is the input within 6 sigma", "[quantize]") {
  const RandomStream stream(31337);
  struct Case { const char* format; float x; double ulp; };
  // 1.1 in e5m2 lies between 1.0 and 1.25 (fraction 0.4); 3.3 * 2^-16 is in e5m2's subnormal range
  // (quantum 2^-16); 0.1 in binary16 lies in [2^-4, 2^-3), quantum 2^-4 * 2^-10 = 2^-14.
  const Case cases[] = {{"e5m2", 1.1f, 0.25}, {"e5m2", -1.1f, 0.25}, {"e5m2", 3.3f * 0x1p-16f, 0x1p-16},
                        {"e4m3fn", 100.0f, 8.0}, {"binary16", 0.1f, 0x1p-14}};
  for (const Case& c : cases) {
    double mean = 0;
    const double p = up_fraction(make_target(c.format, "sr", Overflow::Ieee), c.x, stream, &mean);
    const double sigma = c.ulp * std::sqrt(p * (1 - p) / kDraws);
    INFO(c.format << " x " << c.x << " mean " << mean << " p " << p);
    REQUIRE(std::fabs(mean - c.x) <= 6 * sigma + c.ulp / kDraws);
  }
}

TEST_CASE("sr rounds up with probability equal to the discarded fraction", "[quantize]") {
  const RandomStream stream(4242);
  // e5m2 at [1, 1.25): fraction = (x - 1) / 0.25. Subnormal e4m3fn: quantum 2^-9.
  struct Case { const char* format; float x; double fraction; };
  const Case cases[] = {{"e5m2", 1.0625f, 0.25}, {"e5m2", 1.2f, 0.8}, {"e5m2", 1.0f + 0x1p-12f, 0x1p-10},
                        {"e4m3fn", 0x1p-9f * 2.75f, 0.75}, {"e4m3fn", 0x1p-12f, 0.125}, {"binary16", 1.0f + 0x1p-12f, 0.25}};
  for (const Case& c : cases) {
    const double p = up_fraction(make_target(c.format, "sr", Overflow::Ieee), c.x, stream);
    INFO(c.format << " x " << c.x << " observed " << p << " expected " << c.fraction);
    REQUIRE(std::fabs(p - c.fraction) <= six_sigma(c.fraction));
  }
}

TEST_CASE("sr:K rounds up with the fraction truncated to K bits", "[quantize]") {
  const RandomStream stream(777);
  // sr:3 at fraction 0.3: the top 3 discarded bits are 010 -> P = 2/8; at fraction 0.1 they are 000 -> P = 0.
  REQUIRE(std::fabs(up_fraction(make_target("e5m2", "sr:3", Overflow::Ieee), 1.075f, stream) - 0.25) <= six_sigma(0.25));
  REQUIRE(up_fraction(make_target("e5m2", "sr:3", Overflow::Ieee), 1.025f, stream) == 0.0);
  // sr:1 rounds up exactly half the time at or above half a quantum, never below.
  REQUIRE(std::fabs(up_fraction(make_target("e5m2", "sr:1", Overflow::Ieee), 1.2f, stream) - 0.5) <= six_sigma(0.5));
  REQUIRE(up_fraction(make_target("e5m2", "sr:1", Overflow::Ieee), 1.1f, stream) == 0.0);
}

TEST_CASE("sr-subnormal-nearest rounds the subnormal range to nearest and keeps sr above it", "[quantize]") {
  const RandomStream stream(5);
  Target t = make_target("e5m2", "sr", Overflow::Ieee);
  t.sr_subnormal_nearest = true;
  REQUIRE(up_fraction(t, 3.3f * 0x1p-16f, stream) == 0.0);  // nearest: 3.3 quanta -> 3
  REQUIRE(up_fraction(t, 3.7f * 0x1p-16f, stream) == 1.0);  // nearest: 3.7 quanta -> 4
  REQUIRE(std::fabs(up_fraction(t, 1.2f, stream) - 0.8) <= six_sigma(0.8));
}

TEST_CASE("the random stream's bytes are uniform (chi-square, 255 degrees of freedom)", "[quantize]") {
  // chi2 has mean 255 and standard deviation sqrt(510) = 22.6; accept within 6 of them.
  const RandomStream stream(123456789, 1, 2, 3);
  for (int shift : {56, 32, 24, 0}) {
    std::vector<double> bins(256, 0.0);
    for (uint64_t i = 0; i < kDraws; ++i) bins[(stream.bits(i) >> shift) & 0xFF] += 1;
    const double expected = kDraws / 256.0;
    double chi2 = 0;
    for (double b : bins) chi2 += (b - expected) * (b - expected) / expected;
    INFO("byte at bit " << shift << " chi2 " << chi2);
    REQUIRE(chi2 < 255 + 6 * 22.6);
    REQUIRE(chi2 > 255 - 6 * 22.6);
  }
}

}  // namespace
}  // namespace fpsim::test
