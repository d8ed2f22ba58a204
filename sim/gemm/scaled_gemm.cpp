#include "sim/gemm/scaled_gemm.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/gemm/internal/fp32.h"
#include "sim/parallel.h"

namespace fpsim::sim {
namespace {

// The common K-block length of two operands (see the header).
int k_block(const ScaledMatrix& a, const ScaledMatrix& b) {
  if (a.k() != b.k())
    throw std::invalid_argument("scaled_gemm: K of A (" + std::to_string(a.k()) + ") and B (" + std::to_string(b.k()) +
                                ") differ");
  const int kb = std::max(1, std::min(a.tile_k, b.tile_k)), longer = std::max(a.tile_k, b.tile_k);
  if (longer % kb != 0 && longer < a.k())
    throw std::invalid_argument("scaled_gemm: K tiles of " + std::to_string(a.tile_k) + " and " +
                                std::to_string(b.tile_k) + " do not nest");
  return kb;
}

// op(B) of the block [k0, k0 + kk) as a GemmProblem operand.
const float* b_block(const ScaledMatrix& b, int k0) {
  return b.q.data() + (b.k_axis == 1 ? std::size_t(k0) : std::size_t(k0) * std::size_t(b.cols));
}

}  // namespace

void scaled_gemm(const ScaledMatrix& a, const ScaledMatrix& b, float* c, int ldc, bool accumulate,
                 const Accumulation& acc) {
  scaled_gemm(a, b, c, ldc, accumulate, acc, simd::best_isa());
}

void scaled_gemm(const ScaledMatrix& a, const ScaledMatrix& b, float* c, int ldc, bool accumulate,
                 const Accumulation& acc, simd::Isa isa) {
  if (!simd::cpu_supports(isa))
    throw std::invalid_argument(std::string("scaled_gemm: ISA ") + simd::to_string(isa) + " is not supported by this CPU");
  const int m = a.other(), n = b.other(), k = a.k();
  const int kb = k_block(a, b);
  const int blocks = k == 0 ? 0 : (k + kb - 1) / kb;
  if (!acc.fp32 && acc.target.rounding == Rounding::Stochastic)
    throw std::invalid_argument("scaled_gemm: stochastic accumulators are not supported (their random words are "
                                "indexed per GEMM call)");
  if (ldc < n) throw std::invalid_argument("scaled_gemm: ldc < N");
  const Trans ta = a.k_axis == 1 ? Trans::No : Trans::Yes, tb = b.k_axis == 1 ? Trans::Yes : Trans::No;
  const float t = a.tensor_factor * b.tensor_factor;
  if (acc.fp32) {
    // The fp32 tiles with the fold inside (sim/gemm/internal/fp32.h): the factors of every block, then one GEMM.
    std::vector<float> fa(std::size_t(blocks) * std::size_t(m)), fb(std::size_t(blocks) * std::size_t(n));
    for (int blk = 0; blk < blocks; ++blk) {
      for (int i = 0; i < m; ++i) fa[std::size_t(blk) * std::size_t(m) + std::size_t(i)] = a.factor_at(i, blk * kb);
      for (int j = 0; j < n; ++j) fb[std::size_t(blk) * std::size_t(n) + std::size_t(j)] = b.factor_at(j, blk * kb);
    }
    gemm_fp32_folded({ta, tb, m, n, k, a.q.data(), a.cols, b.q.data(), b.cols, c, ldc, accumulate},
                     {kb, fa.data(), fb.data(), t}, isa);
    return;
  }
  // Other accumulators: a GEMM per K-block of a chunk of rows under `acc`, then the fold.
  const detail::FoldRow fold_row = detail::fold_row_for(isa);
  // One parallel region over chunks of output rows; inside, a serial GEMM per K-block on the chunk's rows
  // (the GEMM's bits do not depend on how outputs are split) and the fold of its partial sums.
  constexpr int kRows = 64;
  const int chunks = (m + kRows - 1) / kRows;
  parallel_for(chunks, 2, [&](int64_t chunk) {
    const int i0 = int(chunk) * kRows, rows = std::min(kRows, m - i0);
    std::vector<float> s(std::size_t(rows) * std::size_t(n), 0.0f), p(s.size()), fb(static_cast<std::size_t>(n));
    // Row i0 of op(A): A stored M×K (No) starts at row i0; stored K×M (Yes) at column i0.
    const float* a_rows = a.q.data() + (ta == Trans::No ? std::size_t(i0) * std::size_t(a.cols) : std::size_t(i0));
    for (int blk = 0; blk < blocks; ++blk) {
      const int k0 = blk * kb, kk = std::min(kb, k - k0);
      const float* a0 = a_rows + (ta == Trans::No ? std::size_t(k0) : std::size_t(k0) * std::size_t(a.cols));
      gemm({ta, tb, rows, n, kk, a0, a.cols, b_block(b, k0), b.cols, p.data(), n, false}, acc);
      for (int j = 0; j < n; ++j) fb[std::size_t(j)] = b.factor_at(j, k0);  // B's tiles run across j
      for (int i = 0; i < rows; ++i) {
        const float fa = a.factor_at(i0 + i, k0);
        fold_row(s.data() + std::size_t(i) * std::size_t(n), p.data() + std::size_t(i) * std::size_t(n), fa, fb.data(), n);
      }
    }
    for (int i = 0; i < rows; ++i) {
      const float* si = s.data() + std::size_t(i) * std::size_t(n);
      float* ci = c + std::size_t(i0 + i) * std::size_t(ldc);
      for (int j = 0; j < n; ++j) {
        const float r = si[j] * t;
        ci[j] = accumulate ? ci[j] + r : r;
      }
    }
  });
}

void scaled_gemm_reference(const ScaledMatrix& a, const ScaledMatrix& b, float* c, int ldc, bool accumulate) {
  const int m = a.other(), n = b.other(), k = a.k();
  const int kb = k_block(a, b);
  auto qa = [&](int i, int kk) { return a.k_axis == 1 ? a.q[std::size_t(i) * a.cols + kk] : a.q[std::size_t(kk) * a.cols + i]; };
  auto qb = [&](int kk, int j) { return b.k_axis == 1 ? b.q[std::size_t(j) * b.cols + kk] : b.q[std::size_t(kk) * b.cols + j]; };
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      float s = 0.0f;
      for (int k0 = 0; k0 < k; k0 += kb) {
        float p = 0.0f;
        for (int kk = k0; kk < std::min(k, k0 + kb); ++kk) p = std::fma(qa(i, kk), qb(kk, j), p);
        const float f = a.factor_at(i, k0) * b.factor_at(j, k0);
        s = std::fma(p, f, s);
      }
      const float r = s * (a.tensor_factor * b.tensor_factor);
      float& out = c[std::size_t(i) * ldc + j];
      out = accumulate ? out + r : r;
    }
}

}  // namespace fpsim::sim
