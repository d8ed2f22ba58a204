#pragma once
// `fpsim report A B`: two sweeps that share a baseline (e.g. paper_fp8 and recipes, both with
// "baseline": {"/precision": "fp32"}) in one report. Every run gains a "/sweep" value (its sweep's
// name), so each recipe is compared against the baseline of its own sweep; a pointer swept by only
// one sweep is read for the other's runs from their input_config.json, so the columns (e.g. model)
// line up.
#include <filesystem>
#include <vector>

#include "tools/report/data.h"

namespace fpsim::io {

/// One ReportData holding both sweeps. Throws std::runtime_error naming both sweep.json files when
/// their baselines differ or are missing. Example: merge_sweeps(a, b).recipes.size() == a + b recipes.
ReportData merge_sweeps(const ReportData& a, const ReportData& b);

/// Load both folders and write the comparison report into `out` (default: "<A>_vs_<B>" beside A).
/// Example: write_comparison("results/paper_fp8", "results/recipes", {}).
std::vector<std::filesystem::path> write_comparison(const std::filesystem::path& a, const std::filesystem::path& b,
                                                    std::filesystem::path out);

}  // namespace fpsim::io
