#include "tools/report/heatmap.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "tools/report/internal/svg_parts.h"
#include "tools/report/svg_plot.h"

namespace fpsim::io {

namespace {
// Five viridis stops; linear interpolation between them is close enough for reading values off cells.
constexpr unsigned char stops[5][3] = {
    {0x44, 0x01, 0x54}, {0x3b, 0x52, 0x8b}, {0x21, 0x91, 0x8c}, {0x5e, 0xc9, 0x62}, {0xfd, 0xe7, 0x25}};
}  // namespace

std::string heat_colour(double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * 4;
  const size_t i = std::min<size_t>(3, static_cast<size_t>(t));
  const double f = t - static_cast<double>(i);
  auto mix = [&](int c) { return static_cast<int>(std::lround(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]))); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(0), mix(1), mix(2));
}

std::string heatmap(const HeatmapSpec& spec) {
  // 1. Colour range over finite values.
  double lo = spec.lo, hi = spec.hi;
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& row : spec.values)
      for (double v : row)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!std::isfinite(lo)) lo = 0, hi = 1;
  }
  if (hi <= lo) hi = lo + 1;
  // Values beyond a caller's range at the worse end take its colour; the bar says so ("≤ 81.6", "≥ 4.36").
  bool clipped = false;
  for (const auto& row : spec.values)
    for (double v : row) clipped = clipped || (std::isfinite(v) && (spec.lower_is_better ? v > hi : v < lo));
  // Position on the colour scale, 1 = the bright (best) end.
  auto scale_t = [&](double v) { return spec.lower_is_better ? (hi - v) / (hi - lo) : (v - lo) / (hi - lo); };
  // 2. Layout: row names and the rotated y label on the left, colour bar on the right.
  double y_tick_w = 0;
  for (const std::string& t : spec.y_ticks) y_tick_w = std::max(y_tick_w, svg::text_width(t, 12));
  const double left = 34 + y_tick_w + 8, top = 40;
  const double grid_w = spec.cell_w * static_cast<double>(spec.x_ticks.size());
  const double grid_h = spec.cell_h * static_cast<double>(spec.y_ticks.size());
  const double bar_x = left + grid_w + 24,
               bar_h = std::max({grid_h, 120.0, svg::text_width(spec.value_label, 11) + 10});
  const char* hi_mark = clipped && spec.lower_is_better ? "≥ " : "";
  const char* lo_mark = clipped && !spec.lower_is_better ? "≤ " : "";
  const std::string hi_text = fmt::format("{}{:.{}f}", hi_mark, hi, spec.decimals);
  const std::string lo_text = fmt::format("{}{:.{}f}", lo_mark, lo, spec.decimals);
  const double bar_label_w = std::max(svg::text_width(hi_text, 11), svg::text_width(lo_text, 11));
  const double width = std::max({bar_x + 14 + 6 + bar_label_w + 22, left + svg::text_width(spec.x_label, 12),
                                 8 + svg::text_width(spec.title, 14)}) +
                       8;
  const double height = top + std::max(grid_h, bar_h) + 44;
  std::string svg = svg::open(width, height, 8, spec.title);
  // 3. Cells with values (text dark on light cells, light on dark) and marks.
  for (size_t r = 0; r < spec.y_ticks.size(); ++r)
    for (size_t c = 0; c < spec.x_ticks.size(); ++c) {
      const double v = r < spec.values.size() && c < spec.values[r].size() ? spec.values[r][c] : NAN;
      const bool div = r < spec.diverged.size() && c < spec.diverged[r].size() && spec.diverged[r][c];
      const double x = left + spec.cell_w * static_cast<double>(c), y = top + spec.cell_h * static_cast<double>(r);
      const double t = scale_t(v);
      svg += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" stroke=\"white\"/>\n", x, y,
          spec.cell_w, spec.cell_h, std::isfinite(v) ? heat_colour(t) : "#f0f0f0");
      const double cx = x + spec.cell_w / 2, cy = y + spec.cell_h / 2 + 4;
      if (div)
        svg += fmt::format(
            "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#c0392b\" "
            "font-weight=\"bold\">✕</text>\n",
            cx, cy);
      else if (std::isfinite(v) && spec.show_values)
        svg += fmt::format(
            "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{}\">{:.{}f}</text>\n", cx,
            cy, t < 0.6 ? "white" : "black", v, spec.decimals);
    }
  // 4. Row and column names, axis labels.
  for (size_t r = 0; r < spec.y_ticks.size(); ++r)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6,
                       top + spec.cell_h * (static_cast<double>(r) + 0.5) + 4, xml_escape(spec.y_ticks[r]));
  for (size_t c = 0; c < spec.x_ticks.size(); c += std::max<size_t>(1, spec.x_label_every))
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                       left + spec.cell_w * (static_cast<double>(c) + 0.5), top + grid_h + 16,
                       xml_escape(spec.x_ticks[c]));
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", left + grid_w / 2,
                     top + grid_h + 36, xml_escape(spec.x_label));
  svg += fmt::format(
      "<text x=\"14\" y=\"{0:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {0:.1f})\">{1}</text>\n",
      top + grid_h / 2, xml_escape(spec.y_label));
  // 5. Colour bar: 20 bands from hi (top) to lo, end labels, and the value label rotated beside it.
  for (int k = 0; k < 20; ++k) {
    const double t = 1 - (k + 0.5) / 20.0;  // the band's value on the scale from lo (0) to hi (1)
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"14\" height=\"{:.2f}\" fill=\"{}\"/>\n", bar_x,
                       top + bar_h * k / 20.0, bar_h / 20.0 + 0.5, heat_colour(spec.lower_is_better ? 1 - t : t));
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">{}</text>\n", bar_x + 18, top + 9, hi_text);
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">{}</text>\n", bar_x + 18, top + bar_h, lo_text);
  const double vx = bar_x + 14 + 6 + bar_label_w + 12, vy = top + bar_h / 2;
  svg += fmt::format(
      "<text x=\"{0:.1f}\" y=\"{1:.1f}\" text-anchor=\"middle\" font-size=\"11\" "
      "transform=\"rotate(-90 {0:.1f} {1:.1f})\">{2}</text>\n",
      vx, vy, xml_escape(spec.value_label));
  return svg + "</svg>\n";
}

}  // namespace fpsim::io
