// The vectorised GELU and exp of binary64 (sim/ops/internal/gelu_math.h, exp_binary64.h): accuracy against a
// long-double oracle, the vector loop equal to the scalar function bit for bit, and the special values.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "sim/ops/internal/exp_binary64.h"
#include "sim/ops/internal/gelu_math.h"

using fpsim::sim::detail::gelu_point;
using fpsim::sim::detail::gelu_span;

namespace {

// Distance in units in the last place between two finite floats (adjacent floats: 1; +0 and -0: 0).
int64_t ulps_between(float a, float b) {
  auto ordered = [](float f) {
    const int32_t i = std::bit_cast<int32_t>(f);
    return i < 0 ? int64_t{INT32_MIN} - i : int64_t{i};
  };
  const int64_t d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}

// Equal bits, or both NaN (which NaN an operation returns, e.g. its sign, depends on operand order, not on value).
template <class F>
bool same(F a, F b) {
  using Bits = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<Bits>(a) == std::bit_cast<Bits>(b);
}

struct Oracle {
  float value, slope;
  long double slope_exact;
};

// gelu(x) = x·erfc(-x/√2)/2 and gelu'(x) = Φ(x) + x·φ(x) in 64-bit-mantissa long double.
Oracle oracle(float x) {
  const long double xl = x;
  const long double cdf = 0.5L * std::erfc(-xl / std::sqrt(2.0L));
  const long double pdf = std::exp(-0.5L * xl * xl) / std::sqrt(2.0L * 3.14159265358979323846264338327950288L);
  return {static_cast<float>(xl * cdf), static_cast<float>(cdf + xl * pdf), cdf + xl * pdf};
}

// The previous formula (libm erf in double): what the vectorised one is compared with in the note.
float libm_gelu(float x) {
  const double d = x;
  return float(0.5 * d * (1.0 + std::erf(d / std::sqrt(2.0))));
}

}  // namespace

TEST_CASE("gelu is within 1 ulp of the correctly rounded value over the float range it distinguishes",
          "[sim][gelu]") {
  // Every 101st float bit pattern with 2^-40 ≤ |x| ≤ 40 (both signs: ~7.7 million inputs), plus the neighbourhood of
  // the region boundaries z = |x|/√2 = 0.46875 and 4 (x = ±0.6629, ±5.657), where the rational changes.
  std::vector<float> xs;
  const uint32_t lo = std::bit_cast<uint32_t>(0x1p-40f), hi = std::bit_cast<uint32_t>(40.0f);
  for (uint32_t b = lo; b <= hi; b += 101) xs.push_back(std::bit_cast<float>(b));
  for (float edge : {0.46875f * 1.41421356f, 4.0f * 1.41421356f})
    for (int i = -2000; i <= 2000; ++i) xs.push_back(std::bit_cast<float>(std::bit_cast<uint32_t>(edge) + i));
  int64_t worst_value = 0, worst_libm = 0, worst_libm_core = 0, worst_slope = 0;
  long double worst_slope_abs = 0;
  for (float magnitude : xs)
    for (float x : {magnitude, -magnitude}) {
      const Oracle want = oracle(x);
      const auto got = gelu_point(x);
      worst_value = std::max(worst_value, ulps_between(got.value, want.value));
      worst_libm = std::max(worst_libm, ulps_between(libm_gelu(x), want.value));
      // gelu' crosses 0 at x ≈ -0.75179 (Φ(x) = -x·φ(x)): there any binary64 evaluation has an absolute error
      // of ~1e-16, many ulps of a tiny slope. Counted in ulps elsewhere, absolutely (beyond float rounding) there.
      if (std::fabs(x + 0.75179f) >= 0.01f)
        worst_slope = std::max(worst_slope, ulps_between(got.slope, want.slope));
      else
        worst_slope_abs = std::max(worst_slope_abs, std::fabs(got.slope - want.slope_exact) -
                                                        std::fabs(want.slope - want.slope_exact));
      if (x >= -5.0f) worst_libm_core = std::max(worst_libm_core, ulps_between(libm_gelu(x), want.value));
    }
  INFO("max ulp: gelu " << worst_value << ", libm-erf formula " << worst_libm << " (" << worst_libm_core
                        << " for x >= -5), gelu' " << worst_slope
                        << ", gelu' absolute near its zero " << double(worst_slope_abs));
  // Measured: gelu 0 ulp and gelu' 0 ulp from the correctly rounded float on every input here; the libm-erf
  // formula it replaces, 0.5·x·(1 + erf(x/√2)) in binary64, 1 ulp for x ≥ -5 and wrong far left (1 + erf cancels).
  CHECK(worst_value <= 1);
  CHECK(worst_slope <= 1);
  CHECK(worst_slope_abs <= 1e-15L);
}

TEST_CASE("the vectorised gelu loop gives gelu_point's bits, for any length and offset", "[sim][gelu]") {
  std::vector<float> x;
  for (int i = 0; i < 4003; ++i) x.push_back(std::ldexp(float(i % 97) - 48.0f, -(i % 7)) + 0.001f * float(i % 13));
  x[5] = 0.0f, x[6] = -0.0f, x[7] = std::numeric_limits<float>::infinity(), x[8] = -1e30f, x[9] = 1e-42f;
  x[10] = std::numeric_limits<float>::quiet_NaN();
  for (int offset : {0, 1, 3})
    for (bool with_slope : {true, false}) {
      const int64_t n = int64_t(x.size()) - offset;
      std::vector<float> y(x.size()), s(x.size());
      gelu_span(x.data() + offset, y.data(), with_slope ? s.data() : nullptr, n);
      for (int64_t i = 0; i < n; ++i) {
        const auto want = gelu_point(x[size_t(i + offset)]);
        INFO("x = " << x[size_t(i + offset)]);
        REQUIRE(same(y[size_t(i)], want.value));
        if (with_slope) REQUIRE(same(s[size_t(i)], want.slope));
      }
    }
}

TEST_CASE("gelu keeps NaN, the sign of zero, and is the identity far right and zero far left", "[sim][gelu]") {
  CHECK(std::isnan(gelu_point(std::numeric_limits<float>::quiet_NaN()).value));
  CHECK(std::isnan(gelu_point(std::numeric_limits<float>::quiet_NaN()).slope));
  CHECK(std::bit_cast<uint32_t>(gelu_point(-0.0f).value) == 0x80000000u);
  CHECK(gelu_point(0.0f).slope == 0.5f);
  CHECK(gelu_point(1.0f).value == 0.841344774f);  // Φ(1) = 0.8413447460685...
  CHECK(gelu_point(6.0f).value == 6.0f);
  CHECK(gelu_point(1e30f).value == 1e30f);
  CHECK(gelu_point(std::numeric_limits<float>::infinity()).value == std::numeric_limits<float>::infinity());
  CHECK(gelu_point(-40.0f).value == 0.0f);
  CHECK(gelu_point(-40.0f).slope == 0.0f);
}

namespace {

// Distance in units in the last place between two finite non-negative doubles.
int64_t ulps_between(double a, double b) {
  const int64_t d = std::bit_cast<int64_t>(a) - std::bit_cast<int64_t>(b);
  return d < 0 ? -d : d;
}

}  // namespace

TEST_CASE("exp of binary64 is within 1 ulp of the correctly rounded value on [-708, 0]", "[sim][exp]") {
  // ~2 million arguments evenly over [-708, 0], every binade of small |v| down to 2^-60, and the reduction
  // boundaries k·ln2/2 where k changes. Oracle: long-double expl (64-bit mantissa) rounded to binary64.
  std::vector<double> vs;
  for (int i = 0; i <= 2000000; ++i) vs.push_back(-708.0 * i / 2000000.0);
  for (int e = -60; e <= 0; ++e)
    for (int i = 1; i < 1000; ++i) vs.push_back(-std::ldexp(1.0 + i / 1000.0, e));
  for (int k = 1; k < 2040; ++k)
    for (int d = -3; d <= 3; ++d) vs.push_back(std::nextafter(-k * 0.34657359027997264, d < 0 ? -1e9 : 1e9) + d * 1e-16);
  int64_t worst = 0;
  double worst_at = 0;
  for (double v : vs) {
    if (v < -708.0 || v > 0.0) continue;
    const double want = static_cast<double>(std::exp(static_cast<long double>(v)));
    const int64_t u = ulps_between(fpsim::sim::detail::exp_nonpositive(v), want);
    if (u > worst) worst = u, worst_at = v;
  }
  INFO("max ulp " << worst << " at " << worst_at);
  CHECK(worst <= 1);
}

TEST_CASE("exp_span gives exp_nonpositive's bits; -inf and below -708 give +0, NaN stays NaN", "[sim][exp]") {
  std::vector<double> v;
  for (int i = 0; i < 1001; ++i) v.push_back(-0.731 * i);
  v[3] = -std::numeric_limits<double>::infinity(), v[4] = std::numeric_limits<double>::quiet_NaN(), v[5] = -0.0;
  std::vector<double> out(v.size());
  fpsim::sim::detail::exp_span(v.data(), out.data(), int64_t(v.size()));
  for (size_t i = 0; i < v.size(); ++i) {
    INFO("v = " << v[i]);
    CHECK(same(out[i], fpsim::sim::detail::exp_nonpositive(v[i])));
  }
  CHECK(out[3] == 0.0);
  CHECK(std::isnan(out[4]));
  CHECK(out[5] == 1.0);
  CHECK(fpsim::sim::detail::exp_nonpositive(-709.0) == 0.0);
  CHECK(fpsim::sim::detail::exp_nonpositive(-1.0) == 0.36787944117144233);
}
