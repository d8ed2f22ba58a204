// fpsim sweep SWEEP.json [--jobs N] [--shard I/N] [--dry-run] [--status] [--results DIR]
// Expands a sweep file into runs and trains each as a child `fpsim train` process, resumably.
#include <cstdlib>
#include <fmt/core.h>

#include <thread>

#include "tools/fpsim/command.h"
#include "tools/io/config.h"
#include "tools/io/config_error.h"
#include "tools/io/train_run.h"
#include "tools/sweep/runner.h"
#include "tools/sweep/spec.h"
#include "tools/sweep/state.h"

namespace fpsim::cli {
namespace {

struct Options {
  std::string file;
  size_t jobs = 1;
  std::string shard;
  bool dry_run = false;
  bool status = false;
  std::string results = "results";
  std::string trainer;  // hidden: test harnesses substitute a fake trainer
};

// Every resolved config must pass the trainer's own strict parser before any run starts (skipped
// when a substitute trainer is used: its configs need not follow the `fpsim train` schema).
void validate_with_trainer_schema(const io::SweepSpec& spec, const std::vector<io::SweepRun>& runs) {
  for (const io::SweepRun& r : runs) {
    try {
      io::parse_run_config(r.config, spec.file.string());
    } catch (const io::ConfigError& e) {
      throw io::ConfigError(spec.file.string(), e.pointer,
                            fmt::format("run {} {} (base config with these overrides): {}", r.index,
                                        r.overrides.dump(), e.message));
    }
  }
}

int run(const Options& o) {
  const io::SweepSpec spec = io::load_sweep(o.file);
  std::vector<io::SweepRun> all = io::expand_sweep(spec);
  const bool own_trainer = o.trainer.empty() && !std::getenv("FPSIM_SWEEP_TRAINER");
  if (own_trainer) {
    validate_with_trainer_schema(spec, all);
    // Ids hash the canonical resolved config: a spelled-out default gives the same id as leaving it out.
    all = io::expand_sweep(spec,
                           [&](const nlohmann::json& c) { return io::canonical_run_config(c, spec.file.string()); });
    if (!o.dry_run)
      if (const size_t moved = io::adopt_legacy_run_dirs(o.results, spec, all); moved > 0) {
        io::write_sweep_index(o.results, spec, all);
        fmt::print(stderr, "sweep {}: renamed {} run folder(s) to resolved-config ids\n", spec.name, moved);
      }
  }
  std::vector<io::SweepRun> runs = all;
  std::string scope = fmt::format("{} runs", all.size());
  if (!o.shard.empty()) {
    const auto [i, n] = io::parse_shard(o.shard);
    runs = io::shard_runs(all, i, n);
    scope = fmt::format("shard {}/{}: {} of {} runs", i, n, runs.size(), all.size());
  }
  const std::filesystem::path folder = std::filesystem::path(o.results) / spec.name;

  if (o.dry_run) {
    fmt::print("# sweep {} ({}) -> {}/\n", spec.name, scope, folder.string());
    fmt::print("{:>5} {:<12} {}\n", "index", "id", "overrides");
    for (const io::SweepRun& r : runs) fmt::print("{:>5} {:<12} {}\n", r.index, r.id, r.overrides.dump());
    return 0;
  }
  if (o.status) {
    const io::SweepStatus s = io::sweep_status(o.results, spec, runs);
    fmt::print("sweep {} ({}) in {}/\n", spec.name, scope, folder.string());
    fmt::print("  done        {} ({} completed, {} diverged)\n", s.completed + s.diverged, s.completed, s.diverged);
    fmt::print("  running     {}\n  incomplete  {}\n  missing     {}\n", s.running, s.incomplete, s.missing);
    for (const auto& [id, state] : s.unfinished) fmt::print("  {} {}\n", id, io::to_string(state));
    return 0;
  }

  io::SweepOptions options;
  options.results = o.results;
  options.jobs = o.jobs;
  std::string trainer = o.trainer;
  if (trainer.empty())
    if (const char* env = std::getenv("FPSIM_SWEEP_TRAINER")) trainer = env;
  options.trainer = io::split_command(trainer);
  const size_t cores = io::available_cores();
  fmt::print(stderr, "sweep {} ({}), {} job(s) x {} thread(s) -> {}/\n", spec.name, scope, options.jobs,
             io::threads_per_run(cores, options.jobs), folder.string());
  const io::SweepOutcome out = io::run_sweep(spec, runs, options);
  fmt::print(stderr, "sweep {}: {} completed, {} diverged, {} already complete, {} failed\n", spec.name, out.completed,
             out.diverged, out.skipped, out.failed.size());
  for (const std::string& f : out.failed) fmt::print(stderr, "  failed {}\n", f);
  if (!out.failed.empty()) fmt::print(stderr, "rerun the same command to retry the failed runs\n");
  return out.failed.empty() ? 0 : 1;
}

Registration reg{{"sweep", "Train every run of a sweep file (resumable; --shard for job arrays)", [](CLI::App& app) {
                    auto o = std::make_shared<Options>();
                    app.add_option("sweep", o->file, "Sweep file (JSON)")->required();
                    app.add_option("--jobs,-j", o->jobs, "Runs trained at once; each gets max(1, cores/jobs) threads")
                        ->check(CLI::Range(size_t{1}, size_t{4096}));
                    app.add_option("--shard", o->shard, "Run only shard I of N (0 <= I < N): runs with index % N == I");
                    app.add_flag("--dry-run", o->dry_run, "List the runs (index, id, overrides) and exit");
                    app.add_flag("--status", o->status, "Summarise done / running / incomplete / missing runs");
                    app.add_option("--results", o->results, "Results directory (default: results)");
                    app.add_option("--trainer", o->trainer,
                                   "Trainer command replacing 'fpsim train' (also FPSIM_SWEEP_TRAINER)")
                        ->group("");
                    return std::function<int()>([o] { return run(*o); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
