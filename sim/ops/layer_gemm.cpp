#include "sim/ops/layer_gemm.h"

#include <stdexcept>
#include <vector>

#include "numerics/quantize/hadamard.h"
#include "sim/gemm/scaled_gemm.h"

namespace fpsim::sim {

ScaledMatrix cast_operand(const OperandCast& c, std::span<const float> x, int rows, int cols, int k_axis) {
  if (!c.target) {  // binary32: the values themselves, one tile with factor 1
    ScaledMatrix m;
    m.rows = rows;
    m.cols = cols;
    m.k_axis = k_axis;
    m.tile_other = std::max(m.other(), 1);
    m.tile_k = std::max(m.k(), 1);
    m.q.assign(x.begin(), x.end());
    m.factor = {1.0f};
    m.enc = {1.0f};
    return m;
  }
  const bool delayed = c.scaling.mode == ScaleMode::TensorDelayed;
  std::optional<float> enc;
  if (delayed) enc = c.state ? c.state->scale(c.state_key) : 1.0f;
  ScaledMatrix m = scaled_cast(x, rows, cols, k_axis, *c.target, c.scaling, c.stream ? &*c.stream : nullptr, 0,
                               c.telemetry ? &c.telemetry->stats : nullptr, enc);
  if (delayed && c.state && c.record)
    c.state->observe(c.state_key, m.amax, c.step, c.scaling, c.target->format.max_value());
  if (c.telemetry && c.scaling.mode != ScaleMode::None) c.telemetry->scale.add(m.amax, m.enc, m.tile_amax);
  return m;
}

namespace {

bool per_tensor(const OperandCast& c) {
  const ScaleMode m = c.scaling.mode;
  return m == ScaleMode::None || m == ScaleMode::Tensor || m == ScaleMode::TensorDelayed;
}

// The cast of an operand, taken from `s.reuse` when the other GEMM reading this tensor already made it (see
// ScaledGemms); a per-tensor cast made first is left there for its second use.
ScaledMatrix cast_or_reuse(const ScaledGemms& s, const OperandCast& c, std::span<const float> x, int rows, int cols,
                           int k_axis, bool transformed) {
  const bool shareable = c.cast_id >= 0 && per_tensor(c) && !transformed;
  if (shareable)
    for (auto it = s.reuse.begin(); it != s.reuse.end(); ++it)
      if (it->cast_id == c.cast_id && it->data == x.data() && it->size == x.size()) {
        ScaledMatrix m = std::move(it->cast);
        s.reuse.erase(it);
        m.rows = rows;
        m.cols = cols;
        m.k_axis = k_axis;
        m.tile_other = std::max(m.other(), 1);
        m.tile_k = std::max(m.k(), 1);
        return m;
      }
  ScaledMatrix m = cast_operand(c, x, rows, cols, k_axis);
  if (shareable) s.reuse.push_back({c.cast_id, x.data(), x.size(), m});
  return m;
}

}  // namespace

void layer_gemm(GemmPass pass, const GemmProblem& p, const LayerGemm& g) {
  const Accumulation acc = for_role(g.acc, pass);
  if (!g.scaled) return gemm(p, acc);
  // Stored shapes: A is M×K (No) or K×M (Yes); B is K×N (No) or N×K (Yes).
  const int a_rows = p.trans_a == Trans::No ? p.m : p.k, a_cols = p.trans_a == Trans::No ? p.k : p.m;
  const int b_rows = p.trans_b == Trans::No ? p.k : p.n, b_cols = p.trans_b == Trans::No ? p.n : p.k;
  if (p.lda != a_cols || p.ldb != b_cols)
    throw std::invalid_argument("layer_gemm: scaled GEMMs need compact operands (lda, ldb = row length)");
  const int a_k_axis = p.trans_a == Trans::No ? 1 : 0, b_k_axis = p.trans_b == Trans::No ? 0 : 1;
  const ScaledGemms& s = *g.scaled;
  const size_t i = size_t(pass);
  std::span<const float> a(p.a, size_t(a_rows) * size_t(a_cols)), b(p.b, size_t(b_rows) * size_t(b_cols));
  std::vector<float> ha, hb;
  if (s.hadamard[i]) {  // the same signs on both operands: the exact product is unchanged
    ha.assign(a.begin(), a.end());
    hb.assign(b.begin(), b.end());
    hadamard_transform(ha, a_rows, a_cols, a_k_axis, s.hadamard_signs);
    hadamard_transform(hb, b_rows, b_cols, b_k_axis, s.hadamard_signs);
    a = ha;
    b = hb;
  }
  const ScaledMatrix qa = cast_or_reuse(s, s.a[i], a, a_rows, a_cols, a_k_axis, s.hadamard[i]);
  const ScaledMatrix qb = cast_or_reuse(s, s.b[i], b, b_rows, b_cols, b_k_axis, s.hadamard[i]);
  scaled_gemm(qa, qb, p.c, p.ldc, p.accumulate, acc);
}

}  // namespace fpsim::sim
