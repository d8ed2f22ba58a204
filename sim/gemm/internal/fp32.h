#pragma once
// The fast binary32-accumulation GEMM: packing, register-blocked micro-kernels per instruction set,
// and the tile loop. Internal to sim/gemm*.cpp, public so tests and `fpsim bench gemm` can run
// every micro-kernel this CPU supports against the reference.
#include <cstddef>

#include "numerics/simd/isa.h"
#include "sim/gemm/gemm.h"

namespace fpsim::sim {

/// Micro-kernels exist for every simd::Isa (numerics/simd/isa.h, the one ISA selection of fpsim):
/// Portable = scalar std::fmaf loops, Avx2 = 6×16 tiles of __m256 FMAs, Avx512 = 8×32 tiles of __m512
/// FMAs. All give the same bits (the fmaf chain of sim/gemm/gemm.h); gemm() uses simd::best_isa().

/// The fp32-accumulation GEMM with a chosen micro-kernel (p already validated by gemm()).
/// Throws std::invalid_argument when the CPU does not support `isa`.
/// Example: gemm_fp32(p, simd::Isa::Portable) gives the same bits as gemm_reference(p).
void gemm_fp32(const GemmProblem& p, simd::Isa isa);

namespace detail {
/// The K-block folding of a scaled GEMM (sim/gemm/scaled_gemm.h): K is cut into blocks of kb; per output
///     s = 0;  for each block β: s = fmaf(P_β, fp32(row[β·M + i] · col[β·N + j]), s)
///     C_ij = fp32(s · tensor), or fp32(C_ij + fp32(s · tensor)) with p.accumulate,
/// where P_β is the fmaf chain over the block's k in increasing order, started from +0.
struct BlockFold {
  int kb = 0;
  const float* row = nullptr;  ///< blocks × M factors of op(A)'s rows
  const float* col = nullptr;  ///< blocks × N factors of op(B)'s columns
  float tensor = 1.0f;
};

/// One row of a fold: s[j] = fmaf(p[j], fp32(row · col[j]), s[j]) for j < n, vectorised with FMA
/// instructions where `isa` has them (the same bits: each fmaf is exact-then-rounded on every path).
using FoldRow = void (*)(float* s, const float* p, float row, const float* col, int n);
FoldRow fold_row_for(simd::Isa isa);
}  // namespace detail

/// gemm_fp32 with the K loop folded per block as above: the same tiles, packing once for all blocks.
/// Example: gemm_fp32_folded(p, {32, fa, fb, 1.0f}, simd::best_isa()) is an MX GEMM with FP32 accumulation.
void gemm_fp32_folded(const GemmProblem& p, const detail::BlockFold& fold, simd::Isa isa);

/// How gemm_fp32 tiles a problem: C itself or Cᵀ = op(B)ᵀ·op(A)ᵀ (narrow outputs), whether the right
/// operand is packed (its columns are strided in memory, or its panels serve several tiles) or read in
/// place, whether tiles run row by row (the left operand too large to stay cached) or column by column, and
/// whether threads share out the tiled product's columns or its rows (whichever moves fewer floats between
/// cores; by columns, each packs the panels it reads), and the K block length of the unfolded driver (k itself
/// when K is not cut into blocks; gemm_fp32_folded always runs one pass).
struct GemmPlan {
  bool transposed_tiles = false;
  bool packs_right = false;
  bool row_panel_major = false;
  bool threads_split_columns = false;
  int k_block = 0;
};

/// The plan gemm_fp32(p, isa) follows. Example: gemm_fp32_plan({Trans::Yes, Trans::No, 512, 10, 128, ...},
/// simd::Isa::Avx512).transposed_tiles is true (10 columns would fill 10 of 32 lanes).
GemmPlan gemm_fp32_plan(const GemmProblem& p, simd::Isa isa);

namespace detail {

/// Where a micro-kernel reads its operands for one tile. Row r of the tile takes its term k from
/// a_rows[r][k·a_step] (rows ≥ mr point at any valid row: their results are never stored), and the
/// NR terms k of the tile's columns from b + k·b_step, NR contiguous floats of which only the first
/// nr are read (masked loads when nr < NR). Either side may be a packed panel (a_step = MR, b_step =
/// NR) or the caller's matrix itself.
struct TileOperands {
  const float* a_rows[8];
  std::size_t a_step;
  const float* b;
  std::size_t b_step;
};

/// One MR×NR tile: c[r·ldc + j] (r < mr, j < nr) = fmaf chain over k of a(r, k) · b(k, j), started
/// from c (load_c) or +0; mr ≤ MR and nr ≤ NR are the valid rows and columns of an edge tile.
using MicroKernel = void (*)(int k, const TileOperands& in, float* c, std::size_t ldc, int mr, int nr, bool load_c);

/// The largest MR·NR of any micro-kernel (AVX-512: 8 × 32).
inline constexpr int kMaxTile = 8 * 32;

/// A 16×16 block transpose, dst[j·dst_ld + i] = src[i·src_ld + j], used to pack strided operands.
using Transpose16 = void (*)(const float* src, std::size_t src_ld, float* dst, std::size_t dst_ld);

/// Where a folding micro-kernel reads the scale factors of one tile (BlockFold, above): block β's factor of
/// tile row r is row[β·row_stride + r] (r < mr), of tile column j is col[β·col_stride + j] (j < nr).
struct FoldOperands {
  int kb = 0;
  const float* row = nullptr;
  std::size_t row_stride = 0;
  const float* col = nullptr;
  std::size_t col_stride = 0;
};

/// One MR×NR tile of a folded GEMM: sums[r·NR + j] (zero on entry) becomes s of BlockFold for that output,
/// the fold done in registers as each block's partial sums complete. Valid rows and columns as MicroKernel.
using FoldedKernel = void (*)(int k, const TileOperands& in, const FoldOperands& f, float* sums, int mr, int nr);

struct KernelInfo {
  int mr = 0;
  int nr = 0;
  MicroKernel run = nullptr;
  Transpose16 transpose16 = nullptr;  ///< optional: packing falls back to scalar copies
  FoldedKernel run_folded = nullptr;  ///< optional: else `run` per block into a tile, folded by fold_row_for(isa)
};

KernelInfo portable_kernel();
KernelInfo avx2_kernel();    ///< defined in gemm_kernel_avx2.cpp (compiled with a target attribute)
KernelInfo avx512_kernel();  ///< defined in gemm_kernel_avx512.cpp

}  // namespace detail
}  // namespace fpsim::sim
