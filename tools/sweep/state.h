#pragma once
// The on-disk state of a sweep's runs, under <results>/<sweep>/<run_id>/:
//
//   lock               flock()ed by whichever process is running the run (never deleted)
//   input_config.json  the resolved train config handed to the trainer (written by the sweep)
//   run.json           {"schema":1, "sweep", "id", "index", "overrides"} for reports (written by the sweep)
//   config.json, metrics.jsonl, timing.json, train.log   written while the run trains
//   summary.json       written LAST and atomically by the trainer: its presence ends the run
//
// A run is complete iff summary.json parses with "schema": 1 and a status of "completed" or
// "diverged". Anything else in the folder is a partial result and is cleared before a restart.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tools/sweep/spec.h"

namespace fpsim::io {

enum class RunState { Missing, Incomplete, Running, Completed, Diverged };

/// "missing", "incomplete", "running", "completed" or "diverged". Example: to_string(RunState::Running).
const char* to_string(RunState s);

/// The folder of one run. Example: run_dir("results", "quick", run) == "results/quick/3f9a0c1b2d4e".
std::filesystem::path run_dir(const std::filesystem::path& results, const std::string& sweep, const SweepRun& run);

/// The status ("completed" / "diverged") of a complete run, or nullopt if summary.json is absent,
/// unparsable, of another schema or without such a status. Example: summary_status(dir) == "completed".
std::optional<std::string> summary_status(const std::filesystem::path& dir);

/// An exclusive flock() on <dir>/lock, released when destroyed (or when the process dies).
class RunLock {
 public:
  /// Non-blocking: nullopt when another process (or another RunLock here) holds it.
  /// Example: if (auto lock = RunLock::try_acquire(dir)) { … run it … }
  static std::optional<RunLock> try_acquire(const std::filesystem::path& dir);
  RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  ~RunLock();
  int fd() const { return fd_; }

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// State of a run folder as seen from outside (Running = its lock is held by someone else).
/// Example: run_state(dir) == RunState::Missing for a run never started.
RunState run_state(const std::filesystem::path& dir);

/// Delete every file of a partial run except lock, input_config.json and run.json.
/// Only call while holding the run's lock. Example: clear_partial_run(dir);
void clear_partial_run(const std::filesystem::path& dir);

/// Write input_config.json and run.json of `run` (atomically, and only if their content changed,
/// so that shards preparing the same folder never race on a half-written file).
/// Example: prepare_run_dir(dir, spec, run);
void prepare_run_dir(const std::filesystem::path& dir, const SweepSpec& spec, const SweepRun& run);

/// Write <results>/<sweep>/sweep.json: name, description, swept pointers, baseline and the run
/// list (index, id, overrides), which the report reads. Example: write_sweep_index("results", spec, runs);
/// Run folders named by an earlier id scheme (the hash of the unresolved config, before ids hashed the
/// canonical resolved config) are renamed to their run's id, with run.json updated, unless a folder of that
/// id exists. Returns how many moved. Example: adopt_legacy_run_dirs("results", spec, runs) == 78 once.
size_t adopt_legacy_run_dirs(const std::filesystem::path& results, const SweepSpec& spec,
                             const std::vector<SweepRun>& runs);

void write_sweep_index(const std::filesystem::path& results, const SweepSpec& spec, const std::vector<SweepRun>& runs);

/// Counts of run states over `runs`. Example: s.completed + s.diverged == runs.size() when done.
struct SweepStatus {
  size_t missing = 0, incomplete = 0, running = 0, completed = 0, diverged = 0;
  std::vector<std::pair<std::string, RunState>> unfinished;  // id, state of every run not yet complete
};
SweepStatus sweep_status(const std::filesystem::path& results, const SweepSpec& spec, const std::vector<SweepRun>& runs);

}  // namespace fpsim::io
