#include "sim/quant/quant_plan.h"

#include <algorithm>

namespace fpsim::sim {

const char* to_string(Role r) {
  switch (r) {
    case Role::Weight: return "weight";
    case Role::Activation: return "activation";
    case Role::Output: return "output";
    case Role::ActivationGrad: return "activation_grad";
    case Role::WeightGrad: return "weight_grad";
    case Role::MasterWeight: return "master_weight";
    case Role::OptimizerState: return "optimizer_state";
    case Role::Accumulator: return "accumulator";
  }
  return "?";
}

const RoleTargets& QuantPlan::for_layer(const std::string& name, int index, int count, bool is_batch_norm) const {
  const bool named = std::find(exempt_layers.begin(), exempt_layers.end(), name) != exempt_layers.end();
  const bool by_position = (exempt_first && index == 0) || (exempt_last && index == count - 1);
  if (named || by_position || (is_batch_norm && exempt_batch_norm)) return exempt;
  return quantised;
}

}  // namespace fpsim::sim
