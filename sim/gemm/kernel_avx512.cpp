// AVX-512F micro-kernel: an 8×32 tile of C in 16 zmm accumulators (8 rows × 2 vectors of 16 floats).
// Per k: two vector loads of B's row k, b[k][0..32), eight broadcasts of a[0..8)[k], sixteen
// FMAs acc[r][v] = a_rk · b_k,v + acc[r][v]. Each lane is one c_ij and sees exactly the fmaf chain
// of sim/gemm/gemm.h (k increasing, one fused rounding per step), so the bits equal the scalar model.
// Edge tiles: columns beyond nr are masked on every load and store; rows beyond mr read some valid
// row of A and are never stored.
#include "sim/gemm/internal/fp32.h"

#if defined(__x86_64__) || defined(__i386__)
// GCC 12's avx512fintrin.h builds the pass-through operand of _mm512_unpack{lo,hi}_ps from
// _mm512_undefined_ps(), which -Wuninitialized then reports at our call sites (a false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

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

template <bool kFullWidth>
__attribute__((target("avx512f,fma"))) void tile_8x32(int k, const TileOperands& in, float* c, std::size_t ldc,
                                                      int mr, int nr, bool load_c) {
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
  const float* a[kMr];
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) a[r] = in.a_rows[r];
  const float* b = in.b;
  std::size_t a_offset = 0;
  for (int p = 0; p < k; ++p) {
    // all 32 lanes when the tile is full width; else only the first nr (no read past the matrix)
    const __m512 b0 = kFullWidth ? _mm512_loadu_ps(b) : _mm512_maskz_loadu_ps(m0, b);
    const __m512 b1 = kFullWidth ? _mm512_loadu_ps(b + 16) : _mm512_maskz_loadu_ps(m1, b + 16);
#pragma GCC unroll 8
    for (int r = 0; r < kMr; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r][a_offset]);
      acc[r][0] = _mm512_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(ar, b1, acc[r][1]);
    }
    a_offset += in.a_step;
    b += in.b_step;
  }
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (r < mr) {
      _mm512_mask_storeu_ps(c + r * ldc, m0, acc[r][0]);
      _mm512_mask_storeu_ps(c + r * ldc + 16, m1, acc[r][1]);
    }
  }
}

void kernel_8x32(int k, const TileOperands& in, float* c, std::size_t ldc, int mr, int nr, bool load_c) {
  if (nr == kNr)
    tile_8x32<true>(k, in, c, ldc, mr, nr, load_c);
  else
    tile_8x32<false>(k, in, c, ldc, mr, nr, load_c);
}

// 16×16 transpose: dst[j·dst_ld + i] = src[i·src_ld + j] for i, j < 16, in four shuffle stages
// (r_i = row i; a "lane" is 128 bits = 4 floats, L = 0..3):
//   1. unpack{lo,hi}_ps(r_2i, r_2i+1): pairs (r_2i[j], r_2i+1[j]) for j = 4L, 4L+1 | 4L+2, 4L+3
//   2. unpack{lo,hi}_pd of those: u[4i + c] lane L = column 4L + c of rows 4i..4i+3
//   3. shuffle_f32x4 0x44 / 0xEE: lanes {0, 1} / {2, 3} of u[c] and u[4 + c] (and of u[8 + c], u[12 + c])
//   4. shuffle_f32x4 0x88 / 0xDD: even / odd lanes of those, so column 4L + c =
//      [u[c] lane L, u[4 + c] lane L, u[8 + c] lane L, u[12 + c] lane L] = rows 0..15.
__attribute__((target("avx512f"))) void transpose_16x16(const float* src, std::size_t src_ld, float* dst,
                                                       std::size_t dst_ld) {
  __m512 r[16], t[16], u[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + i * src_ld);
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    const __m512d lo0 = _mm512_castps_pd(t[4 * i]), lo1 = _mm512_castps_pd(t[4 * i + 2]);
    const __m512d hi0 = _mm512_castps_pd(t[4 * i + 1]), hi1 = _mm512_castps_pd(t[4 * i + 3]);
    u[4 * i + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(lo0, lo1));
    u[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(lo0, lo1));
    u[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(hi0, hi1));
    u[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(hi0, hi1));
  }
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    const __m512 v_lo = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44), v_hi = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
    const __m512 w_lo = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44),
                 w_hi = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
    _mm512_storeu_ps(dst + (0 + c) * dst_ld, _mm512_shuffle_f32x4(v_lo, w_lo, 0x88));
    _mm512_storeu_ps(dst + (4 + c) * dst_ld, _mm512_shuffle_f32x4(v_lo, w_lo, 0xDD));
    _mm512_storeu_ps(dst + (8 + c) * dst_ld, _mm512_shuffle_f32x4(v_hi, w_hi, 0x88));
    _mm512_storeu_ps(dst + (12 + c) * dst_ld, _mm512_shuffle_f32x4(v_hi, w_hi, 0xDD));
  }
}

}  // namespace

KernelInfo avx512_kernel() { return {kMr, kNr, &kernel_8x32, &transpose_16x16}; }

}  // namespace fpsim::sim::detail

#else  // not x86: simd::cpu_supports() is false for this micro-kernel, which is never called

namespace fpsim::sim::detail {
KernelInfo avx512_kernel() { return {}; }
}  // namespace fpsim::sim::detail

#endif
