// What every builder shares: parameter creation and initialisation, layer registration, the
// activation switch, and the dispatch from ModelSpec::Type to a builder.
#include "sim/models/model.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "numerics/quantize/quantize.h"

namespace fpsim::sim {
namespace {

constexpr uint64_t kInitStream = 0x494e4954;  // "INIT"
constexpr uint64_t kDropoutStream = 0x44524f50;  // "DROP"

// The top 53 bits of a word as a fraction of 2^53: uniform in [0, 1).
double unit(uint64_t word) { return double(word >> 11) * 0x1p-53; }

}  // namespace

size_t Model::add_param(const std::string& layer, const std::string& suffix, Shape shape, const RoleTargets& t,
                        bool gemm_weight, Init init, uint64_t seed) {
  Parameter p;
  p.name = layer + "." + suffix;
  p.layer = layer;
  p.is_gemm_weight = gemm_weight;
  p.targets = &t;
  p.value = Tensor(std::move(shape), init.fill);
  const RandomStream rs(seed, kInitStream, stream_id(p.name));
  if (init.bound > 0) {
    for (size_t i = 0; i < p.value.data.size(); ++i)
      p.value.data[i] = float((2.0 * unit(rs.bits(i)) - 1.0) * init.bound);
  } else if (init.std > 0) {
    // Box–Muller from words 2i and 2i+1: √(-2 ln u1)·cos(2π u2) with u1 in (0, 1].
    for (size_t i = 0; i < p.value.data.size(); ++i) {
      const double u1 = 1.0 - unit(rs.bits(2 * i)), u2 = unit(rs.bits(2 * i + 1));
      p.value.data[i] = float(init.std * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
    }
  }
  if (const auto& master = t[Role::MasterWeight]) {
    Target rne = *master;
    rne.rounding = Rounding::NearestEven;
    quantize(p.value.span(), p.value.span(), rne, nullptr);
  }
  index_[p.name] = params_.size();
  params_.push_back(std::move(p));
  return params_.size() - 1;
}

const Parameter& Model::param(const std::string& name) const {
  const auto it = index_.find(name);
  if (it == index_.end()) throw std::logic_error("model: no parameter " + name);
  return params_[it->second];
}

const RoleTargets& Model::gemm_targets(const std::string& name) const {
  const auto it = std::find(gemm_layers_.begin(), gemm_layers_.end(), name);
  if (it == gemm_layers_.end()) throw std::logic_error("model: GEMM layer " + name + " was not registered");
  const auto index = it - gemm_layers_.begin();
  return plan_->for_layer(name, int(index), int(gemm_layers_.size()), gemm_kinds_[size_t(index)]);
}

const RoleTargets& Model::norm_targets(const std::string& name) const {
  return plan_->for_layer(name, -1, int(gemm_layers_.size()), LayerKind::Norm);
}

std::vector<std::string> Model::layer_names() const {
  std::vector<std::string> names = gemm_layers_;
  names.insert(names.end(), norm_layers_.begin(), norm_layers_.end());
  return names;
}

Var Model::activate(Tape& tape, Var x) const {
  switch (spec_.activation) {
    case Activation::Relu: return relu(tape, x);
    case Activation::Gelu: return gelu(tape, x);
    case Activation::Tanh: return tanh_op(tape, x);
  }
  return x;
}

void Model::add_linear_params(const std::string& name, int in, int out, uint64_t seed) {
  const RoleTargets& t = gemm_targets(name);
  const double bound = 1.0 / std::sqrt(double(in));
  add_param(name, "weight", {out, in}, t, true, {.bound = bound}, seed);
  add_param(name, "bias", {out}, t, false, {.bound = bound}, seed);
}

Var Model::dense_stack(Tape& tape, StepContext& ctx, Var x, size_t first, size_t& p) {
  Var h = x;
  const size_t count = gemm_layers_.size();
  for (size_t l = first; l < count; ++l) {
    const std::string& name = gemm_layers_[l];
    if (spec_.dropout > 0 && l > 0) {
      const RandomStream rs(ctx.seed, ctx.step, stream_id(name + "/dropout"), kDropoutStream);
      h = dropout(tape, h, spec_.dropout, rs, ctx.train);
    }
    h = linear_layer(tape, ctx, gemm_targets(name), name, h, params_[p], &params_[p + 1]);
    p += 2;
    if (l + 1 < count) h = activate(tape, h);
  }
  return h;
}

std::unique_ptr<Model> build_model(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed) {
  switch (spec.type) {
    case ModelSpec::Type::Mlp: return build_mlp(spec, plan, seed);
    case ModelSpec::Type::Cnn: return build_cnn(spec, plan, seed);
    case ModelSpec::Type::Resnet: return build_resnet(spec, plan, seed);
    case ModelSpec::Type::Transformer: return build_transformer(spec, plan, seed);
  }
  throw std::invalid_argument("model: unknown type");
}

}  // namespace fpsim::sim
