// The vector path of the matrix-unit model (sim/gemm/gemm.h): tiles of up to 8 rows × one column group,
// as the emulated accumulator's (emulated.cpp). Each tile runs through all of K in one call of numerics'
// RoundedAccumulator::run_matrix_unit, which sums each group's cut terms exactly (binary32 lanes and
// integer sums when every product is exact in binary32, e.g. FP8 operands; binary64 lanes otherwise),
// rounds the total into the Target and promotes into FP32 at the promotion points.
// Tiles are independent and K is never split: the bits do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "numerics/core/convert.h"
#include "numerics/fast/accumulate.h"
#include "sim/gemm/internal/emulated.h"

namespace fpsim::sim {

void gemm_matrix_unit(const GemmProblem& p, const Accumulation& acc, simd::Isa isa) {
  constexpr int kRows = 8;
  const Target& t = acc.target;
  const MatrixUnit& mu = acc.matrix_unit;
  const MatrixUnitCut cut{mu.group, mu.frac_bits, mu.truncate, mu.promote_every};
  const RoundedAccumulator accumulator(t, isa);
  const bool binary32_products = binary32_product_bits(p) > 0;
  const int tile_rows = binary32_products ? kRows : 4;  // binary64 lanes: 4 rows × 2 vectors of sums
  const int width = accumulator.width(), m = p.m, n = p.n, k = p.k;
  const int row_blocks = (m + tile_rows - 1) / tile_rows, groups = (n + width - 1) / width;
  const bool promote = mu.promote_every > 0, trans_a = p.trans_a == Trans::Yes;
  const std::size_t w = static_cast<std::size_t>(width);
  // |A| in A's layout (binary32 lanes: the groups' largest terms), once per GEMM
  const std::size_t a_lines = trans_a ? k : m, a_used = trans_a ? m : k, lda = static_cast<std::size_t>(p.lda);
  std::vector<float> a_magnitude(binary32_products ? a_lines * lda : 0);
  for (std::size_t i = 0; i < a_magnitude.size() / std::max<std::size_t>(lda, 1); ++i) {
    float* line = a_magnitude.data() + i * lda;
#pragma omp simd
    for (std::size_t kk = 0; kk < a_used; ++kk) line[kk] = std::fabs(p.a[i * lda + kk]);
  }
  const std::unique_ptr<float[]> panels(new float[static_cast<std::size_t>(groups) * k * w]);  // no zero fill
  pack_column_groups(p, width, panels.get());
  // the Target's rounding of C, by the array path before the tiles when no random word is involved
  const bool round_c = p.accumulate && !promote, rounded_before = round_c && t.rounding != Rounding::Stochastic;
  if (rounded_before) round_c_into_target(p, t);
  const bool round_each = round_c && !rounded_before;  // sr Targets: encode() with word 0, per element
#pragma omp parallel
  {
    std::vector<float> s(kRows * w), f(kRows * w);
#pragma omp for schedule(dynamic)
    for (int tile = 0; tile < row_blocks * groups; ++tile) {
      const int group = tile / row_blocks, i0 = (tile % row_blocks) * tile_rows;
      const int rows = std::min(tile_rows, m - i0), j0 = group * width, cols = std::min(width, n - j0);
      auto c_at = [&](int r, int j) -> float& { return p.c[static_cast<std::size_t>(i0 + r) * p.ldc + j0 + j]; };
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < width; ++j) {
          const float c = j < cols && p.accumulate ? c_at(r, j) : 0.0f;
          f[r * w + j] = promote ? c : 0.0f;
          // ±0 kept, e.g. when not accumulating
          s[r * w + j] = promote                     ? 0.0f
                         : round_each && c != 0.0f ? static_cast<float>(decode(encode(c, t, 0).bits, t.format))
                                                   : c;
        }
      AccumulateGroup g;
      g.rows = rows;
      g.k_count = k;
      g.a_step = trans_a ? static_cast<std::size_t>(p.lda) : 1;
      for (int r = 0; r < rows; ++r) {
        const std::size_t offset = trans_a ? static_cast<std::size_t>(i0 + r) : (i0 + r) * lda;
        g.a_rows[r] = p.a + offset;
        if (binary32_products) g.a_magnitude_rows[r] = a_magnitude.data() + offset;
      }
      g.b = panels.get() + static_cast<std::size_t>(group) * k * w;
      g.sums = s.data();
      g.binary32_products = binary32_products;
      accumulator.run_matrix_unit(g, cut, promote ? f.data() : nullptr);
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < cols; ++j) c_at(r, j) = promote ? f[r * w + j] : s[r * w + j];
    }
  }
}

}  // namespace fpsim::sim
