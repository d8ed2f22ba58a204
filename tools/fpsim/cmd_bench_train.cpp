// fpsim bench train: what `fpsim train` spends on one epoch of the default MLP (784-512-512-10, batch
// 128, SGD momentum, shuffled and normalised Fashion-MNIST: experiments/fmnist_mlp_fp32.json with
// epochs = 1), per precision recipe and thread count, all measured in the same run.
// With --model CONFIG: the model, data and optimiser of that run config instead (its precision replaced
// by fp32 and by --recipe; telemetry off), reported per update and per epoch.
// A precision name "PRESET:unscaled" is PRESET with every scaling spec and GEMM override removed: the same
// casts without scales, the baseline of a scaled recipe's overhead.
//
// A measurement times one sim::train call, the call `fpsim train` makes (the same config: one whole
// epoch, its final test-set evaluation included; only the results files are not written), after one
// untimed warm-up call per (recipe, threads) of a few updates (allocation, page faults, thread team).
// With --steps N > 0 a measurement instead trains N + 1 updates and times updates 2..N+1 (no
// evaluation inside the window), scaled to the epoch's update count: a sample for slow recipes. The
// median and min–max of --runs measurements are reported, and the ratios of the medians to the fp32
// epoch with the same thread count and to the 1-thread epoch of the same recipe.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/fpsim/bench_timing.h"
#include "tools/fpsim/bench_util.h"
#include "tools/fpsim/command.h"
#include "tools/io/recipes.h"
#include "tools/io/train_run.h"

namespace fpsim::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int runs = 3;
  int steps = 0;  // 0: whole epochs
  std::vector<int> threads{1, 2};
  std::vector<std::string> precisions{"fp32", "fp8_paper", "fp16_accum"};
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string model;                  ///< a run config; empty: the default MLP
  std::string recipe = "fp8_paper";   ///< compared against fp32
  std::string isa = "best";           ///< the widest vector kernels training may use (simd::limit_isa)
};


// The precision object of a recipe name (see the top comment).
nlohmann::json precision_of(const std::string& name) {
  const std::string suffix = ":unscaled";
  const bool unscaled = name.size() > suffix.size() && name.ends_with(suffix);
  const std::string preset = unscaled ? name.substr(0, name.size() - suffix.size()) : name;
  auto p = io::precision_preset(preset);
  if (!p) throw std::invalid_argument("bench train: unknown precision preset \"" + preset + "\"");
  if (unscaled) {
    p->erase("preset");  // a custom precision now: a "preset" label must not claim fields that differ
    p->erase("gemms");
    for (auto& [key, value] : p->items())
      if (value.is_object()) value.erase("scaling");
  }
  return *p;
}

// Records the clock (and the process CPU time) at the end of update `from` and of update `to`.
struct Stopwatch : sim::TrainObserver {
  int64_t from, to;
  Clock::time_point t0, t1;
  double cpu0 = 0, cpu1 = 0;
  Stopwatch(int64_t a, int64_t b) : from(a), to(b) {}
  void on_step(const sim::Progress& p) override {
    if (p.step == from) t0 = Clock::now(), cpu0 = cpu_seconds(true);
    if (p.step == to) t1 = Clock::now(), cpu1 = cpu_seconds(true);
  }
};

nlohmann::json config(const Options& o, const std::string& precision, int steps) {
  nlohmann::json j = {{"schema", 1},
                      {"name", "bench"},
                      {"seed", 1},
                      {"model", {{"type", "mlp"}, {"widths", {784, 512, 512, 10}}, {"activation", "relu"}}},
                      {"data",
                       {{"dataset", "fashion_mnist"}, {"path", o.data}, {"batch_size", 128}, {"shuffle", true},
                        {"normalize", true}}},
                      {"optimizer", {{"type", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}}},
                      {"schedule", {{"type", "constant"}}},
                      {"precision", precision_of(precision)},
                      {"eval_interval", 0},
                      {"telemetry", {{"interval", 0}}}};
  if (steps > 0)
    j["steps"] = steps;
  else
    j["epochs"] = 1;
  return j;
}

struct StepTime {
  double wall = 0, cpu = 0;  // per update; cpu summed over threads
};

StepTime time_steps(const io::RunConfig& rc, const io::Datasets& data, int steps) {
  Stopwatch w(1, steps);
  sim::train(rc.train, data.train, data.test, w);
  const double n = double(steps - 1);
  return {std::chrono::duration<double>(w.t1 - w.t0).count() / n, (w.cpu1 - w.cpu0) / n};
}

// Seconds per epoch: a whole epoch timed, or updates 2..steps+1 scaled to `per_epoch` updates.
double epoch_seconds(const Options& o, const std::string& precision, const io::Datasets& data, int64_t per_epoch) {
  if (o.steps == 0) {
    const io::RunConfig rc = io::parse_run_config(config(o, precision, 0), "bench");
    sim::TrainObserver none;
    const auto t0 = Clock::now();
    sim::train(rc.train, data.train, data.test, none);
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }
  const io::RunConfig rc = io::parse_run_config(config(o, precision, o.steps + 1), "bench");
  Stopwatch w(1, o.steps + 1);
  sim::train(rc.train, data.train, data.test, w);
  return std::chrono::duration<double>(w.t1 - w.t0).count() / double(o.steps) * double(per_epoch);
}

// The --threads counts, fewest first and each once: a row's speed-up is over the fewest (1 unless --threads leaves
// it out), whatever order --threads names them in.
std::vector<int> thread_counts_of(const Options& o) {
  std::vector<int> counts = o.threads;
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  return counts;
}

// --model: the run config with its precision replaced, a fixed number of updates, no evaluation or
// telemetry inside the timed window.
int run_config(const Options& o) {
  const int steps = o.steps > 0 ? o.steps : 40;  // updates per measurement (the first is warm-up)
  const auto config = [&](const std::string& precision) {
    return io::load_run_config(o.model, {"precision=" + precision, "epochs=null",
                                         "steps=" + std::to_string(steps + 1), "eval_interval=1073741824",
                                         "telemetry.interval=0"});
  };
  const io::RunConfig fp32 = config("fp32"), recipe = config(o.recipe);
  io::Datasets data = io::load_datasets(fp32.data, fp32.train.seed);
  // The one evaluation comes after the timed window: keep it short (the first 256 test images).
  if (!data.test.is_text()) data.test.count = std::min<int64_t>(data.test.count, 256);
  const int64_t per_epoch = sim::steps_per_epoch(data.train.count, fp32.train.batch_size);
  for (const int threads : thread_counts_of(o)) {
    io::set_threads(threads);
    std::vector<double> times[2], cpu[2];
    for (int r = 0; r < o.runs; ++r)
      for (int k = 0; k < 2; ++k) {
        const StepTime t = time_steps(k == 0 ? fp32 : recipe, data, steps);
        times[k].push_back(t.wall);
        cpu[k].push_back(t.cpu);
      }
    std::printf("%s (%s), batch %lld, %d threads, %d timed updates x %d runs, epoch = %lld updates, %s kernels\n",
                o.model.c_str(), fp32.resolved["model"]["type"].get<std::string>().c_str(),
                (long long)fp32.train.batch_size, threads, steps - 1, o.runs, (long long)per_epoch,
                simd::to_string(simd::best_isa()));
    for (int k = 0; k < 2; ++k) {
      const auto [lo, hi] = std::minmax_element(times[k].begin(), times[k].end());
      std::printf("  %-12s %.4f s/update (min %.4f, max %.4f)  %.1f s/epoch  cpu %.4f s/update (all threads)\n",
                  k == 0 ? "fp32" : o.recipe.c_str(), median(times[k]), *lo, *hi, median(times[k]) * double(per_epoch),
                  median(cpu[k]));
    }
    std::printf("  ratio %s / fp32 = %.2fx wall, %.2fx cpu\n", o.recipe.c_str(), median(times[1]) / median(times[0]),
                median(cpu[1]) / median(cpu[0]));
  }
  // On a shared machine wall time includes waiting for a core; cpu time / threads is what a quiet
  // machine's wall time would be if the threads never waited for each other.
  return 0;
}

int run(const Options& o) {
  simd::limit_isa(parse_isa_option(o.isa));
  if (!o.model.empty()) return run_config(o);
  const io::Datasets data = io::load_datasets(io::parse_run_config(config(o, "fp32", 0), "bench").data, 1);
  const int64_t per_epoch = sim::steps_per_epoch(data.train.count, 128);
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    double load = 0.0;
    if (std::fscanf(f, "%lf", &load) == 1) std::printf("load average (1 min) at start: %.2f\n", load);
    std::fclose(f);
  }
  std::printf("MLP 784-512-512-10, batch 128, %lld updates per epoch, %s kernels; %s; median (min-max) of %d runs "
              "after a warm-up\n",
              (long long)per_epoch, simd::to_string(simd::best_isa()),
              o.steps == 0 ? "whole epochs as `fpsim train` runs them (final evaluation included)"
                           : ("a sample of " + std::to_string(o.steps) + " updates scaled to the epoch").c_str(),
              o.runs);
  const std::vector<int> threads = thread_counts_of(o);
  std::vector<std::vector<double>> medians(o.precisions.size(), std::vector<double>(threads.size(), 0.0));
  for (std::size_t pi = 0; pi < o.precisions.size(); ++pi)
    for (std::size_t ti = 0; ti < threads.size(); ++ti) {
      io::set_threads(threads[ti]);
      {  // warm-up
        const io::RunConfig rc = io::parse_run_config(config(o, o.precisions[pi], 3), "bench");
        sim::TrainObserver none;
        sim::train(rc.train, data.train, data.test, none);
      }
      std::vector<double> t;
      for (int r = 0; r < o.runs; ++r) t.push_back(epoch_seconds(o, o.precisions[pi], data, per_epoch));
      std::sort(t.begin(), t.end());
      const double med = median(t);
      medians[pi][ti] = med;
      std::printf("  %-12s %2d thread(s): %8.3f s/epoch (%.3f-%.3f)  x %s %.2f  speed-up over %d thread(s) %.2f\n",
                  o.precisions[pi].c_str(), threads[ti], med, t.front(), t.back(), o.precisions[0].c_str(),
                  medians[0][ti] > 0 ? med / medians[0][ti] : 0.0, threads[0], med > 0 ? medians[pi][0] / med : 0.0);
      std::fflush(stdout);
    }
  // How the threads waited at barriers: fpsim spins briefly by default (wait_policy.cpp), unless the user chose.
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  const char* spin = std::getenv("GOMP_SPINCOUNT");
  std::printf("  OMP_WAIT_POLICY=%s%s%s\n",
              policy ? policy : spin ? "(unset)" : "(unset: libgomp default, spins at barriers)",
              spin ? ", GOMP_SPINCOUNT=" : "", spin ? spin : "");
  return 0;
}

Registration reg{{"bench train", "Epoch time per precision recipe and thread count (default MLP or --model)", [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    app.add_option("--runs", opts->runs, "measurements of each (median)")->check(CLI::Range(1, 100));
                    app.add_option("--steps", opts->steps, "0: whole epochs; N: time N updates, scaled to the epoch")
                        ->check(CLI::Range(0, 100000));
                    app.add_option("--threads", opts->threads, "thread counts")->delimiter(',');
                    app.add_option("--precision", opts->precisions, "precision presets (the first is the baseline)")
                        ->delimiter(',');
                    app.add_option("--data", opts->data, "Fashion-MNIST directory");
                    app.add_option("--model", opts->model, "run config whose model, data and optimiser to time");
                    app.add_option("--recipe", opts->recipe, "precision preset compared with fp32 (with --model)");
                    app.add_option("--isa", opts->isa,
                                   std::string(kIsaHelp) + ": the widest vector kernels training uses (same bits)");
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
