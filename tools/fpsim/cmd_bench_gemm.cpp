// fpsim bench gemm: GFLOP/s of the fp32-accumulation GEMM (sim/gemm/gemm.h) on 512×512×512 and the
// default MLP's shapes (784-512-512-10, batch 128: forward NN, input-gradient NT, weight-gradient TN),
// with 1 and 2 threads, each the median of several runs, as a ratio to the naive scalar triple loop
// (gemm_reference, the same fmaf-chain model) measured in the same run; then every accumulator model
// (emulated binary16/bfloat16 in deterministic and stochastic modes, chunked, e5m2 products, the
// matrix-unit presets) as a multiple of the fp32 GEMM's time, and the core's FMA peak (an FMA loop).
#include <fmt/core.h>
#ifdef FPSIM_HAVE_OPENMP
#include <omp.h>
#endif

#include <algorithm>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/core/format.h"
#include "numerics/core/random.h"
#include "numerics/core/rounding.h"
#include "numerics/quantize/quantize.h"
#include "sim/gemm/gemm.h"
#include "sim/gemm/internal/fp32.h"
#include "tools/fpsim/bench_timing.h"
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
  bool accumulators_only = false;
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

// Median process CPU seconds of one call (each run repeats the call for at least 20 ms of CPU time).
template <class F>
double median_cpu_seconds(int runs, F call) {
  call();
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    int reps = 0;
    const double start = cpu_seconds(true);
    double used = 0.0;
    do {
      call();
      ++reps;
      used = cpu_seconds(true) - start;
    } while (used < 0.02);
    times.push_back(used / reps);
  }
  return median(times);
}

// The core's FMA peak at the fp32 GEMM's vector width (simd::best_isa(): 16 lanes on AVX-512, else 8): each
// thread runs kChains independent chains of FMAs (enough to cover the FMA latency on both FMA pipes) for about
// 50 ms; GFLOP/s = 2 flops · lanes · FMAs / second. A narrower loop than the GEMM's would put the GEMM above
// 100% of "peak" on an AVX-512 core.
#if defined(__x86_64__)
constexpr int kPeakChains = 12;

__attribute__((target("avx2,fma"))) double fma_loop_flops_avx2(long iterations) {
  __m256 acc[kPeakChains];
  for (int c = 0; c < kPeakChains; ++c) acc[c] = _mm256_set1_ps(static_cast<float>(c));
  const __m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-3f);
  for (long i = 0; i < iterations; ++i)
    for (int c = 0; c < kPeakChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], x, y);
  __m256 sum = acc[0];
  for (int c = 1; c < kPeakChains; ++c) sum = _mm256_add_ps(sum, acc[c]);
  volatile float sink = _mm256_cvtss_f32(sum);
  (void)sink;
  return 2.0 * 8 * kPeakChains * static_cast<double>(iterations);
}

__attribute__((target("avx512f"))) double fma_loop_flops_avx512(long iterations) {
  __m512 acc[kPeakChains];
  for (int c = 0; c < kPeakChains; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c));
  const __m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-3f);
  for (long i = 0; i < iterations; ++i)
    for (int c = 0; c < kPeakChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], x, y);
  __m512 sum = acc[0];
  for (int c = 1; c < kPeakChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  volatile float sink = _mm512_cvtss_f32(sum);
  (void)sink;
  return 2.0 * 16 * kPeakChains * static_cast<double>(iterations);
}
#endif

// Lanes of the FMA loop fma_peak_gflops runs: the fp32 GEMM's vector width, 0 without AVX2 + FMA.
int fma_peak_lanes() {
#if defined(__x86_64__)
  if (simd::best_isa() == simd::Isa::Avx512) return 16;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 8;
#endif
  return 0;
}

// Median over `runs` of the summed GFLOP/s of `threads` threads each running the FMA loop (0 when the CPU
// has no AVX2 + FMA).
double fma_peak_gflops(int threads, int runs) {
#if defined(__x86_64__)
  const int lanes = fma_peak_lanes();
  if (lanes == 0) return 0.0;
  std::vector<double> rates;
  for (int r = 0; r < runs; ++r) {
    double total = 0.0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      // per thread CPU seconds: on a machine shared with other work the wall clock would count the time
      // the thread waited for a core
      const double start = cpu_seconds(false);
      const double flops = lanes == 16 ? fma_loop_flops_avx512(4'000'000) : fma_loop_flops_avx2(4'000'000);
      total += flops / (cpu_seconds(false) - start) / 1e9;
    }
    rates.push_back(total);
  }
  return median(rates);
#else
  (void)threads;
  (void)runs;
  return 0.0;
#endif
}

// Every accumulator model on the fc2 forward shape (128×512×512), as a ratio of its median time to the
// fp32 GEMM's measured in the same run with the same thread count. Random operands in [-1, 1), except
// the rows marked e5m2 and the matrix units, whose operands are e5m2 values (products exact in binary32:
// the emulated accumulator then runs in binary32 lanes).
void accumulator_rows(const Options& o, std::mt19937& gen) {
  const Shape s{"fc2 forward", Trans::No, Trans::No, 128, 512, 512, 0};
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a(static_cast<std::size_t>(s.m) * s.k), b(static_cast<std::size_t>(s.k) * s.n),
      c(static_cast<std::size_t>(s.m) * s.n), a8(a.size()), b8(b.size());
  for (auto& v : a) v = dist(gen);
  for (auto& v : b) v = dist(gen);
  const Target e5m2{parse_format("e5m2")};
  quantize(a, a8, e5m2, nullptr);
  quantize(b, b8, e5m2, nullptr);
  const GemmProblem p{s.ta, s.tb, s.m, s.n, s.k, a.data(), s.k, b.data(), s.n, c.data(), s.n, false};
  GemmProblem p8 = p;
  p8.a = a8.data();
  p8.b = b8.data();
  const RandomStream stream(1);
  const Target f16{parse_format("binary16")}, bf16{parse_format("bfloat16")};
  Target f16_sr = f16, f16_sr8 = f16, f32_rtz{parse_format("binary32"), Rounding::TowardZero};
  f16_sr.rounding = f16_sr8.rounding = Rounding::Stochastic;
  f16_sr8.sr_bits = 8;
  Target bf16_sr = f16_sr, bf16_sr8 = f16_sr8;
  bf16_sr.format = bf16_sr8.format = bf16.format;
  Accumulation h100{false, f32_rtz, 0};
  h100.matrix_unit = {32, 13, true, 0};
  Accumulation h100_promoted = h100;
  h100_promoted.matrix_unit.promote_every = 128;
  Accumulation b200 = h100;
  b200.matrix_unit.frac_bits = 25;
  struct Row {
    const char* name;
    Accumulation acc;
    bool fp8_operands;
  };
  const Row rows[] = {
      {"fp32 (fmaf chain)", sim::kFp32Accumulation, false},
      {"e5m2 products, fp32", sim::kFp32Accumulation, true},
      {"binary16 rne", {false, f16, 0}, false},
      {"bfloat16 rne", {false, bf16, 0}, false},
      {"binary16 rtz", {false, Target{parse_format("binary16"), Rounding::TowardZero}, 0}, false},
      {"binary16 rne, chunk 64", {false, f16, 64}, false},
      {"binary16 rne, e5m2 operands", {false, f16, 0}, true},
      {"bfloat16 rne, e5m2 operands", {false, bf16, 0}, true},
      {"binary16 sr", {false, f16_sr, 0, &stream}, false},
      {"binary16 sr:8", {false, f16_sr8, 0, &stream}, false},
      {"bfloat16 sr", {false, bf16_sr, 0, &stream}, false},
      {"bfloat16 sr:8", {false, bf16_sr8, 0, &stream}, false},
      {"binary16 sr, e5m2 operands", {false, f16_sr, 0, &stream}, true},
      {"binary16 sr:8, e5m2 operands", {false, f16_sr8, 0, &stream}, true},
      {"bfloat16 sr, e5m2 operands", {false, bf16_sr, 0, &stream}, true},
      {"bfloat16 sr:8, e5m2 operands", {false, bf16_sr8, 0, &stream}, true},
      {"matrix_unit h100_like", h100, true},
      {"matrix_unit h100, promote 128", h100_promoted, true},
      {"matrix_unit b200_like", b200, true},
  };
  fmt::print("\naccumulators, {} {}x{}x{}, median of {} runs: time as a multiple of the fp32 GEMM's (same run, "
             "same threads; \"cpu\": 1-thread process CPU time, robust on a shared machine)\n",
             s.role, s.m, s.n, s.k, o.runs);
  std::vector<double> fp32_rate(o.threads.size(), 0.0);
  double fp32_cpu = 0.0;
  for (const Row& row : rows) {
    fmt::print("{:<30}", row.name);
    {
#ifdef FPSIM_HAVE_OPENMP
      omp_set_num_threads(1);
#endif
      const double cpu = median_cpu_seconds(o.runs, [&] { sim::gemm(row.fp8_operands ? p8 : p, row.acc); });
      if (&row == &rows[0]) fp32_cpu = cpu;
      fmt::print(" cpu {:>6.1f}x", cpu / fp32_cpu);
    }
    for (std::size_t ti = 0; ti < o.threads.size(); ++ti) {
#ifdef FPSIM_HAVE_OPENMP
      omp_set_num_threads(o.threads[ti]);
#endif
      const GemmProblem& q = row.fp8_operands ? p8 : p;
      const double rate = median_gflops(s, o.runs, [&] { sim::gemm(q, row.acc); });
      if (&row == &rows[0]) fp32_rate[ti] = rate;
      fmt::print(" {}T {:>7.1f} GF/s {:>6.1f}x", o.threads[ti], rate, fp32_rate[ti] / rate);
    }
    fmt::print("\n");
    std::fflush(stdout);
  }
  const double peak1 = fma_peak_gflops(1, o.runs);
  fmt::print("fp32 GEMM, 1 thread, by CPU time: {:.1f} GFLOP/s = {:.0f}% of the 1-thread FMA peak\n",
             flops(s) / fp32_cpu / 1e9, peak1 > 0 ? 100.0 * flops(s) / fp32_cpu / 1e9 / peak1 : 0.0);
  for (std::size_t ti = 0; ti < o.threads.size(); ++ti) {
    const double peak = fma_peak_gflops(o.threads[ti], o.runs);
    fmt::print("FMA peak, {} thread(s): {:.1f} GFLOP/s per CPU-second of each thread ({}-lane FMA loop); fp32 GEMM "
               "above at {:.0f}% of it (wall clock)\n",
               o.threads[ti], peak, fma_peak_lanes(), peak > 0 ? 100.0 * fp32_rate[ti] / peak : 0.0);
  }
}

int run(const Options& o) {
  if (o.runs < 1 || o.naive_runs < 1) throw std::invalid_argument("--runs and --naive-runs must be at least 1");
  for (int t : o.threads)
    if (t < 1) throw std::invalid_argument("--threads: " + std::to_string(t) + " is not a thread count");
  const simd::Isa isa = parse_isa_option(o.isa);
  simd::limit_isa(isa);  // the accumulator rows (gemm()) and the FMA peak's width follow --isa too
  // Context for the figures: with more runnable processes than cores, a multi-threaded GEMM spends
  // its time waiting at the join for a descheduled thread.
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    double load = 0.0;
    if (std::fscanf(f, "%lf", &load) == 1) fmt::print("load average (1 min) at start: {:.2f}\n", load);
    std::fclose(f);
  }
  std::mt19937 gen(1);
  if (o.accumulators_only) {
    accumulator_rows(o, gen);
    return 0;
  }
  fmt::print("fp32-accumulation GEMM, micro-kernel {}, median of {} runs (naive: {} runs, 1 thread)\n",
             simd::to_string(isa), o.runs, o.naive_runs);
  fmt::print("{:<16} {:>2} {:>5} {:>5} {:>5} {:>11}", "shape", "op", "M", "N", "K", "naive GF/s");
  for (int t : o.threads) fmt::print(" {:>10} {:>7}", fmt::format("{}T GF/s", t), "x naive");
  fmt::print("\n");

  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  // [layout][thread count index]
  std::vector<std::vector<double>> step_seconds(3, std::vector<double>(o.threads.size(), 0.0));
  double step_flops[3] = {0.0, 0.0, 0.0};
  int layout = -1;
  for (const Shape& s : kShapes) {
    if (s.layout != layout) {
      layout = s.layout;
      if (layout > 0) fmt::print("-- MLP, weights stored {}\n", layout == 1 ? "[in, out]" : "[out, in] (sim/ops/dense.cpp)");
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
  accumulator_rows(o, gen);
  // 60000 / 128 = 468.75 -> 469 steps per epoch
  for (int l = 1; l <= 2; ++l)
    for (std::size_t ti = 0; ti < o.threads.size(); ++ti)
      fmt::print("MLP 784-512-512-10, batch 128, weights {}, {} thread(s): {:.3f} GFLOP per step at {:.1f} GF/s -> "
                 "{:.3f} s of GEMM per 60k-sample epoch\n",
                 l == 1 ? "[in, out]" : "[out, in]", o.threads[ti], step_flops[l] / 1e9,
                 step_flops[l] / step_seconds[l][ti] / 1e9, step_seconds[l][ti] * 469);
  return 0;
}

Registration reg{{"bench gemm", "GFLOP/s of the fp32 GEMM vs a naive loop and the FMA peak; every accumulator model vs the fp32 GEMM",
                  [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    app.add_option("--runs", opts->runs, "timed runs per measurement (median reported)");
                    app.add_option("--naive-runs", opts->naive_runs, "timed runs of the naive baseline");
                    app.add_option("--threads", opts->threads, "thread counts to measure")->delimiter(',');
                    app.add_option("--isa", opts->isa, kIsaHelp);
                    app.add_flag("--accumulators-only", opts->accumulators_only,
                                 "only the accumulator rows and the FMA peak");
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
