// GELU through W. J. Cody's rational Chebyshev approximations of erf and erfc ("Rational Chebyshev
// approximations for the error function", Math. Comp. 23 (1969), 631-637; the binary64 coefficient sets of
// his CALERF), with every region evaluated and the right one selected, so the loop has no branch:
//   1. z = |x|/√2, t = z²;  e = exp(-t) (below), which is also √(2π)·φ(x).
//   2. z ≤ 0.46875:  erf(z)     = z·A(t)/B(t)                      Φ(x) = 1/2 ± erf(z)/2
//      z ≤ 4:        erfc(z)    = e·C(z)/D(z)                      Φ(x) = e·q/2 (x < 0) or 1 - e·q/2
//      z > 4:        erfc(z)    = e·(1/√π - P̃(t)/(t·Q̃(t)))/z      (Cody's P/Q in w = 1/t, both times t⁵:
//                                                                   polynomials in t, no second division)
//   3. one division q = numerator/denominator of the selected region.
// exp(-t) by exp_binary64.h (t above 708: every result rounds to ±0 or ±x in float).
#include "sim/ops/internal/gelu_math.h"

#include "sim/ops/internal/exp_binary64.h"
#include "sim/ops/internal/lanes.h"

namespace fpsim::sim::detail {
namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;    // 1/√2
constexpr double kInvSqrtPi = 0.56418958354775628695;   // 1/√π
constexpr double kInvSqrt2Pi = 0.39894228040143267794;  // 1/√(2π)

// gelu(x) and gelu'(x) in binary64 for x in binary64 (x a float's value).
template <class D>
[[gnu::always_inline]] inline void gelu_at(D xd, D& value, D& slope) {
  const D z0 = abs_of(xd) * kInvSqrt2;
  const D z = z0 > 27.0 ? splat<D>(27.0) : z0;  // erfc(27) < 2^-1000: the tail is 0 for float beyond; NaN stays NaN
  const D t = z * z;
  // region 1: erf(z) = z·A(t)/B(t)
  const D a = z * horner(t, {1.85777706184603153e-1, 3.16112374387056560e00, 1.13864154151050156e02,
                             3.77485237685302021e02, 3.20937758913846947e03});
  const D b = horner(t, {1.0, 2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
                         2.84423683343917062e03});
  // region 2: erfc(z)·exp(t) = C(z)/D(z)
  const D c = horner(z, {2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e00,
                         6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
                         1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03});
  const D d = horner(z, {1.0, 1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
                         1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
                         3.43936767414372164e03, 1.23033935480374942e03});
  const auto near = z <= 0.46875, mid = z <= 4.0, negative = xd < 0.0;
  // region 3: erfc(z)·exp(t) = (1/√π - P̃/(t·Q̃))/z = (t·Q̃/√π - P̃)/(z·t·Q̃), only evaluated when some lane
  // selects it (|x| > 4·√2, or NaN: rare in activations); otherwise its candidates are never selected.
  D far_numerator = splat<D>(1.0), far_denominator = splat<D>(1.0);
  if (any_lane(!mid)) {
    const D p = horner(t, {6.58749161529837803e-4, 1.60837851487422766e-2, 1.25781726111229246e-1,
                           3.60344899949804439e-1, 3.05326634961232344e-1, 1.63153871373020978e-2});
    const D q = horner(t, {2.33520497626869185e-3, 6.05183413124413191e-2, 5.27905102951428412e-1,
                           1.87295284992346047e00, 2.56852019228982242e00, 1.0}) * t;
    far_numerator = q * kInvSqrtPi - p;
    far_denominator = z * q;
  }
  // the other candidates are finished before one is selected (lane masks for D = Vec4, lanes.h)
  const D ratio = (near ? a : mid ? c : far_numerator) / (near ? b : mid ? d : far_denominator);
  const D e = exp_nonpositive(-t);
  const D tail = 0.5 * (e * ratio);  // Φ(-|x|) in regions 2 and 3
  const D below = 0.5 - 0.5 * ratio, above = 0.5 + 0.5 * ratio, complement = 1.0 - tail;
  const D cdf = near ? (negative ? below : above) : (negative ? tail : complement);
  value = xd * cdf;
  slope = cdf + xd * (e * kInvSqrt2Pi);  // Φ(x) + x·φ(x)
}

}  // namespace

GeluPoint gelu_point(float x) {
  double value, slope;
  gelu_at<double>(x, value, slope);
  return {static_cast<float>(value), static_cast<float>(slope)};
}

// Four lanes at a time (two SSE2 registers each in the default clone, one ymm in the AVX2 one), then the tail
// one by one: the same operations, so the same bits.
__attribute__((target_clones("avx2", "default"))) void gelu_span(const float* x, float* y, float* slope, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    Float4 xf;
    __builtin_memcpy(&xf, x + i, sizeof xf);
    Vec4 value, dydx;
    gelu_at<Vec4>(__builtin_convertvector(xf, Vec4), value, dydx);
    const Float4 vf = __builtin_convertvector(value, Float4);
    __builtin_memcpy(y + i, &vf, sizeof vf);
    if (slope) {
      const Float4 sf = __builtin_convertvector(dydx, Float4);
      __builtin_memcpy(slope + i, &sf, sizeof sf);
    }
  }
  for (; i < n; ++i) {
    const GeluPoint g = gelu_point(x[i]);
    y[i] = g.value;
    if (slope) slope[i] = g.slope;
  }
}

}  // namespace fpsim::sim::detail
