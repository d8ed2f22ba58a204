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
#include "sim/gemm/gemm.h"

namespace fpsim::sim {

enum class Role : uint8_t {
  Weight, Activation, Output, ActivationGrad, WeightGrad, MasterWeight, OptimizerState, Accumulator,
};
inline constexpr int kRoleCount = 8;

/// "weight" "activation" "output" "activation_grad" "weight_grad" "master_weight" "optimizer_state"
/// "accumulator". Example: to_string(Role::WeightGrad) == "weight_grad".
const char* to_string(Role r);

/// The Target of each role for one class of layers; accumulator_chunk and accumulator_matrix_unit
/// (group > 0: the matrix-unit model, sim/gemm/gemm.h) apply to Accumulator.
struct RoleTargets {
  std::array<std::optional<Target>, kRoleCount> targets{};
  int accumulator_chunk = 0;
  MatrixUnit accumulator_matrix_unit{};

  const std::optional<Target>& operator[](Role r) const { return targets[size_t(r)]; }
  std::optional<Target>& operator[](Role r) { return targets[size_t(r)]; }
};

struct QuantPlan {
  RoleTargets quantised;  ///< every layer that is not exempt
  RoleTargets exempt;     ///< exempt layers (default: all none = fp32)
  bool exempt_first = false;
  bool exempt_last = false;
  bool exempt_batch_norm = true;
  std::vector<std::string> exempt_layers;  ///< by name, e.g. "conv1"

  /// Targets of layer `name`, which is layer `index` of `count` GEMM layers (batch norms: index -1).
  /// Example: plan.for_layer("fc1", 0, 3) is `exempt` when exempt_first is set.
  const RoleTargets& for_layer(const std::string& name, int index, int count, bool is_batch_norm = false) const;
};

}  // namespace fpsim::sim
