// The model builders: layer names, whole-model gradients against finite differences (fp32, the
// residual CNN in training mode and the Transformer), and the Transformer's causal mask.
#include <catch2/catch.hpp>
#include <cmath>

#include "numerics/core/random.h"
#include "sim/models/model.h"

using namespace fpsim;
using namespace fpsim::sim;

namespace {

ModelSpec tiny_transformer() {
  ModelSpec s;
  s.type = ModelSpec::Type::Transformer;
  s.transformer = {.layers = 2, .d_model = 8, .heads = 2, .d_ff = 12, .context = 5, .vocab = 256};
  s.transformer.init = TransformerSpec::Init::PyTorch;  // larger weights than GPT-2's: larger gradients to check
  return s;
}

ModelSpec tiny_resnet() {
  ModelSpec s;
  s.type = ModelSpec::Type::Resnet;
  s.resnet = {.widths = {2, 3}, .blocks = 1};
  s.in_height = s.in_width = 6;
  s.classes = 4;
  s.activation = Activation::Gelu;  // smooth: finite differences never straddle a relu kink (relu is checked per op)
  return s;
}

Tensor bytes_tensor(int64_t n, int64_t t, uint64_t seed) {
  Tensor x({n, t});
  const RandomStream rs(seed, 3);
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = float(rs.bits(i) % 256);
  return x;
}

Tensor image_tensor(int64_t n, int64_t size, uint64_t seed) {
  Tensor x({n, size});
  const RandomStream rs(seed, 4);
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = float(double(rs.bits(i) >> 11) * 0x1p-53);
  return x;
}

// Mean cross-entropy of the model on (x, labels) as a double, with gradients on the tape when asked.
double loss_of(Model& m, const Tensor& x, const std::vector<int32_t>& labels, bool backward) {
  Tape tape;
  attach(tape, m.parameters());
  StepContext ctx;
  const Var loss = softmax_cross_entropy(tape, m.forward(tape, ctx, tape.leaf(x, false)), labels);
  if (backward) {
    tape.backward(loss);
    collect_grads(tape, m.parameters());
  }
  return tape.value(loss).data[0];
}

// Every parameter's gradient at ~6 elements against the central difference with step h: the
// float32 forward's rounding noise (~2^-24·|L|/h ≤ 1e-4) and the truncation error stay below the
// tolerance 2e-2·max(|g|, 0.05), which a wrong or missing term exceeds. (The ResNet takes the
// smaller h: its batch norm over 4 samples has large second derivatives.)
void check_model_gradients(Model& m, const Tensor& x, const std::vector<int32_t>& labels, double h) {
  loss_of(m, x, labels, true);
  int nonzero = 0, checked = 0;
  for (Parameter& p : m.parameters()) {
    const Tensor grad = p.grad;
    const size_t n = p.value.data.size(), stride = std::max<size_t>(1, n / 6);
    for (size_t i = 0; i < n; i += stride) {
      const float saved = p.value.data[i];
      p.value.data[i] = saved + float(h);
      const double up = loss_of(m, x, labels, false);
      p.value.data[i] = saved - float(h);
      const double down = loss_of(m, x, labels, false);
      p.value.data[i] = saved;
      const double numeric = (up - down) / (2 * h);
      INFO(p.name << "[" << i << "]: analytic " << grad.data[i] << " numeric " << numeric);
      CHECK(std::fabs(numeric - grad.data[i]) <= 2e-2 * std::max(std::fabs(numeric), 0.05));
      nonzero += grad.data[i] != 0.0f;
      ++checked;
    }
  }
  CHECK(nonzero > checked / 2);
}

}  // namespace

TEST_CASE("every builder names its GEMM and normalisation layers", "[sim][model]") {
  const QuantPlan plan;
  CHECK(build_model(ModelSpec{}, plan, 1)->layer_names() == std::vector<std::string>{"fc1", "fc2", "fc3"});
  ModelSpec cnn;
  cnn.type = ModelSpec::Type::Cnn;
  cnn.batch_norm = true;
  CHECK(build_model(cnn, plan, 1)->layer_names() ==
        std::vector<std::string>{"conv1", "conv2", "fc1", "fc2", "fc3", "bn1", "bn2"});
  const auto resnet = build_model(tiny_resnet(), plan, 1);
  CHECK(resnet->gemm_layers() ==
        std::vector<std::string>{"conv1", "s1b1.conv1", "s1b1.conv2", "s2b1.conv1", "s2b1.conv2", "s2b1.shortcut",
                                 "fc"});
  const auto lm = build_model(tiny_transformer(), plan, 1);
  CHECK(lm->gemm_layers().size() == 2 + 6 * 2);
  CHECK(lm->gemm_layers()[2] == "block1.attn.scores");
  CHECK(lm->gemm_layers().back() == "head");
  CHECK(lm->layer_names().back() == "ln_f");
}

TEST_CASE("resnet parameter gradients match finite differences (training-mode batch norm)", "[sim][model][gradcheck]") {
  const QuantPlan plan;
  const auto m = build_model(tiny_resnet(), plan, 5);
  check_model_gradients(*m, image_tensor(4, 36, 6), {0, 3, 1, 2}, 1e-3);
}

TEST_CASE("transformer parameter gradients match finite differences (tied and untied head)",
          "[sim][model][gradcheck]") {
  const QuantPlan plan;
  for (bool tied : {true, false}) {
    ModelSpec s = tiny_transformer();
    s.transformer.tied = tied;
    s.transformer.bias = !tied;
    const auto m = build_model(s, plan, 7);
    const Tensor x = bytes_tensor(2, 5, 8);
    std::vector<int32_t> labels(10);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = int32_t(x.data[(i + 1) % 10]);
    check_model_gradients(*m, x, labels, 1e-2);
  }
}

TEST_CASE("lent parameter values give the copied values' loss and gradients and come back unchanged", "[sim][model]") {
  const QuantPlan plan;
  for (const ModelSpec& spec : {tiny_transformer(), tiny_resnet()}) {
    const auto m = build_model(spec, plan, 9);
    const bool text = spec.type == ModelSpec::Type::Transformer;
    const Tensor x = text ? bytes_tensor(2, 5, 8) : image_tensor(4, 36, 6);
    const std::vector<int32_t> labels = text ? std::vector<int32_t>(10, 65) : std::vector<int32_t>{0, 3, 1, 2};
    const double copied = loss_of(*m, x, labels, true);
    std::vector<Tensor> values, grads;
    for (const Parameter& p : m->parameters()) {
      values.push_back(p.value);
      grads.push_back(p.grad);
    }
    Tape tape;
    lend(tape, m->parameters());
    for (const Parameter& p : m->parameters()) CHECK(p.value.data.empty());  // on the tape meanwhile
    StepContext ctx;
    const Var loss = softmax_cross_entropy(tape, m->forward(tape, ctx, tape.leaf(x, false)), labels);
    tape.backward(loss);
    collect_grads(tape, m->parameters());
    take_back(tape, m->parameters());
    CHECK(tape.value(loss).data[0] == float(copied));
    for (size_t i = 0; i < values.size(); ++i) {
      const Parameter& p = m->parameters()[i];
      INFO(p.name);
      CHECK(p.value.shape == values[i].shape);
      CHECK(p.value.data == values[i].data);
      CHECK(p.grad.data == grads[i].data);
    }
  }
}

TEST_CASE("transformer logits at position t do not depend on later bytes", "[sim][model]") {
  const QuantPlan plan;
  ModelSpec s = tiny_transformer();
  s.transformer.init = TransformerSpec::Init::Gpt2;
  const auto m = build_model(s, plan, 9);
  const auto logits = [&](const Tensor& x) {
    Tape tape;
    attach(tape, m->parameters(), false);
    StepContext ctx;
    return tape.value(m->forward(tape, ctx, tape.leaf(x, false)));
  };
  Tensor x = bytes_tensor(1, 5, 10);
  const Tensor before = logits(x);
  x.data[3] = float((int(x.data[3]) + 17) % 256);  // change byte 3
  const Tensor after = logits(x);
  const int64_t v = before.dim(1);
  for (int64_t t = 0; t < 5; ++t) {
    bool same = true;
    for (int64_t c = 0; c < v; ++c) same = same && before.data[size_t(t * v + c)] == after.data[size_t(t * v + c)];
    CHECK(same == (t < 3));
  }
}

TEST_CASE("GPT-2 initialisation: std 0.02, residual projections 0.02/sqrt(2 layers), LayerNorm 1 and 0",
          "[sim][model]") {
  ModelSpec s = tiny_transformer();
  s.transformer = {.layers = 2, .d_model = 64, .heads = 2, .d_ff = 256, .context = 8, .vocab = 256};
  const QuantPlan plan;
  const auto m = build_model(s, plan, 11);
  const auto rms = [](const Tensor& t) {
    double s2 = 0;
    for (float v : t.data) s2 += double(v) * v;
    return std::sqrt(s2 / double(t.numel()));
  };
  for (const Parameter& p : m->parameters()) {
    INFO(p.name);
    if (p.name == "embed.weight" || p.name == "block1.attn.qkv.weight" || p.name == "block2.mlp.fc.weight")
      CHECK(rms(p.value) == Approx(0.02).epsilon(0.05));
    if (p.name == "block1.attn.proj.weight" || p.name == "block2.mlp.proj.weight")
      CHECK(rms(p.value) == Approx(0.01).epsilon(0.05));
    if (p.name == "ln_f.weight") CHECK(rms(p.value) == 1.0);
    if (p.name == "ln_f.bias" || p.name == "block1.attn.qkv.bias") CHECK(rms(p.value) == 0.0);
  }
}
