#pragma once
// The per-recipe table: mean ± sample std over seeds of the headline metric (headline.h) and the other
// summary numbers, the headline's difference from the baseline recipe, and whether that difference is
// within seed-to-seed noise.
#include <optional>
#include <string>
#include <vector>

#include "tools/report/data.h"

namespace fpsim::io {

/// Differences with a Welch p-value below this are marked significant (and not "within noise").
constexpr double significance_level = 0.05;

/// Mean and sample standard deviation (n-1) of the finite values; n counts them.
struct MeanStd {
  double mean = 0, std = 0;
  size_t n = 0;
};

/// Example: mean_std({1, 2, 3}) == {2, 1, 3}; NaNs are ignored.
MeanStd mean_std(const std::vector<double>& values);

struct RecipeRow {
  std::string label;
  size_t runs = 0, finished = 0, diverged = 0;  // finished = completed + diverged
  MeanStd final_accuracy, best_accuracy, final_test_loss, skipped_steps, final_loss_scale;  // accuracies in %
  MeanStd headline;                // the sweep's headline metric, in its unit (accuracy: == final_accuracy)
  std::optional<size_t> baseline;  // row index of the baseline recipe (itself for a baseline row)
  double delta_pp = 0;             // mean final accuracy − baseline's, percentage points
  double delta = 0;                // mean headline − baseline's, in the headline's unit
  double p_value = 0;              // Welch's t-test of the headline vs the baseline, two-sided; NaN when not tested
  /// "baseline", "yes", "no", or "n/a" (fewer than 2 seeds on either side, or no baseline).
  /// Within noise: Welch's t-test does not reject equal means at the 5 % level (p >= 0.05).
  std::string within_noise;
  bool best_final = false, best_best = false, best_loss = false;  // best of its column
  bool best_headline = false;  // best headline of the table (highest accuracy, or lowest bits per byte)
};

/// One row per recipe, in recipe order, the headline chosen by choose_headline(data).
/// Example: rows[0].final_accuracy.mean == 87.6.
std::vector<RecipeRow> recipe_rows(const ReportData& data);

/// "87.60 ± 0.12" (2 decimals; no "±" for a single value; "—" when n == 0).
/// Example: format_mean_std({87.6, 0.12, 3}, 2) == "87.60 ± 0.12".
std::string format_mean_std(const MeanStd& m, int decimals);

}  // namespace fpsim::io
