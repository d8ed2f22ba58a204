#pragma once
// Runs the runs of a sweep as child processes (`fpsim train` by default), --jobs at a time, with
// per-run flock()s so that concurrent shards or reruns never train the same run twice, and a
// restart of every run whose summary.json is not complete.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/sweep/spec.h"

namespace fpsim::io {

struct SweepOptions {
  std::filesystem::path results = "results";  // runs go to <results>/<sweep name>/<run id>/
  size_t jobs = 1;                             // concurrent children
  size_t cores = 0;                            // 0: available_cores()
  /// Command prefix of the trainer; each run appends
  /// `<input_config.json> --out <run dir> --threads <n> --progress jsonl`.
  /// Empty: {<this executable>, "train"}.
  std::vector<std::string> trainer;
  bool progress = true;                        // the progress line on `log`
  std::FILE* log = stderr;
  double retry_busy_s = 1.0;                   // how often to re-check a run locked elsewhere
};

struct SweepOutcome {
  size_t completed = 0, diverged = 0;   // finished in this invocation
  size_t skipped = 0;                   // already complete when reached
  std::vector<std::string> failed;      // "<id>: <reason>" of runs whose trainer failed
};

/// Threads per child: max(1, cores / jobs). Example: threads_per_run(2, 4) == 1.
size_t threads_per_run(size_t cores, size_t jobs);

/// Cores this process may run on: sched_getaffinity (taskset, and Slurm where its task plugin binds CPUs),
/// capped by SLURM_CPUS_PER_TASK inside a Slurm job (its allocation, whether or not Slurm binds), at least 1.
/// Example: available_cores() == 2 on a 2-core machine; 1 in `sbatch --cpus-per-task=1` there.
size_t available_cores();

/// The rule of available_cores(): `affinity` capped by a positive integer SLURM_CPUS_PER_TASK value (null,
/// empty or malformed: no cap), at least 1. Example: allocated_cores(8, "2") == 2, allocated_cores(8, "x") == 8.
size_t allocated_cores(size_t affinity, const char* slurm_cpus_per_task);

/// Split a --trainer / FPSIM_SWEEP_TRAINER command on spaces. Example: split_command("a  b") == {"a","b"}.
std::vector<std::string> split_command(const std::string& command);

/// Run `runs` (all of the sweep, or one shard) to completion; returns when every run is complete
/// or has failed in this invocation. Runs locked by another process are waited for, then skipped
/// if that process completed them. Example: run_sweep(spec, shard_runs(runs, 0, 4), {.jobs = 2});
SweepOutcome run_sweep(const SweepSpec& spec, const std::vector<SweepRun>& runs, const SweepOptions& options);

}  // namespace fpsim::io
