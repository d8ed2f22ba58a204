#pragma once
// Quantisation points as data. A QuantPlan maps each Role to a Target (or none = binary32, no
// rounding) for every layer, with exemptions: named layers, the first and/or last layer, and batch
// norm layers use `exempt` instead (by default all none, i.e. fp32, as in Mellempudi et al. 2019).
//
// Where each role applies in a linear/conv layer (see layers.cpp):
//   x ─[Activation fwd / ActivationGrad bwd]─► GEMM ◄─[Weight fwd / WeightGrad bwd]─ w
//   GEMM accumulates per Accumulator; + bias ─[Output fwd / ActivationGrad bwd]─► y
//   optimiser: state rounded to OptimizerState, the updated master copy to MasterWeight.
// Stochastic rounding streams are keyed by (seed, step, stream_id("<layer>/<point>"), role), with the
// element index as counter (numerics/core/random.h), never by creation order.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "numerics/core/rounding.h"
#include "numerics/quantize/scaled_cast.h"
#include "sim/gemm/gemm.h"

namespace fpsim::sim {

// OptimizerStateV is Adam's second moment v (none: it follows OptimizerState).
enum class Role : uint8_t {
  Weight, Activation, Output, ActivationGrad, WeightGrad, MasterWeight, OptimizerState, Accumulator, OptimizerStateV,
};
inline constexpr int kRoleCount = 9;

/// "weight" "activation" "output" "activation_grad" "weight_grad" "master_weight" "optimizer_state"
/// "accumulator" "optimizer_state_v". Example: to_string(Role::WeightGrad) == "weight_grad".
const char* to_string(Role r);

/// The three GEMMs of a linear or conv layer and their operands (A, B):
///   fprop y[M,N] = x[M,K]·w[N,K]ᵀ      A = activation,      B = weight       (K = in features)
///   dgrad dx[M,K] = dy[M,N]·w[N,K]     A = activation_grad, B = weight       (K = out features)
///   wgrad dw[N,K] = dy[M,N]ᵀ·x[M,K]    A = activation_grad, B = activation   (K = batch rows)
/// (GemmPass itself is declared in sim/gemm/gemm.h.)
/// "fprop" "dgrad" "wgrad". Example: to_string(GemmPass::Wgrad) == "wgrad".
const char* to_string(GemmPass g);
/// The roles of A and B in pass g. Example: gemm_operand_roles(GemmPass::Wgrad).second == Role::Activation.
std::pair<Role, Role> gemm_operand_roles(GemmPass g);

/// A per-GEMM replacement of one operand's Target and scaling (set = false: the role's own).
struct OperandOverride {
  bool set = false;
  std::optional<Target> target;  ///< none: the operand stays binary32 in this GEMM
  ScalingSpec scaling;
};
/// Overrides for one GEMM pass, and whether it applies the random Hadamard transform along K to both operands.
struct GemmOverride {
  std::array<OperandOverride, kRoleCount> operands{};  ///< by Role (only A and B of the pass are used)
  bool hadamard = false;
};

/// The Target of each role for one class of layers; accumulator_chunk and accumulator_matrix_unit
/// (group > 0: the matrix-unit model, sim/gemm/gemm.h) apply to Accumulator. A GEMM operand
/// role (weight, activation, activation_grad) with a scaling spec, or any GEMM override, makes the layer's
/// GEMMs scaled (sim/ops/layer_gemm.h): each operand is then cast inside each GEMM it feeds.
struct RoleTargets {
  std::array<std::optional<Target>, kRoleCount> targets{};
  std::array<ScalingSpec, kRoleCount> scaling{};
  std::array<GemmOverride, 3> gemms{};  ///< by GemmPass
  int accumulator_chunk = 0;
  MatrixUnit accumulator_matrix_unit{};

  const std::optional<Target>& operator[](Role r) const { return targets[size_t(r)]; }
  std::optional<Target>& operator[](Role r) { return targets[size_t(r)]; }
  /// Whether the layer's GEMMs cast their operands themselves (see above).
  bool scaled_gemms() const;
  /// Target and scaling of operand role r in pass g (the GEMM override when set, else the role's).
  /// Example: t.operand(GemmPass::Wgrad, Role::Activation).first is none for torchao's rowwise_with_gw_hp.
  std::pair<std::optional<Target>, ScalingSpec> operand(GemmPass g, Role r) const;
};

/// What a layer is, for the exemptions that cover a kind of layer.
enum class LayerKind {
  Gemm,
  ActivationGemm,  ///< a GEMM of two activations: attention's Q·Kᵀ and P·V
  Norm,
};

struct QuantPlan {
  RoleTargets quantised;  ///< every layer that is not exempt
  RoleTargets exempt;     ///< exempt layers (default: all none = fp32)
  bool exempt_first = false;
  bool exempt_last = false;
  bool exempt_batch_norm = true;
  bool exempt_attention = false;  ///< the attention score and value products (GEMMs of two activations)
  std::vector<std::string> exempt_layers;  ///< by name, e.g. "conv1"

  /// Targets of layer `name`, which is layer `index` of `count` GEMM layers (normalisation layers: index -1).
  /// Example: plan.for_layer("fc1", 0, 3) is `exempt` when exempt_first is set.
  const RoleTargets& for_layer(const std::string& name, int index, int count, LayerKind kind = LayerKind::Gemm) const;
};

}  // namespace fpsim::sim
