#pragma once
// Horizontal dot plot for many recipes: one row per recipe (sorted by the caller), a dot at the mean
// with a ± std bar, one facet per column value (e.g. model) side by side, and each row's reference
// recipe's mean ± std as a grey band behind it (one continuous band when all rows share a baseline; a
// comparison of two sweeps shows each sweep's own). Rows stay 20 px apart however many there are, so 30+
// recipes read as a list rather than a crowd of rotated labels.
#include <limits>
#include <string>
#include <vector>

namespace fpsim::io {

struct DotValue {
  double mean = std::numeric_limits<double>::quiet_NaN(), std = 0;
  size_t n = 0, diverged = 0;  // finished seeds with a value; seeds that diverged
};

struct DotPlotSpec {
  std::string title, x_label, reference_label;  // reference_label: "fp32 (baseline)"
  std::vector<std::string> facets, rows;
  std::vector<std::vector<DotValue>> values;  // [row][facet]
  std::vector<std::vector<DotValue>> reference;  // [row][facet]: the row's baseline; n == 0: no band there
  double min_spread = 0.5;          // floor of the interquartile range that decides outliers, in x units
  int outlier_decimals = 1;         // an outlier's printed value ("◀ 49.6")
  std::string outlier_example = "◀ 49.6";  // the key's example of an outlier: the side the worse ones fall on
};

/// The dot plot as a standalone <svg>. Example: dot_plot(spec).find("<circle") != npos.
std::string dot_plot(const DotPlotSpec& spec);

}  // namespace fpsim::io
