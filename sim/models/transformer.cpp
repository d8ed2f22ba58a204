// The GPT-style causal Transformer language model (pre-LayerNorm, byte vocabulary):
//
//   h = Q_out(E[x]) + P[0..T)                                  embed (GEMM layer 0: E is its weight), pos_embed
//   per block i (names "block<i>.…"):
//     a = LN(h)                                                ln1
//     q, k, v = heads of a·W_qkvᵀ + b_qkv                      attn.qkv
//     s = q·kᵀ per (sample, head)                              attn.scores  (GEMM of two activations)
//     p = causal softmax(s / √(D/H))
//     o = p·v per (sample, head)                               attn.values  (GEMM of two activations)
//     h = h + merge(o)·W_projᵀ + b_proj                        attn.proj
//     h = h + gelu(LN(h)·W_fcᵀ + b_fc)·W_mlpᵀ + b_mlp          ln2, mlp.fc, mlp.proj
//   logits = LN(h)·Eᵀ (tied) or LN(h)·W_headᵀ + b_head         ln_f, head (the last GEMM layer)
//
// Shapes: x [N, T] byte values; h [N·T, D]; q, k, v [N·H, T, D/H]; s, p [N·H, T, T]; logits [N·T, V].
#include <cmath>
#include <stdexcept>
#include <utility>

#include "sim/models/model.h"

namespace fpsim::sim {
namespace {

// A block's GEMM layers in order, and whether both operands are activations (the attention products).
constexpr std::pair<const char*, bool> kBlockGemms[] = {{"attn.qkv", false},  {"attn.scores", true}, {"attn.values", true},
                                                        {"attn.proj", false}, {"mlp.fc", false},     {"mlp.proj", false}};

class Transformer : public Model {
 public:
  Transformer(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed) : Model(spec, plan), t_(spec.transformer) {
    if (t_.layers < 1 || t_.d_model < 1 || t_.heads < 1 || t_.d_model % t_.heads != 0 || t_.d_ff < 1 ||
        t_.context < 1 || t_.vocab < 2)
      throw std::invalid_argument("transformer: needs layers, d_ff, context >= 1 and d_model divisible by heads");
    add_gemm_layer("embed");
    for (int i = 0; i < t_.layers; ++i)
      for (const auto& [layer, of_activations] : kBlockGemms)
        add_gemm_layer(block(i) + layer, of_activations ? LayerKind::ActivationGemm : LayerKind::Gemm);
    add_gemm_layer("head");
    const int d = t_.d_model;
    const bool gpt2 = t_.init == TransformerSpec::Init::Gpt2;
    const Init embed_init = gpt2 ? Init{.std = 0.02} : Init{.std = 1.0};
    add_param("embed", "weight", {t_.vocab, d}, gemm_targets("embed"), true, embed_init, seed);
    // Position embeddings are added, not multiplied: no GEMM; their master copy follows the embed layer.
    add_param("pos_embed", "weight", {t_.context, d}, gemm_targets("embed"), false, embed_init, seed);
    const double residual_std = 0.02 / std::sqrt(2.0 * t_.layers);
    for (int i = 0; i < t_.layers; ++i) {
      add_layer_norm(block(i) + "ln1", seed);
      add_linear(block(i) + "attn.qkv", d, 3 * d, 0.02, seed);
      add_linear(block(i) + "attn.proj", d, d, residual_std, seed);
      add_layer_norm(block(i) + "ln2", seed);
      add_linear(block(i) + "mlp.fc", d, t_.d_ff, 0.02, seed);
      add_linear(block(i) + "mlp.proj", t_.d_ff, d, residual_std, seed);
    }
    add_layer_norm("ln_f", seed);
    if (!t_.tied) add_linear("head", d, t_.vocab, 0.02, seed);
  }

  Var forward(Tape& tape, StepContext& ctx, Var x) override {
    const Tensor& xv = tape.value(x);
    if (xv.rank() != 2 || xv.dim(1) > t_.context)
      throw std::invalid_argument("transformer: input " + shape_string(xv.shape) + " is not [N, T ≤ context]");
    const int64_t n = xv.dim(0), ctx_len = xv.dim(1);
    // The embedding is a GEMM with one-hot rows: its table is quantised like a weight, its rows like an output.
    const RoleTargets& et = gemm_targets("embed");
    const Var table = quantize_op(tape, param("embed.weight").var, ctx.side(et, "embed", "weight", Role::Weight),
                                  ctx.side(et, "embed", "weight", Role::WeightGrad));
    Var h = quantize_op(tape, embedding(tape, x, table), ctx.side(et, "embed", "output", Role::Output),
                        ctx.side(et, "embed", "output", Role::ActivationGrad));
    h = add_positions(tape, h, param("pos_embed.weight").var, ctx_len);
    const double scale = 1.0 / std::sqrt(double(t_.d_model / t_.heads));
    for (int i = 0; i < t_.layers; ++i) {
      const std::string b = block(i);
      const Var qkv = linear(tape, ctx, b + "attn.qkv", norm(tape, b + "ln1", h));
      const Var q = split_heads(tape, qkv, n, t_.heads, 0), k = split_heads(tape, qkv, n, t_.heads, 1),
                v = split_heads(tape, qkv, n, t_.heads, 2);
      const Var s = activation_gemm_layer(tape, ctx, gemm_targets(b + "attn.scores"), b + "attn.scores", q, k,
                                          Trans::Yes);
      const Var o = activation_gemm_layer(tape, ctx, gemm_targets(b + "attn.values"), b + "attn.values",
                                          causal_softmax(tape, s, scale), v, Trans::No);
      h = add(tape, h, linear(tape, ctx, b + "attn.proj", merge_heads(tape, o, n)));
      const Var f = gelu(tape, linear(tape, ctx, b + "mlp.fc", norm(tape, b + "ln2", h)));
      h = add(tape, h, linear(tape, ctx, b + "mlp.proj", f));
    }
    h = norm(tape, "ln_f", h);
    if (t_.tied) return linear_layer(tape, ctx, gemm_targets("head"), "head", h, param("embed.weight"), nullptr);
    return linear(tape, ctx, "head", h);
  }

 private:
  static std::string block(int i) { return "block" + std::to_string(i + 1) + "."; }

  void add_layer_norm(const std::string& name, uint64_t seed) {
    add_norm_layer(name);
    add_param(name, "weight", {t_.d_model}, norm_targets(name), false, {.fill = 1.0f}, seed);
    add_param(name, "bias", {t_.d_model}, norm_targets(name), false, {}, seed);
  }
  Var norm(Tape& tape, const std::string& name, Var x) const {
    return layer_norm(tape, x, param(name + ".weight").var, param(name + ".bias").var);
  }
  // Weight [out, in] and, when spec.bias, bias [out].
  void add_linear(const std::string& name, int in, int out, double gpt2_std, uint64_t seed) {
    const RoleTargets& t = gemm_targets(name);
    const double bound = 1.0 / std::sqrt(double(in));
    const bool gpt2 = t_.init == TransformerSpec::Init::Gpt2;
    add_param(name, "weight", {out, in}, t, true, gpt2 ? Init{.std = gpt2_std} : Init{.bound = bound}, seed);
    if (t_.bias) add_param(name, "bias", {out}, t, false, gpt2 ? Init{} : Init{.bound = bound}, seed);
  }
  Var linear(Tape& tape, StepContext& ctx, const std::string& name, Var x) {
    return linear_layer(tape, ctx, gemm_targets(name), name, x, param(name + ".weight"),
                        t_.bias ? &param(name + ".bias") : nullptr);
  }

  TransformerSpec t_;
};

}  // namespace

std::unique_ptr<Model> build_transformer(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed) {
  return std::make_unique<Transformer>(spec, plan, seed);
}

}  // namespace fpsim::sim
