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
    std::vector<float> next(static_cast<size_t>(n));  // the new master value before rounding
    if (spec.type == OptimizerSpec::Type::Sgd) {
      // PyTorch SGD: d = g + wd·w; buf = momentum·buf + d (buf = d on the first step);
      // update = nesterov ? d + momentum·buf : buf; w -= lr·update.
      // Branch-free inner loop (vectorisable): on the first step buf = d (momentum 0, and buf starts
      // at 0); update = dk·d + bk·buf with (dk, bk) = (1, momentum) for Nesterov, (0, 1) otherwise.
      const float mom_now = step == 1 ? 0.0f : mom;
      const float dk = spec.nesterov ? 1.0f : 0.0f, bk = spec.nesterov ? mom : 1.0f;
      float* out = next.data();
      parallel_for((n + 4095) / 4096, kParallelMinElements / 4096, [&](int64_t blk) {  // parallel.h
        const int64_t end = std::min(n, (blk + 1) * 4096);
        for (int64_t i = blk * 4096; i < end; ++i) {
          const float d = g[i] * inv_scale + wd * w[i];
          const float buf = mom_now * m[i] + d;
          m[i] = buf;
          out[i] = w[i] - flr * (dk * d + bk * buf);
        }
      });
      quantize_in_place(p.state1.span(), side_for(p, Role::OptimizerState, step, seed, telemetry));
    } else {
      // AdamW (Loshchilov & Hutter): w ← w·(1 - lr·wd) - lr·m̂/(√v̂ + eps), m̂ = m/(1-β1^t), v̂ = v/(1-β2^t).
      if (p.state2.numel() != n) p.state2 = Tensor(p.value.shape);
      float* v = p.state2.ptr();
      const float b1 = float(spec.beta1), b2 = float(spec.beta2), eps = float(spec.eps);
      const float c1 = float(1.0 - std::pow(spec.beta1, double(step)));
      const float c2 = float(1.0 - std::pow(spec.beta2, double(step)));
      parallel_for(n, kParallelMinElements, [&](int64_t i) {  // parallel.h
        const float gi = g[i] * inv_scale;
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        const float mhat = m[i] / c1, vhat = v[i] / c2;
        next[size_t(i)] = w[i] * (1.0f - flr * wd) - flr * mhat / (std::sqrt(vhat) + eps);
      });
      const QuantSide state = side_for(p, Role::OptimizerState, step, seed, telemetry);
      quantize_in_place(p.state1.span(), state);
      QuantSide state2 = state;
      if (state2.stream) state2.stream.emplace(seed, uint64_t(step), stream_id(p.name + "#v"), uint64_t(Role::OptimizerState));
      quantize_in_place(p.state2.span(), state2);
    }
    quantize_in_place(next, side_for(p, Role::MasterWeight, step, seed, telemetry));
    std::copy(next.begin(), next.end(), w);
  }
}

}  // namespace fpsim::sim
