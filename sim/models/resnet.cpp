// The residual CNN builder (He et al. 2016, CIFAR-style, for 28×28 inputs):
//
//   conv1 3×3 (C0) -> bn1 -> relu                                    [N, C0, 28, 28]
//   stage s = 1..S, block b = 1..n (names "s<s>b<b>.…"):
//     y = relu(bn1(conv1 3×3 (stride 2 for b = 1, s > 1)(x)))
//     y = bn2(conv2 3×3 (y))
//     x = relu(y + shortcut(x))      shortcut: identity, or when the shape changes
//                                    bn_shortcut(shortcut 1×1 conv, stride 2)(x)
//   global average pooling over H×W -> fc (classes)                  [N, classes]
//
// Convolutions have no bias (batch norm follows each); 28 -> 14 -> 7 over three stages. Depth
// counting the GEMM layers on the longest path: 2·S·n + 2 (ResNet-8 for n = 1, ResNet-20 for n = 3).
#include <cmath>
#include <map>
#include <stdexcept>

#include "sim/models/model.h"

namespace fpsim::sim {
namespace {

class Resnet : public Model {
 public:
  Resnet(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed) : Model(spec, plan) {
    const ResnetSpec& r = spec.resnet;
    if (r.widths.empty() || r.blocks < 1) throw std::invalid_argument("resnet: needs at least one stage and block");
    // Register every GEMM layer first (first/last exemptions count positions), then create parameters.
    add_gemm_layer("conv1");
    int c = r.widths[0], h = spec.in_height, w = spec.in_width;
    for (size_t s = 0; s < r.widths.size(); ++s)
      for (int b = 0; b < r.blocks; ++b) {
        Block blk{name(s, b), s > 0 && b == 0 ? 2 : 1, c, r.widths[s], false};
        blk.projection = blk.stride != 1 || blk.in != blk.out;
        add_gemm_layer(blk.name + "conv1");
        add_gemm_layer(blk.name + "conv2");
        if (blk.projection) add_gemm_layer(blk.name + "shortcut");
        if (blk.stride == 2) h = (h + 1) / 2, w = (w + 1) / 2;
        c = blk.out;
        blocks_.push_back(blk);
      }
    add_gemm_layer("fc");
    pool_ = h;
    if (h != w || h < 1) throw std::invalid_argument("resnet: needs a square input");
    add_conv("conv1", spec.in_channels, r.widths[0], 3, seed);
    add_bn("bn1", r.widths[0], seed);
    for (const Block& blk : blocks_) {
      add_conv(blk.name + "conv1", blk.in, blk.out, 3, seed);
      add_bn(blk.name + "bn1", blk.out, seed);
      add_conv(blk.name + "conv2", blk.out, blk.out, 3, seed);
      add_bn(blk.name + "bn2", blk.out, seed);
      if (blk.projection) {
        add_conv(blk.name + "shortcut", blk.in, blk.out, 1, seed);
        add_bn(blk.name + "bn_shortcut", blk.out, seed);
      }
    }
    add_linear_params("fc", c, spec.classes, seed);
  }

  // x [N, C·H·W] or [N, C, H, W] -> [N, classes].
  Var forward(Tape& tape, StepContext& ctx, Var x) override {
    const Tensor& xv = tape.value(x);
    Var h = xv.rank() == 4 ? x
                           : reshape(tape, x, {xv.dim(0), spec_.in_channels, spec_.in_height, spec_.in_width});
    h = activate(tape, conv_bn(tape, ctx, "conv1", "bn1", h, {1, 1}));
    for (const Block& blk : blocks_) {
      Var y = activate(tape, conv_bn(tape, ctx, blk.name + "conv1", blk.name + "bn1", h, {blk.stride, 1}));
      y = conv_bn(tape, ctx, blk.name + "conv2", blk.name + "bn2", y, {1, 1});
      const Var shortcut =
          blk.projection ? conv_bn(tape, ctx, blk.name + "shortcut", blk.name + "bn_shortcut", h, {blk.stride, 0}) : h;
      h = activate(tape, add(tape, y, shortcut));
    }
    h = flatten(tape, avg_pool2d(tape, h, pool_, pool_));
    return linear_layer(tape, ctx, gemm_targets("fc"), "fc", h, param("fc.weight"), &param("fc.bias"));
  }

 private:
  struct Block {
    std::string name;  // "s2b1."
    int stride, in, out;
    bool projection;
  };
  static std::string name(size_t s, int b) { return "s" + std::to_string(s + 1) + "b" + std::to_string(b + 1) + "."; }

  // PyTorch's default conv init: uniform ±1/√fan_in.
  void add_conv(const std::string& layer, int in, int out, int k, uint64_t seed) {
    add_param(layer, "weight", {out, in, k, k}, gemm_targets(layer), true,
              {.bound = 1.0 / std::sqrt(double(in * k * k))}, seed);
  }
  void add_bn(const std::string& layer, int channels, uint64_t seed) {
    add_norm_layer(layer);
    add_param(layer, "weight", {channels}, norm_targets(layer), false, {.fill = 1.0f}, seed);
    add_param(layer, "bias", {channels}, norm_targets(layer), false, {}, seed);
    bn_states_[layer];
  }
  Var conv_bn(Tape& tape, StepContext& ctx, const std::string& conv, const std::string& bn, Var x, Conv2dShape s) {
    const Var y = conv_layer(tape, ctx, gemm_targets(conv), conv, x, param(conv + ".weight"), nullptr, s);
    return batch_norm(tape, y, param(bn + ".weight").var, param(bn + ".bias").var, bn_states_.at(bn), ctx.train);
  }

  std::vector<Block> blocks_;
  int pool_ = 7;
  std::map<std::string, BatchNormState> bn_states_;  // by batch-norm layer name
};

}  // namespace

std::unique_ptr<Model> build_resnet(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed) {
  return std::make_unique<Resnet>(spec, plan, seed);
}

}  // namespace fpsim::sim
