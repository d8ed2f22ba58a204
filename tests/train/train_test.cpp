// End-to-end training on small synthetic configs: determinism across thread counts and reruns,
// interrupted-and-rerun runs, loss scaling under injected overflow, divergence, learning.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <limits>

#include "numerics/simd/isa.h"
#include "tools/io/atomic_file.h"
#include "tools/io/config.h"
#include "tools/io/train_run.h"

using nlohmann::json;
using namespace fpsim;
namespace fs = std::filesystem;

namespace {

// An FP8 paper-recipe MLP whose middle layer is quantised, on 256 synthetic samples.
json small_config(const std::string& precision = "fp8_paper") {
  json j = json::parse(R"({
    "schema": 1, "name": "small", "seed": 5,
    "model": {"type": "mlp", "widths": [784, 24, 16, 10]},
    "data": {"dataset": "synthetic", "train_size": 256, "test_size": 64, "noise": 0.8, "batch_size": 32},
    "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9},
    "steps": 16, "eval_interval": 8, "telemetry": {"interval": 4}
  })");
  j["precision"] = precision;
  return j;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("fpsim_train_test_" + name);
  fs::remove_all(d);
  return d;
}

io::RunConfig parse(const json& j) { return io::parse_run_config(j, "test.json"); }

void run(const io::RunConfig& rc, const fs::path& dir, int threads) {
  io::run_training(rc, io::load_datasets(rc.data, rc.train.seed), {dir, io::ProgressMode::None, threads});
}

void require_same_files(const fs::path& a, const fs::path& b) {
  for (const char* f : {"config.json", "metrics.jsonl", "summary.json"}) {
    INFO(f);
    REQUIRE(fs::exists(a / f));
    CHECK(io::read_file(a / f) == io::read_file(b / f));
  }
}

struct Recorder : sim::TrainObserver {
  std::vector<sim::EvalPoint> points;
  void on_eval(const sim::EvalPoint& p) override { points.push_back(p); }
};

}  // namespace

TEST_CASE("same config and seed give byte-identical results with 1 and 2 threads and on rerun", "[train]") {
  const io::RunConfig rc = parse(small_config());
  const fs::path one = fresh_dir("t1"), two = fresh_dir("t2"), again = fresh_dir("t1b");
  run(rc, one, 1);
  run(rc, two, 2);
  run(rc, again, 1);
  require_same_files(one, two);
  require_same_files(one, again);
  const json summary = json::parse(io::read_file(one / "summary.json"));
  CHECK(summary["status"] == "completed");
  CHECK(summary["schema"] == 1);
  CHECK(summary["telemetry_summary"].contains("fc2/weight_grad"));
  CHECK_FALSE(summary["telemetry_summary"].contains("fc1/weight"));  // first layer exempt
  CHECK(fs::exists(one / "timing.json"));
}

namespace {

// Runs `model` on the small config for `steps` updates with 1 and 2 threads; the files must match.
void check_thread_independent(const json& model, const std::string& precision, int steps, const std::string& tag) {
  json j = small_config(precision);
  j["model"] = model;
  j["steps"] = steps;
  j["eval_interval"] = steps;
  const io::RunConfig rc = parse(j);
  const fs::path one = fresh_dir(tag + "1"), two = fresh_dir(tag + "2");
  run(rc, one, 1);
  run(rc, two, 2);
  require_same_files(one, two);
}

}  // namespace

TEST_CASE("a CNN with batch norm is deterministic across thread counts", "[train]") {
  check_thread_independent({{"type", "cnn"}, {"channels", {3, 4}}, {"hidden", {12}}, {"batch_norm", true}},
                           "hybrid_e4m3_e5m2", 4, "cnn");
}

TEST_CASE("a residual CNN is deterministic across thread counts", "[train]") {
  check_thread_independent({{"type", "resnet"}, {"widths", {3, 4}}, {"blocks", 1}}, "fp8_paper", 3, "resnet");
}

namespace {

// A 1-layer Transformer language model (d_model 16, 2 heads, context 16, AdamW) on a fresh directory `tag` holding
// b.txt: `lines` lines of `sentence` followed by the line number modulo `variants`. The caller sets precision,
// steps and intervals.
json tiny_lm(const std::string& tag, const std::string& sentence, int lines, int variants) {
  const fs::path corpus = fresh_dir(tag);
  fs::create_directories(corpus);
  std::string text;
  for (int i = 0; i < lines; ++i) text += sentence + " " + std::to_string(i % variants) + "\n";
  io::write_file_atomic(corpus / "b.txt", text);
  json j = json::parse(R"({
    "schema": 1, "name": "lm", "seed": 3,
    "model": {"type": "transformer", "layers": 1, "d_model": 16, "heads": 2, "d_ff": 32, "context": 16},
    "data": {"dataset": "text", "batch_size": 8, "eval_windows": 16},
    "optimizer": {"type": "adamw", "lr": 0.01}
  })");
  j["data"]["path"] = corpus.string();
  return j;
}

}  // namespace

// A small Transformer on a text file with a repeated sentence: deterministic, learning, bits per byte reported.
TEST_CASE("a transformer language model on text is deterministic across thread counts and learns", "[train]") {
  json j = tiny_lm("corpus", "the quick brown fox jumps over the lazy dog", 200, 7);
  io::write_file_atomic(fs::path(j["data"]["path"].get<std::string>()) / "a.dat",
                        std::string("\0\1binary", 8));  // skipped: has a NUL byte
  j["optimizer"]["clip_norm"] = 1.0;
  j["precision"] = "fp8_paper";
  j["steps"] = 40;
  j["eval_interval"] = 20;
  j["telemetry"] = {{"interval", 10}};
  const io::RunConfig rc = parse(j);
  const fs::path one = fresh_dir("lm1"), two = fresh_dir("lm2");
  run(rc, one, 1);
  run(rc, two, 2);
  require_same_files(one, two);
  const json summary = json::parse(io::read_file(one / "summary.json"));
  CHECK(summary["status"] == "completed");
  CHECK(summary["final_test_bits_per_byte"].get<double>() ==
        Approx(summary["final_test_loss"].get<double>() / std::log(2.0)));
  CHECK(summary["final_test_bits_per_byte"].get<double>() < 5.0);  // uniform over 256 bytes: 8 bits
  CHECK(summary["telemetry_summary"].contains("block1.attn.scores/activation"));
}

// Every vector ISA this CPU runs (simd::limit_isa caps the GEMM micro-kernels, the emulated accumulators, quantize
// and the array arithmetic at once) trains to the same files as the widest: a machine of another ISA class
// reproduces a run bit for bit. MLP in fp8_paper (quantised GEMM inputs, sr gradients) and fp16_accum (emulated
// binary16 accumulation), and a Transformer (attention products) in fp8_paper, each on 2 threads.
TEST_CASE("every ISA's kernels train to byte-identical files", "[train]") {
  json lm = tiny_lm("corpus_isa", "sphinx of black quartz, judge my vow", 60, 3);
  lm["optimizer"]["clip_norm"] = 1.0;
  lm["precision"] = "fp8_paper";
  lm["steps"] = 6;
  lm["eval_interval"] = 6;
  lm["telemetry"] = {{"interval", 3}};
  json mlp_fp8 = small_config("fp8_paper"), mlp_accum = small_config("fp16_accum");
  for (json* j : {&mlp_fp8, &mlp_accum}) (*j)["steps"] = 6, (*j)["eval_interval"] = 6;
  const std::pair<std::string, json> configs[] = {{"mlp_fp8", mlp_fp8}, {"mlp_accum", mlp_accum}, {"lm", lm}};
  // the cap in force before this test comes back however the test ends
  struct RestoreCap {
    simd::Isa before = simd::limit_isa(simd::Isa::Avx512);  // no cap below what the CPU has
    ~RestoreCap() { simd::limit_isa(before); }
  } restore;
  const simd::Isa best = simd::best_isa();
  for (const auto& [tag, j] : configs) {
    const io::RunConfig rc = parse(j);
    const fs::path widest = fresh_dir("isa_" + tag + "_best");
    simd::limit_isa(best);
    run(rc, widest, 2);
    for (simd::Isa isa : simd::kIsas) {
      if (isa >= best) continue;
      INFO(tag << " kernels " << simd::to_string(isa) << " against " << simd::to_string(best));
      simd::limit_isa(isa);
      REQUIRE(simd::best_isa() == isa);
      const fs::path capped = fresh_dir("isa_" + tag + "_" + simd::to_string(isa));
      run(rc, capped, 2);
      require_same_files(widest, capped);
    }
  }
}

// exempt.attention: the score and value products take the exempt targets (binary32, no telemetry point), every
// other GEMM keeps its casts; the scaled presets set it, the 2019 presets do not.
TEST_CASE("exempt.attention keeps the attention products in binary32 and nothing else", "[train]") {
  json j = tiny_lm("corpus_attention", "pack my box with five dozen liquor jugs", 100, 5);
  j["steps"] = 4;
  j["eval_interval"] = 2;
  j["telemetry"] = {{"interval", 2}};
  for (const char* preset : {"fp8_paper", "tensorwise_e4m3", "mxfp8"}) {
    INFO(preset);
    j["precision"] = preset;
    const io::RunConfig rc = parse(j);
    const bool scaled = std::string(preset) != "fp8_paper";
    CHECK(rc.train.plan.exempt_attention == scaled);
    const fs::path out = fresh_dir(std::string("attention_") + preset);
    run(rc, out, 1);
    const json telemetry = json::parse(io::read_file(out / "summary.json"))["telemetry_summary"];
    CHECK(telemetry.contains("block1.attn.scores/activation") == !scaled);
    CHECK(telemetry.contains("block1.attn.values/activation_grad") == !scaled);
    CHECK(telemetry.contains("block1.attn.qkv/activation"));
    CHECK(telemetry.contains("block1.mlp.fc/activation_grad"));
  }
}

TEST_CASE("a run interrupted and rerun gives the same files as an uninterrupted run", "[train]") {
  const io::RunConfig rc = parse(small_config());
  const fs::path clean = fresh_dir("clean"), interrupted = fresh_dir("interrupted");
  run(rc, clean, 2);
  io::RunConfig stopping = rc;
  stopping.train.after_backward = [](int64_t step, std::vector<sim::Parameter>&) {
    if (step == 12) throw std::runtime_error("interrupted");
  };
  CHECK_THROWS(run(stopping, interrupted, 2));
  CHECK(fs::exists(interrupted / "metrics.jsonl"));
  CHECK_FALSE(fs::exists(interrupted / "summary.json"));  // not finished
  run(rc, interrupted, 2);
  require_same_files(clean, interrupted);
}

TEST_CASE("fp8 recipe: the loss scale backs off on an injected overflow and grows after the interval", "[train]") {
  json j = small_config();
  j["precision"] = io::parse_run_config(small_config(), "x").resolved["precision"];
  j["precision"].erase("preset");  // a changed loss scale is no longer the preset
  j["precision"]["loss_scale"] = {{"type", "enhanced"}, {"init", 1024}, {"growth_interval", 4},
                                  {"floor", json::array({{{"from", 0}, {"scale", 64}}})}};
  j["eval_interval"] = 1;
  j["steps"] = 9;
  io::RunConfig rc = parse(j);
  rc.train.after_backward = [](int64_t step, std::vector<sim::Parameter>& params) {
    if (step == 3) params[2].grad.data[0] = std::numeric_limits<float>::infinity();
  };
  const io::Datasets data = io::load_datasets(rc.data, rc.train.seed);
  Recorder rec;
  const sim::TrainSummary s = sim::train(rc.train, data.train, data.test, rec);
  std::vector<double> scales;
  for (const auto& p : rec.points) scales.push_back(p.loss_scale);
  // Steps 1-2 clean; step 3 overflows: skip, 1024 -> 512; steps 4-7 clean: 512 -> 1024 after the 4th.
  CHECK(scales == std::vector<double>{1024, 1024, 512, 512, 512, 512, 1024, 1024, 1024});
  CHECK(s.skipped_steps == 1);
  CHECK(rec.points[2].skipped_steps == 1);
}

TEST_CASE("enhanced loss scaling holds its floor under repeated overflow in training", "[train]") {
  json j = small_config();
  j["precision"] = io::parse_run_config(small_config(), "x").resolved["precision"];
  j["precision"].erase("preset");  // a changed loss scale is no longer the preset
  j["precision"]["loss_scale"] = {{"type", "enhanced"}, {"init", 1024},
                                  {"floor", json::array({{{"from", 0}, {"scale", 256}}})}};
  j["eval_interval"] = 1;
  j["steps"] = 6;
  io::RunConfig rc = parse(j);
  rc.train.after_backward = [](int64_t, std::vector<sim::Parameter>& params) {
    params[2].grad.data[0] = std::numeric_limits<float>::quiet_NaN();
  };
  const io::Datasets data = io::load_datasets(rc.data, rc.train.seed);
  Recorder rec;
  const sim::TrainSummary s = sim::train(rc.train, data.train, data.test, rec);
  for (const auto& p : rec.points) CHECK(p.loss_scale >= 256);
  CHECK(rec.points.back().loss_scale == 256);
  CHECK(s.skipped_steps == 6);
}

TEST_CASE("a run whose loss becomes NaN ends cleanly as diverged", "[train]") {
  // fp32 without loss scaling applies a NaN gradient: the weights, then the next loss, become NaN.
  io::RunConfig rc = parse(small_config("fp32"));
  rc.train.after_backward = [](int64_t step, std::vector<sim::Parameter>& params) {
    if (step == 5) params[0].grad.data[0] = std::numeric_limits<float>::quiet_NaN();
  };
  const fs::path dir = fresh_dir("diverged");
  run(rc, dir, 2);
  const json summary = json::parse(io::read_file(dir / "summary.json"));
  CHECK(summary["status"] == "diverged");
  CHECK(summary["diverged_step"] == 6);
  CHECK(summary["final_test_accuracy"].is_null());  // no evaluation point before step 8
}

TEST_CASE("training on the synthetic set learns in fp32 and with the fp8 paper recipe", "[train]") {
  for (const char* precision : {"fp32", "fp8_paper"}) {
    json j = small_config(precision);
    j["steps"] = 40;
    j["eval_interval"] = 40;
    const io::RunConfig rc = parse(j);
    const io::Datasets data = io::load_datasets(rc.data, rc.train.seed);
    Recorder rec;
    const sim::TrainSummary s = sim::train(rc.train, data.train, data.test, rec);
    INFO(precision);
    CHECK(*s.final_test_accuracy > 0.8);  // 10 classes: chance is 0.1
  }
}
