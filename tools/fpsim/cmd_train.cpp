// fpsim train CONFIG.json [--set /json/pointer=value ...] [--out DIR] [--threads N] [--progress plain|jsonl|none]
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "tools/fpsim/command.h"
#include "tools/io/train_run.h"

namespace fpsim::cli {
namespace {

struct Options {
  std::string config;
  std::vector<std::string> sets;
  std::string out;
  int threads = 0;
  std::string progress;
};

int run(const Options& o) {
  // Parse everything first: a bad config writes nothing.
  const io::RunConfig rc = io::load_run_config(o.config, o.sets);
  io::RunOptions ro;
  ro.out_dir = o.out;
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
                    app.add_option("--out", opts->out, "output directory (default results/<name>)");
                    app.add_option("--threads", opts->threads, "threads (default: the config's)")->check(CLI::Range(1, 1024));
                    app.add_option("--progress", opts->progress, "plain | jsonl | none (default: plain on a terminal)")
                        ->check(CLI::IsMember({"plain", "jsonl", "none"}));
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
