// The report of a small synthetic sweep: every run in summary.csv with its values, the table's
// means, deltas and noise verdicts match an independent computation, every plot is valid SVG,
// and the HTML is self-contained.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <map>
#include <sstream>

#include "tools/io/atomic_file.h"
#include "tools/report/pivot.h"
#include "tools/report/table.h"
#include "tools/report/write.h"
#include "xml_check.h"

using nlohmann::json;
using namespace fpsim::io;
namespace fs = std::filesystem;
using fpsim::test::xml_problem;

namespace {

struct SyntheticRun {
  std::string id, format, rounding, status;
  int seed;
  double accuracy;
};

// 3 formats × 2 roundings × 3 seeds. Accuracy = format base + 0.1 pp for sr + 0.1 pp per seed;
// e4m3/sr/seed 3 diverged (10 %), e4m3/rne/seed 2 never finished (metrics, no summary).
std::vector<SyntheticRun> write_synthetic_sweep(const fs::path& folder) {
  const std::map<std::string, double> base = {{"binary32", 0.876}, {"e5m2", 0.874}, {"e4m3", 0.8755}};
  std::vector<SyntheticRun> runs;
  json index_runs = json::array();
  int n = 0;
  for (const std::string format : {"binary32", "e5m2", "e4m3"})
    for (const std::string rounding : {"rne", "sr"})
      for (int seed : {1, 2, 3}) {
        SyntheticRun r{"run" + std::to_string(n++), format, rounding, "completed", seed,
                       base.at(format) + (rounding == "sr" ? 0.001 : 0) + 0.001 * seed};
        if (format == "e4m3" && rounding == "sr" && seed == 3) r.status = "diverged", r.accuracy = 0.1;
        if (format == "e4m3" && rounding == "rne" && seed == 2) r.status = "incomplete";
        const json overrides = {{"/precision/format", format}, {"/precision/rounding", rounding}, {"/seed", seed}};
        index_runs.push_back({{"index", n - 1}, {"id", r.id}, {"overrides", overrides}});
        const fs::path dir = folder / r.id;
        write_file_atomic(dir / "run.json", json({{"schema", 1}, {"id", r.id}, {"overrides", overrides}}).dump());
        std::string metrics;
        for (int step : {100, 200, 300}) {
          const double scale = std::ldexp(1.0, 10 + step / 100);
          metrics += json({{"schema", 1}, {"step", step}, {"train_loss", 1.0 / step}, {"test_loss", 1.1 / step},
                           {"test_accuracy", r.accuracy}, {"loss_scale", scale}, {"skipped_steps", 0},
                           {"telemetry", {{"fc1/weight_grad", {{"zero_frac", 0.3 - step / 1000.0}}},
                                          {"fc1/activation", {{"zero_frac", 0.01}}}}}})
                         .dump() +
                     "\n";
        }
        write_file_atomic(dir / "metrics.jsonl", metrics);
        if (r.status != "incomplete")
          write_file_atomic(dir / "summary.json",
                            json({{"schema", 1},
                                  {"status", r.status},
                                  {"diverged_step", r.status == "diverged" ? json(250) : json(nullptr)},
                                  {"steps", 300},
                                  {"epochs", 1},
                                  {"final_test_accuracy", r.accuracy},
                                  {"best_test_accuracy", r.accuracy + 0.002},
                                  {"final_test_loss", r.status == "diverged" ? json(nullptr) : json(1.1 / 300)},
                                  {"final_train_loss", 1.0 / 300},
                                  {"skipped_steps", seed},
                                  {"final_loss_scale", 8192.0},
                                  {"telemetry_summary",
                                   {{"fc1/weight_grad", {{"zero_frac_mean", 0.1 * seed}, {"zero_frac_last", 0.0}}}}}})
                                .dump());
        runs.push_back(r);
      }
  write_file_atomic(folder / "sweep.json",
                    json({{"schema", 1},
                          {"name", "synthetic"},
                          {"description", "formats × rounding, a unit-test fixture"},
                          {"axes", {"/precision/format", "/precision/rounding", "/seed"}},
                          {"baseline", {{"/precision/format", "binary32"}}},
                          {"runs", index_runs}})
                        .dump());
  return runs;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, sep)) out.push_back(field);
  if (!line.empty() && line.back() == sep) out.push_back("");
  return out;
}

// Sample mean and std of the finished runs of one recipe, in %, computed here independently.
std::pair<double, double> expected_stats(const std::vector<SyntheticRun>& runs, const std::string& format,
                                         const std::string& rounding) {
  std::vector<double> v;
  for (const SyntheticRun& r : runs)
    if (r.format == format && r.rounding == rounding && r.status != "incomplete") v.push_back(100 * r.accuracy);
  double mean = 0, ss = 0;
  for (double x : v) mean += x / static_cast<double>(v.size());
  for (double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(v.size() - 1))};
}

struct Folder {
  fs::path path = fs::temp_directory_path() / ("fpsim_report_" + std::to_string(::getpid())) / "synthetic";
  Folder() { fs::remove_all(path.parent_path()); }
  ~Folder() { fs::remove_all(path.parent_path()); }
};

}  // namespace

TEST_CASE("summary.csv has one row per run with its swept values and results", "[report]") {
  Folder folder;
  const std::vector<SyntheticRun> runs = write_synthetic_sweep(folder.path);
  write_report(folder.path);
  std::istringstream csv(read_file(folder.path / "summary.csv"));
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> header = split(line, ',');
  REQUIRE(header[0] == "run_id");
  auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<size_t>(it - header.begin());
  };
  std::map<std::string, std::vector<std::string>> rows;
  while (std::getline(csv, line)) {
    const auto fields = split(line, ',');
    CHECK(fields.size() == header.size());
    CHECK(rows.emplace(fields[0], fields).second);
  }
  REQUIRE(rows.size() == runs.size());
  for (const SyntheticRun& r : runs) {
    INFO("run " << r.id);
    const auto& f = rows.at(r.id);
    CHECK(f[column("/precision/format")] == r.format);
    CHECK(f[column("/precision/rounding")] == r.rounding);
    CHECK(f[column("seed")] == std::to_string(r.seed));
    CHECK(f[column("status")] == r.status);
    if (r.status == "incomplete") {
      CHECK(f[column("final_test_accuracy")].empty());
      continue;
    }
    CHECK(std::stod(f[column("final_test_accuracy")]) == r.accuracy);
    CHECK(std::stod(f[column("best_test_accuracy")]) == r.accuracy + 0.002);
    CHECK(std::stod(f[column("skipped_steps")]) == r.seed);
    CHECK(std::stod(f[column("final_loss_scale")]) == 8192.0);
    CHECK(std::stod(f[column("fc1/weight_grad:zero_frac_mean")]) == 0.1 * r.seed);
    CHECK(f[column("diverged_step")] == (r.status == "diverged" ? "250" : ""));
    CHECK(f[column("final_test_loss")].empty() == (r.status == "diverged"));
  }
}

TEST_CASE("the accuracy table has mean ± std over seeds, deltas to the baseline and noise verdicts", "[report]") {
  Folder folder;
  const std::vector<SyntheticRun> runs = write_synthetic_sweep(folder.path);
  const ReportData data = load_report_data(folder.path);
  REQUIRE(data.recipes.size() == 6);
  const std::vector<RecipeRow> rows = recipe_rows(data);
  std::map<std::string, const RecipeRow*> by_label;
  for (const RecipeRow& r : rows) by_label[r.label] = &r;
  for (const std::string format : {"binary32", "e5m2", "e4m3"})
    for (const std::string rounding : {"rne", "sr"}) {
      const std::string label = "precision/format=" + format + ", precision/rounding=" + rounding;
      INFO(label);
      REQUIRE(by_label.count(label));
      const RecipeRow& row = *by_label[label];
      const auto [mean, std] = expected_stats(runs, format, rounding);
      CHECK(row.final_accuracy.mean == Approx(mean).epsilon(1e-12));
      CHECK(row.final_accuracy.std == Approx(std).epsilon(1e-9));
      const auto [base_mean, base_std] = expected_stats(runs, "binary32", rounding);
      if (format == "binary32") {
        CHECK(row.within_noise == "baseline");
      } else {
        CHECK(row.delta_pp == Approx(mean - base_mean).epsilon(1e-9));
      }
    }
  const RecipeRow& e5m2 = *by_label["precision/format=e5m2, precision/rounding=rne"];
  const RecipeRow& e4m3 = *by_label["precision/format=e4m3, precision/rounding=rne"];
  const RecipeRow& diverged = *by_label["precision/format=e4m3, precision/rounding=sr"];
  // e5m2: Δ = −0.2 pp, both stds 0.1, n = 3: Welch t = −2.449 with 4 degrees of freedom, p = 0.0705
  // (Student's t integrated numerically): not significant at 5 %, so within noise.
  CHECK(e5m2.p_value == Approx(0.07048).epsilon(1e-3));
  CHECK(e5m2.within_noise == "yes");
  // e4m3 (2 finished seeds): Δ = −0.05 pp against spreads of 0.14 and 0.1: within it.
  CHECK(e4m3.within_noise == "yes");
  CHECK(e4m3.finished == 2);
  CHECK(e4m3.runs == 3);
  CHECK(diverged.diverged == 1);
  CHECK(diverged.final_test_loss.n == 2);
  // Best of each column: the highest mean accuracy is binary32 with sr.
  for (const RecipeRow& r : rows)
    CHECK(r.best_final == (r.label == "precision/format=binary32, precision/rounding=sr"));
  size_t best_loss = 0;
  for (const RecipeRow& r : rows) best_loss += r.best_loss;
  CHECK(best_loss == 6);  // every recipe ends at the same test loss: all tie for best
}

TEST_CASE("the report pivots recipes by the sweep's axes, every plot is valid SVG, the HTML is self-contained",
          "[report]") {
  Folder folder;
  write_synthetic_sweep(folder.path);
  const std::vector<fs::path> written = write_report(folder.path);
  const std::string md = read_file(folder.path / "report.md");
  const std::string html = read_file(folder.path / "report.html");
  const ReportData data = load_report_data(folder.path);
  // Rows: the baseline's axis (formats); columns: rounding.
  CHECK(md.find("| precision/format \\ precision/rounding | rne | sr |") != std::string::npos);
  for (const std::string format : {"binary32", "e5m2", "e4m3"}) {
    CHECK(md.find("| `" + format + "` |") != std::string::npos);
    CHECK(html.find("<td>" + format + "</td>") != std::string::npos);
  }
  const Pivot pivot = build_pivot(data, recipe_rows(data));
  const std::vector<NamedPlot> plots = report_plots(data, pivot);
  std::vector<std::string> names;
  for (const NamedPlot& p : plots) names.push_back(p.file);
  CHECK(names == std::vector<std::string>{"accuracy_dots.svg", "format_grid_1.svg", "format_grid_2.svg",
                                          "train_loss_1_1.svg", "train_loss_2_1.svg", "test_loss_1_1.svg",
                                          "test_loss_2_1.svg", "loss_scale_1_1.svg", "loss_scale_2_1.svg",
                                          "telemetry_1.svg", "telemetry_2.svg", "telemetry_3.svg", "telemetry_4.svg"});
  for (const NamedPlot& p : plots) {
    INFO(p.file);
    const std::string svg = read_file(folder.path / "plots" / p.file);
    CHECK(svg == p.svg);
    CHECK(xml_problem(svg) == "");
    CHECK(md.find("(plots/" + p.file + ")") != std::string::npos);
  }
  // Telemetry heatmaps: every quantisation point is a row.
  CHECK(plots[9].svg.find(">fc1/weight_grad<") != std::string::npos);
  CHECK(plots[9].svg.find(">fc1/activation<") != std::string::npos);
  // Dot plot: a row per format, a facet per rounding, the baseline band named.
  CHECK(plots[0].svg.find(">e5m2<") != std::string::npos);
  CHECK(plots[0].svg.find("precision/rounding = sr") != std::string::npos);
  CHECK(plots[0].svg.find("grey band: binary32 mean ± std") != std::string::npos);
  // Loss curves: the baseline repeated dashed in each panel, labelled in full.
  CHECK(plots[3].svg.find(">binary32 (baseline)<") != std::string::npos);
  // Every inline SVG of the HTML parses; nothing is fetched from elsewhere; one section per page.
  size_t svgs = 0;
  for (size_t at = 0; (at = html.find("<svg", at)) != std::string::npos; ++svgs) {
    const size_t end = html.find("</svg>", at);
    REQUIRE(end != std::string::npos);
    CHECK(xml_problem(html.substr(at, end + 6 - at)) == "");
    at = end;
  }
  CHECK(svgs == plots.size());
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  // Written atomically: no temporary files remain; a stale plot of an older report is removed.
  CHECK(written.size() == plots.size() + 3);
  for (const auto& entry : fs::recursive_directory_iterator(folder.path))
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
  write_file_atomic(folder.path / "plots" / "accuracy_vs_format.svg", "<svg/>");
  write_report(folder.path);
  CHECK(!fs::exists(folder.path / "plots" / "accuracy_vs_format.svg"));
}

TEST_CASE("a folder without runs is an error naming it", "[report]") {
  const fs::path empty = fs::temp_directory_path() / ("fpsim_report_empty_" + std::to_string(::getpid()));
  fs::create_directories(empty);
  CHECK_THROWS_WITH(write_report(empty), Catch::Matchers::StartsWith(empty.string() + ": no runs found"));
  fs::remove_all(empty);
}
