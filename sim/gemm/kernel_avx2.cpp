// AVX2 + FMA micro-kernel: a 6×16 tile of C in 12 ymm accumulators (6 rows × 2 vectors of 8 floats),
// leaving 4 registers for the two B vectors and the broadcast. Per k: acc[r][v] = a_rk · b_k,v + acc[r][v],
// one fused rounding per lane and step: the fmaf chain of sim/gemm/gemm.h, so the bits equal the scalar model.
// Edge tiles: columns beyond nr are masked (vmaskmovps) on every load and store; rows beyond mr read
// some valid row of A and are never stored.
#include "sim/gemm/internal/fp32.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace fpsim::sim::detail {
namespace {

constexpr int kMr = 6;
constexpr int kNr = 16;

// Lane mask with the sign bit set in the first n of 8 lanes. Example: n = 3 -> {-1, -1, -1, 0, 0, 0, 0, 0}.
__attribute__((target("avx2"))) inline __m256i lanes(int n) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), index);
}

// The k loop of both tiles: `steps` times acc[r][v] = fmadd(a_rk, b_k,v, acc[r][v]), advancing the row offset and
// b. Full width: all 16 lanes of b; else only the first nr (masked loads: no read past the matrix).
template <bool kFullWidth>
__attribute__((target("avx2,fma"), always_inline)) inline void multiply_add(int steps, const float* const (&a)[kMr],
                                                                            std::size_t& a_offset, std::size_t a_step,
                                                                            const float*& b, std::size_t b_step,
                                                                            __m256i m0, __m256i m1,
                                                                            __m256 (&acc)[kMr][2]) {
  for (int p = 0; p < steps; ++p) {
    const __m256 b0 = kFullWidth ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, m0);
    const __m256 b1 = kFullWidth ? _mm256_loadu_ps(b + 8) : _mm256_maskload_ps(b + 8, m1);
#pragma GCC unroll 6
    for (int r = 0; r < kMr; ++r) {
      const __m256 ar = _mm256_broadcast_ss(a[r] + a_offset);
      acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
    }
    a_offset += a_step;
    b += b_step;
  }
}

template <bool kFullWidth>
__attribute__((target("avx2,fma"))) void tile_6x16(int k, const TileOperands& in, float* c, std::size_t ldc,
                                                   int mr, int nr, bool load_c) {
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
  const float* a[kMr];
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) a[r] = in.a_rows[r];
  const float* b = in.b;
  std::size_t a_offset = 0;
  multiply_add<kFullWidth>(k, a, a_offset, in.a_step, b, in.b_step, m0, m1, acc);
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    if (r < mr) {
      _mm256_maskstore_ps(c + r * ldc, m0, acc[r][0]);
      _mm256_maskstore_ps(c + r * ldc + 8, m1, acc[r][1]);
    }
  }
}

// The folded tile (FoldedKernel): per K-block the same 12 accumulators from +0 and the same k loop as tile_6x16,
// then per row s = fmadd(P, fp32(row_r · col), s) on the tile of sums in L1 — the vector form of fold_row, so
// the bits equal gemm_fp32_folded's generic path.
template <bool kFullWidth>
__attribute__((target("avx2,fma"))) void folded_6x16(int k, const TileOperands& in, const FoldOperands& f,
                                                     float* sums, int mr, int nr) {
  const __m256i m0 = lanes(nr), m1 = lanes(nr - 8);
  const float* a[kMr];
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) a[r] = in.a_rows[r];
  const float* b = in.b;
  std::size_t a_offset = 0;
  for (int k0 = 0, blk = 0; k0 < k; k0 += f.kb, ++blk) {
    const int end = k0 + f.kb < k ? k0 + f.kb : k;
    __m256 acc[kMr][2];
#pragma GCC unroll 6
    for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    multiply_add<kFullWidth>(end - k0, a, a_offset, in.a_step, b, in.b_step, m0, m1, acc);
    const float* col = f.col + static_cast<std::size_t>(blk) * f.col_stride;
    const __m256 c0 = kFullWidth ? _mm256_loadu_ps(col) : _mm256_maskload_ps(col, m0);
    const __m256 c1 = kFullWidth ? _mm256_loadu_ps(col + 8) : _mm256_maskload_ps(col + 8, m1);
    const float* row = f.row + static_cast<std::size_t>(blk) * f.row_stride;
#pragma GCC unroll 6
    for (int r = 0; r < kMr; ++r) {
      if (r >= mr) break;  // rows beyond mr have no factor (and are never stored)
      const __m256 fr = _mm256_broadcast_ss(row + r);
      float* s = sums + r * kNr;
      _mm256_storeu_ps(s, _mm256_fmadd_ps(acc[r][0], _mm256_mul_ps(fr, c0), _mm256_loadu_ps(s)));
      _mm256_storeu_ps(s + 8, _mm256_fmadd_ps(acc[r][1], _mm256_mul_ps(fr, c1), _mm256_loadu_ps(s + 8)));
    }
  }
}

void folded_kernel_6x16(int k, const TileOperands& in, const FoldOperands& f, float* sums, int mr, int nr) {
  if (nr == kNr)
    folded_6x16<true>(k, in, f, sums, mr, nr);
  else
    folded_6x16<false>(k, in, f, sums, mr, nr);
}

void kernel_6x16(int k, const TileOperands& in, float* c, std::size_t ldc, int mr, int nr, bool load_c) {
  if (nr == kNr)
    tile_6x16<true>(k, in, c, ldc, mr, nr, load_c);
  else
    tile_6x16<false>(k, in, c, ldc, mr, nr, load_c);
}

}  // namespace

KernelInfo avx2_kernel() { return {kMr, kNr, &kernel_6x16, nullptr, &folded_kernel_6x16}; }

}  // namespace fpsim::sim::detail

#else  // not x86: simd::cpu_supports() is false for this micro-kernel, which is never called

namespace fpsim::sim::detail {
KernelInfo avx2_kernel() { return {}; }
}  // namespace fpsim::sim::detail

#endif
