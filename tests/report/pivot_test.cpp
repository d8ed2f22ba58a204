// Pivot tables, report layout, Welch's test, comparing two sweeps and README's generated tables.
#include "tools/report/pivot.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "tools/io/atomic_file.h"
#include "tools/io/config_error.h"
#include "tools/report/compare.h"
#include "tools/report/layout.h"
#include "tools/report/readme_block.h"
#include "tools/report/welch.h"
#include "tools/report/write.h"
#include "tools/sweep/spec.h"
#include "../cli/run_cli.h"

using nlohmann::json;
using namespace fpsim::io;
namespace fs = std::filesystem;

namespace {

const json mlp = {{"type", "mlp"}, {"widths", {784, 10}}};
const json cnn = {{"type", "cnn"}, {"channels", {6, 16}}};

// models × precisions × 3 seeds; accuracy = base[precision] + model offset + 0.1 pp · seed, so every
// recipe's std is 0.1 pp. `report` goes into sweep.json as the runner writes it.
void write_sweep(const fs::path& folder, const std::string& name, const std::map<std::string, double>& base,
                 const json& report = json::object()) {
  json runs = json::array();
  int n = 0;
  for (const json& model : {mlp, cnn})
    for (const auto& [precision, accuracy] : base)
      for (int seed : {1, 2, 3}) {
        const std::string id = name + std::to_string(n++);
        const json overrides = {{"/model", model}, {"/precision", precision}, {"/seed", seed}};
        runs.push_back({{"index", n - 1}, {"id", id}, {"overrides", overrides}});
        write_file_atomic(folder / id / "run.json", json({{"schema", 1}, {"id", id}, {"overrides", overrides}}).dump());
        write_file_atomic(folder / id / "input_config.json",
                          json({{"model", model}, {"precision", precision}, {"seed", seed}, {"epochs", 3}}).dump());
        const double acc = accuracy + (model == cnn ? 0.01 : 0) + 0.001 * seed;
        const bool diverged = precision == "e4m3_all";
        write_file_atomic(folder / id / "summary.json",
                          json({{"schema", 1},
                                {"status", diverged ? "diverged" : "completed"},
                                {"final_test_accuracy", diverged ? json(nullptr) : json(acc)}})
                              .dump());
        write_file_atomic(
            folder / id / "metrics.jsonl",
            json({{"step", 100}, {"train_loss", 0.5}, {"test_loss", 0.6}, {"loss_scale", 1}}).dump() + "\n");
      }
  json index = {{"schema", 1},
                {"name", name},
                {"axes", {"/model", "/precision", "/seed"}},
                {"baseline", {{"/precision", "fp32"}}},
                {"runs", runs}};
  if (!report.empty()) index["report"] = report;
  write_file_atomic(folder / "sweep.json", index.dump());
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("fpsim_pivot_" + std::to_string(::getpid()));
  TempDir() { fs::remove_all(path); }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("Welch's t-test matches Student's t integrated numerically", "[report]") {
  // Reference p-values: Simpson integration of the t density (200000 intervals), independent of the code.
  CHECK(student_t_two_sided(2.449489742783178, 4) == Approx(0.0704840).epsilon(1e-5));
  CHECK(student_t_two_sided(2.776445105, 4) == Approx(0.05).epsilon(1e-6));
  CHECK(student_t_two_sided(12.7062, 1) == Approx(0.05).epsilon(1e-5));
  CHECK(student_t_two_sided(1.2, 7.5) == Approx(0.2666689).epsilon(1e-5));
  CHECK(student_t_two_sided(-0.3, 2.2) == Approx(0.7901812).epsilon(1e-5));
  const WelchResult w = welch_test(86.8, 0.1, 3, 87.0, 0.1, 3);
  CHECK(w.t == Approx(-2.449489742783178));
  CHECK(w.df == Approx(4));
  CHECK(w.p == Approx(0.0704840).epsilon(1e-5));
  CHECK(std::isnan(welch_test(1, 0.1, 1, 2, 0.1, 3).p));
  CHECK(welch_test(1, 0, 3, 1, 0, 3).p == 1);
  CHECK(welch_test(1, 0, 3, 2, 0, 3).p == 0);
}

TEST_CASE("the pivot puts recipes in rows and the chosen axis in columns", "[report]") {
  TempDir dir;
  write_sweep(dir.path, "paper", {{"fp32", 0.870}, {"fp8_a", 0.868}, {"fp8_b", 0.860}, {"e4m3_all", 0.1}},
              {{"rows", "/precision"}, {"cols", "/model/type"}});
  const ReportData data = load_report_data(dir.path);
  const Pivot p = build_pivot(data, recipe_rows(data));
  REQUIRE(p.cols == std::vector<std::string>{"mlp", "cnn"});
  REQUIRE(p.rows == std::vector<std::string>{"e4m3_all", "fp32", "fp8_a", "fp8_b"});  // sweep order (map sorted)
  CHECK(p.row_title == "precision");
  CHECK(p.col_title == "model/type");
  // fp8_b on the CNN: 86.0 + 1 + 0.2 = 87.2 vs 88.2 → Δ −1.00, stds 0.1, n 3: t = −12.2, p < 0.01.
  const PivotCell& b = p.cells[3][1];
  CHECK(b.accuracy.mean == Approx(87.2));
  CHECK(b.delta_pp == Approx(-1.0));
  CHECK(cell_text(b) == "87.20 ± 0.10 (-1.00) **");
  // fp8_a: Δ −0.20 → p = 0.0705, no mark; the baseline has no Δ; e4m3_all diverged everywhere.
  CHECK(cell_text(p.cells[2][0]) == "87.00 ± 0.10 (-0.20)");
  CHECK(cell_text(p.cells[1][0]) == "87.20 ± 0.10");
  CHECK(p.cells[1][0].baseline);
  CHECK(cell_text(p.cells[0][0]) == "diverged (3/3)");
  // Best per column: fp32.
  for (size_t r = 0; r < p.rows.size(); ++r) CHECK(p.cells[r][1].best == (r == 1));
  const std::string md = pivot_markdown(p);
  CHECK(md.rfind("| precision \\ model/type | mlp | cnn |\n|---|---|---|\n", 0) == 0);
  CHECK(md.find("| `fp32` | **87.20 ± 0.10** | **88.20 ± 0.10** |") != std::string::npos);
  CHECK(md.find("| `fp8_b` | 86.20 ± 0.10 (-1.00) \\*\\* | 87.20 ± 0.10 (-1.00) \\*\\* |") != std::string::npos);
  CHECK(pivot_html(p).find("title=\"Welch p = 0.0705\"") != std::string::npos);
}

TEST_CASE("default layout: rows hold the baseline's axis, columns the other; zipped pointers are one axis",
          "[report]") {
  TempDir dir;
  write_sweep(dir.path, "paper", {{"fp32", 0.870}, {"fp8_a", 0.868}});
  const ReportLayout layout = report_layout(load_report_data(dir.path));
  REQUIRE(layout.dims.size() == 2);
  CHECK(layout.dims[static_cast<size_t>(layout.rows)].title == "precision");
  CHECK(layout.dims[static_cast<size_t>(layout.cols)].title == "model");
  CHECK(layout.dims[static_cast<size_t>(layout.cols)].values == std::vector<std::string>{"mlp", "cnn"});
  // Two pointers that always change together (a zip group) form one dimension named by both.
  ReportData zipped;
  zipped.axes = {"/precision/weight/format", "/precision/grad/format", "/precision/weight/rounding", "/seed"};
  for (const std::string f : {"e4m3", "e5m2"})
    for (const std::string r : {"rne", "sr"})
      zipped.runs.push_back(
          RunResult{"x",
                    {{"/precision/weight/format", f}, {"/precision/grad/format", f}, {"/precision/weight/rounding", r}},
                    "completed",
                    "",
                    false,
                    nullptr,
                    {}});
  group_recipes(zipped);
  const ReportLayout z = report_layout(zipped);
  REQUIRE(z.dims.size() == 2);
  CHECK(z.dims[0].pointers.size() == 2);
  CHECK(z.dims[0].title == "precision/…/format");
  CHECK(z.dims[static_cast<size_t>(z.rows)].values ==
        std::vector<std::string>{"e4m3", "e5m2"});  // most values tie: first
}

TEST_CASE("report axes that are not swept are errors naming the file and JSON pointer", "[report]") {
  TempDir dir;
  write_sweep(dir.path, "paper", {{"fp32", 0.870}}, {{"rows", "/precision"}, {"cols", "/optimizer/lr"}});
  const ReportData data = load_report_data(dir.path);
  CHECK_THROWS_WITH(report_layout(data, "results/paper/sweep.json"),
                    "results/paper/sweep.json:/report/cols: /optimizer/lr is not a swept path nor inside one "
                    "(/seed is averaged over)");
  // The sweep file is checked the same way before any run starts.
  json sweep = {{"schema", 1},
                {"name", "s"},
                {"base", {{"seed", 1}}},
                {"axes", {{"/precision", {"fp32", "bf16"}}}},
                {"report", {{"rows", "/precison"}}}};
  CHECK_THROWS_WITH(parse_sweep(sweep, "experiments/s.json"),
                    Catch::Matchers::StartsWith("experiments/s.json:/report/rows: /precison is not a swept path"));
  sweep["report"] = {{"rows", "/precision"}, {"colums", "/model"}};
  CHECK_THROWS_WITH(parse_sweep(sweep, "experiments/s.json"),
                    "experiments/s.json:/report/colums: unknown key \"colums\" (expected rows, cols)");
  sweep["report"] = {{"rows", "/precision"}};
  CHECK(parse_sweep(sweep, "experiments/s.json").report == json({{"rows", "/precision"}}));
}

TEST_CASE("two sweeps sharing a baseline compare recipe by recipe, each against its own baseline", "[report]") {
  TempDir dir;
  write_sweep(dir.path / "a", "paper", {{"fp32", 0.870}, {"fp8_a", 0.868}});
  write_sweep(dir.path / "b", "recipes", {{"fp32", 0.871}, {"mx_fp8", 0.850}});
  const auto written = write_comparison(dir.path / "a", dir.path / "b", {});
  const fs::path out = dir.path / "paper_vs_recipes";
  CHECK(std::find(written.begin(), written.end(), out / "report.html") != written.end());
  const ReportData merged = merge_sweeps(load_report_data(dir.path / "a"), load_report_data(dir.path / "b"));
  CHECK(merged.recipes.size() == 8);
  const Pivot p = build_pivot(merged, recipe_rows(merged));
  CHECK(p.cols == std::vector<std::string>{"mlp", "cnn"});
  const auto row = [&](const std::string& label) {
    const auto it = std::find(p.rows.begin(), p.rows.end(), label);
    REQUIRE(it != p.rows.end());
    return static_cast<size_t>(it - p.rows.begin());
  };
  // mx_fp8 of "recipes" against recipes' own fp32 (87.1 + 0.2): Δ = −2.1 on the MLP.
  CHECK(p.cells[row("mx_fp8, sweep=recipes")][0].delta_pp == Approx(-2.1));
  CHECK(p.cells[row("fp8_a, sweep=paper")][0].delta_pp == Approx(-0.2));
  CHECK(p.cells[row("fp32, sweep=paper")][0].baseline);
  CHECK(p.cells[row("fp32, sweep=recipes")][0].baseline);
  // Sweeps with different baselines are refused, naming both.
  json index = json::parse(read_file(dir.path / "b" / "sweep.json"));
  index["baseline"] = {{"/precision", "mx_fp8"}};
  write_file_atomic(dir.path / "b" / "sweep.json", index.dump());
  CHECK_THROWS_WITH(write_comparison(dir.path / "a", dir.path / "b", dir.path / "out"),
                    Catch::Matchers::Contains("must share a baseline"));
  CHECK(!fs::exists(dir.path / "out"));
}

TEST_CASE("README's results tables are the committed reports' pivots", "[report]") {
  const char* source = std::getenv("FPSIM_SOURCE_DIR");
  REQUIRE(source != nullptr);
  const std::string readme = read_file(fs::path(source) / "README.md");
  size_t blocks = 0;
  for (const std::string name : {"paper_fp8", "format_sweep", "recipes", "recipes_lm", "lm_fp8", "resnet_fp8"}) {
    INFO(name << ": refresh with `fpsim report results/" << name << " --readme README.md`");
    const auto block = readme_block(readme, name);
    if (!block) continue;
    ++blocks;
    CHECK(*block == readme_table(load_report_data(fs::path(source) / "results" / name)));
  }
  CHECK(blocks == 6);  // every sweep above has its block in README
  // The block is found between its markers and replaced in place.
  TempDir dir;
  write_sweep(dir.path / "paper", "paper", {{"fp32", 0.870}});
  write_file_atomic(dir.path / "R.md",
                    "intro\n<!-- report-table:paper -->\nSTALE TABLE\n<!-- /report-table:paper -->\nend\n");
  update_readme_block(dir.path / "R.md", dir.path / "paper");
  const std::string text = read_file(dir.path / "R.md");
  CHECK(text.find("STALE TABLE") == std::string::npos);
  CHECK(text.find("| `fp32` | **87.20 ± 0.10** | **88.20 ± 0.10** |") != std::string::npos);
  CHECK(text.rfind("intro\n", 0) == 0);
  CHECK(text.substr(text.size() - 4) == "end\n");
  write_file_atomic(dir.path / "S.md", "no markers\n");
  CHECK_THROWS_WITH(update_readme_block(dir.path / "S.md", dir.path / "paper"),
                    Catch::Matchers::Contains("no block <!-- report-table:paper -->"));
}

TEST_CASE("two numeric axes give an accuracy heatmap in numeric order, diverged cells crossed out", "[report]") {
  ReportData data;
  data.axes = {"/optimizer/lr", "/epochs", "/seed"};
  for (double lr : {0.1, 0.01, 0.05})
    for (int epochs : {3, 1})
      for (int seed : {1, 2}) {
        const bool diverged = lr == 0.1 && epochs == 3;
        data.runs.push_back(
            RunResult{"r",
                      {{"/optimizer/lr", lr}, {"/epochs", epochs}, {"/seed", seed}},
                      diverged ? "diverged" : "completed",
                      "",
                      false,
                      {{"final_test_accuracy", diverged ? json(nullptr) : json(0.8 + lr + 0.01 * epochs)}},
                      {}});
      }
  group_recipes(data);
  const Pivot p = build_pivot(data, recipe_rows(data));
  const std::vector<NamedPlot> plots = report_plots(data, p);
  const auto grid =
      std::find_if(plots.begin(), plots.end(), [](const NamedPlot& n) { return n.file == "accuracy_grid.svg"; });
  REQUIRE(grid != plots.end());
  // Rows (lr, most values) ascending 0.01, 0.05, 0.1; columns (epochs) 1, 3; lr 0.01 / 1 epoch = 82.0 %.
  const std::string& svg = grid->svg;
  CHECK(svg.find(">0.01<") < svg.find(">0.05<"));
  CHECK(svg.find(">0.05<") < svg.find(">0.1<"));
  CHECK(svg.find(">82.0<") != std::string::npos);
  CHECK(svg.find("✕") != std::string::npos);
}

TEST_CASE("fpsim report A B writes the comparison; unshared baselines and bad axes exit 2 writing nothing",
          "[report]") {
  TempDir dir;
  write_sweep(dir.path / "a", "paper", {{"fp32", 0.870}, {"fp8_a", 0.868}});
  write_sweep(dir.path / "b", "recipes", {{"fp32", 0.871}, {"mx_fp8", 0.850}});
  const auto ok = fpsim::test::run_fpsim("report " + (dir.path / "a").string() + " " + (dir.path / "b").string() +
                                         " --out " + (dir.path / "cmp").string());
  CHECK(ok.status == 0);
  CHECK(fs::exists(dir.path / "cmp" / "report.html"));
  CHECK(read_file(dir.path / "cmp" / "report.md").find("| `mx_fp8, sweep=recipes` |") != std::string::npos);
  json index = json::parse(read_file(dir.path / "b" / "sweep.json"));
  index["baseline"] = {{"/precision", "mx_fp8"}};
  write_file_atomic(dir.path / "b" / "sweep.json", index.dump());
  const auto refused = fpsim::test::run_fpsim("report " + (dir.path / "a").string() + " " +
                                              (dir.path / "b").string() + " --out " + (dir.path / "out").string());
  CHECK(refused.status == 2);
  CHECK(refused.err.find("must share a baseline") != std::string::npos);
  CHECK(!fs::exists(dir.path / "out"));
  index["baseline"] = {{"/precision", "fp32"}};
  index["report"] = {{"cols", "/optimizer"}};
  write_file_atomic(dir.path / "b" / "sweep.json", index.dump());
  const auto bad = fpsim::test::run_fpsim("report " + (dir.path / "b").string());
  CHECK(bad.status == 2);
  CHECK(bad.err.find((dir.path / "b" / "sweep.json").string() + ":/report/cols: /optimizer is not a swept path") !=
        std::string::npos);
  CHECK(!fs::exists(dir.path / "b" / "report.html"));
}
