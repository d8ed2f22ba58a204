#pragma once
// Global-norm gradient clipping (Pascanu et al. 2013; torch.nn.utils.clip_grad_norm_): the L2 norm
// over every parameter's unscaled gradient, computed once per applied step.
#include <vector>

#include "sim/models/layers.h"

namespace fpsim::sim {

/// √(Σ over parameters in order, elements in order, of (grad / grad_scale)²), summed in double, so the
/// result does not depend on the thread count. Example: one gradient {3·s, 4·s} with scale s has norm 5.
double global_grad_norm(const std::vector<Parameter>& params, double grad_scale);

}  // namespace fpsim::sim
