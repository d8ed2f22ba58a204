// AVX2 + FMA micro-kernel: a 6×16 tile of C in 12 ymm accumulators (6 rows × 2 vectors of 8 floats),
// leaving 4 registers for the two B vectors and the broadcast. Per k: acc[r][v] = a_rk · b_k,v + acc[r][v],
// one fused rounding per lane and step: the fmaf chain of sim/gemm.h, so the bits equal the scalar model.
// Edge tiles: columns beyond nr are masked (vmaskmovps) on load/store; rows beyond mr are computed on
// zero-padded A and never stored.
#include <immintrin.h>

#include "sim/gemm_fp32.h"

namespace fpsim::sim::detail {
namespace {

constexpr int kMr = 6;
constexpr int kNr = 16;

// Lane mask with the sign bit set in the first n of 8 lanes. Example: n = 3 -> {-1, -1, -1, 0, 0, 0, 0, 0}.
__attribute__((target("avx2"))) inline __m256i lanes(int n) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), index);
}

__attribute__((target("avx2,fma"))) void kernel_6x16(int k, const float* ap, const float* bp, float* c,
                                                     std::size_t ldc, int mr, int nr, bool load_c) {
  const __m256i m0 = lanes(nr), m1 = lanes(nr - 8);
  __m256 acc[kMr][2];
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    if (load_c && r < mr) {
      acc[r][0] = _mm256_maskload_ps(c + r * ldc, m0);
      acc[r][1] = _mm256_maskload_ps(c + r * ldc + 8, m1);
    } else {
      acc[r][0] = _mm256_setzero_ps();
      acc[r][1] = _mm256_setzero_ps();
    }
  }
  for (int p = 0; p < k; ++p) {
    const __m256 b0 = _mm256_loadu_ps(bp);
    const __m256 b1 = _mm256_loadu_ps(bp + 8);
#pragma GCC unroll 6
    for (int r = 0; r < kMr; ++r) {
      const __m256 a = _mm256_broadcast_ss(ap + r);
      acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
    }
    ap += kMr;
    bp += kNr;
  }
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    if (r < mr) {
      _mm256_maskstore_ps(c + r * ldc, m0, acc[r][0]);
      _mm256_maskstore_ps(c + r * ldc + 8, m1, acc[r][1]);
    }
  }
}

}  // namespace

KernelInfo avx2_kernel() { return {kMr, kNr, &kernel_6x16}; }

}  // namespace fpsim::sim::detail
