#include "tools/sweep/progress.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fpsim::io {

std::optional<double> sweep_eta_s(const SweepProgress& p) {
  // 1. Estimate the wall time of one run.
  std::optional<double> per_run;
  if (!p.finished_durations_s.empty()) {
    per_run = std::accumulate(p.finished_durations_s.begin(), p.finished_durations_s.end(), 0.0) /
              static_cast<double>(p.finished_durations_s.size());
  } else {
    double sum = 0;
    size_t n = 0;
    for (const ChildProgress& c : p.running)
      if (c.eta_s) sum += c.elapsed_s + *c.eta_s, ++n;
    if (n) per_run = sum / static_cast<double>(n);
  }
  if (!per_run) return std::nullopt;
  // 2. Remaining time of the running runs (their own estimate, else the per-run mean minus elapsed).
  double remaining = 0;
  for (const ChildProgress& c : p.running) remaining += c.eta_s ? *c.eta_s : std::max(0.0, *per_run - c.elapsed_s);
  // 3. The runs not started share the same job slots.
  remaining += static_cast<double>(p.left) * *per_run;
  return remaining / static_cast<double>(std::max<size_t>(1, p.jobs));
}

std::string format_duration(std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds)) return "?";
  const long long s = std::llround(std::max(0.0, *seconds));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string progress_line(const SweepProgress& p) {
  std::string line = fmt::format("{}: {}/{} done", p.sweep, p.done, p.total);
  std::vector<std::string> notes;
  if (p.diverged) notes.push_back(fmt::format("{} diverged", p.diverged));
  if (p.failed) notes.push_back(fmt::format("{} failed", p.failed));
  if (p.skipped) notes.push_back(fmt::format("{} already complete", p.skipped));
  if (!notes.empty()) {
    line += " (";
    for (size_t i = 0; i < notes.size(); ++i) line += (i ? ", " : "") + notes[i];
    line += ")";
  }
  line += fmt::format(", {} running, {} left", p.running.size(), p.left);
  // The most advanced running run stands for "the current run".
  const ChildProgress* current = nullptr;
  for (const ChildProgress& c : p.running)
    if (c.step && (!current || !current->step || *c.step > *current->step)) current = &c;
  if (!current && !p.running.empty()) current = &p.running.front();
  if (current) {
    line += " | " + current->id;
    if (current->step)
      line += current->total_steps ? fmt::format(" step {}/{}", *current->step, *current->total_steps)
                                   : fmt::format(" step {}", *current->step);
    else
      line += " starting";
  }
  line += " | ETA " + format_duration(sweep_eta_s(p));
  return line;
}

}  // namespace fpsim::io
