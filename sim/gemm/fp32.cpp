// The fast binary32-accumulation GEMM driver:
//   1. orientation: tile C, or tile Cᵀ = op(B)ᵀ·op(A)ᵀ when that wastes fewer lanes or avoids packing a strided
//      operand (orientation_cost; the MLP's 10-class layer: N = 10 fills 10 of 32 lanes, but Cᵀ has 128 columns);
//   2. the left operand (rows × K) is read in place: each tile row is a pointer plus a step along k;
//   3. the right operand (K × columns) is packed into zero-padded panels of NR columns, panel[k][j] =
//      right(k, j0 + j), when its columns are strided in memory, or when they are contiguous but each panel
//      serves several tiles and the operand exceeds L1 (GemmPlan::packs_right); otherwise read in place;
//   4. K is cut into blocks when it is long (k_block_for); for every K block, every MR×NR tile runs the
//      micro-kernel over the block in registers, started from C (accumulate, or a later block) or +0, and
//      stores the tile once. Tiles go column by column (one B panel stays in L1), or row by row when the
//      left operand's block is too large to stay cached and the packed right block is not
//      (GemmPlan::row_panel_major).
// Each c_ij is one fmaf chain in k order whatever the tiling, orientation, order or thread count.
// OpenMP: each thread computes the tiles of its share of the panels along one axis (owned_tiles,
// split_tile_columns); split by columns, it packs the right operand's panels it reads itself, else the packing
// is shared out first. Outputs never overlap, floats are never reduced across threads.
// gemm_fp32_folded (scaled GEMMs) runs the same tiles with the K loop cut into blocks: each block's sums
// start from +0 and are folded with the block's scale factors into a local tile of partial sums (by the
// micro-kernel from its registers where it has a folded variant, AVX2; else from a second local tile);
// the right operand is packed once for all blocks.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/gemm/internal/fp32.h"

#ifdef FPSIM_HAVE_OPENMP
#include <omp.h>
#endif

namespace fpsim::sim {
namespace detail {
namespace {

constexpr int kPortableMr = 4;
constexpr int kPortableNr = 16;

// Portable micro-kernel: the same tile contract with scalar std::fmaf (correct on any CPU; slow
// where fmaf is a library call).
void kernel_portable(int k, const TileOperands& in, float* c, std::size_t ldc, int mr, int nr, bool load_c) {
  float acc[kPortableMr][kPortableNr] = {};
  if (load_c)
    for (int r = 0; r < mr; ++r)
      for (int j = 0; j < nr; ++j) acc[r][j] = c[r * ldc + j];
  for (int p = 0; p < k; ++p) {
    const float* b = in.b + static_cast<std::size_t>(p) * in.b_step;
    for (int r = 0; r < mr; ++r) {
      const float a = in.a_rows[r][static_cast<std::size_t>(p) * in.a_step];
      for (int j = 0; j < nr; ++j) acc[r][j] = std::fmaf(a, b[j], acc[r][j]);
    }
  }
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) c[r * ldc + j] = acc[r][j];
}

}  // namespace

KernelInfo portable_kernel() { return {kPortableMr, kPortableNr, &kernel_portable}; }

}  // namespace detail

namespace {

// A float buffer aligned to 64 bytes, reused across calls by the calling thread.
float* scratch(std::size_t floats) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < floats + 16) buffer.resize(floats + 16);
  auto address = reinterpret_cast<std::uintptr_t>(buffer.data());
  return buffer.data() + ((64 - address % 64) % 64) / sizeof(float);
}

// Element (row, col) of op(X) for a row-major X with leading dimension ld.
struct OperandView {
  const float* data;
  std::size_t ld;
  bool transposed;
  float at(std::size_t row, std::size_t col) const {
    return transposed ? data[col * ld + row] : data[row * ld + col];
  }
};

// Packs `width` lines of op(X) into a panel: panel[p·width + w] = op(X)(line0 + w, p) for w < lines,
// 0 for the padding lines (w ≥ lines), p < k. "Line" is a row of op(A) or a column of op(B) (a row
// of op(B)ᵀ), so both panels are packed by this one routine on the view of op(A) or op(B)ᵀ.
// Where a line is strided in memory (view not transposed: X is read along its rows and scattered
// with stride `width`), the copy goes in blocks of 16 k so the block of the panel being written
// (16·width floats, 2 KB for width 32) stays in L1 while each line contributes 64 contiguous bytes.
void pack_panel(float* panel, const OperandView& x, std::size_t line0, int lines, int width, int k,
                detail::Transpose16 transpose16) {
  if (x.transposed) {  // op(X)(line, p) = data[p·ld + line]: contiguous along the lines
    for (int p = 0; p < k; ++p) {
      const float* src = x.data + static_cast<std::size_t>(p) * x.ld + line0;
      float* dst = panel + static_cast<std::size_t>(p) * width;
      for (int w = 0; w < lines; ++w) dst[w] = src[w];
      for (int w = lines; w < width; ++w) dst[w] = 0.0f;
    }
    return;
  }
  constexpr int kBlock = 16;
  for (int p0 = 0; p0 < k; p0 += kBlock) {
    const int p1 = std::min(k, p0 + kBlock);
    int w = 0;
    if (transpose16 != nullptr && p1 - p0 == kBlock)  // whole 16×16 blocks with vector shuffles
      for (; w + kBlock <= lines; w += kBlock)
        transpose16(x.data + (line0 + w) * x.ld + p0, x.ld, panel + static_cast<std::size_t>(p0) * width + w,
                    static_cast<std::size_t>(width));
    for (; w < width; ++w) {
      float* dst = panel + w;
      if (w < lines) {
        const float* src = x.data + (line0 + w) * x.ld;  // op(X)(line, p) = data[line·ld + p]
        for (int p = p0; p < p1; ++p) dst[static_cast<std::size_t>(p) * width] = src[p];
      } else {
        for (int p = p0; p < p1; ++p) dst[static_cast<std::size_t>(p) * width] = 0.0f;
      }
    }
  }
}

// The view of op(X)ᵀ: the same storage read the other way round.
OperandView transposed(const OperandView& x) { return {x.data, x.ld, !x.transposed}; }

detail::KernelInfo kernel_for(simd::Isa isa) {
  switch (isa) {
    case simd::Isa::Avx512: return detail::avx512_kernel();
    case simd::Isa::Avx2: return detail::avx2_kernel();
    case simd::Isa::Portable: break;
  }
  return detail::portable_kernel();
}

// Below this many multiply-adds a parallel region costs more than it saves (a few microseconds).
constexpr double kParallelMinFmas = 1 << 18;

// The tiles one thread of a team computes: thread `me` of `threads` owns panels [⌊P·me/threads⌋,
// ⌊P·(me+1)/threads⌋) of the P panels along one axis of the tiled product (me: its number in the team), and
// every tile along the other axis; split_tile_columns picks the axis. Which thread computes a tile never
// changes its bits.
//   e.g. C 128 × 512, 8 × 32 tiles, 2 threads, by rows: thread 0 owns ip 0-7 (C's rows 0-63), thread 1 ip 8-15;
//   by columns: thread 0 owns jp 0-7 (C's columns 0-255) and packs panels 0-7, thread 1 jp 8-15.
struct OwnedTiles {
  int ip_begin, ip_end, jp_begin, jp_end;
};
OwnedTiles owned_tiles(int row_panels, int col_panels, bool split_columns) {
#ifdef FPSIM_HAVE_OPENMP
  const int me = omp_get_thread_num(), threads = omp_get_num_threads();
#else
  const int me = 0, threads = 1;
#endif
  const int panels = split_columns ? col_panels : row_panels;
  const int begin = static_cast<int>(static_cast<int64_t>(panels) * me / threads);
  const int end = static_cast<int>(static_cast<int64_t>(panels) * (me + 1) / threads);
  return split_columns ? OwnedTiles{0, row_panels, begin, end} : OwnedTiles{begin, end, 0, col_panels};
}

// Whether the threads split the tiled product's columns (jp) rather than its rows (ip): the split that moves
// fewer floats between the cores' caches. Split by columns, each thread packs the panels of its own columns.
//   - Cᵀ tiles: their columns are C's rows, the split the next operation on C (an element-wise pass, the
//     optimiser on a gradient) uses for C's memory (contiguous halves, parallel_elements), so each half is
//     read by the core that wrote it. Handed out dynamically, about half of C moved between the cores after
//     every GEMM; measured on a 2-core AMD EPYC VM (AVX-512), `fpsim train`, 430 FP32 MLP updates on 2
//     threads, alternating binaries: 0.87-0.88 s against 0.92-0.95 s, and 1.27-1.40 s against 1.48-1.50 s in
//     a slower phase of the shared host.
//   - C tiles with the right operand packed: split by rows, every thread reads every panel, the other
//     threads' share of them packed by other cores (K·cols floats, that share of them); split by columns,
//     every thread reads all of the left operand (rows·K) and writes C in column strips that the next
//     operation reads by rows (rows·cols). The left operand and C were (and will be) split by rows.
//     e.g. the MLP's 128 × 512 × 784 forward GEMM: panels 401k floats, left + C 166k: by columns (so are its
//     128 × 512 × 512 forward and input-gradient GEMMs); on a 2-core AMD EPYC VM whose vCPUs were 0.4 µs apart
//     (a cache-line round trip) it ran at 290-300 GF/s on 2 threads against 160-170 GF/s (as on 1) by rows. A
//     2-thread FP32 MLP epoch took 1.29-1.32 s against 1.40-1.69 s (alternating binaries, two rounds). The
//     Transformer's 2048 × 384 × 128 QKV projection (panels 49k, left + C 1,049k) stays by rows: splitting
//     every packed GEMM by columns made its 2-thread update 0.054-0.055 s against 0.049 s.
//     Measured with 2 threads; with more threads than column panels, some would have no tiles.
//   - C tiles with the right operand in place: by rows (nothing is packed).
bool split_tile_columns(int rows, int cols, int k, bool transposed_tiles, bool packs_right) {
  if (transposed_tiles) return true;
  if (!packs_right) return false;
  return static_cast<double>(k) * cols > static_cast<double>(rows) * (static_cast<double>(k) + cols);
}

// K blocks of the plain (unfolded) driver. A long K (the weight gradients: K = batch·positions, 2048 for
// the Transformer) streams each tile's rows of both operands from memory, and the next tile misses them
// again when the operands exceed L2 (dYᵀ·X with dY 2048×384: 3 MB). Cutting K into blocks of kKBlock, every
// tile runs block β before any runs β+1: the operands' rows of one block (kKBlock·(rows + cols) floats,
// 512 KB for 384 + 128 columns) stay in L2 for all tiles. A tile's block β+1 continues from the float
// it stored in C after block β, so each c_ij is still one fmaf chain in k order: the bits do not change.
constexpr int kKBlock = 256;
int k_block_for(int k, int rows, int cols) {
  const double floats = static_cast<double>(k) * (rows + cols);
  return k > 2 * kKBlock && floats > (1 << 17) ? kKBlock : k;
}

// Packing a contiguous right operand pays once a panel is reused by this many tiles (measured on an AMD EPYC,
// AVX2, 1 thread: 0.68-0.87 of the in-place time for the MLP's and the Transformer's NN and TN GEMMs).
constexpr int kPackMinRowPanels = 4;

// A right operand of at most this many bytes stays in L1 read in place (the attention products per head).
constexpr double kL1Budget = 32.0 * 1024;

// Bytes of one operand's K block that a tile order may assume stay in the cache: half of a 512 KB L2.
constexpr double kCacheBudget = 256.0 * 1024;

}  // namespace

// Cost of one orientation in lane-FMAs (measured on Zen: ~32 FMA lanes per cycle): every tile is
// computed in full (padding lanes included); packing an element costs about 8 (16×16 vector
// transposes at ~0.25 cycle per element), and moving one through the scalar transposed write-back
// of a Cᵀ tile about 48 (~1.5 cycles).
double orientation_cost(int rows, int cols, int k, int mr, int nr, bool packs_right, double moved) {
  const double padded_rows = static_cast<double>((rows + mr - 1) / mr) * mr;
  const double padded_cols = static_cast<double>((cols + nr - 1) / nr) * nr;
  const double padded = padded_rows * padded_cols * k;
  return padded + 8.0 * (packs_right ? static_cast<double>(k) * cols : 0.0) + 48.0 * moved;
}

GemmPlan gemm_fp32_plan(const GemmProblem& p, simd::Isa isa) {
  const detail::KernelInfo kernel = kernel_for(isa);
  const int mr = kernel.mr, nr = kernel.nr, k = p.k;
  // Tiling Cᵀ = op(B)ᵀ·op(A)ᵀ forms the same products a_ik·b_kj (multiplication commutes, so
  // fmaf(b, a, s) = fmaf(a, b, s) bit for bit) in the same k order; its tiles are written back
  // transposed. The right operand's columns are contiguous iff its view is not transposed:
  // op(B) for C (trans_b = No), op(A)ᵀ for Cᵀ (trans_a = Yes).
  const bool a_transposed = p.trans_a == Trans::Yes, b_transposed = p.trans_b == Trans::Yes;
  const double moved = static_cast<double>(p.m) * p.n * (p.accumulate ? 2 : 1);
  const bool swap = orientation_cost(p.n, p.m, k, mr, nr, !a_transposed, moved) <
                    orientation_cost(p.m, p.n, k, mr, nr, b_transposed, 0.0);
  const int rows = swap ? p.n : p.m, cols = swap ? p.m : p.n;
  const bool strided_right = swap ? !a_transposed : b_transposed;
  // A contiguous right operand is packed too once each panel serves kPackMinRowPanels tiles: read in place,
  // its K rows of NR floats lie one leading dimension apart, and a power-of-two stride (2 KB for 512 columns)
  // maps them onto a few cache sets, so the panel is fetched again for every tile; packed, it is K·NR
  // consecutive floats that stay in L1 for a column of tiles.
  const bool packs_right = strided_right || ((rows + mr - 1) / mr >= kPackMinRowPanels &&
                                             4.0 * k * cols > kL1Budget);
  // Tile order: column of tiles by column (one B panel in L1, all of the left operand's K block streamed once
  // per panel) unless that block is larger than kCacheBudget bytes and the packed right block is not; then
  // row by row (one tile row of the left operand in L1, all B panels kept in L2).
  //   e.g. the Transformer's QKV projection, 2048 × 384 × 128: left 1 MB, right 192 KB: row by row.
  const int k_block = k_block_for(k, rows, cols);
  const double left_bytes = 4.0 * rows * k_block, right_bytes = 4.0 * cols * k_block;
  const bool row_major = packs_right && left_bytes > kCacheBudget && right_bytes <= kCacheBudget;
  return {swap, packs_right, row_major, split_tile_columns(rows, cols, k, swap, packs_right), k_block};
}

namespace {

// s[j] = fmaf(p[j], fp32(row · col[j]), s[j]) for j < n: one row of a tile's fold. Fused multiply-adds are
// exact-then-rounded on every path (the FMA build vectorises this loop; the generic one calls fmaf), so
// both give the same bits.
void fold_row_generic(float* s, const float* p, float row, const float* col, int n) {
  for (int j = 0; j < n; ++j) s[j] = std::fma(p[j], row * col[j], s[j]);
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2,fma"))) void fold_row_fma(float* s, const float* p, float row, const float* col, int n) {
  for (int j = 0; j < n; ++j) s[j] = std::fma(p[j], row * col[j], s[j]);
}
#endif
}  // namespace

detail::FoldRow detail::fold_row_for(simd::Isa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (isa != simd::Isa::Portable && fma) return fold_row_fma;
#endif
  (void)isa;
  return fold_row_generic;
}

namespace {

// The tile driver of gemm_fp32 and gemm_fp32_folded (fold == nullptr: one K loop, C started from itself or +0).
void run_tiles(const GemmProblem& p, simd::Isa isa, const detail::BlockFold* fold) {
  if (!simd::cpu_supports(isa))
    throw std::invalid_argument(std::string("gemm: micro-kernel ") + simd::to_string(isa) +
                                " is not supported by this CPU");
  if (p.m == 0 || p.n == 0) return;
  if (p.k == 0) {  // empty sum: C = +0 (folded: fp32(+0 · tensor)), or C + that when accumulating
    if (p.accumulate && !fold) return;  // C + 0 without a fold leaves C as it is
    const float zero = fold ? 0.0f * fold->tensor : 0.0f;
    for (int i = 0; i < p.m; ++i)
      for (int j = 0; j < p.n; ++j) {
        float& out = p.c[static_cast<std::size_t>(i) * p.ldc + j];
        out = p.accumulate ? out + zero : zero;
      }
    return;
  }
  const detail::KernelInfo kernel = kernel_for(isa);
  const int mr = kernel.mr, nr = kernel.nr, k = p.k;
  const OperandView a{p.a, static_cast<std::size_t>(p.lda), p.trans_a == Trans::Yes};
  const OperandView b{p.b, static_cast<std::size_t>(p.ldb), p.trans_b == Trans::Yes};
  const GemmPlan plan = gemm_fp32_plan(p, isa);
  const bool swap = plan.transposed_tiles;
  const int rows = swap ? p.n : p.m, cols = swap ? p.m : p.n;  // of the product actually tiled
  const OperandView left = swap ? transposed(b) : a;             // left(i, k): rows × K
  const OperandView right = swap ? transposed(a) : b;            // right(k, j): K × cols
  const bool pack_right = plan.packs_right;
  const int row_panels = (rows + mr - 1) / mr;
  const int col_panels = (cols + nr - 1) / nr;
  const std::size_t panel_size = static_cast<std::size_t>(k) * nr;
  float* const panels = pack_right ? scratch(panel_size * col_panels) : nullptr;
  const std::size_t ldc = static_cast<std::size_t>(p.ldc);
  const bool parallel = static_cast<double>(p.m) * p.n * k >= kParallelMinFmas;
  const int tiles = row_panels * col_panels;
  // Folding: the factors of the tiled product's rows and columns (A's and B's, exchanged for Cᵀ tiles).
  const detail::FoldRow fold_row = detail::fold_row_for(isa);
  const float* row_factors = fold ? (swap ? fold->col : fold->row) : nullptr;
  const float* col_factors = fold ? (swap ? fold->row : fold->col) : nullptr;
  const std::size_t row_stride = static_cast<std::size_t>(rows), col_stride = static_cast<std::size_t>(cols);
  const int k_block = fold ? k : plan.k_block;

  // 3. panels of NR columns of right = NR lines of rightᵀ
  auto pack_one = [&](int jp) {
    pack_panel(panels + panel_size * jp, transposed(right), static_cast<std::size_t>(jp) * nr,
               std::min(nr, cols - jp * nr), nr, k, kernel.transpose16);
  };
  // Tile t over the K block [k0, k0 + kk); a later block continues the chain stored in C.
  auto tile_one = [&](int t, int k0) {
    const int kk = std::min(k_block, k - k0);
    const bool load_c = p.accumulate || k0 > 0;
    const int jp = plan.row_panel_major ? t % col_panels : t / row_panels;
    const int ip = plan.row_panel_major ? t / col_panels : t % row_panels;
    const int tile_rows = std::min(mr, rows - ip * mr), tile_cols = std::min(nr, cols - jp * nr);
    const std::size_t r0 = static_cast<std::size_t>(ip) * mr, c0 = static_cast<std::size_t>(jp) * nr;
    // 2. left rows in place: left(i, k) = data[i·ld + k] (step 1) or data[k·ld + i] (step ld)
    // every field is set here (value-initialising `in` cost a `rep stos` per tile); rows ≥ mr repeat a valid row
    detail::TileOperands in;
    constexpr int kRowSlots = static_cast<int>(std::size(in.a_rows));
    for (int r = 0; r < kRowSlots; ++r) {
      const std::size_t row = r0 + static_cast<std::size_t>(std::min(r, tile_rows - 1));
      in.a_rows[r] = left.transposed ? left.data + row : left.data + row * left.ld;
    }
    in.a_step = left.transposed ? left.ld : 1;
    in.b = pack_right ? panels + panel_size * jp : right.data + c0;
    in.b_step = pack_right ? static_cast<std::size_t>(nr) : right.ld;
    for (int r = 0; r < mr; ++r) in.a_rows[r] += static_cast<std::size_t>(k0) * in.a_step;
    in.b += static_cast<std::size_t>(k0) * in.b_step;
    float tile[detail::kMaxTile];
    if (fold) {
      // s = Σ over blocks fmaf(P_β, fp32(row_β · col_β), s), each P_β a fresh fmaf chain over its block
      float sums[detail::kMaxTile];
      std::fill_n(sums, tile_rows * nr, 0.0f);
      if (kernel.run_folded) {
        kernel.run_folded(k, in, {fold->kb, row_factors + r0, row_stride, col_factors + c0, col_stride}, sums,
                          tile_rows, tile_cols);
      } else {
        for (int k0 = 0, blk = 0; k0 < k; k0 += fold->kb, ++blk) {
          const int kk = std::min(fold->kb, k - k0);
          detail::TileOperands block = in;
          for (int r = 0; r < mr; ++r) block.a_rows[r] += static_cast<std::size_t>(k0) * in.a_step;
          block.b += static_cast<std::size_t>(k0) * in.b_step;
          kernel.run(kk, block, tile, static_cast<std::size_t>(nr), tile_rows, tile_cols, false);
          const float* rf = row_factors + static_cast<std::size_t>(blk) * row_stride + r0;
          const float* cf = col_factors + static_cast<std::size_t>(blk) * col_stride + c0;
          for (int r = 0; r < tile_rows; ++r) fold_row(sums + r * nr, tile + r * nr, rf[r], cf, tile_cols);
        }
      }
      // C = fp32(s · tensor), or fp32(C + fp32(s · tensor)); Cᵀ tiles are written back transposed
      const float tensor = fold->tensor;
      for (int r = 0; r < tile_rows; ++r) {
        const float* sr = sums + r * nr;
        if (swap) {
          float* out = p.c + c0 * ldc + r0 + r;  // C[c0 + j][r0 + r] = out[j·ldc]
          for (int j = 0; j < tile_cols; ++j) out[j * ldc] = p.accumulate ? out[j * ldc] + sr[j] * tensor : sr[j] * tensor;
        } else if (p.accumulate) {
          float* out = p.c + (r0 + r) * ldc + c0;
          for (int j = 0; j < tile_cols; ++j) out[j] = out[j] + sr[j] * tensor;
        } else {
          float* out = p.c + (r0 + r) * ldc + c0;
          for (int j = 0; j < tile_cols; ++j) out[j] = sr[j] * tensor;
        }
      }
      return;
    }
    if (!swap) {
      kernel.run(kk, in, p.c + r0 * ldc + c0, ldc, tile_rows, tile_cols, load_c);
      return;
    }
    // tile (r, j) of Cᵀ is C[c0 + j][r0 + r]: run the kernel on a local tile, copy in and out transposed
    if (load_c)
      for (int r = 0; r < tile_rows; ++r)
        for (int j = 0; j < tile_cols; ++j) tile[r * nr + j] = p.c[(c0 + j) * ldc + r0 + r];
    kernel.run(kk, in, tile, static_cast<std::size_t>(nr), tile_rows, tile_cols, load_c);
    for (int r = 0; r < tile_rows; ++r)
      for (int j = 0; j < tile_cols; ++j) p.c[(c0 + j) * ldc + r0 + r] = tile[r * nr + j];
  };
  // A small GEMM runs on the calling thread without forking a region (not even one of 1 thread: it may be
  // one of many small GEMMs a caller runs in parallel itself, like the attention products per head).
  if (!parallel) {
    if (pack_right)
      for (int jp = 0; jp < col_panels; ++jp) pack_one(jp);
    for (int k0 = 0; k0 < k; k0 += k_block)
      for (int t = 0; t < tiles; ++t) tile_one(t, k0);
    return;
  }
#pragma omp parallel
  {
    const bool by_columns = plan.threads_split_columns;
    const OwnedTiles owned = owned_tiles(row_panels, col_panels, by_columns);
    if (pack_right && by_columns) {  // this thread's panels only: no barrier before its tiles
      for (int jp = owned.jp_begin; jp < owned.jp_end; ++jp) pack_one(jp);
    } else if (pack_right) {
#pragma omp for schedule(static)
      for (int jp = 0; jp < col_panels; ++jp) pack_one(jp);
      // (implicit barrier: every panel is packed before any tile runs)
    }
    for (int k0 = 0; k0 < k; k0 += k_block) {  // one pass when there are no K blocks
      if (plan.row_panel_major) {
        for (int ip = owned.ip_begin; ip < owned.ip_end; ++ip)
          for (int jp = owned.jp_begin; jp < owned.jp_end; ++jp) tile_one(ip * col_panels + jp, k0);
      } else {
        for (int jp = owned.jp_begin; jp < owned.jp_end; ++jp)
          for (int ip = owned.ip_begin; ip < owned.ip_end; ++ip) tile_one(jp * row_panels + ip, k0);
      }
      // the threads start K block k0 + 1 together (its operand rows are fresh in cache for both); after the last
      // block the region's own barrier ends the GEMM
      if (k0 + k_block < k) {
#pragma omp barrier
      }
    }
  }
}

}  // namespace

void gemm_fp32(const GemmProblem& p, simd::Isa isa) { run_tiles(p, isa, nullptr); }

void gemm_fp32_folded(const GemmProblem& p, const detail::BlockFold& fold, simd::Isa isa) {
  if (fold.kb < 1) throw std::invalid_argument("gemm_fp32_folded: K-block length " + std::to_string(fold.kb) + " < 1");
  run_tiles(p, isa, &fold);
}

}  // namespace fpsim::sim
