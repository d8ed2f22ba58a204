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

// 8×8 transpose: dst[j·dst_ld + i] = src[i·src_ld + j] for i, j < 8, in three shuffle stages (r_i = row i,
// each ymm two 128-bit halves of 4 floats):
//   1. unpack{lo,hi}_ps(r_2i, r_2i+1): t = [r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5]] (lo) and
//      [r0[2] r1[2] r0[3] r1[3] | r0[6] r1[6] r0[7] r1[7]] (hi), for rows 0-1 (likewise 2-3, 4-5, 6-7);
//   2. shuffle_ps 0x44 / 0xEE of the pairs of rows 0-1 and 2-3: u = [column c of rows 0-3 | column c + 4 of
//      rows 0-3] for c = 0 (lo, 0x44), 1 (lo, 0xEE), 2 (hi, 0x44), 3 (hi, 0xEE); likewise rows 4-7;
//   3. permute2f128 0x20 / 0x31 joins the low / high halves of rows 0-3 and rows 4-7: columns c and c + 4.
__attribute__((target("avx2"))) inline void transpose_8x8(const float* src, std::size_t src_ld, float* dst,
                                                         std::size_t dst_ld) {
  __m256 r[8], t[8], u[8];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * src_ld);
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h) {  // rows 4h .. 4h + 3
    u[4 * h + 0] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0x44);
    u[4 * h + 1] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0xEE);
    u[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0x44);
    u[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0xEE);
  }
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    _mm256_storeu_ps(dst + c * dst_ld, _mm256_permute2f128_ps(u[c], u[4 + c], 0x20));
    _mm256_storeu_ps(dst + (c + 4) * dst_ld, _mm256_permute2f128_ps(u[c], u[4 + c], 0x31));
  }
}

// 16×16 transpose (the packing of strided operands, fp32.h's Transpose16) as four 8×8 blocks.
__attribute__((target("avx2"))) void transpose_16x16(const float* src, std::size_t src_ld, float* dst,
                                                    std::size_t dst_ld) {
  for (std::size_t bi = 0; bi < 16; bi += 8)
    for (std::size_t bj = 0; bj < 16; bj += 8)
      transpose_8x8(src + bi * src_ld + bj, src_ld, dst + bj * dst_ld + bi, dst_ld);
}

void kernel_6x16(int k, const TileOperands& in, float* c, std::size_t ldc, int mr, int nr, bool load_c) {
  if (nr == kNr)
    tile_6x16<true>(k, in, c, ldc, mr, nr, load_c);
  else
    tile_6x16<false>(k, in, c, ldc, mr, nr, load_c);
}

}  // namespace

KernelInfo avx2_kernel() { return {kMr, kNr, &kernel_6x16, &transpose_16x16, &folded_kernel_6x16}; }

}  // namespace fpsim::sim::detail

#else  // not x86: simd::cpu_supports() is false for this micro-kernel, which is never called

namespace fpsim::sim::detail {
KernelInfo avx2_kernel() { return {}; }
}  // namespace fpsim::sim::detail

#endif
