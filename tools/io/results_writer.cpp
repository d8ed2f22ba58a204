#include "tools/io/results_writer.h"

#include <cmath>

#include "tools/io/atomic_file.h"

namespace fpsim::io {
namespace {

using nlohmann::json;

// JSON has no NaN or infinity: non-finite values become null.
json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }
json optional_number(const std::optional<double>& x) { return x ? number_or_null(*x) : json(nullptr); }

json histogram_json(const std::vector<uint64_t>& h) {
  size_t first = 0, last = h.size();
  while (first < h.size() && h[first] == 0) ++first;
  while (last > first && h[last - 1] == 0) --last;
  json counts = json::array();
  for (size_t i = first; i < last; ++i) counts.push_back(h[i]);
  return json{{"lo", first < last ? int(first) + sim::kLog2HistLo : 0}, {"counts", counts}};
}

}  // namespace

json eval_point_json(const sim::EvalPoint& p) {
  json telemetry = json::object();
  for (const auto& [key, t] : p.telemetry)
    telemetry[key] = {{"zero_frac", t.zero_frac()},
                      {"subnormal_frac", t.subnormal_frac()},
                      {"saturated_frac", t.saturated_frac()},
                      {"nan", t.stats.nan},
                      {"amax", number_or_null(t.stats.amax)},
                      {"log2_hist", histogram_json(t.log2_hist)}};
  for (const auto& [key, t] : p.telemetry)
    if (t.scale.casts > 0)  // scaled casts: input amax (before scaling) and the range of encode scales
      telemetry[key]["scale"] = {{"amax", number_or_null(t.scale.amax)},
                                 {"min", t.scale.tiles ? number_or_null(t.scale.scale_min) : json(nullptr)},
                                 {"max", t.scale.tiles ? number_or_null(t.scale.scale_max) : json(nullptr)}};
  json j{{"schema", 1},
              {"step", p.step},
              {"epoch", p.epoch},
              {"train_loss", number_or_null(p.train_loss)},
              {"test_loss", number_or_null(p.test_loss)},
              {"test_accuracy", number_or_null(p.test_accuracy)},
              {"loss_scale", p.loss_scale},
              {"skipped_steps", p.skipped_steps},
              {"telemetry", telemetry}};
  if (p.test_bits_per_byte) j["test_bits_per_byte"] = number_or_null(*p.test_bits_per_byte);  // text only
  return j;
}

json summary_json(const std::string& name, const sim::TrainSummary& s) {
  json tel = json::object();
  for (const auto& [key, t] : s.telemetry)
    tel[key] = {{"zero_frac_mean", t.zero_frac_mean},
                {"zero_frac_last", t.zero_frac_last},
                {"subnormal_frac_mean", t.subnormal_frac_mean},
                {"saturated_frac_mean", t.saturated_frac_mean}};
  json j{{"schema", 1},
              {"name", name},
              {"status", s.diverged ? "diverged" : "completed"},
              {"diverged_step", s.diverged_step ? json(*s.diverged_step) : json(nullptr)},
              {"steps", s.steps},
              {"epochs", s.epochs},
              {"final_test_accuracy", optional_number(s.final_test_accuracy)},
              {"best_test_accuracy", optional_number(s.best_test_accuracy)},
              {"final_test_loss", optional_number(s.final_test_loss)},
              {"final_train_loss", optional_number(s.final_train_loss)},
              {"skipped_steps", s.skipped_steps},
              {"final_loss_scale", s.final_loss_scale},
              {"telemetry_summary", tel}};
  if (s.final_test_bits_per_byte) j["final_test_bits_per_byte"] = number_or_null(*s.final_test_bits_per_byte);
  return j;
}

ResultsWriter::ResultsWriter(std::filesystem::path dir, const json& resolved_config) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  std::filesystem::remove(dir_ / "summary.json");  // the run is not finished until it is written again
  json config = resolved_config;
  config["schema"] = 1;
  write_file_atomic(dir_ / "config.json", config.dump(2) + "\n");
  write_file_atomic(dir_ / "metrics.jsonl", "");
}

void ResultsWriter::add_eval(const sim::EvalPoint& p) {
  metrics_ += eval_point_json(p).dump() + "\n";
  write_file_atomic(dir_ / "metrics.jsonl", metrics_);
}

void ResultsWriter::finish(const std::string& name, const sim::TrainSummary& s, const json& timing) {
  json t = timing;
  t["schema"] = 1;
  write_file_atomic(dir_ / "timing.json", t.dump(2) + "\n");
  write_file_atomic(dir_ / "summary.json", summary_json(name, s).dump(2) + "\n");
}

}  // namespace fpsim::io
