#include "tools/report/dot_plot.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "tools/report/internal/svg_parts.h"
#include "tools/report/svg_plot.h"

namespace fpsim::io {

namespace {

constexpr double row_h = 20, facet_w = 300, gap = 44, top = 78, bottom = 46;
constexpr const char* dot_colour = "#4e79a7";
constexpr const char* partial_colour = "#f28e2b";   // some seeds diverged
constexpr const char* diverged_colour = "#c0392b";  // every seed diverged

// x range of one facet: the means and ± std bars of the bulk of the recipes and the reference band, padded 5 %,
// widened to round ticks. Far outliers (beyond 3 interquartile ranges of the means, the range floored at 0.5 pp)
// would squeeze every other recipe into a few pixels: they are left out of the range and drawn as an arrow at
// the edge with their value, so a recipe at 49 % does not hide a 0.3 pp difference between the others at 87 %.
// The floor is spec.min_spread (0.5 for accuracy in pp; a bits-per-byte plot uses a smaller one).
std::pair<double, double> facet_range(const DotPlotSpec& spec, size_t facet, std::vector<double>& ticks,
                                      std::pair<double, double>& inliers) {
  std::vector<double> means;
  for (const auto& row : spec.values)
    if (row[facet].n && std::isfinite(row[facet].mean)) means.push_back(row[facet].mean);
  std::sort(means.begin(), means.end());
  inliers = {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  if (means.size() >= 4) {
    const double q1 = means[means.size() / 4], q3 = means[(3 * means.size()) / 4];
    const double iqr = std::max(q3 - q1, spec.min_spread);
    inliers = {q1 - 3 * iqr, q3 + 3 * iqr};
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  auto take = [&](const DotValue& v) {
    if (v.n == 0 || !std::isfinite(v.mean) || v.mean < inliers.first || v.mean > inliers.second) return;
    lo = std::min(lo, std::max(v.mean - v.std, inliers.first)),
    hi = std::max(hi, std::min(v.mean + v.std, inliers.second));
  };
  for (const auto& row : spec.values) take(row[facet]);
  for (const auto& row : spec.reference) take(row[facet]);
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
  const double pad = 0.05 * (hi - lo);
  ticks = nice_ticks(lo - pad, hi + pad, 4);
  return {ticks.front(), ticks.back()};
}

std::string draw_facet(const DotPlotSpec& spec, size_t facet, double x0) {
  std::vector<double> ticks;
  std::pair<double, double> inliers;
  const auto [lo, hi] = facet_range(spec, facet, ticks, inliers);
  const double plot_h = row_h * static_cast<double>(spec.rows.size());
  auto px = [&](double v) { return x0 + (v - lo) / (hi - lo) * facet_w; };
  auto row_y = [&](size_t r) { return top + row_h * (static_cast<double>(r) + 0.5); };
  std::string svg =
      fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\n",
                  x0 + facet_w / 2, top - 8, xml_escape(spec.facets[facet]));
  for (size_t r = 1; r < spec.rows.size(); r += 2)  // zebra rows guide the eye from label to dot
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#f5f5f5\"/>\n", x0,
                       top + row_h * static_cast<double>(r), facet_w, row_h);
  for (double t : ticks) {
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#e0e0e0\"/>\n",
                       px(t), top, top + plot_h);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", px(t), top + plot_h + 16,
                       svg::tick_text(t));
  }
  for (size_t r = 0; r < spec.rows.size() && r < spec.reference.size(); ++r) {  // band pieces, one per row
    const DotValue& ref = spec.reference[r][facet];
    if (ref.n == 0) continue;
    const double a = px(std::clamp(ref.mean - ref.std, lo, hi)), b = px(std::clamp(ref.mean + ref.std, lo, hi));
    const double y0 = top + row_h * static_cast<double>(r);
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#bbbbbb\" "
        "fill-opacity=\"0.45\"/>\n",
        a, y0, std::max(1.0, b - a), row_h);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#555\"/>\n",
                       px(std::clamp(ref.mean, lo, hi)), y0, y0 + row_h);
  }
  for (size_t r = 0; r < spec.rows.size(); ++r) {
    const DotValue& v = spec.values[r][facet];
    const double y = row_y(r);
    if (v.n == 0) {
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"{}\">{}</text>\n", x0 + 6, y + 4,
                         v.diverged ? diverged_colour : "#999", v.diverged ? "✕ diverged" : "no result");
      continue;
    }
    const char* colour = v.diverged ? partial_colour : dot_colour;
    if (v.mean < lo || v.mean > hi) {  // an outlier: an arrow at the edge it lies beyond, with its value
      const bool left = v.mean < lo;
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" fill=\"{}\">{} {:.{}f}{}</text>\n",
                         left ? x0 + 4 : x0 + facet_w - 4, y + 4, left ? "start" : "end", colour, left ? "◀" : "",
                         v.mean, spec.outlier_decimals, left ? "" : " ▶");
      continue;
    }
    if (v.std > 0)  // the bar is clipped to the facet
      svg += fmt::format(
          "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
          "stroke-width=\"1.5\"/>\n",
          px(std::max(lo, v.mean - v.std)), y, px(std::min(hi, v.mean + v.std)), y, colour);
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/>\n", px(v.mean), y, colour);
  }
  svg += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" stroke=\"#333\"/>\n", x0, top,
      facet_w, plot_h);
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x0 + facet_w / 2,
                     top + plot_h + bottom - 10, xml_escape(spec.x_label));
  return svg;
}

}  // namespace

std::string dot_plot(const DotPlotSpec& spec) {
  double label_w = 0;
  for (const std::string& r : spec.rows) label_w = std::max(label_w, svg::text_width(r, 12));
  const double left = label_w + 16;
  const std::string key =
      "● mean ± std over seeds    ● some seeds diverged    ✕ every seed diverged    " + spec.outlier_example +
      ": off the scale" +
      (spec.reference_label.empty() ? std::string() : "    grey band: " + spec.reference_label + " mean ± std");
  const double facets_w = static_cast<double>(spec.facets.size()) * (facet_w + gap);
  const double width = std::max({left + facets_w, 10 + svg::text_width(key, 12), 10 + svg::text_width(spec.title, 14)});
  const double height = top + row_h * static_cast<double>(spec.rows.size()) + bottom;
  std::string svg = svg::open(width, height, 8, spec.title);
  // Key line, each symbol in its colour.
  svg += fmt::format(
      "<text x=\"8\" y=\"42\" style=\"white-space: pre\">"
      "<tspan fill=\"{}\">●</tspan> mean ± std over seeds    <tspan fill=\"{}\">●</tspan> some seeds diverged    "
      "<tspan fill=\"{}\">✕</tspan> every seed diverged    {}: off the scale{}</text>\n",
      dot_colour, partial_colour, diverged_colour, xml_escape(spec.outlier_example),
      spec.reference_label.empty() ? "" : "    grey band: " + xml_escape(spec.reference_label) + " mean ± std");
  for (size_t r = 0; r < spec.rows.size(); ++r)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 8,
                       top + row_h * (static_cast<double>(r) + 0.5) + 4, xml_escape(spec.rows[r]));
  for (size_t f = 0; f < spec.facets.size(); ++f)
    svg += draw_facet(spec, f, left + static_cast<double>(f) * (facet_w + gap));
  return svg + "</svg>\n";
}

}  // namespace fpsim::io
