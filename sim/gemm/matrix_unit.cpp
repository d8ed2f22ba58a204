// The vector path of the matrix-unit model (sim/gemm/gemm.h): tiles of up to 4 rows × one column group,
// as the emulated accumulator's (emulated.cpp). Per tile and group of g products:
//   1. T = the group's exact sum of cut terms (numerics' matrix_unit_group_sums, the running sum s
//      included among the terms);
//   2. s = round(+0 + T) into the Target (RoundedAccumulator, one step with T as the term);
//   3. at a promotion point: f = fp32(f + s) (binary32 addition, nearest-even), s = 0.
// Tiles are independent and K is never split: the bits do not depend on the thread count.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "numerics/core/convert.h"
#include "numerics/fast/accumulate.h"
#include "sim/gemm/internal/emulated.h"

namespace fpsim::sim {

void gemm_matrix_unit(const GemmProblem& p, const Accumulation& acc, simd::Isa isa) {
  constexpr int kRows = 4;
  const Target& t = acc.target;
  const MatrixUnit& mu = acc.matrix_unit;
  const RoundedAccumulator accumulator(t, isa);
  const int width = accumulator.width(), m = p.m, n = p.n, k = p.k;
  const int row_blocks = (m + kRows - 1) / kRows, groups = (n + width - 1) / width;
  const bool promote = mu.promote_every > 0, trans_a = p.trans_a == Trans::Yes;
  const std::size_t w = static_cast<std::size_t>(width);
#pragma omp parallel
  {
    std::vector<float> panel(static_cast<std::size_t>(k) * w), s(kRows * w), f(kRows * w);
    std::vector<double> totals(kRows * w);
    int packed = -1;
#pragma omp for schedule(dynamic)
    for (int tile = 0; tile < row_blocks * groups; ++tile) {
      const int group = tile / row_blocks, i0 = (tile % row_blocks) * kRows;
      const int rows = std::min(kRows, m - i0), j0 = group * width, cols = std::min(width, n - j0);
      if (group != packed) {
        pack_column_group(p, j0, cols, width, panel.data());
        packed = group;
      }
      auto c_at = [&](int r, int j) -> float& { return p.c[static_cast<std::size_t>(i0 + r) * p.ldc + j0 + j]; };
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < width; ++j) {
          const float c = j < cols && p.accumulate ? c_at(r, j) : 0.0f;
          f[r * w + j] = promote ? c : 0.0f;
          s[r * w + j] = promote ? 0.0f : static_cast<float>(decode(encode(static_cast<double>(c), t, 0).bits, t.format));
        }
      for (int k0 = 0; k0 < k; k0 += mu.group) {
        const int k1 = std::min(k, k0 + mu.group);
        AccumulateGroup g;  // 1.
        g.rows = rows;
        g.k_count = k1 - k0;
        g.a_step = trans_a ? static_cast<std::size_t>(p.lda) : 1;
        for (int r = 0; r < rows; ++r)
          g.a_rows[r] = trans_a ? p.a + static_cast<std::size_t>(k0) * p.lda + i0 + r
                                : p.a + static_cast<std::size_t>(i0 + r) * p.lda + k0;
        g.b = panel.data() + static_cast<std::size_t>(k0) * w;
        g.sums = s.data();
        matrix_unit_group_sums(isa, g, mu.frac_bits, mu.truncate, totals.data());
        AccumulateGroup round;  // 2.
        round.rows = rows;
        round.k_count = 1;
        for (int r = 0; r < rows; ++r) round.rows_terms[r] = totals.data() + r * w;
        std::fill(s.begin(), s.end(), 0.0f);
        round.sums = s.data();
        accumulator.run(round);
        if (promote && (k1 % mu.promote_every == 0 || k1 == k)) {  // 3.
          for (std::size_t e = 0; e < f.size(); ++e) f[e] += s[e];
          std::fill(s.begin(), s.end(), 0.0f);
        }
      }
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < cols; ++j) c_at(r, j) = promote ? f[r * w + j] : s[r * w + j];
    }
  }
}

}  // namespace fpsim::sim
