#pragma once
// Heatmap over two axes: final accuracy by exponent × mantissa bits, or the fraction flushed to zero
// per quantisation point × training step. Colour follows a viridis-like sequential scale with a colour
// bar; cells can carry their value as text and a mark (a red ✕ for a diverged cell).
#include <limits>
#include <string>
#include <vector>

namespace fpsim::io {

struct HeatmapSpec {
  std::string title, x_label, y_label, value_label;               // value_label titles the colour bar, with units
  std::vector<std::string> x_ticks, y_ticks;                      // column and row names, top row first
  std::vector<std::vector<double>> values;                        // [row][col]; NaN: no value
  std::vector<std::vector<bool>> diverged;                        // [row][col]; optional, drawn as a red ✕
  double lo = std::numeric_limits<double>::quiet_NaN(), hi = lo;  // colour range; NaN: the data's
  int decimals = 1;
  bool show_values = true;  // print each value in its cell
  double cell_w = 46, cell_h = 30;
  size_t x_label_every = 1;  // label every k-th column (many steps)
  // The best end of the scale is bright: the highest value, or with lower_is_better the lowest. A caller's
  // range clips the worse end (values below lo, or above hi with lower_is_better).
  bool lower_is_better = false;
};

/// The heatmap as a standalone <svg>. Example: heatmap(spec).find("<rect") != npos.
std::string heatmap(const HeatmapSpec& spec);

/// Colour of t in [0, 1] on the sequential scale (dark purple → yellow). Example: heat_colour(0) == "#440154".
std::string heat_colour(double t);

}  // namespace fpsim::io
