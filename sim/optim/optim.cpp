#include "sim/optim/optim.h"

#include <algorithm>
#include <cmath>

#include "sim/parallel.h"

namespace fpsim::sim {
namespace {

QuantSide side_for(const Parameter& p, Role role, int64_t step, uint64_t seed, TelemetryWindow* telemetry) {
  QuantSide s;
  if (!p.targets || !(*p.targets)[role]) return s;
  s.target = (*p.targets)[role];
  if (s.target->rounding == Rounding::Stochastic) s.stream.emplace(seed, uint64_t(step), stream_id(p.name), uint64_t(role));
  if (telemetry) {
    PointTelemetry& t = (*telemetry)[p.layer + "/" + to_string(role)];
    s.stats = &t.stats;
    s.log2_hist = &t.log2_hist;
  }
  return s;
}

// The telemetry point of a QuantSide, to add scale statistics to (null when not sampling).
PointTelemetry* point_of(const Parameter& p, Role role, TelemetryWindow* telemetry) {
  return telemetry ? &(*telemetry)[p.layer + "/" + to_string(role)] : nullptr;
}

// Round optimiser state in place into `role`'s Target: plainly, or, with a scaling spec (tensor or block, e.g.
// Fishman et al. 2024 per tensor, torchao blocks of 256), as a scaled cast of the flattened tensor (one row,
// K along it) stored back decoded: m = q · factor (fp32), what the next update reads.
void quantize_state(std::span<float> values, const Parameter& p, Role role, const QuantSide& side,
                    TelemetryWindow* telemetry) {
  const ScalingSpec& spec = p.targets ? p.targets->scaling[size_t(role)] : ScalingSpec{};
  if (!side.target || spec.mode == ScaleMode::None) return quantize_in_place(values, side);
  if (side.log2_hist) add_log2_histogram(values, *side.log2_hist);
  const ScaledMatrix q = scaled_cast(values, 1, int(values.size()), 1, *side.target, spec,
                                     side.stream ? &*side.stream : nullptr, 0, side.stats);
  dequantize_scaled(q, values);
  if (PointTelemetry* t = point_of(p, role, telemetry)) t->scale.add(q.amax, q.enc, q.tile_amax);
}

// The update of one block of elements, written to `out` or, when out is null, back into w (its master value
// is not rounded, so there is nothing to round first). Separate arrays (__restrict, out aside) so that the
// compiler vectorises without run-time overlap checks; each element's operations and their order are those of
// the scalar formula, so the bits do not depend on the vector width.
struct SgdConstants {
  float inv_scale, lr, wd, mom_now, dk, bk;
};

void sgd_block(const float* __restrict g, float* __restrict w, float* __restrict m, float* out, int64_t n,
               const SgdConstants& k) {
  const float inv_scale = k.inv_scale, lr = k.lr, wd = k.wd, mom_now = k.mom_now, dk = k.dk, bk = k.bk;
  const auto update = [&](int64_t i) {
    const float d = g[i] * inv_scale + wd * w[i];
    const float buf = mom_now * m[i] + d;
    m[i] = buf;
    return w[i] - lr * (dk * d + bk * buf);
  };
  if (out == nullptr) {
    for (int64_t i = 0; i < n; ++i) w[i] = update(i);
    return;
  }
  float* __restrict o = out;
  for (int64_t i = 0; i < n; ++i) o[i] = update(i);
}

struct AdamConstants {
  float inv_scale, lr, wd, b1, b2, eps, c1, c2;
};

void adamw_block(const float* __restrict g, float* __restrict w, float* __restrict m, float* __restrict v, float* out,
                 int64_t n, const AdamConstants& k) {
  const float inv_scale = k.inv_scale, lr = k.lr, wd = k.wd, b1 = k.b1, b2 = k.b2, eps = k.eps, c1 = k.c1,
              c2 = k.c2;
  const auto update = [&](int64_t i) {
    const float gi = g[i] * inv_scale;
    m[i] = b1 * m[i] + (1.0f - b1) * gi;
    v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
    const float mhat = m[i] / c1, vhat = v[i] / c2;
    return w[i] * (1.0f - lr * wd) - lr * mhat / (std::sqrt(vhat) + eps);
  };
  if (out == nullptr) {
    for (int64_t i = 0; i < n; ++i) w[i] = update(i);
    return;
  }
  float* __restrict o = out;
  for (int64_t i = 0; i < n; ++i) o[i] = update(i);
}

constexpr int64_t kOptimizerBlock = 4096;

}  // namespace

void optimizer_step(std::vector<Parameter>& params, const OptimizerSpec& spec, double lr, int64_t step,
                    double grad_scale, uint64_t seed, TelemetryWindow* telemetry) {
  const float inv_scale = float(1.0 / grad_scale);
  const float flr = float(lr), wd = float(spec.weight_decay), mom = float(spec.momentum);
  for (Parameter& p : params) {
    const int64_t n = p.value.numel();
    float* w = p.value.ptr();
    const float* g = p.grad.ptr();
    if (p.state1.numel() != n) p.state1 = Tensor(p.value.shape);
    float* m = p.state1.ptr();
    // The new master value: straight into w unless it is rounded into the master-weight Target first.
    const QuantSide master = side_for(p, Role::MasterWeight, step, seed, telemetry);
    UninitializedVector<float> next(master.target ? static_cast<size_t>(n) : 0);
    float* const out = master.target ? next.data() : nullptr;
    if (spec.type == OptimizerSpec::Type::Sgd) {
      // PyTorch SGD: d = g + wd·w; buf = momentum·buf + d (buf = d on the first step);
      // update = nesterov ? d + momentum·buf : buf; w -= lr·update.
      // Branch-free inner loop (vectorisable): on the first step buf = d (momentum 0, and buf starts
      // at 0); update = dk·d + bk·buf with (dk, bk) = (1, momentum) for Nesterov, (0, 1) otherwise.
      const SgdConstants k{inv_scale, flr, wd, step == 1 ? 0.0f : mom, spec.nesterov ? 1.0f : 0.0f,
                           spec.nesterov ? mom : 1.0f};
      parallel_blocks(n, kOptimizerBlock, kParallelMinElements / kOptimizerBlock, [&](int64_t b, int64_t e) {
        sgd_block(g + b, w + b, m + b, out ? out + b : nullptr, e - b, k);
      });
      quantize_state(p.state1.span(), p, Role::OptimizerState, side_for(p, Role::OptimizerState, step, seed, telemetry), telemetry);
    } else {
      // AdamW (Loshchilov & Hutter): w ← w·(1 - lr·wd) - lr·m̂/(√v̂ + eps), m̂ = m/(1-β1^t), v̂ = v/(1-β2^t).
      if (p.state2.numel() != n) p.state2 = Tensor(p.value.shape);
      float* v = p.state2.ptr();
      const AdamConstants k{inv_scale,
                            flr,
                            wd,
                            float(spec.beta1),
                            float(spec.beta2),
                            float(spec.eps),
                            float(1.0 - std::pow(spec.beta1, double(step))),
                            float(1.0 - std::pow(spec.beta2, double(step)))};
      parallel_blocks(n, kOptimizerBlock, kParallelMinElements / kOptimizerBlock, [&](int64_t b, int64_t e) {
        adamw_block(g + b, w + b, m + b, v + b, out ? out + b : nullptr, e - b, k);
      });
      const QuantSide state = side_for(p, Role::OptimizerState, step, seed, telemetry);
      quantize_state(p.state1.span(), p, Role::OptimizerState, state, telemetry);
      // v: its own Target (optimizer_state_v, e.g. E5M2 next to an E4M3 m) or m's; its own SR stream.
      const bool own_v = p.targets && (*p.targets)[Role::OptimizerStateV];
      const Role v_role = own_v ? Role::OptimizerStateV : Role::OptimizerState;
      QuantSide state2 = own_v ? side_for(p, Role::OptimizerStateV, step, seed, telemetry) : state;
      if (state2.stream) state2.stream.emplace(seed, uint64_t(step), stream_id(p.name + "#v"), uint64_t(Role::OptimizerState));
      quantize_state(p.state2.span(), p, v_role, state2, telemetry);
    }
    if (master.target) {
      quantize_in_place(next, master);
      std::copy(next.begin(), next.end(), w);
    }
  }
}

}  // namespace fpsim::sim
