// The LeNet-5-style CNN builder: conv 5×5 (pad 2 for the first, 0 after) -> [batch norm] -> act ->
// pool 2, per entry of `channels`, then the fully connected layers `hidden` and `classes`.
#include <cmath>
#include <stdexcept>

#include "sim/models/model.h"

namespace fpsim::sim {
namespace {

class Cnn : public Model {
 public:
  Cnn(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed) : Model(spec, plan) {
    for (size_t l = 0; l < spec.channels.size(); ++l) add_gemm_layer("conv" + std::to_string(l + 1));
    for (size_t l = 0; l <= spec.hidden.size(); ++l) add_gemm_layer("fc" + std::to_string(l + 1));
    int c = spec.in_channels, h = spec.in_height, w = spec.in_width;
    for (size_t l = 0; l < spec.channels.size(); ++l) {
      const std::string& name = gemm_layers()[l];
      const RoleTargets& t = gemm_targets(name);
      const int o = spec.channels[l];
      const double bound = 1.0 / std::sqrt(double(c * 25));
      add_param(name, "weight", {o, c, 5, 5}, t, true, {.bound = bound}, seed);
      add_param(name, "bias", {o}, t, false, {.bound = bound}, seed);
      if (spec.batch_norm) {
        const std::string bn = "bn" + std::to_string(l + 1);
        add_norm_layer(bn);
        add_param(bn, "weight", {o}, norm_targets(bn), false, {.fill = 1.0f}, seed);
        add_param(bn, "bias", {o}, norm_targets(bn), false, {}, seed);
        bn_states_.emplace_back();
      }
      // First conv keeps the size (pad 2), later ones shrink by 4; each pool halves.
      if (l > 0) h -= 4, w -= 4;
      h /= 2, w /= 2;
      c = o;
      if (h < 1 || w < 1) throw std::invalid_argument("cnn: too many conv layers for the input size");
    }
    int in = c * h * w;
    for (size_t l = 0; l <= spec.hidden.size(); ++l) {
      const int out = l < spec.hidden.size() ? spec.hidden[l] : spec.classes;
      add_linear_params(gemm_layers()[spec.channels.size() + l], in, out, seed);
      in = out;
    }
  }

  // x [N, C·H·W] or [N, C, H, W] -> [N, classes].
  Var forward(Tape& tape, StepContext& ctx, Var x) override {
    const Tensor& xv = tape.value(x);
    Var h = xv.rank() == 4 ? x
                           : reshape(tape, x, {xv.dim(0), spec_.in_channels, spec_.in_height, spec_.in_width});
    size_t p = 0;
    for (size_t l = 0; l < spec_.channels.size(); ++l) {
      const std::string& name = gemm_layers()[l];
      const Conv2dShape shape{1, l == 0 ? 2 : 0};
      h = conv_layer(tape, ctx, gemm_targets(name), name, h, params_[p], &params_[p + 1], shape);
      p += 2;
      if (spec_.batch_norm) {
        h = batch_norm(tape, h, params_[p].var, params_[p + 1].var, bn_states_[l], ctx.train);
        p += 2;
      }
      h = activate(tape, h);
      h = spec_.pool == PoolKind2d::Max ? max_pool2d(tape, h, 2, 2) : avg_pool2d(tape, h, 2, 2);
    }
    return dense_stack(tape, ctx, flatten(tape, h), spec_.channels.size(), p);
  }

 private:
  std::vector<BatchNormState> bn_states_;
};

}  // namespace

std::unique_ptr<Model> build_cnn(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed) {
  return std::make_unique<Cnn>(spec, plan, seed);
}

}  // namespace fpsim::sim
