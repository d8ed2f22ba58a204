// fpsim bench quantize: Melem/s of quantize() on 2^24 binary32 values (out of place, values out),
// as a ratio to memcpy of the same buffer timed in the same run with the same thread count, for
// rne into e5m2 / e4m3fn / binary16 / bfloat16 and sr into e5m2 / e4m3fn / binary16, on two input
// distributions (bench_timing.h): narrow N(0, 1/16) and wide N(0, 1)·10^U(−3, 3). Every case, the
// memcpy baseline included, gets warm-up calls and then --runs timed calls: median and min–max. The ratio
// pairs the runs: each round times memcpy and then quantize, and the ratio is taken within the round, so that a
// change of the machine's speed between rounds moves both sides alike.
// --clock cpu uses the process CPU clock instead of the wall clock (CPU-seconds summed over threads);
// on virtualised machines its accounting can be far off for memory-bound loops, so wall is the default.
#include <fmt/core.h>
#ifdef FPSIM_HAVE_OPENMP
#include <omp.h>
#endif

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/quantize/quantize.h"
#include "tools/fpsim/bench_timing.h"
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
  std::vector<std::string> distributions{"narrow", "wide"};
};

// --isa: an ISA for the vector kernels (bench_util.h), or "scalar" for encode() per element;
// "auto" is the old spelling of "best".
QuantizeOptions parse_isa_choice(const std::string& name) {
  QuantizeOptions o;
  if (name == "scalar") o.scalar = true;
  else o.isa = parse_isa_option(name == "auto" ? "best" : name);
  return o;
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
  if (o.clock != "wall" && o.clock != "cpu") throw std::invalid_argument("--clock " + o.clock + ": expected wall or cpu");
  const bool cpu = o.clock == "cpu";
  std::vector<int> threads = o.threads;
  int all = 1;
#ifdef FPSIM_HAVE_OPENMP
  all = omp_get_max_threads();
#endif
  if (threads.empty()) threads = all > 1 ? std::vector<int>{1, all} : std::vector<int>{1};
  for (int t : threads)
    if (t < 1) throw std::invalid_argument("--threads: " + std::to_string(t) + " is not a thread count");

  std::vector<Distribution> dists;
  for (const std::string& d : o.distributions) {
    if (d == "narrow") dists.push_back(Distribution::Narrow);
    else if (d == "wide") dists.push_back(Distribution::Wide);
    else throw std::invalid_argument("--distribution " + d + ": expected narrow or wide");
  }
  const auto now = [cpu] { return cpu ? cpu_seconds(true) : wall_seconds(); };
  constexpr int warmups = 2;

  const std::size_t n = std::size_t{1} << o.log2_elements;
  std::vector<float> in(n), out(n);
  const RandomStream stream(1, stream_id("bench"));

  struct Case { const char* format; const char* rounding; };
  const Case cases[] = {{"e5m2", "rne"},    {"e4m3fn", "rne"}, {"binary16", "rne"}, {"bfloat16", "rne"},
                        {"e5m2", "sr"},     {"e4m3fn", "sr"},  {"binary16", "sr"}};

  fmt::print("quantize {} binary32 values (2^{}), kernel {}, {} clock, {} warm-up + {} timed runs per case;\n"
             "Melem/s of the median run [min-max], ratio = memcpy time / quantize time, each round timing memcpy and then\n"
             "quantize back to back: median of the rounds' ratios [min-max]\n",
             n, o.log2_elements, kernel.scalar ? "scalar" : simd::to_string(*kernel.isa), o.clock, warmups, o.runs);
  for (Distribution dist : dists) {
    const std::vector<double> x = samples(dist, n, 1);
    for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<float>(x[i]);
    fmt::print("\ninputs: {} = {}\n", to_string(dist), describe(dist));
    std::vector<Timing> memcpy_s;
    for (int t : threads) {
      memcpy_s.push_back(time_runs(o.runs, warmups, now, [&] { chunked_memcpy(out.data(), in.data(), n, t); }));
      const Timing& m = memcpy_s.back();
      fmt::print("memcpy {}T: {:8.1f} Melem/s [{:.1f}-{:.1f}] ({:.2f} GB/s read+write)\n", t, n / m.median / 1e6,
                 n / m.max / 1e6, n / m.min / 1e6, 2.0 * n * sizeof(float) / m.median / 1e9);
    }
    fmt::print("{:<8} {:<10} {:<5}", "inputs", "format", "mode");
    for (int t : threads) fmt::print(" {:>24} {:>17}", fmt::format("{}T Melem/s [min-max]", t), "x memcpy [range]");
    fmt::print("\n");
    for (const Case& c : cases) {
      Target target{parse_format(c.format)};
      parse_rounding(c.rounding, target.rounding, target.sr_bits);
      fmt::print("{:<8} {:<10} {:<5}", to_string(dist), c.format, c.rounding);
      for (std::size_t ti = 0; ti < threads.size(); ++ti) {
        const QuantizeOptions opts{.threads = threads[ti], .isa = kernel.isa, .scalar = kernel.scalar};
        // Each round times memcpy and then quantize, and the ratio is taken within the round (time_paired).
        const PairedTiming p =
            time_paired(o.runs, warmups, now, [&] { chunked_memcpy(out.data(), in.data(), n, threads[ti]); },
                        [&] { quantize(in, out, target, &stream, 0, nullptr, opts); });
        const Timing& s = p.call;
        fmt::print(" {:>8.1f} [{:>6.1f}-{:>6.1f}] {:>5.2f} [{:.2f}-{:.2f}]", n / s.median / 1e6, n / s.max / 1e6,
                   n / s.min / 1e6, 1 / p.ratio.median, 1 / p.ratio.max, 1 / p.ratio.min);
      }
      fmt::print("\n");
    }
  }
  return 0;
}

Registration reg{{"bench quantize", "Melem/s of quantize() into FP8/FP16 formats as a ratio to memcpy", [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    app.add_option("--runs", opts->runs, "timed runs per case (the median is reported)");
                    app.add_option("--log2-elements", opts->log2_elements, "array length as a power of two");
                    app.add_option("--threads", opts->threads, "thread counts to run (default: 1 and all)");
                    app.add_option("--isa", opts->isa, std::string(kIsaHelp) + ", or scalar (encode() per element)");
                    app.add_option("--clock", opts->clock, "wall (default) or cpu (process CPU time)");
                    app.add_option("--distribution", opts->distributions, "narrow and/or wide (default: both)");
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
