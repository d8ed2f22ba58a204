#pragma once
// Loading a sweep's results folder for `fpsim report`: one RunResult per run folder (run.json +
// summary.json + metrics.jsonl), grouped into recipes (the runs that differ only by seed).
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fpsim::io {

/// One eval point of metrics.jsonl (absent values are NaN).
struct MetricPoint {
  double step = 0, train_loss = 0, test_loss = 0, test_accuracy = 0, loss_scale = 0;
  std::map<std::string, double> zero_frac;  // "<layer>/<role>" -> fraction flushed to zero
};

struct RunResult {
  std::string id;
  nlohmann::json overrides = nlohmann::json::object();  // swept pointer -> value (seed included)
  std::string status;                                    // completed | diverged | incomplete | missing | corrupt
  std::string problem;                                   // corrupt: what is wrong with its summary.json
  bool older_sweep = false;                              // its folder is not in sweep.json (an older sweep file)
  nlohmann::json summary;                                // summary.json, or null
  std::vector<MetricPoint> metrics;
};

/// Runs sharing every swept value except the seed.
struct Recipe {
  std::string label;                                    // "precision=fp8_paper, model/type=mlp"
  nlohmann::json overrides = nlohmann::json::object();  // without /seed
  std::vector<size_t> runs;                             // indices into ReportData::runs
};

struct ReportData {
  std::filesystem::path folder;
  std::string name, description;
  std::vector<std::string> axes;  // swept pointers, /seed last if swept
  nlohmann::json baseline = nlohmann::json::object();
  nlohmann::json report_axes = nlohmann::json::object();  // the sweep's "report": {"rows": ..., "cols": ...}
  std::vector<RunResult> runs;               // in sweep order
  std::vector<Recipe> recipes;               // in order of first appearance
  size_t corrupt = 0;                        // runs whose summary.json is unreadable or malformed
  std::vector<std::string> older_sweep;      // ids of run folders not in sweep.json
};

/// Read results/<sweep>/: sweep.json if present (axes, baseline, run order), then every run folder.
/// Throws std::runtime_error naming the folder if it holds no runs.
/// Example: ReportData d = load_report_data("results/quick");
ReportData load_report_data(const std::filesystem::path& folder);

/// Fill data.recipes from data.runs: runs with equal overrides apart from /seed, in order of first appearance.
void group_recipes(ReportData& data);

/// Text of a swept value for tables and legends: strings bare, anything else as compact JSON.
/// Example: value_text("fp32") == "fp32", value_text(0.5) == "0.5".
std::string value_text(const nlohmann::json& v);

/// value_text, except that an object reads by its "preset" or "type" key (a model object reads "cnn").
/// Example: short_value_text({{"type", "mlp"}, {"widths", {784, 10}}}) == "mlp".
std::string short_value_text(const nlohmann::json& v);

/// Recipe label from overrides: "pointer-without-slash=value" joined by ", " ("" -> "base").
/// Object values are named by their "preset" or "type" key (a model object reads "cnn").
/// Example: recipe_label({{"/precision", "fp32"}}) == "precision=fp32".
std::string recipe_label(const nlohmann::json& overrides);

/// A number field of a JSON object, NaN when absent, null or not a number.
/// Example: number_or_nan(summary, "final_test_accuracy").
double number_or_nan(const nlohmann::json& object, const std::string& key);

/// The baseline recipe of `recipe`: the one whose overrides equal recipe's with the baseline's
/// pointers set to the baseline values; nullopt if none. Without an explicit baseline, the first
/// swept pointer having a value "fp32" (or "binary32") is used. Example: baseline_of(d, 3) == 0.
std::optional<size_t> baseline_of(const ReportData& data, size_t recipe);

}  // namespace fpsim::io
