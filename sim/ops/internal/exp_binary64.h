#pragma once
// exp(v) for v ≤ 0 in binary64, branch-free for D = double or Vec4 (lanes.h): the same bits either way.
//   1. v below -708 gives +0, as libm does below -745 (exp(-708) = 2^-1021.4 is the smallest normal result
//      computed; softmax and GELU need nothing smaller), so exp(-∞) = 0; the steps below run on max(v, -708).
//   2. k = round(v·log2 e): adding 1.5·2^52 rounds to an integer and leaves k in the low mantissa bits.
//   3. r = v - k·ln2, ln2 split in two so k·ln2_hi is exact (ln2_hi has 32 trailing zero bits, |k| < 2^11);
//      |r| ≤ ln2/2.
//   4. exp(r) by its Taylor polynomial to r^13 (remainder below (ln2/2)^14/14! = 4e-18, under 2^-53), the terms
//      from r³ on by Estrin's scheme (a short dependent chain), the first three by Horner's (accuracy).
//   5. times 2^k, built in the exponent field: k = -1 -> (-1 + 1023) << 52 = 0x3FE0000000000000 = 0.5.
// Accuracy (tests/sim/exp_gelu_math_test.cpp, against long-double expl): within 1 ulp of binary64 on [-708, 0].
#include <cstdint>

#include "sim/ops/internal/lanes.h"

namespace fpsim::sim::detail {

/// exp(v) for v ≤ 0 (v < -708 gives +0); NaN stays NaN. Example: exp_nonpositive(-1.0) ≈ 0.36787944117144233.
template <class D>
[[gnu::always_inline]] inline D exp_nonpositive(D v) {
  constexpr double kShifter = 6755399441055744.0;  // 1.5·2^52
  constexpr double kLog2e = 1.44269504088896338700;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const D w = v < -708.0 ? splat<D>(-708.0) : v;
  const D shifted = w * kLog2e + kShifter;
  const D k = shifted - kShifter;
  const D r = (w - k * kLn2Hi) - k * kLn2Lo;
  // Σ r^n/n! for n ≤ 13 = 1 + r·(1 + r·(1/2 + r·H(r))), H(r) = Σ_{n=3..13} r^(n-3)/n! by Estrin's scheme (pairs,
  // then pairs of pairs in r², r⁴, r⁸): about a third of Horner's dependent chain, which bounds a loop of it.
  const D r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const D h01 = (1.666666666666666666667e-01 + 4.166666666666666666667e-02 * r) +
                (8.333333333333333333333e-03 + 1.388888888888888888889e-03 * r) * r2;  // 1/3! … 1/6!
  const D h23 = (1.984126984126984126984e-04 + 2.480158730158730158730e-05 * r) +
                (2.755731922398589065256e-06 + 2.755731922398589065256e-07 * r) * r2;  // 1/7! … 1/10!
  const D h45 = (2.505210838544171877505e-08 + 2.087675698786809897922e-09 * r) +
                1.605904383682161459937e-10 * r2;                                      // 1/11! … 1/13!
  const D h = (h01 + h23 * r4) + h45 * r8;
  const D p = ((h * r + 0.5) * r + 1.0) * r + 1.0;
  // 2^k: shifted's bits minus the shifter's are k (mod 2^64), moved into the exponent field
  const D result = p * from_bits((to_bits(shifted) - to_bits(kShifter) + 1023) << 52);
  return v < -708.0 ? splat<D>(0.0) : result;
}

/// out[i] = exp_nonpositive(in[i]) for i < n (in == out allowed), four lanes at a time.
/// Example: exp_span(args, args, n) for a softmax row of arguments x - max ≤ 0.
void exp_span(const double* in, double* out, int64_t n);

}  // namespace fpsim::sim::detail
