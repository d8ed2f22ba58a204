#pragma once
// Running one config end to end: load its data, set the thread count, train, write the results
// directory and report progress. Shared by `fpsim train`, `fpsim bench train` and the tests.
#include <cstdio>
#include <filesystem>
#include <string>

#include "tools/io/config.h"

namespace fpsim::io {

enum class ProgressMode { Plain, Jsonl, None };

/// "plain" | "jsonl" | "none"; throws std::invalid_argument otherwise. Example: parse_progress_mode("jsonl").
ProgressMode parse_progress_mode(const std::string& text);

struct Datasets {
  sim::Dataset train, test;
};

/// Load (Fashion-MNIST from disk) or generate (synthetic) the data of a config.
/// Example: load_datasets(rc.data, rc.train.seed).train.count == 60000 for the full Fashion-MNIST.
Datasets load_datasets(const DataSource& source, uint64_t seed);

/// Set the OpenMP thread count used by sim (1 when fpsim is built without OpenMP).
/// Example: set_threads(2).
void set_threads(int threads);

struct RunOptions {
  std::filesystem::path out_dir;  ///< empty: results/<name>
  ProgressMode progress = ProgressMode::None;
  int threads = 0;  ///< 0: the config's
};

/// Train `rc` on `data`, writing config.json, metrics.jsonl, timing.json and summary.json (last).
/// Example: run_training(rc, load_datasets(rc.data, rc.train.seed), {"results/x"});
sim::TrainSummary run_training(const RunConfig& rc, const Datasets& data, const RunOptions& options);

}  // namespace fpsim::io
