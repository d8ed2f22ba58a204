// Scaled recipes in training: every preset trains deterministically (1 and 2 threads, byte-identical files),
// telemetry carries scale and amax, and bad scaling specs are config errors naming file and JSON pointer.
#include <catch2/catch.hpp>
#include <filesystem>

#include "tools/io/atomic_file.h"
#include "tools/io/config.h"
#include "train/config_error_of.h"
#include "tools/io/recipes.h"
#include "tools/io/train_run.h"

using nlohmann::json;
using namespace fpsim;
namespace fs = std::filesystem;

namespace {

// A preset's fields as a custom precision to edit: without "preset", which would claim the preset's name.
json custom_precision(const std::string& name) {
  json p = *io::precision_preset(name);
  p.erase("preset");
  return p;
}


json small(const std::string& precision, const std::string& model = "mlp") {
  json j = json::parse(R"({
    "schema": 1, "name": "scaled", "seed": 3,
    "data": {"dataset": "synthetic", "train_size": 128, "test_size": 32, "noise": 0.8, "batch_size": 32},
    "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9},
    "steps": 6, "eval_interval": 3, "telemetry": {"interval": 2}
  })");
  j["model"] = model == "mlp" ? json{{"type", "mlp"}, {"widths", {784, 48, 32, 10}}}
                              : json{{"type", "cnn"}, {"channels", {4, 8}}, {"hidden", {32, 24}}, {"batch_norm", true}};
  j["precision"] = precision;
  return j;
}

using test::error_of;

json precision_with(const std::string& preset, const std::string& pointer, json value) {
  json j = small(preset);
  j["precision"] = custom_precision(preset);
  j[json::json_pointer("/precision" + pointer)] = std::move(value);
  return j;
}

fs::path dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("fpsim_scaled_test_" + name);
  fs::remove_all(d);
  return d;
}

void run(const json& j, const fs::path& out, int threads) {
  const io::RunConfig rc = io::parse_run_config(j, "test.json");
  io::run_training(rc, io::load_datasets(rc.data, rc.train.seed), {out, io::ProgressMode::None, threads});
}

}  // namespace

TEST_CASE("every scaled preset trains with byte-identical results for 1 and 2 threads", "[train][scaling]") {
  for (const char* preset : {"te_delayed_hybrid", "tensorwise_e4m3", "rowwise_e4m3", "deepseek_v3", "mxfp8", "mxfp6",
                             "mxfp4_sr_rht", "nvfp4", "fp8_adam_states"})
    for (const char* model : {"mlp", "cnn"}) {
      INFO(preset << " " << model);
      const fs::path a = dir(std::string(preset) + model + "1"), b = dir(std::string(preset) + model + "2");
      run(small(preset, model), a, 1);
      run(small(preset, model), b, 2);
      for (const char* f : {"config.json", "metrics.jsonl", "summary.json"}) CHECK(io::read_file(a / f) == io::read_file(b / f));
      const json summary = json::parse(io::read_file(a / "summary.json"));
      CHECK(summary["status"] == "completed");
      const json first = json::parse(io::read_file(a / "metrics.jsonl").substr(0, io::read_file(a / "metrics.jsonl").find('\n')));
      const std::string layer = std::string(model) == "mlp" ? "fc2" : "conv2";
      REQUIRE(first["telemetry"].contains(layer + "/weight"));
      CHECK(first["telemetry"][layer + "/weight"]["scale"]["max"].get<double>() > 0);
      CHECK(first["telemetry"][layer + "/activation_grad"].contains("scale"));
    }
}

TEST_CASE("deepseek_v3 sums inside each 128-block on the h100_like matrix unit and promotes into fp32", "[config][scaling]") {
  const io::RunConfig rc = io::parse_run_config(small("deepseek_v3"), "x.json");
  const sim::RoleTargets& t = rc.train.plan.quantised;
  CHECK(t.accumulator_matrix_unit.group == 32);
  CHECK(t.accumulator_matrix_unit.frac_bits == 13);
  CHECK(t.accumulator_matrix_unit.truncate);
  REQUIRE(t[sim::Role::Accumulator].has_value());
  CHECK(t[sim::Role::Accumulator]->format.to_string() == "binary32");
  CHECK(t.scaling[std::size_t(sim::Role::Activation)].block_cols == 128);
  // The exempt first and last layers keep fp32 accumulation.
  CHECK(rc.train.plan.exempt.accumulator_matrix_unit.group == 0);
}

TEST_CASE("scaled recipes change what the GEMMs see: per-tensor scaling rescues E4M3 gradients", "[train][scaling]") {
  // Without scaling, E4M3 (min subnormal 2^-9) flushes most of these small gradients; with a per-tensor scale
  // almost none are flushed.
  const fs::path plain = dir("plain"), scaled = dir("scaled");
  json p = small("tensorwise_e4m3");
  p["precision"] = custom_precision("tensorwise_e4m3");
  json q = p;
  for (const char* role : {"weight", "activation", "activation_grad"}) q["precision"][role].erase("scaling");
  run(p, scaled, 1);
  run(q, plain, 1);
  auto zero_frac = [](const fs::path& d) {
    return json::parse(io::read_file(d / "summary.json"))["telemetry_summary"]["fc2/activation_grad"]["zero_frac_mean"]
        .get<double>();
  };
  CHECK(zero_frac(scaled) < 0.05);
  CHECK(zero_frac(plain) > 0.3);
}

TEST_CASE("bad scaling specs are config errors naming the file and JSON pointer", "[config][scaling]") {
  CHECK_THAT(error_of(precision_with("te_delayed_hybrid", "/weight/scaling/history", 0)),
             Catch::StartsWith("x.json:/precision/weight/scaling/history: history must be at least 1"));
  CHECK_THAT(error_of(precision_with("nvfp4", "/weight/format", "e4m3fn")),
             Catch::StartsWith("x.json:/precision/weight/format: nvfp4 scaling needs E2M1 elements"));
  CHECK_THAT(error_of(precision_with("mxfp8", "/weight/scaling/block", 16)),
             Catch::StartsWith("x.json:/precision/weight/scaling/block: MX blocks are 32 elements"));
  CHECK_THAT(error_of(precision_with("deepseek_v3", "/weight/scaling/cols", 96)),
             Catch::StartsWith("x.json:/precision/weight/scaling: K-block of 96 and the activation's 128 do not divide"));
  CHECK_THAT(error_of(precision_with("mxfp8", "/weight/format", "binary16")),
             Catch::StartsWith("x.json:/precision/weight/format: mx scaling needs an MX element format"));
  CHECK_THAT(error_of(precision_with("mxfp8", "/weight/scaling/scale_rule", "up")),
             Catch::StartsWith("x.json:/precision/weight/scaling/scale_rule: unknown MX scale rule \"up\""));
  CHECK_THAT(error_of(precision_with("mxfp8", "/weight/scaling/type", "blockwise")),
             Catch::StartsWith("x.json:/precision/weight/scaling/type: unknown scaling \"blockwise\""));
  CHECK_THAT(error_of(precision_with("mxfp8", "/output", json{{"format", "e4m3fn"}, {"scaling", "tensor"}})),
             Catch::StartsWith("x.json:/precision/output/scaling: scaling applies to GEMM operands"));
  CHECK_THAT(error_of(precision_with("nvfp4", "/gemms/wgrad/weight", nullptr)),
             Catch::StartsWith("x.json:/precision/gemms/wgrad/weight: unknown key \"weight\""));
}

TEST_CASE("scaling specs resolve with defaults; a string is shorthand for its type", "[config][scaling]") {
  json j = small("fp32");
  j["precision"] = custom_precision("fp32");
  j["precision"]["weight"] = {{"format", "e4m3fn"}, {"scaling", "tensor_delayed"}};
  const io::RunConfig rc = io::parse_run_config(j, "x.json");
  const json& s = rc.resolved["precision"]["weight"]["scaling"];
  CHECK(s == json{{"type", "tensor_delayed"}, {"history", 1024}, {"algo", "max"}, {"margin", 0}, {"power_of_two", false}});
  CHECK(rc.train.plan.quantised.scaling[0].mode == ScaleMode::TensorDelayed);
  CHECK(rc.train.plan.quantised.scaled_gemms());
  // configs without the new keys resolve as before (run ids unchanged)
  const json fp32 = io::parse_run_config(small("fp32"), "x.json").resolved["precision"];
  CHECK_FALSE(fp32.contains("optimizer_state_v"));
  CHECK_FALSE(fp32.contains("gemms"));
  CHECK_FALSE(fp32["weight"].is_object());
}

TEST_CASE("fp8_adam_states with AdamW: m in E4M3 and v in E5M2, each with a per-tensor scale", "[train][scaling]") {
  json j = small("fp8_adam_states");
  j["optimizer"] = {{"type", "adamw"}, {"lr", 0.001}};
  const fs::path a = dir("adam1"), b = dir("adam2");
  run(j, a, 1);
  run(j, b, 2);
  CHECK(io::read_file(a / "metrics.jsonl") == io::read_file(b / "metrics.jsonl"));
  const std::string metrics = io::read_file(a / "metrics.jsonl");
  const json first = json::parse(metrics.substr(0, metrics.find('\n')));
  for (const char* point : {"fc2/optimizer_state", "fc2/optimizer_state_v"}) {
    INFO(point);
    REQUIRE(first["telemetry"].contains(point));
    CHECK(first["telemetry"][point]["scale"]["max"].get<double>() > 1.0);  // small moments get scaled up
  }
  // with its scale almost none of v = g² flushes to zero in E5M2
  CHECK(first["telemetry"]["fc2/optimizer_state_v"]["zero_frac"].get<double>() < 0.05);
}

TEST_CASE("GEMM overrides: a binary32 weight-gradient GEMM (rowwise_with_gw_hp) and the Hadamard switch change results",
          "[train][scaling]") {
  json base = small("rowwise_e4m3");
  base["precision"] = custom_precision("rowwise_e4m3");
  json hp = base;
  hp["precision"]["gemms"] = {{"wgrad", {{"activation", nullptr}, {"activation_grad", nullptr}}}};
  json rht = base;
  rht["precision"]["gemms"] = {{"wgrad", {{"hadamard", true}}}};
  const fs::path a = dir("gw_base"), b = dir("gw_hp"), c = dir("gw_rht");
  run(base, a, 1);
  run(hp, b, 1);
  run(rht, c, 1);
  const std::string ma = io::read_file(a / "metrics.jsonl");
  CHECK(ma != io::read_file(b / "metrics.jsonl"));
  CHECK(ma != io::read_file(c / "metrics.jsonl"));
  const sim::RoleTargets& t = io::parse_run_config(hp, "x.json").train.plan.quantised;
  CHECK_FALSE(t.operand(sim::GemmPass::Wgrad, sim::Role::Activation).first.has_value());
  CHECK(t.operand(sim::GemmPass::Fprop, sim::Role::Activation).first.has_value());
}
