#include "tools/io/train_run.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "sim/models/model.h"
#include "sim/data/text.h"
#include "tools/io/idx.h"
#include "tools/io/text_corpus.h"
#include "tools/io/results_writer.h"
#ifdef FPSIM_HAVE_OPENMP
#include <omp.h>
#endif

namespace fpsim::io {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

sim::Dataset first_n(sim::Dataset d, int64_t n) {
  if (n <= 0 || n >= d.count) return d;
  d.count = n;
  d.images.resize(size_t(n * d.sample_size()));
  d.labels.resize(size_t(n));
  return d;
}

// Writes metrics at each evaluation point and prints progress at most every ~2 s and at each eval.
class Reporter : public sim::TrainObserver {
 public:
  Reporter(ResultsWriter& writer, ProgressMode mode) : writer_(writer), mode_(mode), start_(Clock::now()) {}

  void on_eval(const sim::EvalPoint& p) override {
    writer_.add_eval(p);
    force_ = true;
  }
  void on_step(const sim::Progress& p) override {
    const double now = seconds_since(start_);
    if (!force_ && now - last_print_ < 2.0 && p.step != p.total_steps) return;
    force_ = false;
    last_print_ = now;
    const double eta = p.step > 0 ? now / double(p.step) * double(p.total_steps - p.step) : 0.0;
    if (mode_ == ProgressMode::Jsonl) {
      nlohmann::json j{{"step", p.step},         {"total_steps", p.total_steps}, {"epoch", p.epoch},
                       {"train_loss", p.train_loss}, {"eta_s", eta}};
      j["test_accuracy"] = p.test_accuracy ? nlohmann::json(*p.test_accuracy) : nlohmann::json(nullptr);
      std::printf("%s\n", j.dump().c_str());
      std::fflush(stdout);
    } else if (mode_ == ProgressMode::Plain) {
      const bool tty = isatty(fileno(stderr));
      std::fprintf(stderr, "%sstep %lld/%lld  epoch %.2f  loss %.4f  acc %s  eta %.0fs%s", tty ? "\r" : "",
                   (long long)p.step, (long long)p.total_steps, p.epoch, p.train_loss,
                   p.test_accuracy ? (std::to_string(*p.test_accuracy * 100).substr(0, 5) + "%").c_str() : "-", eta,
                   tty ? "   " : "\n");
      if (tty && p.step == p.total_steps) std::fprintf(stderr, "\n");
      std::fflush(stderr);
    }
  }

 private:
  ResultsWriter& writer_;
  ProgressMode mode_;
  Clock::time_point start_;
  double last_print_ = -1e9;
  bool force_ = false;
};

}  // namespace

ProgressMode parse_progress_mode(const std::string& text) {
  if (text == "plain") return ProgressMode::Plain;
  if (text == "jsonl") return ProgressMode::Jsonl;
  if (text == "none") return ProgressMode::None;
  throw std::invalid_argument("unknown progress mode \"" + text + "\" (expected plain, jsonl or none)");
}

Datasets load_datasets(const DataSource& source, uint64_t seed) {
  if (source.dataset == "text") {
    const std::vector<uint8_t> bytes = load_text_corpus(source.path);
    sim::TextSplit split;
    try {
      split = sim::split_text(bytes, source.context, source.valid_fraction, source.eval_windows);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(source.path + ": " + e.what());
    }
    return {std::move(split.train), std::move(split.valid)};
  }
  if (source.dataset == "synthetic") {
    return {sim::make_synthetic(seed, 0, source.train_size, source.classes, source.noise),
            sim::make_synthetic(seed, source.train_size, source.test_size, source.classes, source.noise)};
  }
  Datasets d{first_n(load_idx_dataset(source.path, "train"), source.train_limit),
             first_n(load_idx_dataset(source.path, "t10k"), source.test_limit)};
  if (source.normalize) {
    // Mean and standard deviation of all 47,040,000 training pixels (in [0, 1]).
    constexpr float mean = 0.2860f, std_dev = 0.3530f;
    for (sim::Dataset* s : {&d.train, &d.test})
      for (float& x : s->images) x = (x - mean) / std_dev;
  }
  return d;
}

void set_threads(int threads) {
#ifdef FPSIM_HAVE_OPENMP
  omp_set_num_threads(threads);
#else
  (void)threads;
#endif
}

sim::TrainSummary run_training(const RunConfig& rc, const Datasets& data, const RunOptions& options) {
  const int threads = options.threads > 0 ? options.threads : rc.threads;
  set_threads(threads);
  const std::filesystem::path dir = options.out_dir.empty() ? std::filesystem::path("results") / rc.train.name : options.out_dir;
  ResultsWriter writer(dir, rc.resolved);
  Reporter reporter(writer, options.progress);
  const auto t0 = Clock::now();
  const sim::TrainSummary s = sim::train(rc.train, data.train, data.test, reporter);
  const double wall = seconds_since(t0);
  writer.finish(rc.train.name, s,
                {{"wall_seconds", wall}, {"steps_per_second", wall > 0 ? double(s.steps) / wall : 0.0}, {"threads", threads}});
  return s;
}

}  // namespace fpsim::io
