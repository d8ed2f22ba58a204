#pragma once
// The accuracy-vs-format table: per recipe, mean ± sample std over seeds, difference from the
// baseline recipe, and whether that difference is within seed-to-seed noise.
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
  std::optional<size_t> baseline;  // row index of the baseline recipe (itself for a baseline row)
  double delta_pp = 0;             // mean final accuracy − baseline's, percentage points
  double p_value = 0;              // Welch's t-test against the baseline, two-sided; NaN when not tested
  /// "baseline", "yes", "no", or "n/a" (fewer than 2 seeds on either side, or no baseline).
  /// Within noise: Welch's t-test does not reject equal means at the 5 % level (p >= 0.05).
  std::string within_noise;
  bool best_final = false, best_best = false, best_loss = false;  // best of its column
};

/// One row per recipe, in recipe order. Example: rows[0].final_accuracy.mean == 87.6.
std::vector<RecipeRow> recipe_rows(const ReportData& data);

/// "87.60 ± 0.12" (2 decimals; no "±" for a single value; "—" when n == 0).
/// Example: format_mean_std({87.6, 0.12, 3}, 2) == "87.60 ± 0.12".
std::string format_mean_std(const MeanStd& m, int decimals);

}  // namespace fpsim::io
