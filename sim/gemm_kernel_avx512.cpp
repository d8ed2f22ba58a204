// AVX-512F micro-kernel: an 8×32 tile of C in 16 zmm accumulators (8 rows × 2 vectors of 16 floats).
// Per k: two vector loads of the packed B row b[k][0..32), eight broadcasts of a[0..8)[k], sixteen
// FMAs acc[r][v] = a_rk · b_k,v + acc[r][v]. Each lane is one c_ij and sees exactly the fmaf chain
// of sim/gemm.h (k increasing, one fused rounding per step), so the bits equal the scalar model.
// Edge tiles: columns beyond nr are masked on load/store (the packed B is zero-padded there); rows
// beyond mr are computed on zero-padded A and never stored.
#include <immintrin.h>

#include "sim/gemm_fp32.h"

namespace fpsim::sim::detail {
namespace {

constexpr int kMr = 8;
constexpr int kNr = 32;

// Lane mask for the first `n` of 16 lanes (n clamped to [0, 16]). Example: n = 3 -> 0b0000'0000'0000'0111.
__attribute__((target("avx512f"))) inline __mmask16 lanes(int n) {
  if (n <= 0) return 0;
  if (n >= 16) return 0xFFFF;
  return static_cast<__mmask16>((1u << n) - 1u);
}

__attribute__((target("avx512f,fma"))) void kernel_8x32(int k, const float* ap, const float* bp, float* c,
                                                        std::size_t ldc, int mr, int nr, bool load_c) {
  const __mmask16 m0 = lanes(nr), m1 = lanes(nr - 16);
  __m512 acc[kMr][2];
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (load_c && r < mr) {
      acc[r][0] = _mm512_maskz_loadu_ps(m0, c + r * ldc);
      acc[r][1] = _mm512_maskz_loadu_ps(m1, c + r * ldc + 16);
    } else {
      acc[r][0] = _mm512_setzero_ps();
      acc[r][1] = _mm512_setzero_ps();
    }
  }
  for (int p = 0; p < k; ++p) {
    const __m512 b0 = _mm512_loadu_ps(bp);
    const __m512 b1 = _mm512_loadu_ps(bp + 16);
#pragma GCC unroll 8
    for (int r = 0; r < kMr; ++r) {
      const __m512 a = _mm512_set1_ps(ap[r]);
      acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
    }
    ap += kMr;
    bp += kNr;
  }
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (r < mr) {
      _mm512_mask_storeu_ps(c + r * ldc, m0, acc[r][0]);
      _mm512_mask_storeu_ps(c + r * ldc + 16, m1, acc[r][1]);
    }
  }
}

}  // namespace

KernelInfo avx512_kernel() { return {kMr, kNr, &kernel_8x32}; }

}  // namespace fpsim::sim::detail
