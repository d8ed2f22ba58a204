#pragma once
// Models built from a spec, one builder per architecture over the shared layers of layers.h:
//   mlp          fc1..fcN                                        (mlp.cpp)
//   cnn          LeNet-5 style conv1, conv2 (+ bn1, bn2), fc1..   (cnn.cpp)
//   resnet       residual CNN for 28×28 inputs                   (resnet.cpp)
//   transformer  GPT-style causal byte-level language model      (transformer.cpp)
// Parameters are initialised from streams keyed by (seed, parameter name), never by creation order,
// then rounded (rne) into their layer's MasterWeight format. Every GEMM goes through a named layer
// whose RoleTargets come from the QuantPlan (layer names are what `exempt.layers` refers to).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/models/layers.h"

namespace fpsim::sim {

enum class Activation : uint8_t { Relu, Gelu, Tanh };
enum class PoolKind2d : uint8_t { Max, Average };

/// GPT-style pre-LayerNorm causal Transformer over a byte vocabulary.
struct TransformerSpec {
  int layers = 2, d_model = 128, heads = 4, d_ff = 512, context = 64, vocab = 256;
  bool tied = true;  ///< output head = token embedding (transposed)
  bool bias = true;  ///< biases in every linear layer (QKV, projections, MLP, untied head)
  /// Gpt2: normal(0, 0.02), residual output projections 0.02/√(2·layers), LayerNorm 1/0, biases 0.
  /// PyTorch: nn.Linear ±1/√fan_in uniform (weights and biases), nn.Embedding normal(0, 1), LayerNorm 1/0.
  enum class Init : uint8_t { Gpt2, PyTorch } init = Init::Gpt2;
};

/// Residual CNN for 28×28 images: conv3×3 stem, stages of basic blocks (the first block of each stage
/// after the first halves H and W with stride 2 and a 1×1 projection shortcut), global average pooling.
struct ResnetSpec {
  std::vector<int> widths{16, 32, 64};  ///< channels per stage
  int blocks = 1;                        ///< basic blocks per stage (depth = 6·blocks + 2 layers)
};

struct ModelSpec {
  enum class Type : uint8_t { Mlp, Cnn, Resnet, Transformer } type = Type::Mlp;
  Activation activation = Activation::Relu;
  double dropout = 0.0;  ///< before every hidden GEMM layer after the first (0 = none); mlp and cnn
  // MLP
  std::vector<int> widths{784, 512, 512, 10};  ///< input, hidden..., classes
  // CNN (LeNet-5 style): conv 5x5 (pad 2) -> act -> pool 2 -> conv 5x5 -> act -> pool 2 -> fc... -> classes
  std::vector<int> channels{6, 16};
  std::vector<int> hidden{120, 84};
  int classes = 10;  ///< cnn and resnet
  bool batch_norm = false;
  PoolKind2d pool = PoolKind2d::Max;
  int in_channels = 1, in_height = 28, in_width = 28;
  ResnetSpec resnet;
  TransformerSpec transformer;
};

/// A built model: its parameters and forward pass. Build one with build_model().
class Model {
 public:
  virtual ~Model() = default;

  /// Record the forward pass and return the logits: images x [N, C·H·W] or [N, C, H, W] -> [N, classes];
  /// byte windows x [N, T] (byte values as floats) -> [N·T, vocab]. Parameters must be attached to the
  /// tape first (attach(tape, parameters())). Example: Var logits = model->forward(tape, ctx, x);
  virtual Var forward(Tape& tape, StepContext& ctx, Var x) = 0;

  std::vector<Parameter>& parameters() { return params_; }
  const std::vector<Parameter>& parameters() const { return params_; }
  const ModelSpec& spec() const { return spec_; }
  /// GEMM layer names in order ("fc1", ... or "conv1", "conv2", "fc1", ...): first/last exemptions
  /// count positions in this list.
  const std::vector<std::string>& gemm_layers() const { return gemm_layers_; }
  /// Every layer name `exempt.layers` may name: the GEMM layers and the normalisation layers.
  std::vector<std::string> layer_names() const;

 protected:
  Model(const ModelSpec& spec, const QuantPlan& plan) : spec_(spec), plan_(&plan) {}

  /// How a parameter starts: `fill`, uniform in ±bound (bound > 0) or normal(0, std) (std > 0).
  struct Init {
    float fill = 0.0f;
    double bound = 0.0;
    double std = 0.0;
  };
  /// Append parameter "<layer>.<suffix>" with `t`'s MasterWeight; returns its index.
  size_t add_param(const std::string& layer, const std::string& suffix, Shape shape, const RoleTargets& t,
                   bool gemm_weight, Init init, uint64_t seed);
  /// The parameter named "<layer>.<suffix>". Example: param("fc.weight").
  const Parameter& param(const std::string& name) const;
  /// Register a GEMM layer name (its position counts for first/last exemptions) and its kind
  /// (LayerKind::ActivationGemm: attention's Q·Kᵀ and P·V, which exempt.attention covers).
  void add_gemm_layer(const std::string& name, LayerKind kind = LayerKind::Gemm) {
    gemm_layers_.push_back(name);
    gemm_kinds_.push_back(kind);
  }
  void add_norm_layer(const std::string& name) { norm_layers_.push_back(name); }
  /// The targets of GEMM layer `name` (call after every GEMM layer is registered).
  const RoleTargets& gemm_targets(const std::string& name) const;
  const RoleTargets& norm_targets(const std::string& name) const;
  /// relu, gelu or tanh per spec().activation.
  Var activate(Tape& tape, Var x) const;
  /// Weight [out, in] and bias [out] of linear layer `name`, PyTorch's default init (±1/√in uniform).
  void add_linear_params(const std::string& name, int in, int out, uint64_t seed);
  /// The fully connected tail shared by mlp and cnn: GEMM layers gemm_layers()[first..] in order, each
  /// taking the next weight and bias from params_[p...] (p advances), dropout before each but the
  /// model's first GEMM layer, the activation after each but the last. x [N, in] -> [N, out].
  Var dense_stack(Tape& tape, StepContext& ctx, Var x, size_t first, size_t& p);

  ModelSpec spec_;
  const QuantPlan* plan_;
  std::vector<Parameter> params_;

 private:
  std::vector<std::string> gemm_layers_, norm_layers_;
  std::vector<LayerKind> gemm_kinds_;  ///< by index into gemm_layers_
  std::map<std::string, size_t> index_;  // parameter name -> position in params_
};

/// Build and initialise the model of `spec`. Throws std::invalid_argument for impossible shapes.
/// Example: build_model(ModelSpec{}, plan, 42) is the 784-512-512-10 MLP.
std::unique_ptr<Model> build_model(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed);

/// One builder per architecture (the files named above).
std::unique_ptr<Model> build_mlp(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed);
std::unique_ptr<Model> build_cnn(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed);
std::unique_ptr<Model> build_resnet(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed);
std::unique_ptr<Model> build_transformer(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed);

}  // namespace fpsim::sim
