// fpsim bench train: seconds per epoch of the default MLP (784-512-512-10, batch 128, SGD momentum)
// for a list of precision presets (default: FP32 and the FP8 paper recipe), measured in the same run, and
// each one's ratio to the first. "PRESET:unscaled" is PRESET with every scaling spec and GEMM override
// removed: the same casts without scales, the baseline of a scaled recipe's overhead.
//
// Each measurement trains `steps` updates from scratch and times updates 2..steps (the first is
// warm-up: allocation, page faults) with no evaluation inside the window, then scales the time per
// update to a full epoch (469 updates for 60000 images). The two recipes alternate, and the
// median of `runs` measurements of each is reported.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/fpsim/command.h"
#include "tools/io/recipes.h"
#include "tools/io/train_run.h"

namespace fpsim::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int runs = 3;
  int steps = 40;
  int threads = 2;
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::vector<std::string> recipes = {"fp32", "fp8_paper"};
};

// The precision object of a recipe name (see the top comment).
nlohmann::json precision_of(const std::string& name) {
  const std::string suffix = ":unscaled";
  const bool unscaled = name.size() > suffix.size() && name.ends_with(suffix);
  const std::string preset = unscaled ? name.substr(0, name.size() - suffix.size()) : name;
  auto p = io::precision_preset(preset);
  if (!p) throw std::invalid_argument("bench train: unknown precision preset \"" + preset + "\"");
  if (unscaled) {
    p->erase("gemms");
    for (auto& [key, value] : p->items())
      if (value.is_object()) value.erase("scaling");
  }
  return *p;
}

// Records the clock at the end of update `from` and of update `to`.
struct Stopwatch : sim::TrainObserver {
  int64_t from, to;
  Clock::time_point t0, t1;
  Stopwatch(int64_t a, int64_t b) : from(a), to(b) {}
  void on_step(const sim::Progress& p) override {
    if (p.step == from) t0 = Clock::now();
    if (p.step == to) t1 = Clock::now();
  }
};

double seconds_per_step(const io::RunConfig& rc, const io::Datasets& data, int steps) {
  Stopwatch w(1, steps);
  sim::train(rc.train, data.train, data.test, w);
  return std::chrono::duration<double>(w.t1 - w.t0).count() / double(steps - 1);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

int run(const Options& o) {
  nlohmann::json base = {{"schema", 1},
                         {"name", "bench"},
                         {"seed", 1},
                         {"model", {{"type", "mlp"}, {"widths", {784, 512, 512, 10}}}},
                         {"data", {{"dataset", "fashion_mnist"}, {"path", o.data}, {"batch_size", 128}}},
                         {"optimizer", {{"type", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}}},
                         // One update past the timed window: the final evaluation happens there.
                         {"steps", o.steps + 1},
                         {"eval_interval", 1 << 30}};
  const io::Datasets data = io::load_datasets(io::parse_run_config(base, "bench").data, 1);
  io::set_threads(o.threads);
  const int64_t per_epoch = sim::steps_per_epoch(data.train.count, 128);
  const size_t n = o.recipes.size();
  std::vector<io::RunConfig> configs;
  for (const std::string& name : o.recipes) {
    nlohmann::json j = base;
    j["precision"] = precision_of(name);
    configs.push_back(io::parse_run_config(j, "bench"));
  }
  std::vector<std::vector<double>> times(n);
  for (int r = 0; r < o.runs; ++r)  // recipes alternate within each run
    for (size_t k = 0; k < n; ++k)
      times[k].push_back(seconds_per_step(configs[k], data, o.steps) * double(per_epoch));
  std::printf("MLP 784-512-512-10, batch 128, %d threads, %d timed updates x %d runs, epoch = %lld updates\n",
              o.threads, o.steps - 1, o.runs, (long long)per_epoch);
  const double first = median(times[0]);
  for (size_t k = 0; k < n; ++k) {
    const auto [lo, hi] = std::minmax_element(times[k].begin(), times[k].end());
    std::printf("  %-28s %.3f s/epoch (min %.3f, max %.3f)  ratio to %s = %.2fx\n", o.recipes[k].c_str(),
                median(times[k]), *lo, *hi, o.recipes[0].c_str(), median(times[k]) / first);
  }
  // libgomp spin-waits at barriers by default; on a machine busy with other work that turns every
  // parallel region into a scheduling delay (OMP_WAIT_POLICY=passive avoids it).
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  std::printf("  OMP_WAIT_POLICY=%s\n", policy ? policy : "(unset: libgomp default, spins at barriers)");
  return 0;
}

Registration reg{{"bench train", "Epoch time of the default MLP per precision preset (default: FP32 vs the FP8 paper recipe)", [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    app.add_option("--runs", opts->runs, "measurements of each recipe (median)")->check(CLI::Range(1, 100));
                    app.add_option("--steps", opts->steps, "updates per measurement")->check(CLI::Range(3, 100000));
                    app.add_option("--threads", opts->threads, "threads")->check(CLI::Range(1, 1024));
                    app.add_option("--data", opts->data, "Fashion-MNIST directory");
                    app.add_option("--recipes", opts->recipes,
                                   "precision presets to time (PRESET:unscaled drops its scaling); ratios to the first")
                        ->delimiter(',');
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
