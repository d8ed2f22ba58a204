#pragma once
// Results of one training run, in the directory layout of the sweep/report contract:
//   config.json    the resolved config (canonical key order, "schema": 1)
//   metrics.jsonl  one object per evaluation point (rewritten whole at each point)
//   summary.json   written last; its presence means the run finished
//   timing.json    wall-clock figures: the only file that may differ between reruns
// Every file goes through write_file_atomic, so a reader never sees half a file.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/train.h"

namespace fpsim::io {

/// One metrics.jsonl line. Example: eval_point_json(p)["test_accuracy"] is a fraction in [0, 1].
nlohmann::json eval_point_json(const sim::EvalPoint& p);
/// summary.json. Example: summary_json("x", s)["status"] == "completed".
nlohmann::json summary_json(const std::string& name, const sim::TrainSummary& s);

class ResultsWriter {
 public:
  /// Starts a run in `dir`: removes a summary.json of an earlier (interrupted or finished) run
  /// first, then writes config.json. Example: ResultsWriter w("results/x", resolved);
  ResultsWriter(std::filesystem::path dir, const nlohmann::json& resolved_config);
  /// Append an evaluation point and rewrite metrics.jsonl.
  void add_eval(const sim::EvalPoint& p);
  /// Write timing.json, then summary.json (last).
  void finish(const std::string& name, const sim::TrainSummary& s, const nlohmann::json& timing);
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::string metrics_;
};

}  // namespace fpsim::io
