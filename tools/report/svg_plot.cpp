#include "tools/report/svg_plot.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace fpsim::io {

namespace {

// Tableau-10 colours; after ten series the cycle repeats with a dash pattern.
const char* const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                               "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr size_t palette_size = sizeof(palette) / sizeof(palette[0]);

std::string tick_text(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a >= 1e5 || a < 1e-3) return fmt::format("{:.3g}", v);
  return fmt::format("{:g}", std::round(v * 1e6) / 1e6);
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
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
  // 1. Layout: plot area with margins for tick labels, a legend column on the right.
  size_t longest_category = 0;
  for (const std::string& c : spec.categories) longest_category = std::max(longest_category, c.size());
  // Category labels are rotated -35 degrees and end at their tick, so a long first label reaches about
  // cos(35°) * 7 px per character to the left of the plot area: widen the margin to keep it on the page.
  const double left = categorical ? std::max(70.0, 5.8 * static_cast<double>(std::min<size_t>(longest_category, 60))) : 70.0;
  const double top = 40, legend_w = 230;
  const double bottom = categorical ? 40 + 6.0 * std::min<size_t>(longest_category, 40) : 55;
  const double height = spec.height + (categorical ? bottom - 55 : 0);
  // The page grows with the margin and with the number of categories (>= 24 px between rotated labels),
  // so the plot area never shrinks below the requested width.
  const double base_w = spec.width - 70.0 - legend_w - 20;
  const double plot_w = std::max(base_w, 24.0 * static_cast<double>(spec.categories.size()));
  const double page_w = left + plot_w + legend_w + 20, plot_h = height - top - bottom;

  // 2. Data ranges over finite points (y in log2 for log plots).
  auto ty = [&](double y) { return spec.log2_y ? std::log2(y) : y; };
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (const PlotSeries& s : series)
    for (size_t i = 0; i < s.y.size() && i < s.x.size(); ++i) {
      const double e = i < s.error.size() && std::isfinite(s.error[i]) ? s.error[i] : 0;
      const double lo = ty(s.y[i] - e), hi = ty(s.y[i] + e), y = ty(s.y[i]);
      if (!std::isfinite(y) || !std::isfinite(s.x[i])) continue;
      x_lo = std::min(x_lo, s.x[i]), x_hi = std::max(x_hi, s.x[i]);
      y_lo = std::min({y_lo, y, std::isfinite(lo) ? lo : y}), y_hi = std::max({y_hi, y, std::isfinite(hi) ? hi : y});
    }
  const bool empty = !std::isfinite(x_lo);
  if (empty) x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
  if (categorical) x_lo = -0.5, x_hi = static_cast<double>(spec.categories.size()) - 0.5;
  if (x_hi == x_lo) x_lo -= 1, x_hi += 1;
  if (y_hi == y_lo) y_lo -= 1, y_hi += 1;
  std::vector<double> yticks;
  if (spec.log2_y) {
    const int step = std::max(1, static_cast<int>(std::ceil((std::ceil(y_hi) - std::floor(y_lo)) / 8)));
    for (int k = static_cast<int>(std::floor(y_lo)); k <= static_cast<int>(std::ceil(y_hi)); k += step) yticks.push_back(k);
  } else {
    yticks = nice_ticks(y_lo, y_hi, 6);
  }
  y_lo = std::min(y_lo, yticks.front()), y_hi = std::max(y_hi, yticks.back());
  const std::vector<double> xticks = categorical ? std::vector<double>{} : nice_ticks(x_lo, x_hi, 6);
  if (!categorical) x_lo = std::min(x_lo, xticks.front()), x_hi = std::max(x_hi, xticks.back());
  auto px = [&](double x) { return left + (x - x_lo) / (x_hi - x_lo) * plot_w; };
  auto py = [&](double y) { return top + (1 - (y - y_lo) / (y_hi - y_lo)) * plot_h; };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{3}</text>\n",
      page_w, height, left, xml_escape(spec.title));
  // 3. Grid, ticks and axis labels.
  for (double t : yticks) {
    const double y = py(t);
    const std::string text = spec.log2_y ? fmt::format("2^{}", static_cast<int>(t)) : tick_text(t);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e0e0e0\"/>\n", left, y,
                       left + plot_w, y);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + 4, xml_escape(text));
  }
  for (double t : xticks) {
    const double x = px(t);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e0e0e0\"/>\n", x, top, x,
                       top + plot_h);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x, top + plot_h + 16,
                       xml_escape(tick_text(t)));
  }
  for (size_t c = 0; c < spec.categories.size(); ++c) {
    const double x = px(static_cast<double>(c)), y = top + plot_h + 12;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" transform=\"rotate(-35 {:.1f} {:.1f})\">{}</text>\n",
                       x, y, x, y, xml_escape(spec.categories[c]));
  }
  svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" stroke=\"#333\"/>\n",
                     left, top, plot_w, plot_h);
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", left + plot_w / 2, height - 8,
                     xml_escape(spec.x_label));
  svg += fmt::format("<text x=\"16\" y=\"{:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {:.1f})\">{}</text>\n",
                     top + plot_h / 2, top + plot_h / 2, xml_escape(spec.y_label));
  if (empty)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n",
                       left + plot_w / 2, top + plot_h / 2);

  // 4. Series: polylines broken at non-finite points, or markers with error bars.
  const double jitter_step = categorical && series.size() > 1 ? 0.5 / static_cast<double>(series.size()) : 0;
  for (size_t k = 0; k < series.size(); ++k) {
    const PlotSeries& s = series[k];
    const char* colour = palette[k % palette_size];
    const bool dashed = s.dashed || (k / palette_size) % 2 == 1;
    const std::string dash = dashed ? " stroke-dasharray=\"6 4\"" : "";
    if (categorical) {
      const double shift = jitter_step * (static_cast<double>(k) - (static_cast<double>(series.size()) - 1) / 2);
      for (size_t i = 0; i < s.y.size() && i < s.x.size(); ++i) {
        if (!std::isfinite(ty(s.y[i]))) continue;
        const double x = px(s.x[i] + shift), y = py(ty(s.y[i]));
        if (i < s.error.size() && std::isfinite(s.error[i]) && s.error[i] > 0)
          svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\"/>\n", x,
                             py(ty(s.y[i] - s.error[i])), py(ty(s.y[i] + s.error[i])), colour);
        svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/>\n", x, y, colour);
      }
    } else {
      std::string points;
      auto flush = [&] {
        if (!points.empty())
          svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"{} points=\"{}\"/>\n", colour,
                             dash, points);
        points.clear();
      };
      for (size_t i = 0; i < s.y.size() && i < s.x.size(); ++i) {
        if (!std::isfinite(ty(s.y[i])) || !std::isfinite(s.x[i])) {
          flush();
          continue;
        }
        points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", px(s.x[i]), py(ty(s.y[i])));
      }
      flush();
    }
    // Legend entry.
    const double ly = top + 8 + 18.0 * static_cast<double>(k), lx = left + plot_w + 14;
    if (categorical)
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/>\n", lx + 11, ly - 4, colour);
    else
      svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
                         lx, ly - 4, lx + 22, ly - 4, colour, dash);
    std::string label = s.label.size() > 34 ? s.label.substr(0, 33) + "…" : s.label;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", lx + 28, ly, xml_escape(label));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace fpsim::io
