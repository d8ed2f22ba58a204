// fpsim bench quantize: Melem/s of quantize() on 2^24 binary32 values (out of place, values out),
// as a ratio to memcpy of the same buffer timed in the same run with the same thread count, for
// rne into e5m2 / e4m3fn / binary16 / bfloat16 and sr into e5m2 / e4m3fn / binary16; median of
// several runs each. Inputs are normal(0, 1) samples scaled by 2^-4 (typical activations/gradients).
// --clock cpu uses the process CPU clock instead of the wall clock (CPU-seconds summed over threads);
// on virtualised machines its accounting can be far off for memory-bound loops, so wall is the default.
#include <fmt/core.h>
#ifdef FPSIM_HAVE_OPENMP
#include <omp.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/quantize/quantize.h"
#include "tools/fpsim/bench_util.h"
#include "tools/fpsim/command.h"

namespace fpsim::cli {
namespace {

struct Options {
  int runs = 7;
  int log2_elements = 24;
  std::vector<int> threads;  // empty: 1 and all
  std::string isa = "best";
  std::string clock = "wall";
};

double now(bool cpu) {
  if (cpu) {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// --isa: an ISA for the vector kernels (bench_util.h), or "scalar" for encode() per element;
// "auto" is the old spelling of "best".
QuantizeOptions parse_isa_choice(const std::string& name) {
  QuantizeOptions o;
  if (name == "scalar") o.scalar = true;
  else o.isa = parse_isa_option(name == "auto" ? "best" : name);
  return o;
}

// Median seconds of `runs` calls after one warm-up call.
template <class F>
double median_seconds(int runs, bool cpu, F call) {
  call();
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const double start = now(cpu);
    call();
    t.push_back(now(cpu) - start);
  }
  return median(t);
}

// memcpy split into the same 2^16-element chunks quantize() uses, on `threads` threads.
void chunked_memcpy(float* dst, const float* src, std::size_t n, int threads) {
  constexpr std::size_t chunk = std::size_t{1} << 16;
  const long long chunks = static_cast<long long>((n + chunk - 1) / chunk);
  (void)threads;
#ifdef FPSIM_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
  for (long long c = 0; c < chunks; ++c) {
    const std::size_t b = static_cast<std::size_t>(c) * chunk;
    std::memcpy(dst + b, src + b, std::min(chunk, n - b) * sizeof(float));
  }
}

int run(const Options& o) {
  if (o.runs < 1) throw std::invalid_argument("--runs must be at least 1");
  if (o.log2_elements < 10 || o.log2_elements > 28) throw std::invalid_argument("--log2-elements must be in 10..28");
  const QuantizeOptions kernel = parse_isa_choice(o.isa);
  if (o.clock != "wall" && o.clock != "cpu")
    throw std::invalid_argument("--clock " + o.clock + ": expected wall or cpu");
  const bool cpu = o.clock == "cpu";
  std::vector<int> threads = o.threads;
  int all = 1;
#ifdef FPSIM_HAVE_OPENMP
  all = omp_get_max_threads();
#endif
  if (threads.empty()) threads = all > 1 ? std::vector<int>{1, all} : std::vector<int>{1};
  for (int t : threads)
    if (t < 1) throw std::invalid_argument("--threads: " + std::to_string(t) + " is not a thread count");

  const std::size_t n = std::size_t{1} << o.log2_elements;
  std::vector<float> in(n), out(n);
  std::mt19937_64 gen(1);
  std::normal_distribution<float> dist(0.0f, 0.0625f);
  for (float& x : in) x = dist(gen);
  const RandomStream stream(1, stream_id("bench"));

  struct Case { const char* format; const char* rounding; };
  const Case cases[] = {{"e5m2", "rne"},    {"e4m3fn", "rne"}, {"binary16", "rne"}, {"bfloat16", "rne"},
                        {"e5m2", "sr"},     {"e4m3fn", "sr"},  {"binary16", "sr"}};

  fmt::print("quantize {} binary32 values (2^{}), kernel {}, {} clock, median of {} runs; "
             "ratio = memcpy time / quantize time\n",
             n, o.log2_elements, kernel.scalar ? "scalar" : simd::to_string(*kernel.isa), o.clock, o.runs);
  std::vector<double> memcpy_s;
  for (int t : threads) {
    memcpy_s.push_back(median_seconds(o.runs, cpu, [&] { chunked_memcpy(out.data(), in.data(), n, t); }));
    fmt::print("memcpy {}T: {:8.1f} Melem/s ({:.2f} GB/s read+write)\n", t, n / memcpy_s.back() / 1e6,
               2.0 * n * sizeof(float) / memcpy_s.back() / 1e9);
  }
  fmt::print("{:<10} {:<5}", "format", "mode");
  for (int t : threads) fmt::print(" {:>12} {:>9}", fmt::format("{}T Melem/s", t), "x memcpy");
  fmt::print("\n");
  for (const Case& c : cases) {
    Target target{parse_format(c.format)};
    parse_rounding(c.rounding, target.rounding, target.sr_bits);
    fmt::print("{:<10} {:<5}", c.format, c.rounding);
    for (std::size_t ti = 0; ti < threads.size(); ++ti) {
      const QuantizeOptions opts{.threads = threads[ti], .isa = kernel.isa, .scalar = kernel.scalar};
      const double s = median_seconds(o.runs, cpu, [&] { quantize(in, out, target, &stream, 0, nullptr, opts); });
      fmt::print(" {:>12.1f} {:>9.2f}", n / s / 1e6, memcpy_s[ti] / s);
    }
    fmt::print("\n");
  }
  return 0;
}

Registration reg{{"bench quantize", "Melem/s of quantize() into FP8/FP16 formats as a ratio to memcpy",
                  [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    app.add_option("--runs", opts->runs, "timed runs per case (the median is reported)");
                    app.add_option("--log2-elements", opts->log2_elements, "array length as a power of two");
                    app.add_option("--threads", opts->threads, "thread counts to run (default: 1 and all)");
                    app.add_option("--isa,--kernel", opts->isa,
                                   std::string(kIsaHelp) + ", or scalar (--kernel: old name)");
                    app.add_option("--clock", opts->clock, "wall (default) or cpu (process CPU time)");
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
