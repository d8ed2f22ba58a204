#pragma once
// Dependency-free SVG charts for reports: lines over a numeric x axis, or points with error bars
// over named categories, with the legend below the plot (one full name per line, never cut). Output is a standalone,
// well-formed <svg> element (XML-escaped text), readable on its own and embeddable inline in HTML.
#include <string>
#include <vector>

namespace fpsim::io {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;   // numeric x, or category index for categorical plots
  std::vector<double> error;  // optional ± error bars (same length as y), categorical plots
  bool dashed = false;
  std::string colour;  // empty: the colour cycle's k-th colour
};

struct PlotSpec {
  std::string title, x_label, y_label;  // labels state units, e.g. "test accuracy (%)"
  bool log2_y = false;                  // y ticks at powers of two (loss scales)
  std::vector<std::string> categories;  // non-empty: categorical x axis, points not lines
  int width = 760, height = 420;        // plot page without the legend, which goes below it
};

/// Render a chart; non-finite points are skipped (lines break there). The y range is padded so lines at
/// the extremes (a loss scale at its maximum) stay inside the frame. Example:
/// svg_plot({"Loss", "step", "loss"}, {{"fp32", {0, 100}, {2.3, 0.4}}}) starts with "<svg".
std::string svg_plot(const PlotSpec& spec, const std::vector<PlotSeries>& series);

/// Escape &, <, >, " and ' for XML text and attributes. Example: xml_escape("a<b") == "a&lt;b".
std::string xml_escape(const std::string& text);

/// About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k).
/// Example: nice_ticks(0, 1, 5) == {0, 0.2, 0.4, 0.6, 0.8, 1}.
std::vector<double> nice_ticks(double lo, double hi, int count);

}  // namespace fpsim::io
