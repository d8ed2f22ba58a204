#pragma once
// Models built from a spec: an MLP of any widths and a LeNet-5-style CNN (optional batch norm).
// Parameters are initialised as PyTorch does by default for Linear/Conv2d (weights and biases
// uniform in ±1/√fan_in), from a stream keyed by (seed, parameter name), then rounded (rne) into
// their layer's MasterWeight format.
#include <memory>
#include <string>
#include <vector>

#include "sim/models/layers.h"

namespace fpsim::sim {

enum class Activation : uint8_t { Relu, Gelu, Tanh };
enum class PoolKind2d : uint8_t { Max, Average };

struct ModelSpec {
  enum class Type : uint8_t { Mlp, Cnn } type = Type::Mlp;
  Activation activation = Activation::Relu;
  double dropout = 0.0;  ///< before every hidden GEMM layer after the first (0 = none)
  // MLP
  std::vector<int> widths{784, 512, 512, 10};  ///< input, hidden..., classes
  // CNN (LeNet-5 style): conv 5x5 (pad 2) -> act -> pool 2 -> conv 5x5 -> act -> pool 2 -> fc... -> classes
  std::vector<int> channels{6, 16};
  std::vector<int> hidden{120, 84};
  int classes = 10;
  bool batch_norm = false;
  PoolKind2d pool = PoolKind2d::Max;
  int in_channels = 1, in_height = 28, in_width = 28;
};

class Model {
 public:
  /// Build and initialise. Example: Model m(ModelSpec{}, plan, 42) is the 784-512-512-10 MLP.
  Model(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed);

  /// Record the forward pass of x ([N, C·H·W] or [N, C, H, W]) and return the logits [N, classes].
  /// Parameters must be attached to the tape first (attach(tape, parameters())).
  /// Example: Var logits = model.forward(tape, ctx, x);
  Var forward(Tape& tape, StepContext& ctx, Var x);

  std::vector<Parameter>& parameters() { return params_; }
  const std::vector<Parameter>& parameters() const { return params_; }
  const ModelSpec& spec() const { return spec_; }
  /// GEMM layer names in order ("fc1", ... or "conv1", "conv2", "fc1", ...).
  const std::vector<std::string>& gemm_layers() const { return gemm_layers_; }

 private:
  size_t add_param(const std::string& layer, const std::string& suffix, Shape shape, const RoleTargets& t,
                   bool gemm_weight, double bound, uint64_t seed, float fill);
  Var activate(Tape& tape, Var x) const;

  ModelSpec spec_;
  const QuantPlan* plan_;
  std::vector<Parameter> params_;
  std::vector<std::string> gemm_layers_;
  std::vector<BatchNormState> bn_states_;
};

}  // namespace fpsim::sim
