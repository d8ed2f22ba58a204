// GELU through W. J. Cody's rational Chebyshev approximations of erf and erfc ("Rational Chebyshev
// approximations for the error function", Math. Comp. 23 (1969), 631-637; the binary64 coefficient sets of
// his CALERF), with every region evaluated and the right one selected, so the loop has no branch:
//   1. z = |x|/√2, t = z²;  e = exp(-t) (below), which is also √(2π)·φ(x).
//   2. z ≤ 0.46875:  erf(z)     = z·A(t)/B(t)                      Φ(x) = 1/2 ± erf(z)/2
//      z ≤ 4:        erfc(z)    = e·C(z)/D(z)                      Φ(x) = e·q/2 (x < 0) or 1 - e·q/2
//      z > 4:        erfc(z)    = e·(1/√π - P̃(t)/(t·Q̃(t)))/z      (Cody's P/Q in w = 1/t, both times t⁵:
//                                                                   polynomials in t, no second division)
//   3. one division q = numerator/denominator of the selected region.
// exp(-t) for 0 ≤ t ≤ 708 (further out every result rounds to ±0 or ±x in float):
//   k = round(-t·log2 e) (the 1.5·2^52 shifter: adding it leaves k in the low mantissa bits),
//   r = -t - k·ln2 (ln2 split in two: k·ln2_hi is exact for |k| < 2^11, since ln2_hi has 32 trailing zero bits),
//   |r| ≤ ln2/2, exp(r) by its Taylor polynomial to r^11 (remainder r^12/12! < 7e-15),
//   2^k built in the exponent field: k = -1 -> (−1 + 1023) << 52 = 0x3FE0000000000000 = 0.5.
#include "sim/ops/internal/gelu_math.h"

#include <bit>

// Vec4 values pass between inlined helpers only; the psABI note on 32-byte vectors without AVX does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace fpsim::sim::detail {
namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;    // 1/√2
constexpr double kInvSqrtPi = 0.56418958354775628695;   // 1/√π
constexpr double kInvSqrt2Pi = 0.39894228040143267794;  // 1/√(2π)

// The same code runs on one binary64 (D = double) or on four lanes (D = Vec4, GCC vector extensions: every
// operator acts lane by lane with the scalar's IEEE rounding; ?: on a lane mask selects per lane).
using Vec4 = double __attribute__((vector_size(32)));
using Bits4 = uint64_t __attribute__((vector_size(32)));
using Float4 = float __attribute__((vector_size(16)));

template <class D>
constexpr D splat(double c) { return D{} + c; }  // c in every lane
inline uint64_t to_bits(double d) { return std::bit_cast<uint64_t>(d); }
inline double from_bits(uint64_t b) { return std::bit_cast<double>(b); }
inline Bits4 to_bits(Vec4 d) { return reinterpret_cast<Bits4>(d); }  // GCC: same-size vectors reinterpret
inline Vec4 from_bits(Bits4 b) { return reinterpret_cast<Vec4>(b); }
inline double abs_of(double d) { return from_bits(to_bits(d) & ~(uint64_t{1} << 63)); }
inline Vec4 abs_of(Vec4 d) { return from_bits(to_bits(d) & ~(uint64_t{1} << 63)); }

// exp(-t) for t ≥ 0 (t above 708 is taken as 708: 2^-1021.4, normal); NaN stays NaN.
template <class D>
[[gnu::always_inline]] inline D exp_minus(D t) {
  constexpr double kShifter = 6755399441055744.0;  // 1.5·2^52
  constexpr double kLog2e = 1.44269504088896338700;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const D v = -(t > 708.0 ? splat<D>(708.0) : t);
  const D shifted = v * kLog2e + kShifter;
  const D k = shifted - kShifter;
  const D r = (v - k * kLn2Hi) - k * kLn2Lo;
  // Taylor coefficients 1/n! for n = 11 down to 2
  D p = splat<D>(2.505210838544171877505e-08);
  p = p * r + 2.755731922398589065256e-07;
  p = p * r + 2.755731922398589065256e-06;
  p = p * r + 2.480158730158730158730e-05;
  p = p * r + 1.984126984126984126984e-04;
  p = p * r + 1.388888888888888888889e-03;
  p = p * r + 8.333333333333333333333e-03;
  p = p * r + 4.166666666666666666667e-02;
  p = p * r + 1.666666666666666666667e-01;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // 2^k: k = shifted's bits minus the shifter's (mod 2^64), moved into the exponent field
  return p * from_bits((to_bits(shifted) - to_bits(kShifter) + 1023) << 52);
}

// gelu(x) and gelu'(x) in binary64 for x in binary64 (x a float's value).
template <class D>
[[gnu::always_inline]] inline void gelu_at(D xd, D& value, D& slope) {
  const D z0 = abs_of(xd) * kInvSqrt2;
  const D z = z0 > 27.0 ? splat<D>(27.0) : z0;  // erfc(27) < 2^-1000: the tail is 0 for float beyond; NaN stays NaN
  const D t = z * z;
  // region 1: erf(z) = z·A(t)/B(t)
  const D a = z * ((((1.85777706184603153e-1 * t + 3.16112374387056560e00) * t + 1.13864154151050156e02) * t +
                    3.77485237685302021e02) * t + 3.20937758913846947e03);
  const D b = (((t + 2.36012909523441209e01) * t + 2.44024637934444173e02) * t + 1.28261652607737228e03) * t +
              2.84423683343917062e03;
  // region 2: erfc(z)·exp(t) = C(z)/D(z)
  D c = 2.15311535474403846e-8 * z;
  c = (c + 5.64188496988670089e-1) * z;
  c = (c + 8.88314979438837594e00) * z;
  c = (c + 6.61191906371416295e01) * z;
  c = (c + 2.98635138197400131e02) * z;
  c = (c + 8.81952221241769090e02) * z;
  c = (c + 1.71204761263407058e03) * z;
  c = (c + 2.05107837782607147e03) * z;
  c = c + 1.23033935479799725e03;
  D d = z;
  d = (d + 1.57449261107098347e01) * z;
  d = (d + 1.17693950891312499e02) * z;
  d = (d + 5.37181101862009858e02) * z;
  d = (d + 1.62138957456669019e03) * z;
  d = (d + 3.29079923573345963e03) * z;
  d = (d + 4.36261909014324716e03) * z;
  d = (d + 3.43936767414372164e03) * z;
  d = d + 1.23033935480374942e03;
  // region 3: erfc(z)·exp(t) = (1/√π - P̃/(t·Q̃))/z = (t·Q̃/√π - P̃)/(z·t·Q̃)
  const D p = ((((6.58749161529837803e-4 * t + 1.60837851487422766e-2) * t + 1.25781726111229246e-1) * t +
                3.60344899949804439e-1) * t + 3.05326634961232344e-1) * t + 1.63153871373020978e-2;
  const D q = (((((2.33520497626869185e-3 * t + 6.05183413124413191e-2) * t + 5.27905102951428412e-1) * t +
                 1.87295284992346047e00) * t + 2.56852019228982242e00) * t + 1.0) * t;
  // every candidate is finished before one is selected (lane masks for D = Vec4)
  const D far_numerator = q * kInvSqrtPi - p, far_denominator = z * q;
  const auto near = z <= 0.46875, mid = z <= 4.0, negative = xd < 0.0;
  const D ratio = (near ? a : mid ? c : far_numerator) / (near ? b : mid ? d : far_denominator);
  const D e = exp_minus(t);
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
