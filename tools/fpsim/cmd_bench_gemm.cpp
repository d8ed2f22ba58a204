// fpsim bench gemm: GFLOP/s of the fp32-accumulation GEMM (sim/gemm/gemm.h) on 512×512×512 and the
// default MLP's shapes (784-512-512-10, batch 128: forward NN, input-gradient NT, weight-gradient TN),
// with 1 and 2 threads, each the median of several runs, as a ratio to the naive scalar triple loop
// (gemm_reference, the same fmaf-chain model) measured in the same run.
#include <fmt/core.h>
#ifdef FPSIM_HAVE_OPENMP
#include <omp.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/core/format.h"
#include "numerics/core/random.h"
#include "numerics/core/rounding.h"
#include "sim/gemm/gemm.h"
#include "sim/gemm/internal/fp32.h"
#include "tools/fpsim/bench_util.h"
#include "tools/fpsim/command.h"

namespace fpsim::cli {
namespace {

using sim::Accumulation;
using sim::GemmProblem;
using sim::Trans;

struct Options {
  int runs = 5;
  std::vector<int> threads{1, 2};
  std::string isa = "best";
  int naive_runs = 3;
};

struct Shape {
  const char* role;
  Trans ta, tb;
  int m, n, k;
  int layout;  // 0: not part of the MLP step; 1: weights stored [in, out]; 2: weights stored [out, in]
};

// One step of the 784-512-512-10 MLP at batch 128, with weights stored [in, out]: y = x·w (NN),
// dx = dy·wᵀ (NT, not for layer 1), dw = xᵀ·dy (TN); and stored [out, in] as sim/ops/dense.cpp does:
// y = x·wᵀ (NT), dx = dy·w (NN), dw = dyᵀ·x (TN).
const Shape kShapes[] = {
    {"square", Trans::No, Trans::No, 512, 512, 512, 0},
    {"fc1 forward", Trans::No, Trans::No, 128, 512, 784, 1},
    {"fc2 forward", Trans::No, Trans::No, 128, 512, 512, 1},
    {"fc3 forward", Trans::No, Trans::No, 128, 10, 512, 1},
    {"fc2 input grad", Trans::No, Trans::Yes, 128, 512, 512, 1},
    {"fc3 input grad", Trans::No, Trans::Yes, 128, 512, 10, 1},
    {"fc1 weight grad", Trans::Yes, Trans::No, 784, 512, 128, 1},
    {"fc2 weight grad", Trans::Yes, Trans::No, 512, 512, 128, 1},
    {"fc3 weight grad", Trans::Yes, Trans::No, 512, 10, 128, 1},
    {"fc1 forward", Trans::No, Trans::Yes, 128, 512, 784, 2},
    {"fc2 forward", Trans::No, Trans::Yes, 128, 512, 512, 2},
    {"fc3 forward", Trans::No, Trans::Yes, 128, 10, 512, 2},
    {"fc2 input grad", Trans::No, Trans::No, 128, 512, 512, 2},
    {"fc3 input grad", Trans::No, Trans::No, 128, 512, 10, 2},
    {"fc1 weight grad", Trans::Yes, Trans::No, 512, 784, 128, 2},
    {"fc2 weight grad", Trans::Yes, Trans::No, 512, 512, 128, 2},
    {"fc3 weight grad", Trans::Yes, Trans::No, 10, 512, 128, 2},
};

double flops(const Shape& s) { return 2.0 * s.m * s.n * s.k; }

// Median GFLOP/s of `runs` runs; each run repeats the call until 20 ms have passed, so short GEMMs
// are not lost in clock resolution.
template <class F>
double median_gflops(const Shape& s, int runs, F call) {
  using clock = std::chrono::steady_clock;
  call();  // warm-up: page-in, packing buffers, thread team
  std::vector<double> rates;
  for (int r = 0; r < runs; ++r) {
    int reps = 0;
    const auto start = clock::now();
    double seconds = 0.0;
    do {
      call();
      ++reps;
      seconds = std::chrono::duration<double>(clock::now() - start).count();
    } while (seconds < 0.02);
    rates.push_back(flops(s) * reps / seconds / 1e9);
  }
  return median(rates);
}

int run(const Options& o) {
  if (o.runs < 1 || o.naive_runs < 1) throw std::invalid_argument("--runs and --naive-runs must be at least 1");
  for (int t : o.threads)
    if (t < 1) throw std::invalid_argument("--threads: " + std::to_string(t) + " is not a thread count");
  const simd::Isa isa = parse_isa_option(o.isa);
  // Context for the figures: with more runnable processes than cores, a multi-threaded GEMM spends
  // its time waiting at the join for a descheduled thread.
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    double load = 0.0;
    if (std::fscanf(f, "%lf", &load) == 1) fmt::print("load average (1 min) at start: {:.2f}\n", load);
    std::fclose(f);
  }
  fmt::print("fp32-accumulation GEMM, micro-kernel {}, median of {} runs (naive: {} runs, 1 thread)\n",
             simd::to_string(isa), o.runs, o.naive_runs);
  fmt::print("{:<16} {:>2} {:>5} {:>5} {:>5} {:>11}", "shape", "op", "M", "N", "K", "naive GF/s");
  for (int t : o.threads) fmt::print(" {:>10} {:>7}", fmt::format("{}T GF/s", t), "x naive");
  fmt::print("\n");

  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  // [layout][thread count index]
  std::vector<std::vector<double>> step_seconds(3, std::vector<double>(o.threads.size(), 0.0));
  double step_flops[3] = {0.0, 0.0, 0.0};
  int layout = -1;
  for (const Shape& s : kShapes) {
    if (s.layout != layout) {
      layout = s.layout;
      if (layout > 0)
        fmt::print("-- MLP, weights stored {}\n", layout == 1 ? "[in, out]" : "[out, in] (sim/ops/dense.cpp)");
    }
    std::vector<float> a(static_cast<std::size_t>(s.m) * s.k), b(static_cast<std::size_t>(s.k) * s.n),
        c(static_cast<std::size_t>(s.m) * s.n);
    for (auto& v : a) v = dist(gen);
    for (auto& v : b) v = dist(gen);
    const GemmProblem p{s.ta, s.tb, s.m, s.n, s.k, a.data(), s.ta == Trans::Yes ? s.m : s.k,
                        b.data(), s.tb == Trans::Yes ? s.k : s.n, c.data(), s.n, false};
    const double naive = median_gflops(s, o.naive_runs, [&] { sim::gemm_reference(p); });
    fmt::print("{:<16} {}{} {:>5} {:>5} {:>5} {:>11.2f}", s.role, s.ta == Trans::Yes ? 'T' : 'N',
               s.tb == Trans::Yes ? 'T' : 'N', s.m, s.n, s.k, naive);
    for (std::size_t ti = 0; ti < o.threads.size(); ++ti) {
#ifdef FPSIM_HAVE_OPENMP
      omp_set_num_threads(o.threads[ti]);
#endif
      const double rate = median_gflops(s, o.runs, [&] { sim::gemm_fp32(p, isa); });
      fmt::print(" {:>10.1f} {:>7.1f}", rate, rate / naive);
      step_seconds[s.layout][ti] += flops(s) / (rate * 1e9);
    }
    step_flops[s.layout] += flops(s);
    fmt::print("\n");
    std::fflush(stdout);
  }
  // Emulated accumulators on the fc2 forward shape: fast path (round to odd + quantize) and the
  // exact scalar path that stochastic rounding needs, in additions per second.
  {
    const Shape s{"fc2 forward", Trans::No, Trans::No, 128, 512, 512, 0};
    std::vector<float> a(static_cast<std::size_t>(s.m) * s.k), b(static_cast<std::size_t>(s.k) * s.n),
        c(static_cast<std::size_t>(s.m) * s.n);
    for (auto& v : a) v = dist(gen);
    for (auto& v : b) v = dist(gen);
    const GemmProblem p{s.ta, s.tb, s.m, s.n, s.k, a.data(), s.k, b.data(), s.n, c.data(), s.n, false};
    const RandomStream stream(1);
    struct Variant {
      const char* name;
      Accumulation acc;
    } variants[] = {
        {"binary16 rne", {false, Target{parse_format("binary16")}, 0}},
        {"binary16 rne, chunk 64", {false, Target{parse_format("binary16")}, 64}},
        {"binary16 sr (exact path)", {false, Target{parse_format("binary16"), Rounding::Stochastic}, 0, &stream}},
    };
    fmt::print("\nemulated accumulator, {} {}x{}x{}, median of {} runs: million additions per second\n", s.role,
               s.m, s.n, s.k, o.naive_runs);
    for (const Variant& v : variants) {
      fmt::print("{:<26}", v.name);
      for (int t : o.threads) {
#ifdef FPSIM_HAVE_OPENMP
        omp_set_num_threads(t);
#endif
        const double rate = median_gflops(s, o.naive_runs, [&] { sim::gemm(p, v.acc); }) * 1e3 / 2.0;
        fmt::print(" {}T {:>8.1f}", t, rate);
      }
      fmt::print("\n");
    }
  }
  // 60000 / 128 = 468.75 -> 469 steps per epoch
  for (int l = 1; l <= 2; ++l)
    for (std::size_t ti = 0; ti < o.threads.size(); ++ti)
      fmt::print("MLP 784-512-512-10, batch 128, weights {}, {} thread(s): {:.3f} GFLOP per step at {:.1f} GF/s -> "
                 "{:.3f} s of GEMM per 60k-sample epoch\n",
                 l == 1 ? "[in, out]" : "[out, in]", o.threads[ti], step_flops[l] / 1e9,
                 step_flops[l] / step_seconds[l][ti] / 1e9, step_seconds[l][ti] * 469);
  return 0;
}

Registration reg{{"bench gemm", "GFLOP/s of the fp32-accumulation GEMM (512^3 and the MLP's shapes) vs a naive loop",
                  [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    app.add_option("--runs", opts->runs, "timed runs per measurement (median reported)");
                    app.add_option("--naive-runs", opts->naive_runs, "timed runs of the naive baseline");
                    app.add_option("--threads", opts->threads, "thread counts to measure")->delimiter(',');
                    app.add_option("--isa", opts->isa, kIsaHelp);
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
