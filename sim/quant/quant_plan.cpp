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
    case Role::OptimizerStateV: return "optimizer_state_v";
  }
  return "?";
}

const char* to_string(GemmPass g) {
  switch (g) {
    case GemmPass::Fprop: return "fprop";
    case GemmPass::Dgrad: return "dgrad";
    case GemmPass::Wgrad: return "wgrad";
  }
  return "?";
}

std::pair<Role, Role> gemm_operand_roles(GemmPass g) {
  switch (g) {
    case GemmPass::Fprop: return {Role::Activation, Role::Weight};
    case GemmPass::Dgrad: return {Role::ActivationGrad, Role::Weight};
    case GemmPass::Wgrad: return {Role::ActivationGrad, Role::Activation};
  }
  return {Role::Activation, Role::Weight};
}

bool RoleTargets::scaled_gemms() const {
  for (Role r : {Role::Weight, Role::Activation, Role::ActivationGrad})
    if (scaling[size_t(r)].mode != ScaleMode::None) return true;
  for (const GemmOverride& g : gemms) {
    if (g.hadamard) return true;
    for (const OperandOverride& o : g.operands)
      if (o.set) return true;
  }
  return false;
}

std::pair<std::optional<Target>, ScalingSpec> RoleTargets::operand(GemmPass g, Role r) const {
  const OperandOverride& o = gemms[size_t(g)].operands[size_t(r)];
  if (o.set) return {o.target, o.scaling};
  return {targets[size_t(r)], scaling[size_t(r)]};
}

const RoleTargets& QuantPlan::for_layer(const std::string& name, int index, int count, LayerKind kind) const {
  const bool named = std::find(exempt_layers.begin(), exempt_layers.end(), name) != exempt_layers.end();
  const bool by_position = (exempt_first && index == 0) || (exempt_last && index == count - 1);
  const bool by_kind = (kind == LayerKind::Norm && exempt_batch_norm) || (kind == LayerKind::ActivationGemm && exempt_attention);
  if (named || by_position || by_kind) return exempt;
  return quantised;
}

}  // namespace fpsim::sim
