#pragma once
// Optimisers: SGD (momentum, Nesterov, weight decay) and AdamW. The update is computed in binary32
// from the unscaled gradient; the new optimiser state is rounded to the layer's OptimizerState
// target and the new master weight to its MasterWeight target (e.g. binary16 with stochastic
// rounding, the master copy of Mellempudi et al. 2019). SR streams: (seed, step,
// stream_id("<param>"), role), element index as counter.
#include <cstdint>
#include <vector>

#include "sim/models/layers.h"

namespace fpsim::sim {

struct OptimizerSpec {
  enum class Type : uint8_t { Sgd, AdamW } type = Type::Sgd;
  double lr = 0.05;
  double momentum = 0.9;  ///< Sgd
  bool nesterov = false;  ///< Sgd
  double weight_decay = 0.0;  ///< Sgd: added to the gradient (L2); AdamW: decoupled
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  ///< AdamW
  double clip_norm = 0.0;  ///< > 0: scale the unscaled gradients down to this global L2 norm (train.cpp)
};

/// One update of every parameter from Parameter::grad (scaled by `grad_scale`, i.e. the loss
/// scale: g = grad / grad_scale). `step` is 1-based. Telemetry (may be null) gets the
/// "<layer>/master_weight" and "<layer>/optimizer_state" points.
/// Example: optimizer_step(params, spec, 0.05, 1, 1024.0, seed, nullptr);
void optimizer_step(std::vector<Parameter>& params, const OptimizerSpec& spec, double lr, int64_t step,
                    double grad_scale, uint64_t seed, TelemetryWindow* telemetry);

}  // namespace fpsim::sim
