#include "tools/report/data.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include "tools/io/atomic_file.h"
#include "tools/io/strict_json.h"
#include "tools/sweep/state.h"

namespace fpsim::io {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

json parse_or_null(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return nullptr;
  try {
    return parse_json_strict(read_file(file), file.string());
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Why a summary.json cannot be averaged ("" when it can): a number field holding something else.
std::string summary_problem(const json& s) {
  if (!s.is_object()) return "not a JSON object";
  for (const char* key : {"final_test_accuracy", "best_test_accuracy", "final_test_loss", "final_train_loss",
                          "final_test_bits_per_byte", "final_loss_scale", "steps", "skipped_steps", "epochs",
                          "diverged_step"})
    if (s.contains(key) && !s[key].is_number() && !s[key].is_null())
      return std::string("\"") + key + "\" is " + s[key].dump() + ", not a number";
  for (const char* key : {"final_test_accuracy", "best_test_accuracy"})
    if (s.contains(key) && s[key].is_number() && !(s[key].get<double>() >= 0 && s[key].get<double>() <= 1))
      return std::string("\"") + key + "\" is " + s[key].dump() + ", outside [0, 1]";
  return "";
}

std::vector<MetricPoint> load_metrics(const fs::path& file) {
  std::vector<MetricPoint> out;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return out;
  std::istringstream lines(read_file(file));
  for (std::string line; std::getline(lines, line);) {
    const json m = json::parse(line, nullptr, false);
    if (!m.is_object()) continue;  // a torn last line of a partial run
    MetricPoint p;
    p.step = number_or_nan(m, "step");
    p.train_loss = number_or_nan(m, "train_loss");
    p.test_loss = number_or_nan(m, "test_loss");
    p.test_accuracy = number_or_nan(m, "test_accuracy");
    p.loss_scale = number_or_nan(m, "loss_scale");
    if (m.contains("telemetry") && m["telemetry"].is_object())
      for (const auto& [point, t] : m["telemetry"].items())
        if (t.is_object()) p.zero_frac[point] = number_or_nan(t, "zero_frac");
    out.push_back(std::move(p));
  }
  return out;
}
}  // namespace

double number_or_nan(const json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number()) return nan;
  return object[key].get<double>();
}

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string short_value_text(const json& v) {
  if (v.is_object())
    for (const char* key : {"preset", "type"})
      if (v.contains(key) && v[key].is_string()) return v[key].get<std::string>();
  return value_text(v);
}

std::string recipe_label(const json& overrides) {
  std::string out;
  for (const auto& [pointer, value] : overrides.items()) {
    if (!out.empty()) out += ", ";
    out += (pointer.size() > 1 ? pointer.substr(1) : pointer) + "=" + short_value_text(value);
  }
  return out.empty() ? "base" : out;
}

ReportData load_report_data(const fs::path& folder) {
  ReportData data;
  data.folder = folder;
  data.name = folder.filename().string();
  const json index = parse_or_null(folder / "sweep.json");
  std::vector<std::string> ids;
  if (index.is_object()) {
    data.name = index.value("name", data.name);
    data.description = index.value("description", "");
    for (const json& a : index.value("axes", json::array())) data.axes.push_back(a.get<std::string>());
    data.baseline = index.value("baseline", json::object());
    data.report_axes = index.value("report", json::object());
    for (const json& r : index.value("runs", json::array())) ids.push_back(r.at("id").get<std::string>());
  }
  // Run folders not in the index (e.g. from an older version of the sweep file) are reported too.
  std::set<std::string> known(ids.begin(), ids.end());
  std::vector<std::string> extra;
  std::error_code ec;
  if (fs::is_directory(folder, ec))
    for (const auto& entry : fs::directory_iterator(folder))
      if (entry.is_directory() && fs::exists(entry.path() / "run.json") && !known.count(entry.path().filename().string()))
        extra.push_back(entry.path().filename().string());
  std::sort(extra.begin(), extra.end());
  ids.insert(ids.end(), extra.begin(), extra.end());
  if (ids.empty()) throw std::runtime_error(folder.string() + ": no runs found (expected sweep.json or <run id>/run.json)");

  std::set<std::string> axes(data.axes.begin(), data.axes.end());
  for (const std::string& id : ids) {
    RunResult r;
    r.id = id;
    const fs::path dir = folder / id;
    const json meta = parse_or_null(dir / "run.json");
    if (meta.is_object() && meta.contains("overrides")) r.overrides = meta["overrides"];
    else if (index.is_object())
      for (const json& e : index["runs"])
        if (e["id"] == id) r.overrides = e["overrides"];
    for (const auto& [pointer, value] : r.overrides.items())
      if (axes.insert(pointer).second) data.axes.push_back(pointer);
    const std::optional<std::string> status = summary_status(dir);
    r.status = status ? *status : fs::is_directory(dir, ec) && run_state(dir) != RunState::Missing ? "incomplete" : "missing";
    if (status) r.summary = parse_or_null(dir / "summary.json");
    // A summary that exists but cannot be read, or holds a non-number where a number belongs, is named and
    // counted, never averaged as if the seed were missing.
    if (!status && fs::exists(dir / "summary.json", ec)) r.problem = "unreadable, or not a complete summary";
    if (status) r.problem = summary_problem(r.summary);
    if (!r.problem.empty()) {
      r.status = "corrupt";
      r.summary = nullptr;
      ++data.corrupt;
      fmt::print(stderr, "report: {}: corrupt summary ({})\n", (dir / "summary.json").string(), r.problem);
    }
    r.older_sweep = std::find(extra.begin(), extra.end(), id) != extra.end() && index.is_object();
    if (r.older_sweep) data.older_sweep.push_back(id);
    r.metrics = load_metrics(dir / "metrics.jsonl");
    data.runs.push_back(std::move(r));
  }
  if (data.corrupt) fmt::print(stderr, "report: {} run(s) with a corrupt summary.json\n", data.corrupt);
  if (!data.older_sweep.empty()) {
    std::string ids;
    for (const std::string& id : data.older_sweep) ids += " " + id;
    fmt::print(stderr, "report: {} run folder(s) not in sweep.json belong to an older version of the sweep:{}\n",
               data.older_sweep.size(), ids);
  }
  // Keep /seed last among the axes.
  if (auto it = std::find(data.axes.begin(), data.axes.end(), "/seed"); it != data.axes.end()) {
    data.axes.erase(it);
    data.axes.push_back("/seed");
  }
  group_recipes(data);
  return data;
}

void group_recipes(ReportData& data) {
  data.recipes.clear();
  for (size_t i = 0; i < data.runs.size(); ++i) {
    json key = data.runs[i].overrides;
    key.erase("/seed");
    auto it = std::find_if(data.recipes.begin(), data.recipes.end(), [&](const Recipe& r) { return r.overrides == key; });
    if (it == data.recipes.end()) {
      data.recipes.push_back(Recipe{recipe_label(key), key, {}});
      it = data.recipes.end() - 1;
    }
    it->runs.push_back(i);
  }
}

std::optional<size_t> baseline_of(const ReportData& data, size_t recipe) {
  json baseline = data.baseline;
  if (baseline.empty()) {
    for (const std::string& axis : data.axes)
      for (const Recipe& r : data.recipes)
        if (r.overrides.contains(axis) && (r.overrides[axis] == "fp32" || r.overrides[axis] == "binary32"))
          if (baseline.empty()) baseline[axis] = r.overrides[axis];
    if (baseline.empty()) return std::nullopt;
  }
  json want = data.recipes[recipe].overrides;
  for (const auto& [pointer, value] : baseline.items()) want[pointer] = value;
  for (size_t i = 0; i < data.recipes.size(); ++i)
    if (data.recipes[i].overrides == want) return i;
  return std::nullopt;
}

}  // namespace fpsim::io
