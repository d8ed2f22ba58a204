#pragma once
// The one-line progress display of a running sweep (stderr): runs done / running / left, the step
// of the most advanced running run, and an ETA for the whole sweep.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace fpsim::io {

/// What a running child last reported on its `--progress jsonl` stream.
struct ChildProgress {
  std::string id;
  double elapsed_s = 0;                 // since the child started
  std::optional<long long> step, total_steps;
  std::optional<double> eta_s;          // the child's own estimate of its remaining time
};

struct SweepProgress {
  std::string sweep;
  size_t total = 0, done = 0, diverged = 0, failed = 0, skipped = 0, left = 0;
  size_t jobs = 1;
  std::vector<ChildProgress> running;
  std::vector<double> finished_durations_s;  // wall time of each run finished in this invocation
};

/// Seconds until the sweep ends: (remaining time of running runs + left × mean run time) / jobs,
/// where the mean comes from finished runs or, before any finishes, from running ones' elapsed +
/// eta. nullopt when nothing is known yet. Example: sweep_eta_s(p) == 95.0.
std::optional<double> sweep_eta_s(const SweepProgress& p);

/// "1h02m", "4m10s", "12s", or "?" for nullopt. Example: format_duration(250) == "4m10s".
std::string format_duration(std::optional<double> seconds);

/// Example: "quick: 3/8 done (1 diverged), 2 running, 3 left | 3f9a0c1b2d4e step 120/938 | ETA 4m10s".
std::string progress_line(const SweepProgress& p);

}  // namespace fpsim::io
