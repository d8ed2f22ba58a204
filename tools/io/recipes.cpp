#include "tools/io/recipes.h"

#include <functional>
#include <map>

namespace fpsim::io {
namespace {

using nlohmann::json;

json target(const char* format, const char* rounding) { return json{{"format", format}, {"rounding", rounding}}; }

// Everything in binary32: no quantisation point, no loss scaling.
json fp32() {
  return json{{"weight", nullptr},        {"activation", nullptr},      {"output", nullptr},
              {"activation_grad", nullptr}, {"weight_grad", nullptr},     {"master_weight", nullptr},
              {"optimizer_state", nullptr}, {"accumulator", nullptr},     {"accumulator_chunk", 0},
              {"exempt",
               {{"first", false}, {"last", false}, {"batch_norm", true}, {"attention", false}, {"layers", json::array()}}},
              {"loss_scale", {{"type", "none"}}}};
}

// Mellempudi et al. 2019 (RECIPES.md §1): E5M2 GEMM inputs and outputs with nearest-even, errors and
// weight gradients E5M2 with stochastic rounding, FP32 accumulation, binary16 master weights updated
// with stochastic rounding, first and last layers and batch norm exempt (FP32), enhanced loss
// scaling: dynamic from 2^15 with a floor of 2^13 (the floor values are unverified; a knob).
json fp8_paper() {
  json p = fp32();
  p["weight"] = p["activation"] = p["output"] = target("e5m2", "rne");
  p["activation_grad"] = p["weight_grad"] = target("e5m2", "sr");
  p["master_weight"] = target("binary16", "sr");
  p["exempt"]["first"] = p["exempt"]["last"] = true;
  p["loss_scale"] = {{"type", "enhanced"},     {"init", 32768},          {"growth_factor", 2},
                     {"backoff_factor", 0.5},  {"growth_interval", 1000}, {"max", 16777216},
                     {"min", 1},               {"floor", json::array({{{"from", 0}, {"scale", 8192}}})},
                     {"floor_unit", "step"},   {"on_overflow_at_floor", "skip"}};
  return p;
}

json with(json p, const std::function<void(json&)>& edit) {
  edit(p);
  return p;
}

// ---- scaled recipes of 2022–2026 (RECIPES.md §4) ------------------------------------------------------------
// Common to all: the GEMM operands (weight, activation, activation_grad) are scaled casts inside each GEMM
// (sim/ops/layer_gemm.h); GEMM outputs, weight gradients and master weights stay binary32 (the recipes keep
// them in BF16/FP32), no loss scaling (per-tensor or finer scales take its place); first and last layer and
// batch norm exempt, as in the 2019 preset, so the comparison changes one thing. The attention score and value
// products stay binary32 (exempt.attention): these recipes cast the linear layers' GEMMs only, and keep attention
// in BF16 (Transformer Engine without fp8_dpa, torchao's float8 Linear, DeepSeek-V3 §3.3.1, the NVFP4 and
// MXFP4 training reports), where the 2019 recipe casts every GEMM input.
json scaled_target(const char* format, const char* rounding, json scaling) {
  json t = target(format, rounding);
  t["scaling"] = std::move(scaling);
  return t;
}

json scaled_base(json w, json a, json g) {
  json p = fp32();
  p["weight"] = std::move(w);
  p["activation"] = std::move(a);
  p["activation_grad"] = std::move(g);
  p["exempt"]["first"] = p["exempt"]["last"] = true;
  p["exempt"]["attention"] = true;
  return p;
}

// Transformer Engine DelayedScaling, Format.HYBRID: E4M3 forward, E5M2 gradients, per-tensor scales from the
// max of a 1024-step amax history, margin 0.
json te_delayed_hybrid() {
  const json delayed = {{"type", "tensor_delayed"}, {"history", 1024}, {"algo", "max"}, {"margin", 0}};
  return scaled_base(scaled_target("e4m3fn", "rne", delayed), scaled_target("e4m3fn", "rne", delayed),
                     scaled_target("e5m2", "rne", delayed));
}

// Per-tensor current scaling (TE Float8CurrentScaling with E4M3 everywhere; torchao "tensorwise").
json tensorwise_e4m3() {
  const json t = scaled_target("e4m3fn", "rne", {{"type", "tensor"}});
  return scaled_base(t, t, t);
}

// torchao "rowwise": one power-of-two scale per row of each GEMM operand along K, E4M3 everywhere.
json rowwise_e4m3() {
  const json t = scaled_target("e4m3fn", "rne", {{"type", "row"}, {"power_of_two", true}});
  return scaled_base(t, t, t);
}

// DeepSeek-V3 (arXiv 2412.19437 §3.3): E4M3 everywhere, 1×128 tiles for activations and gradients, 128×128
// for weights, FP32 scales; the GEMM promotes partial sums every 128 K-elements into FP32 (the K-block
// folding of sim/gemm/scaled_gemm.h). Inside a block the products are summed by the matrix-unit model with
// H800's limited accumulation (h100_like: 13 kept fraction bits, truncated, groups of 32; README "Accumulation"),
// the precision loss that made DeepSeek promote every 128 elements (§3.3.2: "around 14 bits").
json deepseek_v3() {
  const json tile = {{"type", "block"}, {"rows", 1}, {"cols", 128}};
  const json square = {{"type", "block"}, {"rows", 128}, {"cols", 128}};
  json p = scaled_base(scaled_target("e4m3fn", "rne", square), scaled_target("e4m3fn", "rne", tile),
                       scaled_target("e4m3fn", "rne", tile));
  p["accumulator"] = {{"type", "matrix_unit"}, {"preset", "h100_like"}};
  return p;
}

json mx(const char* format, const char* rounding, const char* rule) {
  return scaled_target(format, rounding, {{"type", "mx"}, {"block", 32}, {"scale_rule", rule}});
}

// TE MXFP8BlockScaling: E4M3 elements, 1×32 E8M0 blocks along K per GEMM, scale rounded up (RCEIL, cuBLAS).
json mxfp8() { return scaled_base(mx("e4m3fn", "rne", "rceil"), mx("e4m3fn", "rne", "rceil"), mx("e4m3fn", "rne", "rceil")); }

// OCP MXFP6: E2M3 forward, E3M2 gradients (the wider range), OCP reference scale rule (floor).
json mxfp6() { return scaled_base(mx("e2m3fn", "rne", "floor"), mx("e2m3fn", "rne", "floor"), mx("e3m2fn", "rne", "floor")); }

// MXFP4 (Tseng et al. 2025, arXiv 2502.20586): E2M1 everywhere, gradients with stochastic rounding, a random
// Hadamard transform on both operands of the weight-gradient GEMM.
json mxfp4_sr_rht() {
  json p = scaled_base(mx("e2m1fn", "rne", "floor"), mx("e2m1fn", "rne", "floor"), mx("e2m1fn", "sr", "floor"));
  p["gemms"] = {{"wgrad", {{"hadamard", true}}}};
  return p;
}

// NVFP4 (arXiv 2509.25149; TE NVFP4BlockScaling): E2M1 with 1×16 E4M3 block scales and an FP32 tensor scale,
// 16×16 blocks for weights, SR on gradients only, 16×16 random Hadamard transform on the wgrad GEMM.
json nvfp4() {
  const json block = {{"type", "nvfp4"}, {"block", 16}};
  json p = scaled_base(scaled_target("e2m1fn", "rne", {{"type", "nvfp4"}, {"block", 16}, {"2d_weights", true}}),
                       scaled_target("e2m1fn", "rne", block), scaled_target("e2m1fn", "sr", block));
  p["gemms"] = {{"wgrad", {{"hadamard", true}}}};
  return p;
}

// Fishman et al. 2024 (arXiv 2409.12517): FP8 GEMMs (as te_delayed_hybrid) and the optimiser's moments in FP8
// with a per-tensor FP32 scale: m (SGD momentum, Adam m) in E4M3, Adam v in E5M2.
json fp8_adam_states() {
  json p = te_delayed_hybrid();
  p["optimizer_state"] = scaled_target("e4m3fn", "rne", {{"type", "tensor"}});
  p["optimizer_state_v"] = scaled_target("e5m2", "rne", {{"type", "tensor"}});
  return p;
}

const std::map<std::string, std::function<json()>>& presets() {
  static const std::map<std::string, std::function<json()>> table = {
      {"fp32", fp32},
      {"fp8_paper", fp8_paper},
      // Scaled recipes (RECIPES.md §4).
      {"te_delayed_hybrid", te_delayed_hybrid},
      {"tensorwise_e4m3", tensorwise_e4m3},
      {"rowwise_e4m3", rowwise_e4m3},
      {"deepseek_v3", deepseek_v3},
      {"mxfp8", mxfp8},
      {"mxfp6", mxfp6},
      {"mxfp4_sr_rht", mxfp4_sr_rht},
      {"nvfp4", nvfp4},
      {"fp8_adam_states", fp8_adam_states},
      // Ablations of the paper recipe, one change each.
      {"fp8_no_loss_scaling", [] { return with(fp8_paper(), [](json& p) { p["loss_scale"] = {{"type", "none"}}; }); }},
      {"fp8_static_loss_scaling",
       [] { return with(fp8_paper(), [](json& p) { p["loss_scale"] = {{"type", "static"}, {"init", 8192}}; }); }},
      {"fp8_dynamic_loss_scaling",
       [] {
         return with(fp8_paper(), [](json& p) {
           p["loss_scale"] = {{"type", "dynamic"}, {"init", 32768}, {"growth_interval", 1000}};
         });
       }},
      {"fp8_rne_master", [] { return with(fp8_paper(), [](json& p) { p["master_weight"]["rounding"] = "rne"; }); }},
      {"fp8_rne_grads",
       [] {
         return with(fp8_paper(), [](json& p) { p["activation_grad"]["rounding"] = p["weight_grad"]["rounding"] = "rne"; });
       }},
      {"fp8_sr8_grads",
       [] {
         return with(fp8_paper(), [](json& p) { p["activation_grad"]["rounding"] = p["weight_grad"]["rounding"] = "sr:8"; });
       }},
      {"fp8_fp32_master", [] { return with(fp8_paper(), [](json& p) { p["master_weight"] = nullptr; }); }},
      {"fp8_no_exemptions",
       [] { return with(fp8_paper(), [](json& p) { p["exempt"]["first"] = p["exempt"]["last"] = false; }); }},
      {"e5m2_rne_all",
       [] {
         return with(fp32(), [](json& p) {
           for (const char* r : {"weight", "activation", "output", "activation_grad", "weight_grad"}) p[r] = target("e5m2", "rne");
           p["exempt"]["first"] = p["exempt"]["last"] = true;
         });
       }},
      // OCP FP8 E4M3 (no inf, NaN on overflow) everywhere, gradients with SR.
      {"e4m3_all",
       [] {
         return with(fp8_paper(), [](json& p) {
           p["weight"] = p["activation"] = p["output"] = target("e4m3fn", "rne");
           p["activation_grad"] = p["weight_grad"] = target("e4m3fn", "sr");
         });
       }},
      // Micikevicius et al. 2022 / Transformer Engine "hybrid": E4M3 forward, E5M2 backward.
      {"hybrid_e4m3_e5m2",
       [] {
         return with(fp8_paper(), [](json& p) { p["weight"] = p["activation"] = p["output"] = target("e4m3fn", "rne"); });
       }},
      // Sun et al. 2019 HFP8: forward 1-4-3 with bias 11, backward 1-5-2.
      {"hfp8",
       [] {
         return with(fp8_paper(), [](json& p) {
           p["weight"] = p["activation"] = p["output"] = target("e4m3b11fnuz", "rne");
         });
       }},
      // Wang et al. 2018: the paper recipe with binary16 accumulation, plain and chunked (64 terms).
      {"fp16_accum", [] { return with(fp8_paper(), [](json& p) { p["accumulator"] = target("binary16", "rne"); }); }},
      {"fp16_accum_chunked",
       [] {
         return with(fp8_paper(), [](json& p) {
           p["accumulator"] = target("binary16", "rne");
           p["accumulator_chunk"] = 64;
         });
       }},
      // Micikevicius et al. 2018: binary16 tensors, FP32 master weights, dynamic loss scaling from 2^16.
      {"fp16_mixed",
       [] {
         return with(fp32(), [](json& p) {
           for (const char* r : {"weight", "activation", "output", "activation_grad", "weight_grad"})
             p[r] = target("binary16", "rne");
           p["loss_scale"] = {{"type", "dynamic"}, {"init", 65536}, {"growth_interval", 2000}};
         });
       }},
      {"bf16_mixed",
       [] {
         return with(fp32(), [](json& p) {
           for (const char* r : {"weight", "activation", "output", "activation_grad", "weight_grad"})
             p[r] = target("bfloat16", "rne");
         });
       }},
  };
  return table;
}

}  // namespace

std::optional<nlohmann::json> precision_preset(const std::string& name) {
  const auto it = presets().find(name);
  if (it == presets().end()) return std::nullopt;
  json p = it->second();
  p["preset"] = name;
  return p;
}

std::vector<std::string> precision_preset_names() {
  std::vector<std::string> names;
  for (const auto& [name, make] : presets()) names.push_back(name);
  return names;
}

}  // namespace fpsim::io
