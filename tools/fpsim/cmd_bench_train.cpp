// fpsim bench train: seconds per epoch of the default MLP (784-512-512-10, batch 128, SGD momentum)
// in FP32 and with the FP8 paper recipe, measured in the same run, and their ratio. With
// --model CONFIG the model, data and optimiser of that run config instead (its precision replaced
// by fp32 and by --recipe; telemetry off), reported per update and per epoch.
//
// Each measurement trains `steps` updates from scratch and times updates 2..steps (the first is
// warm-up: allocation, page faults) with no evaluation inside the window, then scales the time per
// update to a full epoch (469 updates for 60000 images). The two recipes alternate, and the
// median of `runs` measurements of each is reported.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "tools/fpsim/command.h"
#include "tools/io/train_run.h"

namespace fpsim::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int runs = 3;
  int steps = 40;
  int threads = 2;
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string model;                  ///< a run config; empty: the default MLP
  std::string recipe = "fp8_paper";   ///< compared against fp32
};

// CPU seconds used by the whole process (all threads) so far.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Records the clock (and the process CPU time) at the end of update `from` and of update `to`.
struct Stopwatch : sim::TrainObserver {
  int64_t from, to;
  Clock::time_point t0, t1;
  double cpu0 = 0, cpu1 = 0;
  Stopwatch(int64_t a, int64_t b) : from(a), to(b) {}
  void on_step(const sim::Progress& p) override {
    if (p.step == from) t0 = Clock::now(), cpu0 = process_cpu_seconds();
    if (p.step == to) t1 = Clock::now(), cpu1 = process_cpu_seconds();
  }
};

struct StepTime {
  double wall = 0, cpu = 0;  // per update; cpu summed over threads
};

StepTime time_steps(const io::RunConfig& rc, const io::Datasets& data, int steps) {
  Stopwatch w(1, steps);
  sim::train(rc.train, data.train, data.test, w);
  const double n = double(steps - 1);
  return {std::chrono::duration<double>(w.t1 - w.t0).count() / n, (w.cpu1 - w.cpu0) / n};
}

double seconds_per_step(const io::RunConfig& rc, const io::Datasets& data, int steps) {
  return time_steps(rc, data, steps).wall;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// --model: the run config with its precision replaced, a fixed number of updates, no evaluation or
// telemetry inside the timed window.
int run_config(const Options& o) {
  const auto config = [&](const std::string& precision) {
    return io::load_run_config(o.model, {"precision=" + precision, "epochs=null",
                                         "steps=" + std::to_string(o.steps + 1), "eval_interval=1073741824",
                                         "telemetry.interval=0"});
  };
  const io::RunConfig fp32 = config("fp32"), recipe = config(o.recipe);
  io::Datasets data = io::load_datasets(fp32.data, fp32.train.seed);
  // The one evaluation comes after the timed window: keep it short (the first 256 test images).
  if (!data.test.is_text()) data.test.count = std::min<int64_t>(data.test.count, 256);
  io::set_threads(o.threads);
  std::vector<double> times[2], cpu[2];
  for (int r = 0; r < o.runs; ++r)
    for (int k = 0; k < 2; ++k) {
      const StepTime t = time_steps(k == 0 ? fp32 : recipe, data, o.steps);
      times[k].push_back(t.wall);
      cpu[k].push_back(t.cpu);
    }
  const int64_t per_epoch = sim::steps_per_epoch(data.train.count, fp32.train.batch_size);
  std::printf("%s (%s), batch %lld, %d threads, %d timed updates x %d runs, epoch = %lld updates\n", o.model.c_str(),
              fp32.resolved["model"]["type"].get<std::string>().c_str(), (long long)fp32.train.batch_size, o.threads,
              o.steps - 1, o.runs, (long long)per_epoch);
  for (int k = 0; k < 2; ++k) {
    const auto [lo, hi] = std::minmax_element(times[k].begin(), times[k].end());
    std::printf("  %-12s %.4f s/update (min %.4f, max %.4f)  %.1f s/epoch  cpu %.4f s/update (all threads)\n",
                k == 0 ? "fp32" : o.recipe.c_str(), median(times[k]), *lo, *hi, median(times[k]) * double(per_epoch),
                median(cpu[k]));
  }
  std::printf("  ratio %s / fp32 = %.2fx wall, %.2fx cpu\n", o.recipe.c_str(), median(times[1]) / median(times[0]),
              median(cpu[1]) / median(cpu[0]));
  // On a shared machine wall time includes waiting for a core; cpu time / threads is what a quiet
  // machine's wall time would be if the threads never waited for each other.
  return 0;
}

int run(const Options& o) {
  if (!o.model.empty()) return run_config(o);
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
  const char* recipes[] = {"fp32", "fp8_paper"};
  std::vector<double> times[2];
  for (int r = 0; r < o.runs; ++r)
    for (int k = 0; k < 2; ++k) {
      nlohmann::json j = base;
      j["precision"] = recipes[k];
      times[k].push_back(seconds_per_step(io::parse_run_config(j, "bench"), data, o.steps) * double(per_epoch));
    }
  const double fp32 = median(times[0]), fp8 = median(times[1]);
  std::printf("MLP 784-512-512-10, batch 128, %d threads, %d timed updates x %d runs, epoch = %lld updates\n",
              o.threads, o.steps - 1, o.runs, (long long)per_epoch);
  std::printf("  fp32       %.3f s/epoch\n", fp32);
  std::printf("  fp8_paper  %.3f s/epoch\n", fp8);
  std::printf("  ratio fp8_paper / fp32 = %.2fx\n", fp8 / fp32);
  // libgomp spin-waits at barriers by default; on a machine busy with other work that turns every
  // parallel region into a scheduling delay (OMP_WAIT_POLICY=passive avoids it).
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  std::printf("  OMP_WAIT_POLICY=%s\n", policy ? policy : "(unset: libgomp default, spins at barriers)");
  return 0;
}

Registration reg{{"bench train", "Update and epoch time: FP32 vs the FP8 paper recipe (the MLP or --model)",
                  [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    app.add_option("--runs", opts->runs, "measurements of each recipe (median)")->check(CLI::Range(1, 100));
                    app.add_option("--steps", opts->steps, "updates per measurement")->check(CLI::Range(3, 100000));
                    app.add_option("--threads", opts->threads, "threads")->check(CLI::Range(1, 1024));
                    app.add_option("--data", opts->data, "Fashion-MNIST directory");
                    app.add_option("--model", opts->model, "run config whose model, data and optimiser to time");
                    app.add_option("--recipe", opts->recipe, "precision preset compared with fp32 (with --model)");
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
