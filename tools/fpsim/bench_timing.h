#pragma once
// What the bench commands share: warm-up then timed runs (median and min–max), the clocks they time
// with, and the two input distributions they run on.
//   narrow: N(0, 1/16) (standard deviation 2^-4), a few binades around 2^-4 — the old `bench quantize` input;
//   wide:   N(0, 1) · 10^U(−3, 3), spread over ~40 binades as activations and gradients are, so
//           FP8 targets see many subnormal, underflowing and overflowing results.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "tools/fpsim/bench_util.h"

namespace fpsim::cli {

/// Seconds of `runs` timed calls: their median and range.
struct Timing {
  double median = 0, min = 0, max = 0;
  Timing scaled(double k) const { return {median * k, min * k, max * k}; }
};

/// A timing and its ratio to a baseline timed in the same rounds (time_paired).
struct PairedTiming {
  Timing call;   ///< seconds of the measured call
  Timing ratio;  ///< call ÷ baseline, round by round
};

/// The median and range of measurements (v not empty). Example: summarize({3, 1, 2}) is {2, 1, 3}.
inline Timing summarize(const std::vector<double>& v) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {median(v), *lo, *hi};
}

/// Wall-clock seconds (steady clock).
inline double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
/// Seconds of CPU time of the whole process (summed over threads) or of the calling thread.
inline double cpu_seconds(bool whole_process) {
  timespec ts{};
  clock_gettime(whole_process ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// For a ratio on a machine whose speed changes within seconds (shared hosts): each of `runs` rounds times
/// `baseline` and then `call` back to back, and the ratio is taken within the round, so a change of speed between
/// rounds moves both sides of each ratio alike. `warmups` untimed rounds first.
/// Example: time_paired(9, 2, wall_seconds, [&] { native_loop(); }, [&] { emulated_loop(); }).ratio.median
template <class Clock, class Base, class F>
PairedTiming time_paired(int runs, int warmups, Clock now, Base&& baseline, F&& call) {
  for (int w = 0; w < warmups; ++w) baseline(), call();
  std::vector<double> t, r;
  for (int k = 0; k < std::max(runs, 1); ++k) {
    const double start = now();
    baseline();
    const double middle = now();
    call();
    const double base = middle - start, c = now() - middle;
    t.push_back(c);
    r.push_back(c / std::max(base, 1e-12));
  }
  return {summarize(t), summarize(r)};
}

/// `warmups` untimed calls (caches, page faults, frequency ramp, lazily built tables), then `runs`
/// timed ones. Example: time_runs(5, 2, wall_seconds, [&] { memcpy(d, s, n); }).median
template <class Clock, class F>
Timing time_runs(int runs, int warmups, Clock now, F&& call) {
  for (int w = 0; w < warmups; ++w) call();
  std::vector<double> t;
  for (int r = 0; r < std::max(runs, 1); ++r) {
    const double start = now();
    call();
    t.push_back(now() - start);
  }
  return summarize(t);
}

enum class Distribution { Narrow, Wide };
inline const Distribution all_distributions[] = {Distribution::Narrow, Distribution::Wide};

inline const char* to_string(Distribution d) { return d == Distribution::Narrow ? "narrow" : "wide"; }
inline const char* describe(Distribution d) {
  return d == Distribution::Narrow ? "N(0, 1/16)" : "N(0, 1) * 10^U(-3, 3)";
}

/// n samples of d, reproducible from seed. Example: samples(Distribution::Wide, 1024, 1).
inline std::vector<double> samples(Distribution d, std::size_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, d == Distribution::Narrow ? 0.0625 : 1.0);
  std::uniform_real_distribution<double> decades(-3.0, 3.0);
  std::vector<double> out(n);
  for (double& x : out) x = d == Distribution::Narrow ? normal(gen) : normal(gen) * std::pow(10.0, decades(gen));
  return out;
}

}  // namespace fpsim::cli
