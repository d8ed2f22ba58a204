#include "tools/report/svg_plot.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tools/report/internal/svg_parts.h"

namespace fpsim::io {

namespace {

constexpr double legend_line = 18;  // px per legend entry

// Where everything goes: margins, plot area, page size, and the data range mapped onto the area.
struct Frame {
  double left = 70, top = 40, bottom = 55, plot_w = 0, plot_h = 0, page_w = 0, page_h = 0;
  double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
  bool empty = false, log2 = false;
  std::vector<double> xticks, yticks;
  double ty(double y) const { return log2 ? std::log2(y) : y; }
  double px(double x) const { return left + (x - x_lo) / (x_hi - x_lo) * plot_w; }
  double py(double y) const { return top + (1 - (y - y_lo) / (y_hi - y_lo)) * plot_h; }
};

// 1. Margins and page: rotated category labels need room below and to the left; the legend sits
//    below the x label, one entry per line, and the page widens for the longest entry.
void place(Frame& f, const PlotSpec& spec, const std::vector<PlotSeries>& series) {
  const bool categorical = !spec.categories.empty();
  double longest = 0;
  for (const std::string& c : spec.categories) longest = std::max(longest, svg::text_width(c, 12));
  // A label rotated −35° ending at its tick reaches cos(35°)·width left and sin(35°)·width down.
  if (categorical) f.left = std::max(70.0, 0.82 * longest + 10), f.bottom = 40 + 0.58 * longest;
  f.plot_w = std::max(spec.width - 90.0, 24.0 * static_cast<double>(spec.categories.size()));
  f.plot_h = spec.height - f.top - 55;
  double legend_w = 0;
  for (const PlotSeries& s : series) legend_w = std::max(legend_w, 34 + svg::text_width(s.label, 12));
  f.page_w = std::max({f.left + f.plot_w + 20, f.left + legend_w + 10, f.left + svg::text_width(spec.title, 14) + 10});
  f.page_h = f.top + f.plot_h + f.bottom + legend_line * static_cast<double>(series.size()) + (series.empty() ? 0 : 6);
}

// 2. Data ranges over finite points (y in log2 for log plots), ticks, and a margin so extremes stay inside.
void fit_ranges(Frame& f, const PlotSpec& spec, const std::vector<PlotSeries>& series) {
  const bool categorical = !spec.categories.empty();
  f.log2 = spec.log2_y;
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (const PlotSeries& s : series)
    for (size_t i = 0; i < s.y.size() && i < s.x.size(); ++i) {
      const double e = i < s.error.size() && std::isfinite(s.error[i]) ? s.error[i] : 0;
      const double lo = f.ty(s.y[i] - e), hi = f.ty(s.y[i] + e), y = f.ty(s.y[i]);
      if (!std::isfinite(y) || !std::isfinite(s.x[i])) continue;
      x_lo = std::min(x_lo, s.x[i]), x_hi = std::max(x_hi, s.x[i]);
      y_lo = std::min({y_lo, y, std::isfinite(lo) ? lo : y}), y_hi = std::max({y_hi, y, std::isfinite(hi) ? hi : y});
    }
  f.empty = !std::isfinite(x_lo);
  if (f.empty) x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
  if (categorical) x_lo = -0.5, x_hi = static_cast<double>(spec.categories.size()) - 0.5;
  if (x_hi == x_lo) x_lo -= 1, x_hi += 1;
  if (y_hi == y_lo) y_lo -= 1, y_hi += 1;
  if (f.log2) {
    // Half an octave beyond the data: a scale sitting at 2^16 is drawn inside the frame, not on it.
    y_lo -= 0.5, y_hi += 0.5;
    const int step = std::max(1, static_cast<int>(std::ceil((std::ceil(y_hi) - std::floor(y_lo)) / 8)));
    for (int k = static_cast<int>(std::ceil(y_lo)); k <= static_cast<int>(std::floor(y_hi)); k += step)
      f.yticks.push_back(k);
  } else {
    const double pad = 0.04 * (y_hi - y_lo);
    y_lo -= pad, y_hi += pad;
    f.yticks = nice_ticks(y_lo, y_hi, 6);
    y_lo = std::min(y_lo, f.yticks.front()), y_hi = std::max(y_hi, f.yticks.back());
  }
  if (!categorical) {
    f.xticks = nice_ticks(x_lo, x_hi, 6);
    x_lo = std::min(x_lo, f.xticks.front()), x_hi = std::max(x_hi, f.xticks.back());
  }
  f.x_lo = x_lo, f.x_hi = x_hi, f.y_lo = y_lo, f.y_hi = y_hi;
}

// 3. Grid, ticks, frame and axis labels.
std::string draw_axes(const Frame& f, const PlotSpec& spec) {
  std::string svg;
  for (double t : f.yticks) {
    const double y = f.py(t);
    const std::string text = f.log2 ? fmt::format("2^{}", static_cast<int>(t)) : svg::tick_text(t);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e0e0e0\"/>\n", f.left,
                       y, f.left + f.plot_w, y);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", f.left - 6, y + 4,
                       xml_escape(text));
  }
  for (double t : f.xticks) {
    const double x = f.px(t);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e0e0e0\"/>\n", x, f.top,
                       x, f.top + f.plot_h);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x, f.top + f.plot_h + 16,
                       xml_escape(svg::tick_text(t)));
  }
  for (size_t c = 0; c < spec.categories.size(); ++c) {
    const double x = f.px(static_cast<double>(c)), y = f.top + f.plot_h + 12;
    svg += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" transform=\"rotate(-35 {:.1f} {:.1f})\">{}</text>\n", x, y,
        x, y, xml_escape(spec.categories[c]));
  }
  svg += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" stroke=\"#333\"/>\n", f.left,
      f.top, f.plot_w, f.plot_h);
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", f.left + f.plot_w / 2,
                     f.top + f.plot_h + f.bottom - 10, xml_escape(spec.x_label));
  svg +=
      fmt::format("<text x=\"16\" y=\"{:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {:.1f})\">{}</text>\n",
                  f.top + f.plot_h / 2, f.top + f.plot_h / 2, xml_escape(spec.y_label));
  if (f.empty)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n",
                       f.left + f.plot_w / 2, f.top + f.plot_h / 2);
  return svg;
}

// 4a. Markers with error bars, shifted sideways per series so they do not overlap.
std::string draw_points(const Frame& f, const PlotSeries& s, const char* colour, double shift) {
  std::string svg;
  for (size_t i = 0; i < s.y.size() && i < s.x.size(); ++i) {
    if (!std::isfinite(f.ty(s.y[i]))) continue;
    const double x = f.px(s.x[i] + shift), y = f.py(f.ty(s.y[i]));
    if (i < s.error.size() && std::isfinite(s.error[i]) && s.error[i] > 0)
      svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\"/>\n", x,
                         f.py(f.ty(s.y[i] - s.error[i])), f.py(f.ty(s.y[i] + s.error[i])), colour);
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/>\n", x, y, colour);
  }
  return svg;
}

// 4b. Polylines broken at non-finite points.
std::string draw_line(const Frame& f, const PlotSeries& s, const char* colour, const std::string& dash) {
  std::string svg, points;
  auto flush = [&] {
    if (!points.empty())
      svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"{} points=\"{}\"/>\n", colour, dash,
                         points);
    points.clear();
  };
  for (size_t i = 0; i < s.y.size() && i < s.x.size(); ++i) {
    if (!std::isfinite(f.ty(s.y[i])) || !std::isfinite(s.x[i])) {
      flush();
      continue;
    }
    points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", f.px(s.x[i]), f.py(f.ty(s.y[i])));
  }
  flush();
  return svg;
}

// 5. Legend below the x label: one full name per line.
std::string draw_legend_entry(const Frame& f, const PlotSeries& s, size_t k, bool categorical, const char* colour,
                              const std::string& dash) {
  const double ly = f.top + f.plot_h + f.bottom + 6 + legend_line * static_cast<double>(k), lx = f.left;
  std::string svg =
      categorical ? fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/>\n", lx + 11, ly - 4, colour)
                  : fmt::format(
                        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
                        "stroke-width=\"2\"{}/>\n",
                        lx, ly - 4, lx + 22, ly - 4, colour, dash);
  return svg + fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", lx + 28, ly, xml_escape(s.label));
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(hi > lo)) return {lo};
  // 1. Raw step, then round it up to 1, 2 or 5 times a power of ten.
  const double raw = (hi - lo) / std::max(1, count);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
  // 2. Ticks k·step from the multiple at or below lo to the one at or above hi. For p < 1 the tick
  //    is (k·m) / (1/p), an exact integer over a power of ten, so 3 × 0.2 prints as 0.6, not
  //    0.6000000000000001 as repeated addition would give.
  const double m = step / p;
  const double inv = p < 1 ? std::round(1 / p) : 0;
  auto tick = [&](double k) { return inv ? k * m / inv : k * m * p; };
  std::vector<double> ticks;
  for (double k = std::floor(lo / step); tick(k - 1) < hi; ++k) ticks.push_back(tick(k) == 0 ? 0.0 : tick(k));
  return ticks;
}

std::string svg_plot(const PlotSpec& spec, const std::vector<PlotSeries>& series) {
  const bool categorical = !spec.categories.empty();
  Frame f;
  place(f, spec, series);
  fit_ranges(f, spec, series);
  std::string svg = svg::open(f.page_w, f.page_h, f.left, spec.title) + draw_axes(f, spec);
  const double jitter_step = categorical && series.size() > 1 ? 0.5 / static_cast<double>(series.size()) : 0;
  for (size_t k = 0; k < series.size(); ++k) {
    const char* colour = series[k].colour.empty() ? svg::colour(k) : series[k].colour.c_str();
    // After ten series the colours repeat, dashed.
    const std::string dash = series[k].dashed || (k / 10) % 2 == 1 ? " stroke-dasharray=\"6 4\"" : "";
    const double shift = jitter_step * (static_cast<double>(k) - (static_cast<double>(series.size()) - 1) / 2);
    svg += categorical ? draw_points(f, series[k], colour, shift) : draw_line(f, series[k], colour, dash);
    svg += draw_legend_entry(f, series[k], k, categorical, colour, dash);
  }
  return svg + "</svg>\n";
}

}  // namespace fpsim::io
