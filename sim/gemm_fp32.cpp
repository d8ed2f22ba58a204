// The fast binary32-accumulation GEMM driver (BLIS-style, simplified):
//   1. pack op(A) into row panels of MR rows: ap[panel][k][r] = op(A)(i0 + r, k), zero-padded to MR;
//   2. pack op(B) into column panels of NR columns: bp[panel][k][j] = op(B)(k, j0 + j), zero-padded;
//   3. for every MR×NR tile of C: the micro-kernel runs the whole K loop in registers, started from C
//      (accumulate) or +0, and stores the tile once.
// K is never split, so each c_ij is one fmaf chain in k order whatever the tiling or thread count.
// A whole-K panel pair is at most K·(MR + NR) floats (100 KB for K = 784); the micro-kernel needs
// only ~20 bytes per 16 FMAs from it, well within L2 bandwidth, so no K blocking is needed.
// OpenMP: packing is split over panels, then tiles are split statically (column panel outer, so a
// thread reuses its B panel across row panels); outputs never overlap, floats are never reduced
// across threads.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/gemm_fp32.h"

namespace fpsim::sim {
namespace detail {
namespace {

constexpr int kPortableMr = 4;
constexpr int kPortableNr = 16;

// Portable micro-kernel: the same tile contract with scalar std::fmaf (correct on any CPU; slow
// where fmaf is a library call).
void kernel_portable(int k, const float* ap, const float* bp, float* c, std::size_t ldc, int mr, int nr,
                     bool load_c) {
  float acc[kPortableMr][kPortableNr] = {};
  if (load_c)
    for (int r = 0; r < mr; ++r)
      for (int j = 0; j < nr; ++j) acc[r][j] = c[r * ldc + j];
  for (int p = 0; p < k; ++p) {
    for (int r = 0; r < kPortableMr; ++r)
      for (int j = 0; j < kPortableNr; ++j) acc[r][j] = std::fmaf(ap[r], bp[j], acc[r][j]);
    ap += kPortableMr;
    bp += kPortableNr;
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

// ap[k·MR + r] = op(A)(i0 + r, k) for r < rows, 0 for the padding rows.
void pack_a_panel(float* ap, const OperandView& a, std::size_t i0, int rows, int mr, int k) {
  if (a.transposed) {  // op(A)(i, k) = a[k·ld + i]: contiguous in r
    for (int p = 0; p < k; ++p) {
      const float* src = a.data + p * a.ld + i0;
      float* dst = ap + static_cast<std::size_t>(p) * mr;
      for (int r = 0; r < rows; ++r) dst[r] = src[r];
      for (int r = rows; r < mr; ++r) dst[r] = 0.0f;
    }
  } else {  // op(A)(i, k) = a[i·ld + k]: read each row once, scatter with stride MR
    for (int r = 0; r < mr; ++r) {
      float* dst = ap + r;
      if (r < rows) {
        const float* src = a.data + (i0 + r) * a.ld;
        for (int p = 0; p < k; ++p) dst[static_cast<std::size_t>(p) * mr] = src[p];
      } else {
        for (int p = 0; p < k; ++p) dst[static_cast<std::size_t>(p) * mr] = 0.0f;
      }
    }
  }
}

// bp[k·NR + j] = op(B)(k, j0 + j) for j < cols, 0 for the padding columns.
void pack_b_panel(float* bp, const OperandView& b, std::size_t j0, int cols, int nr, int k) {
  if (!b.transposed) {  // op(B)(k, j) = b[k·ld + j]: contiguous in j
    for (int p = 0; p < k; ++p) {
      const float* src = b.data + p * b.ld + j0;
      float* dst = bp + static_cast<std::size_t>(p) * nr;
      for (int j = 0; j < cols; ++j) dst[j] = src[j];
      for (int j = cols; j < nr; ++j) dst[j] = 0.0f;
    }
  } else {  // op(B)(k, j) = b[j·ld + k]: read each row of B once, scatter with stride NR
    for (int j = 0; j < nr; ++j) {
      float* dst = bp + j;
      if (j < cols) {
        const float* src = b.data + (j0 + j) * b.ld;
        for (int p = 0; p < k; ++p) dst[static_cast<std::size_t>(p) * nr] = src[p];
      } else {
        for (int p = 0; p < k; ++p) dst[static_cast<std::size_t>(p) * nr] = 0.0f;
      }
    }
  }
}

detail::KernelInfo kernel_for(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::Avx512: return detail::avx512_kernel();
    case GemmIsa::Avx2: return detail::avx2_kernel();
    case GemmIsa::Portable: break;
  }
  return detail::portable_kernel();
}

// Below this many multiply-adds a parallel region costs more than it saves (a few microseconds).
constexpr double kParallelMinFmas = 1 << 18;

}  // namespace

const char* to_string(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::Portable: return "portable";
    case GemmIsa::Avx2: return "avx2";
    case GemmIsa::Avx512: return "avx512";
  }
  return "?";
}

bool gemm_isa_supported(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::Portable: return true;
#if defined(__x86_64__) || defined(__i386__)
    case GemmIsa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GemmIsa::Avx512: return __builtin_cpu_supports("avx512f");
#else
    default: return false;
#endif
  }
  return false;
}

GemmIsa gemm_best_isa() {
  static const GemmIsa best = gemm_isa_supported(GemmIsa::Avx512) ? GemmIsa::Avx512
                              : gemm_isa_supported(GemmIsa::Avx2) ? GemmIsa::Avx2
                                                                  : GemmIsa::Portable;
  return best;
}

void gemm_fp32(const GemmProblem& p, GemmIsa isa) {
  if (!gemm_isa_supported(isa))
    throw std::invalid_argument(std::string("gemm: micro-kernel ") + to_string(isa) +
                                " is not supported by this CPU");
  if (p.m == 0 || p.n == 0) return;
  if (p.k == 0) {  // empty sum: C = +0, or C unchanged when accumulating
    if (!p.accumulate)
      for (int i = 0; i < p.m; ++i) std::fill_n(p.c + static_cast<std::size_t>(i) * p.ldc, p.n, 0.0f);
    return;
  }
  const detail::KernelInfo kernel = kernel_for(isa);
  const int mr = kernel.mr, nr = kernel.nr, k = p.k;
  const int row_panels = (p.m + mr - 1) / mr;
  const int col_panels = (p.n + nr - 1) / nr;
  const std::size_t a_panel = static_cast<std::size_t>(k) * mr;
  const std::size_t b_panel = static_cast<std::size_t>(k) * nr;
  float* const ap = scratch(a_panel * row_panels + b_panel * col_panels);
  float* const bp = ap + a_panel * row_panels;
  const OperandView a{p.a, static_cast<std::size_t>(p.lda), p.trans_a == Trans::Yes};
  const OperandView b{p.b, static_cast<std::size_t>(p.ldb), p.trans_b == Trans::Yes};
  const std::size_t ldc = static_cast<std::size_t>(p.ldc);
  const bool parallel = static_cast<double>(p.m) * p.n * k >= kParallelMinFmas;
  const int tiles = row_panels * col_panels;

#pragma omp parallel if (parallel)
  {
#pragma omp for schedule(static) nowait
    for (int ip = 0; ip < row_panels; ++ip)
      pack_a_panel(ap + a_panel * ip, a, static_cast<std::size_t>(ip) * mr, std::min(mr, p.m - ip * mr), mr, k);
#pragma omp for schedule(static)
    for (int jp = 0; jp < col_panels; ++jp)
      pack_b_panel(bp + b_panel * jp, b, static_cast<std::size_t>(jp) * nr, std::min(nr, p.n - jp * nr), nr, k);
    // (implicit barrier: every panel is packed before any tile runs)
#pragma omp for schedule(static)
    for (int t = 0; t < tiles; ++t) {
      const int jp = t / row_panels, ip = t % row_panels;
      float* c = p.c + static_cast<std::size_t>(ip) * mr * ldc + static_cast<std::size_t>(jp) * nr;
      kernel.run(k, ap + a_panel * ip, bp + b_panel * jp, c, ldc, std::min(mr, p.m - ip * mr),
                 std::min(nr, p.n - jp * nr), p.accumulate);
    }
  }
}

}  // namespace fpsim::sim
