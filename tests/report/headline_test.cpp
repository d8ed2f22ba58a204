// The headline metric follows the data: a language-model sweep is reported in validation bits per byte
// (lower is better) with its next-byte accuracy beside it; a sweep where a completed run lacks bits per
// byte falls back to final test accuracy.
#include "tools/report/headline.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <catch2/catch.hpp>

#include "tools/io/atomic_file.h"
#include "tools/report/compare.h"
#include "tools/report/heatmap.h"
#include "tools/report/pivot.h"
#include "tools/report/readme_block.h"
#include "tools/report/table.h"
#include "tools/report/write.h"
#include "xml_check.h"

using nlohmann::json;
using namespace fpsim::io;
namespace fs = std::filesystem;

namespace {

struct LmRecipe {
  std::string precision;
  double bits_per_byte, accuracy;  // seed 1 has + 0.01 bits and + 0.1 pp, seed 2 twice that, seed 3 three times
};

// fp32 (the baseline) 3.820 bits, fp8_a 3.865 (+0.045: 5.5 stds of the difference, p ≈ 0.005) and fp8_b 3.810
// (−0.010, within noise) over 3 seeds each, every std 0.010 bits. Next-byte accuracy ranks them the other way
// round (fp8_a highest), so a report that picked its best by accuracy, or by the maximum, would bold fp8_a.
const std::vector<LmRecipe> lm_recipes = {{"fp32", 3.800, 0.260}, {"fp8_a", 3.845, 0.270}, {"fp8_b", 3.790, 0.250}};

// A sweep as the runner writes it, every summary.json with final_test_bits_per_byte. `edit(summary, recipe,
// seed)` may change a run's summary before it is written (drop the key, mark it diverged).
void write_lm_sweep(const fs::path& folder, const std::string& name,
                    const std::function<void(json&, const LmRecipe&, int)>& edit = {}) {
  json runs = json::array();
  int n = 0;
  for (const LmRecipe& recipe : lm_recipes)
    for (int seed : {1, 2, 3}) {
      const std::string id = name + std::to_string(n++);
      const json overrides = {{"/precision", recipe.precision}, {"/seed", seed}};
      runs.push_back({{"index", n - 1}, {"id", id}, {"overrides", overrides}});
      write_file_atomic(folder / id / "run.json", json({{"schema", 1}, {"id", id}, {"overrides", overrides}}).dump());
      write_file_atomic(folder / id / "input_config.json",
                        json({{"model", {{"type", "transformer"}}}, {"precision", recipe.precision}}).dump());
      const double bpb = recipe.bits_per_byte + 0.01 * seed, acc = recipe.accuracy + 0.001 * seed;
      json summary = {{"schema", 1},
                      {"status", "completed"},
                      {"diverged_step", nullptr},
                      {"steps", 400},
                      {"final_test_accuracy", acc},
                      {"best_test_accuracy", acc},
                      {"final_test_loss", bpb * std::log(2.0)},
                      {"final_test_bits_per_byte", bpb},
                      {"final_train_loss", bpb * std::log(2.0)},
                      {"skipped_steps", 0},
                      {"final_loss_scale", 1.0}};
      if (edit) edit(summary, recipe, seed);
      write_file_atomic(folder / id / "summary.json", summary.dump());
      write_file_atomic(folder / id / "metrics.jsonl",
                        json({{"step", 400}, {"train_loss", 2.6}, {"test_loss", 2.65}, {"test_accuracy", acc},
                              {"test_bits_per_byte", bpb}, {"loss_scale", 1}})
                                .dump() +
                            "\n");
    }
  write_file_atomic(folder / "sweep.json", json({{"schema", 1},
                                                 {"name", name},
                                                 {"description", "a byte-level LM fixture"},
                                                 {"axes", {"/precision", "/seed"}},
                                                 {"baseline", {{"/precision", "fp32"}}},
                                                 {"runs", runs}})
                                               .dump());
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("fpsim_headline_" + std::to_string(::getpid()));
  TempDir() { fs::remove_all(path); }
  ~TempDir() { fs::remove_all(path); }
};

size_t row_of(const Pivot& p, const std::string& label) {
  const auto it = std::find(p.rows.begin(), p.rows.end(), label);
  REQUIRE(it != p.rows.end());
  return static_cast<size_t>(it - p.rows.begin());
}

std::string unwrapped(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

TEST_CASE("a language-model sweep is headlined in validation bits per byte, lower is better", "[report]") {
  TempDir dir;
  write_lm_sweep(dir.path / "lm", "lm");
  const ReportData data = load_report_data(dir.path / "lm");
  const Headline& h = choose_headline(data);
  CHECK(h.summary_key == "final_test_bits_per_byte");
  CHECK(h.lower_is_better);

  // Rows: means, Δ in bits (positive = worse than the baseline), Welch's test on the bits, best = the minimum.
  const std::vector<RecipeRow> rows = recipe_rows(data);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].headline.mean == Approx(3.820));
  CHECK(rows[1].headline.mean == Approx(3.865));
  CHECK(rows[1].headline.std == Approx(0.010));
  CHECK(rows[1].delta == Approx(0.045));
  CHECK(rows[2].delta == Approx(-0.010));
  CHECK(rows[1].within_noise == "no");   // t = 0.045 / (0.01 · √(2/3)) = 5.51, df 4: p ≈ 0.005
  CHECK(rows[2].within_noise == "yes");  // t = −1.22: p ≈ 0.29
  CHECK(rows[1].p_value < 0.01);
  for (size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].best_headline == (i == 2));
  CHECK(rows[1].best_final);  // the highest accuracy is still known, just not the headline

  // The table: 3 decimals, Δ in bits, the lowest in bold, next-byte accuracy beside it and not ranked.
  const Pivot p = build_pivot(data, rows);
  CHECK(p.cols == std::vector<std::string>{"validation bits per byte"});
  const PivotCell& a = p.cells[row_of(p, "fp8_a")][0];
  const PivotCell& b = p.cells[row_of(p, "fp8_b")][0];
  CHECK(cell_text(a, p.headline) == "3.865 ± 0.010 (+0.045) **");
  CHECK(cell_text(b, p.headline) == "3.810 ± 0.010 (-0.010)");
  CHECK(b.best);
  CHECK(!a.best);
  CHECK(!p.cells[row_of(p, "fp32")][0].best);
  const std::string md = pivot_markdown(p);
  CHECK(md.rfind("| precision | validation bits per byte | next-byte accuracy (%) |\n|---|---|---|\n", 0) == 0);
  CHECK(md.find("| `fp8_b` | **3.810 ± 0.010 (-0.010)** | 25.20 ± 0.10 |") != std::string::npos);
  CHECK(md.find("| `fp8_a` | 3.865 ± 0.010 (+0.045) \\*\\* | 27.20 ± 0.10 |") != std::string::npos);
  CHECK(md.find("| `fp32` | 3.820 ± 0.010 | 26.20 ± 0.10 |") != std::string::npos);
  const std::string html = pivot_html(p);
  CHECK(html.find("<th>next-byte accuracy (%)</th>") != std::string::npos);
  const size_t best_cell = html.find("<td class=\"best\" title=\"Welch p = ");
  REQUIRE(best_cell != std::string::npos);
  CHECK(html.find(">3.810 ± 0.010 (-0.010)</td><td>25.20 ± 0.10</td>", best_cell) ==
        html.find('>', best_cell));  // the bold cell is fp8_b's, its accuracy unranked beside it
}

TEST_CASE("an LM report names bits per byte in its text, plots and summary.csv", "[report]") {
  TempDir dir;
  write_lm_sweep(dir.path / "lm", "lm");
  const std::vector<fs::path> written = write_report(dir.path / "lm");
  const std::string md = read_file(dir.path / "lm" / "report.md");
  const std::string html = read_file(dir.path / "lm" / "report.html");
  CHECK(md.find("Validation bits per byte (held-out cross-entropy / ln 2; lower is better), mean ± sample std") !=
        std::string::npos);
  CHECK(md.find("(Δ) in bits per byte against the baseline") != std::string::npos);
  CHECK(md.find("the best (lowest) of each column in bold") != std::string::npos);
  CHECK(md.find("Final test accuracy in %") == std::string::npos);
  CHECK(html.find("Validation bits per byte (held-out") != std::string::npos);
  CHECK(html.find("Final test accuracy in %") == std::string::npos);
  CHECK(md.find("## Bits per byte per recipe") != std::string::npos);
  // The dot plot: bits per byte on the axis, best (lowest) first.
  CHECK(!fs::exists(dir.path / "lm" / "plots" / "accuracy_dots.svg"));
  const std::string dots = read_file(dir.path / "lm" / "plots" / "bits_per_byte_dots.svg");
  CHECK(fpsim::test::xml_problem(dots) == "");
  CHECK(dots.find(">validation bits per byte<") != std::string::npos);
  CHECK(dots.find("Validation bits per byte per recipe, best first") != std::string::npos);
  CHECK(dots.find(">fp8_b<") < dots.find(">fp32<"));
  CHECK(dots.find(">fp32<") < dots.find(">fp8_a<"));
  // summary.csv gains the bits-per-byte column after final_test_loss.
  const std::string csv = read_file(dir.path / "lm" / "summary.csv");
  CHECK(csv.substr(0, csv.find('\n')).find(",final_test_loss,final_test_bits_per_byte,final_train_loss,") !=
        std::string::npos);
  CHECK(std::find(written.begin(), written.end(), dir.path / "lm" / "plots" / "bits_per_byte_dots.svg") !=
        written.end());
}

TEST_CASE("README's block of an LM sweep is its bits-per-byte table", "[report]") {
  TempDir dir;
  write_lm_sweep(dir.path / "lm", "lm");
  write_file_atomic(dir.path / "R.md", "intro\n<!-- report-table:lm -->\nSTALE\n<!-- /report-table:lm -->\nend\n");
  update_readme_block(dir.path / "R.md", dir.path / "lm");
  const std::string text = read_file(dir.path / "R.md");
  const auto block = readme_block(text, "lm");
  REQUIRE(block);
  CHECK(block->find("| precision | validation bits per byte | next-byte accuracy (%) |") != std::string::npos);
  CHECK(block->find("| `fp8_b` | **3.810 ± 0.010 (-0.010)** | 25.20 ± 0.10 |") != std::string::npos);
  CHECK(unwrapped(*block).find("Validation bits per byte (held-out cross-entropy / ln 2; lower is better)") !=
        std::string::npos);
  CHECK(unwrapped(*block).find("(Δ) in bits per byte") != std::string::npos);
  CHECK(block->find("percentage points") == std::string::npos);
}

TEST_CASE("two LM sweeps compared keep bits per byte, each recipe against its own baseline", "[report]") {
  TempDir dir;
  write_lm_sweep(dir.path / "a", "lm_a");
  write_lm_sweep(dir.path / "b", "lm_b", [](json& s, const LmRecipe&, int) {
    s["final_test_bits_per_byte"] = s["final_test_bits_per_byte"].get<double>() + 0.5;  // a worse model
  });
  const ReportData merged = merge_sweeps(load_report_data(dir.path / "a"), load_report_data(dir.path / "b"));
  CHECK(choose_headline(merged).lower_is_better);
  const Pivot p = build_pivot(merged, recipe_rows(merged));
  REQUIRE(p.cols == std::vector<std::string>{"lm_a", "lm_b"});
  CHECK(p.cells[row_of(p, "fp8_a")][1].delta == Approx(0.045));  // against lm_b's own fp32, not lm_a's
  CHECK(p.cells[row_of(p, "fp8_b")][0].best);
  CHECK(p.cells[row_of(p, "fp8_b")][1].best);
  CHECK(pivot_markdown(p).rfind("| precision \\ sweep | lm_a | lm_a: next-byte accuracy (%) | lm_b | lm_b: next-byte "
                                "accuracy (%) |\n|---|---|---|---|---|\n",
                                0) == 0);
}

TEST_CASE("a sweep where a completed run lacks bits per byte is headlined in accuracy", "[report]") {
  TempDir dir;
  // One completed run (an image model, or a run from before bits per byte were recorded) without the value.
  write_lm_sweep(dir.path / "mixed", "mixed", [](json& s, const LmRecipe& r, int seed) {
    if (r.precision == "fp8_a" && seed == 2) s.erase("final_test_bits_per_byte");
  });
  const ReportData data = load_report_data(dir.path / "mixed");
  CHECK(choose_headline(data).summary_key == "final_test_accuracy");
  const Pivot p = build_pivot(data, recipe_rows(data));
  CHECK(p.cols == std::vector<std::string>{"final test accuracy (%)"});
  CHECK(p.cells[row_of(p, "fp8_a")][0].best);  // highest accuracy
  CHECK(cell_text(p.cells[row_of(p, "fp8_a")][0], p.headline) == "27.20 ± 0.10 (+1.00) **");
  write_report(dir.path / "mixed");
  const std::string md = read_file(dir.path / "mixed" / "report.md");
  CHECK(md.find("Final test accuracy in %, mean ± sample std") != std::string::npos);
  CHECK(md.find("| precision | final test accuracy (%) |\n") != std::string::npos);
  CHECK(md.find("bits per byte") == std::string::npos);
  CHECK(fs::exists(dir.path / "mixed" / "plots" / "accuracy_dots.svg"));

  // A seed that diverged before its first evaluation has no value and keeps the sweep in bits per byte.
  write_lm_sweep(dir.path / "div", "div", [](json& s, const LmRecipe& r, int seed) {
    if (r.precision != "fp8_a" || seed != 3) return;
    s["status"] = "diverged", s["diverged_step"] = 3, s["final_test_accuracy"] = nullptr;
    s.erase("final_test_bits_per_byte");
  });
  const ReportData div = load_report_data(dir.path / "div");
  CHECK(choose_headline(div).lower_is_better);
  const Pivot q = build_pivot(div, recipe_rows(div));
  // fp8_a from seeds 1 and 2: 3.855 and 3.865 bits.
  const std::string text = cell_text(q.cells[row_of(q, "fp8_a")][0], q.headline);
  CHECK_THAT(text, Catch::Matchers::StartsWith("3.860 ± 0.007 (+0.040)") &&
                       Catch::Matchers::EndsWith(", 1/3 diverged"));
}

TEST_CASE("a lower-is-better heatmap is brightest at its lowest value and clips the high end", "[report]") {
  HeatmapSpec spec;
  spec.title = "t", spec.x_label = "x", spec.y_label = "y", spec.value_label = "validation bits per byte";
  spec.x_ticks = {"a", "b", "c"}, spec.y_ticks = {"r"};
  spec.values = {{3.8, 4.3, 5.0}};
  spec.lo = 3.8, spec.hi = 4.3, spec.decimals = 2, spec.lower_is_better = true;
  const std::string svg = heatmap(spec);
  CHECK(fpsim::test::xml_problem(svg) == "");
  const size_t first = svg.find("width=\"46.0\"");  // the first cell (the background is the first <rect>)
  REQUIRE(first != std::string::npos);
  CHECK(svg.substr(first, svg.find('\n', first) - first).find("fill=\"" + heat_colour(1) + "\"") != std::string::npos);
  CHECK(svg.find(">≥ 4.30<") != std::string::npos);
  CHECK(svg.find(">3.80<") != std::string::npos);
}
