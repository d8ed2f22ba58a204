#pragma once
// The headline table: recipes as rows, the sweep's other dimension (e.g. model) as columns; each cell
// is the headline metric (headline.h: final test accuracy, or validation bits per byte for a language
// model) as `mean ± std (Δ)` over seeds, Δ against the baseline recipe of the same column, marked
// * (p < 0.05) or ** (p < 0.01) by Welch's t-test, the best of each column in bold. A language model's
// table adds its next-byte accuracy beside each column, unranked.
#include <limits>
#include <string>
#include <vector>

#include "tools/report/headline.h"
#include "tools/report/layout.h"
#include "tools/report/table.h"

namespace fpsim::io {

struct PivotCell {
  int recipe = -1;   // index into data.recipes, -1 for an empty cell
  MeanStd value;     // the headline metric in its unit, over the finished seeds
  MeanStd accuracy;  // final test accuracy in % (next-byte accuracy for a language model)
  size_t runs = 0, finished = 0, diverged = 0;
  bool baseline = false, best = false;  // best: best headline of its column
  int baseline_row = -1;  // pivot row of this cell's baseline (same column); -1: none
  double delta = std::numeric_limits<double>::quiet_NaN();     // headline − the column's baseline's
  double delta_pp = std::numeric_limits<double>::quiet_NaN();  // accuracy − the column's baseline's, pp
  double p_value = std::numeric_limits<double>::quiet_NaN();   // Welch's t-test of the headline, two-sided
};

struct Pivot {
  Headline headline = accuracy_headline();  // choose_headline(data)
  ReportLayout layout;
  std::string row_title, col_title;           // "precision", "model/type"
  std::vector<std::string> rows, cols;        // labels; one column (headline.column) for one dimension
  std::vector<std::vector<PivotCell>> cells;  // [row][col]
};

/// Pivot of the recipe rows by the report layout. Example: pivot.cells[1][0].delta_pp == -0.34.
Pivot build_pivot(const ReportData& data, const std::vector<RecipeRow>& rows);

/// "86.84 ± 0.95 (−0.34)" with " *"/" **" for significance, "diverged (3/3)", "—" for no result, and
/// ", 1/3 diverged" when some seeds diverged; decimals of the headline ("3.857 ± 0.004 (+0.045)").
/// Example: cell_text(c) == "87.17 ± 0.72".
std::string cell_text(const PivotCell& cell, const Headline& headline = accuracy_headline());

/// The unranked accuracy beside a language model's headline: "25.39 ± 0.12", "—" without a value.
/// Example: accuracy_text(c) == "25.39 ± 0.12".
std::string accuracy_text(const PivotCell& cell);

/// Markdown table with a line saying what the cells and marks mean.
/// Example: pivot_markdown(p) starts with "| precision \\ model/type | mlp | cnn |".
std::string pivot_markdown(const Pivot& pivot);

/// HTML <table> (class "pivot"); cells carry the p-value as a tooltip. Example: pivot_html(p) starts with "<table".
std::string pivot_html(const Pivot& pivot);

/// Markdown text with every '*' escaped (significance marks must not read as emphasis).
/// Example: escape_stars("1.0 **") == "1.0 \\*\\*".
std::string escape_stars(const std::string& text);

/// The sentence explaining cells, Δ and marks, shared by the Markdown and HTML reports and README's block.
/// Example: pivot_legend().rfind("Final test accuracy in %", 0) == 0.
std::string pivot_legend(const Headline& headline = accuracy_headline());

}  // namespace fpsim::io
