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
              {"exempt", {{"first", false}, {"last", false}, {"batch_norm", true}, {"layers", json::array()}}},
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

const std::map<std::string, std::function<json()>>& presets() {
  static const std::map<std::string, std::function<json()>> table = {
      {"fp32", fp32},
      {"fp8_paper", fp8_paper},
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
