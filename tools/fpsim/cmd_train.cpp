// fpsim train CONFIG.json [--set /json/pointer=value ...] [--out DIR] [--threads N] [--progress plain|jsonl|none]
//
// The output folder holds one run's files only: `fpsim train` locks it (DIR/lock, as sweep runs do) and
// refuses a folder whose config.json resolves differently, so two trainings never leave a config.json of
// one and a summary.json of the other. Without --out the folder is results/<name>, or
// results/<name>-<run id> when --set overrides change the config.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "tools/fpsim/command.h"
#include "tools/io/strict_json.h"
#include "tools/io/train_run.h"
#include "tools/sweep/spec.h"
#include "tools/sweep/state.h"

namespace fpsim::cli {
namespace {

struct Options {
  std::string config;
  std::vector<std::string> sets;
  std::string out;
  int threads = 0;
  std::string progress;
};

namespace fs = std::filesystem;

// True when FPSIM_RUN_LOCK_FD names an inherited descriptor of dir/lock (a sweep runner holds the lock for us).
bool lock_inherited(const fs::path& dir) {
  const char* env = std::getenv("FPSIM_RUN_LOCK_FD");
  if (!env) return false;
  struct stat held {}, file {};
  return ::fstat(std::atoi(env), &held) == 0 && ::stat((dir / "lock").c_str(), &file) == 0 &&
         held.st_dev == file.st_dev && held.st_ino == file.st_ino;
}

// Refuse a folder that holds another config's results (compared in canonical form, so a config written by an
// older fpsim with fewer defaults spelled out still matches).
void check_folder_config(const fs::path& dir, const io::RunConfig& rc, const std::string& file) {
  const fs::path existing = dir / "config.json";
  std::error_code ec;
  if (!fs::exists(existing, ec)) return;
  bool same = false;
  try {
    same = io::canonical_run_config(io::read_json_strict(existing.string()), existing.string()) ==
           io::canonical_run_config(rc.resolved, file);
  } catch (const std::exception&) {
  }
  if (!same)
    throw std::runtime_error(dir.string() + " holds the results of a different config (" + existing.string() +
                             "); choose another --out or remove the folder");
}

int run(const Options& o) {
  // Parse everything first: a bad config writes nothing.
  const io::RunConfig rc = io::load_run_config(o.config, o.sets);
  io::RunOptions ro;
  ro.out_dir = o.out;
  if (ro.out_dir.empty()) {
    ro.out_dir = fs::path("results") / rc.train.name;
    if (!o.sets.empty()) ro.out_dir += "-" + io::run_id(io::canonical_run_config(rc.resolved, o.config));
  }
  const bool inherited = lock_inherited(ro.out_dir);
  const std::optional<io::RunLock> lock = inherited ? std::nullopt : io::RunLock::try_acquire(ro.out_dir);
  if (!inherited && !lock)
    throw std::runtime_error(ro.out_dir.string() + " is locked by another training (" +
                             (ro.out_dir / "lock").string() + "); wait for it or choose another --out");
  check_folder_config(ro.out_dir, rc, o.config);
  ro.threads = o.threads;
  ro.progress = o.progress.empty() ? (isatty(fileno(stderr)) ? io::ProgressMode::Plain : io::ProgressMode::None)
                                   : io::parse_progress_mode(o.progress);
  const io::Datasets data = io::load_datasets(rc.data, rc.train.seed);
  const sim::TrainSummary s = io::run_training(rc, data, ro);
  if (ro.progress == io::ProgressMode::Plain) {
    if (s.diverged)
      std::fprintf(stderr, "%s: diverged at step %lld\n", rc.train.name.c_str(), (long long)*s.diverged_step);
    else
      std::fprintf(stderr, "%s: test accuracy %.2f%% after %lld steps (%lld skipped)\n", rc.train.name.c_str(),
                   s.final_test_accuracy.value_or(0) * 100, (long long)s.steps, (long long)s.skipped_steps);
  }
  return 0;
}

Registration reg{{"train", "Train a model from a JSON run config (see experiments/README.md)", [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    app.add_option("config", opts->config, "run config (JSON)")->required();
                    app.add_option("--set", opts->sets, "override: /json/pointer=value or a.b.c=value (repeatable)");
                    app.add_option("--out", opts->out,
                                   "output directory (default results/<name>, or results/<name>-<id> with --set)");
                    app.add_option("--threads", opts->threads, "threads (default: the config's)")->check(CLI::Range(1, 1024));
                    app.add_option("--progress", opts->progress, "plain | jsonl | none (default: plain on a terminal)")
                        ->check(CLI::IsMember({"plain", "jsonl", "none"}));
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
