// Fast emulated accumulation: round to odd into binary32, then quantize() a row at a time.
//
// Why it is exact. Rounding to odd with q bits and then rounding to p ≤ q − 2 bits, in any of
// rne, rna, rtz, rup, rdn, rodd or trunc, gives the same result as rounding the exact value to p bits
// once (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using
// rounding to odd", IEEE TC 2008): the odd value lies strictly between the same two p-bit
// neighbours as the exact one and keeps "inexact" in its last bit, so no midpoint, boundary or
// overflow threshold (all representable in q bits) can be crossed or hit by accident. Binary32 gives
// q = 24, hence precision ≤ 22; its subnormal step 2^-149 must stay ≥ 2 bits below the Target's
// smallest step, hence 2^(emin − p + 1) ≥ 2^-147. Stochastic rounding needs every bit of the exact
// value, so it keeps the exact scalar path (add_rounded).
//
// Per output row i (rows split over OpenMP threads), for k = 0, 1, ...:
//   1. t_j = round_to_odd_float(s_j, a_ik·b_kj) for every column j (the product is exact in binary64);
//   2. s = quantize(t) into the Target (vectorised, bit-identical to encode()).
// Chunked: the same into a partial row, folded into s at the end of each chunk.
#include "sim/gemm/internal/emulated.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "numerics/quantize/quantize.h"

namespace fpsim::sim {

bool fast_emulation_applies(const Target& t) {
  const Format& f = t.format;
  return t.rounding != Rounding::Stochastic && !t.daz && t.compat == Compat::None && f.precision() <= 22 &&
         f.emax() <= 127 && f.emin() - f.precision() + 1 >= -147;
}

namespace {

// round_to_odd_float without branches, so that the row loop below vectorises.
inline float odd_sum(double u, double v) {
  // 1. hi + lo = u + v exactly (TwoSum)
  const double hi = u + v;
  const double v_part = hi - u;
  const double lo = (u - (hi - v_part)) + (v - v_part);
  // 2. f = hi rounded to nearest float; f − (u + v) = (f − hi) − lo, where f − hi is exact
  const float f = static_cast<float>(hi);
  const double overshoot = (static_cast<double>(f) - hi) - lo;  // its sign is exact
  // 3. truncate: if |f| > |u + v|, step the magnitude down one ulp (the bit pattern minus 1, e.g.
  //    0x3f800000 = 1.0 -> 0x3f7fffff = 1 − 2^-24; FLT_MAX overflowing to inf 0x7f800000 -> 0x7f7fffff)
  //    (signs compared as bits: integer tests keep the loop free of branches, so it vectorises)
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint32_t f_negative = bits >> 31;
  const auto overshoot_negative = static_cast<uint32_t>(std::bit_cast<uint64_t>(overshoot) >> 63);
  const uint32_t too_large = static_cast<uint32_t>(f != 0.0f) & static_cast<uint32_t>(f_negative == overshoot_negative);
  // 4. set the sticky last bit (±0 becomes ± the smallest subnormal: the exact value is that tiny)
  const float odd = std::bit_cast<float>((bits - too_large) | 1u);
  // exact in binary32, or not finite (inf/NaN in: f itself; exponent field of hi all ones)
  const bool not_finite = ((std::bit_cast<uint64_t>(hi) >> 52) & 0x7FF) == 0x7FF;
  const bool keep = (overshoot == 0.0) | not_finite;
  return keep ? f : odd;
}

// out[j] = odd_sum(sum[j], a·b[j·b_step]) for j < n. The product of two floats is exact in binary64,
// so contracting it into an FMA (GCC may, in C++) cannot change a value. One clone per vector width.
__attribute__((target_clones("avx512f", "avx2", "default"))) void odd_row(float* out, const float* sum, double a,
                                                                        const float* b, std::size_t b_step,
                                                                        int n) {
  for (int j = 0; j < n; ++j) out[j] = odd_sum(sum[j], a * b[static_cast<std::size_t>(j) * b_step]);
}

}  // namespace

float round_to_odd_float(double u, double v) { return odd_sum(u, v); }

void gemm_emulated_fast(const GemmProblem& p, const Accumulation& acc) {
  const Target& t = acc.target;
  const QuantizeOptions serial{.threads = 1};
  const int n = p.n, k = p.k;
#pragma omp parallel
  {
    std::vector<float> s(n), partial(n), odd(n);
    auto round_row = [&](std::vector<float>& out) {
      quantize(std::span<const float>(odd), std::span<float>(out), t, nullptr, 0, nullptr, serial);
    };
#pragma omp for schedule(dynamic)
    for (int i = 0; i < p.m; ++i) {
      float* c = p.c + static_cast<std::size_t>(i) * p.ldc;
      if (p.accumulate) {
        std::copy(c, c + n, odd.begin());
        round_row(s);
      } else {
        std::fill(s.begin(), s.end(), 0.0f);
      }
      auto a_at = [&](int kk) {
        return p.trans_a == Trans::Yes ? p.a[static_cast<std::size_t>(kk) * p.lda + i]
                                       : p.a[static_cast<std::size_t>(i) * p.lda + kk];
      };
      auto add_products = [&](std::vector<float>& sum, int k_begin, int k_end) {
        for (int kk = k_begin; kk < k_end; ++kk) {
          const bool strided = p.trans_b == Trans::Yes;  // op(B)(k, j) = b[j·ldb + k]
          const float* b = strided ? p.b + kk : p.b + static_cast<std::size_t>(kk) * p.ldb;
          odd_row(odd.data(), sum.data(), a_at(kk), b, strided ? static_cast<std::size_t>(p.ldb) : 1, n);
          round_row(sum);
        }
      };
      if (acc.chunk <= 0) {
        add_products(s, 0, k);
      } else {
        for (int k0 = 0; k0 < k; k0 += acc.chunk) {
          std::fill(partial.begin(), partial.end(), 0.0f);
          add_products(partial, k0, std::min(k, k0 + acc.chunk));
          odd_row(odd.data(), s.data(), 1.0, partial.data(), 1, n);  // 1·partial is exact
          round_row(s);
        }
      }
      std::copy(s.begin(), s.end(), c);
    }
  }
}

}  // namespace fpsim::sim
