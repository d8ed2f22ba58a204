#pragma once
// The report's headline metric: the one number per run that the table, its Δ and significance marks,
// the bold "best", the dot plot, the heatmaps and README's block show. Chosen once, from the data:
// a language-model sweep (every run evaluated on text) is read in validation bits per byte, lower is
// better; anything else in final test accuracy (%), higher is better. Everything that names, formats
// or ranks the headline asks this descriptor, so no other file decides which kind of sweep it is.
#include <nlohmann/json.hpp>
#include <string>

#include "tools/report/data.h"

namespace fpsim::io {

struct Headline {
  std::string summary_key;  // summary.json field: "final_test_accuracy"
  double scale = 1;         // summary value × scale = shown value (accuracy: fraction → %)
  std::string name;         // "final test accuracy" (titles capitalise it)
  std::string column;       // table header and axis label: "final test accuracy (%)"
  std::string short_name;   // section headings: "Accuracy" ("Accuracy per recipe")
  std::string file_stem;    // plot files: "accuracy" (accuracy_dots.svg, accuracy_grid.svg)
  int decimals = 2;         // table cells and Δ (heatmap cells and outlier labels: one fewer)
  bool lower_is_better = false;
  std::string delta_unit;   // the legend's unit of Δ: "percentage points"
  std::string legend_lead;  // the legend's opening: "Final test accuracy in %"
  std::string last_value;   // what a diverged seed contributes: "last test accuracy" (before divergence)
  double heat_span = 5;     // heatmap colours span the best `heat_span` units; worse saturates
  double dot_spread = 0.5;  // dot plot: floor of the interquartile range that decides outliers
  /// Shown beside the headline, not ranked: LM sweeps keep next-byte accuracy visible ("" = none).
  std::string accuracy_column;
};

/// Final test accuracy in %, higher is better, 2 decimals, Δ in percentage points: every
/// non-language-model sweep, and the fallback. Example: accuracy_headline().column == "final test accuracy (%)".
const Headline& accuracy_headline();

/// Validation bits per byte, lower is better, 3 decimals, Δ in bits per byte; next-byte accuracy
/// beside it. Example: bits_per_byte_headline().summary_key == "final_test_bits_per_byte".
const Headline& bits_per_byte_headline();

/// The headline of a sweep: bits per byte when at least one finished run has a finite
/// final_test_bits_per_byte and every completed run does; accuracy otherwise (an image sweep, or a
/// comparison mixing an LM sweep with an image one). A diverged run may lack the value (it can
/// diverge before its first evaluation) without turning an LM sweep's report into accuracy.
/// Example: choose_headline(load_report_data("results/recipes_lm")).lower_is_better == true.
const Headline& choose_headline(const ReportData& data);

/// The shown value of one run's summary (NaN when absent). Example: headline_value(accuracy_headline(),
/// {{"final_test_accuracy", 0.876}}) == 87.6.
double headline_value(const Headline& h, const nlohmann::json& summary);

/// Whether mean `a` ranks above mean `b` under h. Example: better(bits_per_byte_headline(), 3.8, 3.9) == true.
bool better(const Headline& h, double a, double b);

/// Text with a capital first letter, for titles. Example: capitalised(accuracy_headline().name) == "Final test accuracy".
std::string capitalised(std::string text);

}  // namespace fpsim::io
