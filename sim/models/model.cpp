#include "sim/models/model.h"

#include <cmath>
#include <stdexcept>

#include "numerics/quantize/quantize.h"

namespace fpsim::sim {
namespace {

constexpr uint64_t kInitStream = 0x494e4954;  // "INIT"
constexpr uint64_t kDropoutStream = 0x44524f50;  // "DROP"

}  // namespace

size_t Model::add_param(const std::string& layer, const std::string& suffix, Shape shape, const RoleTargets& t,
                        bool gemm_weight, double bound, uint64_t seed, float fill) {
  Parameter p;
  p.name = layer + "." + suffix;
  p.layer = layer;
  p.is_gemm_weight = gemm_weight;
  p.targets = &t;
  p.value = Tensor(std::move(shape), fill);
  if (bound > 0) {
    // Uniform in [-bound, bound): the top 53 bits of element i's word as a fraction of 2^53.
    const RandomStream rs(seed, kInitStream, stream_id(p.name));
    for (size_t i = 0; i < p.value.data.size(); ++i) {
      const double u = double(rs.bits(i) >> 11) * 0x1p-53;
      p.value.data[i] = float((2.0 * u - 1.0) * bound);
    }
  }
  if (const auto& master = t[Role::MasterWeight]) {
    Target rne = *master;
    rne.rounding = Rounding::NearestEven;
    quantize(p.value.span(), p.value.span(), rne, nullptr);
  }
  params_.push_back(std::move(p));
  return params_.size() - 1;
}

Model::Model(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed) : spec_(spec), plan_(&plan) {
  if (spec.type == ModelSpec::Type::Mlp) {
    if (spec.widths.size() < 2) throw std::invalid_argument("mlp: needs at least input and output widths");
    const int count = int(spec.widths.size()) - 1;
    for (int l = 0; l < count; ++l) {
      const std::string name = "fc" + std::to_string(l + 1);
      gemm_layers_.push_back(name);
      const RoleTargets& t = plan.for_layer(name, l, count);
      const double bound = 1.0 / std::sqrt(double(spec.widths[size_t(l)]));
      add_param(name, "weight", {spec.widths[size_t(l) + 1], spec.widths[size_t(l)]}, t, true, bound, seed, 0.0f);
      add_param(name, "bias", {spec.widths[size_t(l) + 1]}, t, false, bound, seed, 0.0f);
    }
    return;
  }
  // CNN: conv layers, then fully connected layers.
  const int count = int(spec.channels.size() + spec.hidden.size()) + 1;
  int c = spec.in_channels, h = spec.in_height, w = spec.in_width;
  for (size_t l = 0; l < spec.channels.size(); ++l) {
    const std::string name = "conv" + std::to_string(l + 1);
    gemm_layers_.push_back(name);
    const RoleTargets& t = plan.for_layer(name, int(l), count);
    const int o = spec.channels[l];
    const double bound = 1.0 / std::sqrt(double(c * 25));
    add_param(name, "weight", {o, c, 5, 5}, t, true, bound, seed, 0.0f);
    add_param(name, "bias", {o}, t, false, bound, seed, 0.0f);
    if (spec.batch_norm) {
      const std::string bn = "bn" + std::to_string(l + 1);
      const RoleTargets& bt = plan.for_layer(bn, -1, count, true);
      add_param(bn, "weight", {o}, bt, false, 0.0, seed, 1.0f);
      add_param(bn, "bias", {o}, bt, false, 0.0, seed, 0.0f);
      bn_states_.emplace_back();
    }
    // First conv keeps the size (pad 2), later ones shrink by 4; each pool halves.
    if (l > 0) h -= 4, w -= 4;
    h /= 2, w /= 2;
    c = o;
    if (h < 1 || w < 1) throw std::invalid_argument("cnn: too many conv layers for the input size");
  }
  int in = c * h * w;
  std::vector<int> fc = spec.hidden;
  fc.push_back(spec.classes);
  for (size_t l = 0; l < fc.size(); ++l) {
    const std::string name = "fc" + std::to_string(l + 1);
    gemm_layers_.push_back(name);
    const RoleTargets& t = plan.for_layer(name, int(spec.channels.size() + l), count);
    const double bound = 1.0 / std::sqrt(double(in));
    add_param(name, "weight", {fc[l], in}, t, true, bound, seed, 0.0f);
    add_param(name, "bias", {fc[l]}, t, false, bound, seed, 0.0f);
    in = fc[l];
  }
}

Var Model::activate(Tape& tape, Var x) const {
  switch (spec_.activation) {
    case Activation::Relu: return relu(tape, x);
    case Activation::Gelu: return gelu(tape, x);
    case Activation::Tanh: return tanh_op(tape, x);
  }
  return x;
}

Var Model::forward(Tape& tape, StepContext& ctx, Var x) {
  size_t p = 0;  // next parameter
  const int count = int(gemm_layers_.size());
  auto maybe_dropout = [&](Var v, int layer_index) {
    if (spec_.dropout <= 0 || layer_index == 0) return v;
    const RandomStream rs(ctx.seed, ctx.step, stream_id(gemm_layers_[size_t(layer_index)] + "/dropout"), kDropoutStream);
    return dropout(tape, v, spec_.dropout, rs, ctx.train);
  };
  if (spec_.type == ModelSpec::Type::Mlp) {
    Var h = flatten(tape, x);
    for (int l = 0; l < count; ++l) {
      const std::string& name = gemm_layers_[size_t(l)];
      h = maybe_dropout(h, l);
      h = linear_layer(tape, ctx, plan_->for_layer(name, l, count), name, h, params_[p], params_[p + 1]);
      p += 2;
      if (l + 1 < count) h = activate(tape, h);
    }
    return h;
  }
  const Tensor& xv = tape.value(x);
  Var h = xv.rank() == 4 ? x
                         : reshape(tape, x, {xv.dim(0), spec_.in_channels, spec_.in_height, spec_.in_width});
  for (size_t l = 0; l < spec_.channels.size(); ++l) {
    const std::string& name = gemm_layers_[l];
    const Conv2dShape shape{1, l == 0 ? 2 : 0};
    h = conv_layer(tape, ctx, plan_->for_layer(name, int(l), count), name, h, params_[p], params_[p + 1], shape);
    p += 2;
    if (spec_.batch_norm) {
      h = batch_norm(tape, h, params_[p].var, params_[p + 1].var, bn_states_[l], ctx.train);
      p += 2;
    }
    h = activate(tape, h);
    h = spec_.pool == PoolKind2d::Max ? max_pool2d(tape, h, 2, 2) : avg_pool2d(tape, h, 2, 2);
  }
  h = flatten(tape, h);
  for (int l = int(spec_.channels.size()); l < count; ++l) {
    const std::string& name = gemm_layers_[size_t(l)];
    h = maybe_dropout(h, l);
    h = linear_layer(tape, ctx, plan_->for_layer(name, l, count), name, h, params_[p], params_[p + 1]);
    p += 2;
    if (l + 1 < count) h = activate(tape, h);
  }
  return h;
}

}  // namespace fpsim::sim
