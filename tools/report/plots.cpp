#include "tools/report/plots.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <regex>
#include <set>

#include "tools/report/dot_plot.h"
#include "tools/report/heatmap.h"
#include "tools/report/svg_plot.h"

namespace fpsim::io {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
using Field = double MetricPoint::*;

// Mean over the runs of a recipe of one metric at each eval step (steps matched by value).
PlotSeries mean_curve(const ReportData& data, const Recipe& recipe, Field field) {
  std::map<double, std::pair<double, int>> by_step;
  for (size_t i : recipe.runs)
    for (const MetricPoint& p : data.runs[i].metrics) {
      auto& [sum, n] = by_step[p.step];
      if (std::isfinite(p.*field)) sum += p.*field, ++n;
    }
  PlotSeries s;
  for (const auto& [step, acc] : by_step) {
    s.x.push_back(step);
    s.y.push_back(acc.second ? acc.first / acc.second : nan);
  }
  return s;
}

int baseline_row(const Pivot& p) {
  for (size_t r = 0; r < p.rows.size(); ++r)
    for (const PivotCell& c : p.cells[r])
      if (c.baseline) return static_cast<int>(r);
  return -1;
}

std::string facet_name(const Pivot& p, size_t c) {
  return p.col_title.empty() ? "all recipes" : p.col_title + " = " + p.cols[c];
}

// The headline per recipe as a dot plot, best first (highest accuracy, or lowest bits per byte).
NamedPlot headline_dots(const Pivot& p) {
  const Headline& h = p.headline;
  DotPlotSpec spec;
  spec.title = capitalised(h.name) + " per recipe, best first (mean ± std over seeds)";
  spec.x_label = h.column;
  spec.min_spread = h.dot_spread;
  spec.outlier_decimals = h.decimals - 1;
  if (h.lower_is_better) spec.outlier_example = "5.12 ▶";  // a failing recipe lies beyond the right edge
  for (size_t c = 0; c < p.cols.size(); ++c) spec.facets.push_back(facet_name(p, c));
  // Sort rows by their mean over facets, best first; rows without any result go last.
  std::vector<std::pair<double, size_t>> order;
  for (size_t r = 0; r < p.rows.size(); ++r) {
    double sum = 0;
    int n = 0;
    for (const PivotCell& c : p.cells[r])
      if (c.value.n) sum += c.value.mean, ++n;
    order.emplace_back(n ? (h.lower_is_better ? sum / n : -sum / n) : std::numeric_limits<double>::infinity(), r);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto dot = [](const PivotCell& c) {
    DotValue v;
    if (c.recipe >= 0) v.mean = c.value.mean, v.std = c.value.std, v.n = c.value.n, v.diverged = c.diverged;
    return v;
  };
  std::set<int> baselines;
  for (const auto& [score, r] : order) {
    spec.rows.push_back(p.rows[r]);
    std::vector<DotValue> values, reference;
    for (size_t c = 0; c < p.cols.size(); ++c) {
      const PivotCell& cell = p.cells[r][c];
      values.push_back(dot(cell));
      reference.push_back(cell.baseline_row >= 0 ? dot(p.cells[static_cast<size_t>(cell.baseline_row)][c]) : DotValue{});
      if (cell.baseline_row >= 0) baselines.insert(cell.baseline_row);
    }
    spec.values.push_back(values);
    spec.reference.push_back(reference);
  }
  if (baselines.size() == 1) spec.reference_label = p.rows[static_cast<size_t>(*baselines.begin())];
  if (baselines.size() > 1) spec.reference_label = "each recipe's baseline";
  return {h.file_stem + "_dots.svg", spec.title, dot_plot(spec), "accuracy"};
}

// Exponent × mantissa grid when the row values are eXmY format names (at least 2 × 2 of them).
std::vector<NamedPlot> format_grids(const Pivot& p) {
  if (!p.layout.extra.empty()) return {};
  static const std::regex exmy("e([0-9]+)m([0-9]+)");
  std::map<size_t, std::pair<int, int>> at;  // pivot row -> (exponent, mantissa)
  std::set<int> es, ms;
  std::vector<std::string> others;
  for (size_t r = 0; r < p.rows.size(); ++r) {
    std::smatch m;
    if (std::regex_match(p.rows[r], m, exmy)) {
      at[r] = {std::stoi(m[1]), std::stoi(m[2])};
      es.insert(at[r].first), ms.insert(at[r].second);
    } else {
      others.push_back(p.rows[r]);
    }
  }
  if (es.size() < 2 || ms.size() < 2) return {};
  const std::vector<int> ev(es.begin(), es.end()), mv(ms.begin(), ms.end());
  const Headline& h = p.headline;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& [r, em] : at)
    for (const PivotCell& c : p.cells[r])
      if (c.value.n) lo = std::min(lo, c.value.mean), hi = std::max(hi, c.value.mean);
  std::vector<NamedPlot> out;
  for (size_t c = 0; c < p.cols.size(); ++c) {
    HeatmapSpec spec;
    spec.title = capitalised(h.column) + ": " + facet_name(p, c);
    spec.x_label = "mantissa bits (m)";
    spec.y_label = "exponent bits (e)";
    spec.value_label = h.column;
    spec.lower_is_better = h.lower_is_better;
    spec.decimals = h.decimals - 1;
    for (int m : mv) spec.x_ticks.push_back(std::to_string(m));
    for (int e : ev) spec.y_ticks.push_back(std::to_string(e));
    spec.values.assign(ev.size(), std::vector<double>(mv.size(), nan));
    spec.diverged.assign(ev.size(), std::vector<bool>(mv.size(), false));
    // Colour spans the best 5 points (half a bit per byte): formats within noise of each other look alike, a
    // 1-point loss shows, and anything worse saturates (its value is printed in the cell).
    if (h.lower_is_better)
      spec.lo = lo, spec.hi = std::min(hi, lo + h.heat_span);
    else
      spec.lo = std::max(lo, hi - h.heat_span), spec.hi = hi;
    for (const auto& [r, em] : at) {
      const size_t y = static_cast<size_t>(std::find(ev.begin(), ev.end(), em.first) - ev.begin());
      const size_t x = static_cast<size_t>(std::find(mv.begin(), mv.end(), em.second) - mv.begin());
      const PivotCell& cell = p.cells[r][c];
      if (cell.value.n) spec.values[y][x] = cell.value.mean;
      spec.diverged[y][x] = cell.value.n == 0 && cell.diverged > 0;
    }
    std::string caption = spec.title + " — mean over seeds; ✕: every seed diverged";
    if (!others.empty()) {
      caption += "; not on the grid (see the table):";
      for (const std::string& o : others) caption += " " + o;
    }
    out.push_back({fmt::format("format_grid_{}.svg", c + 1), caption, heatmap(spec), "format_grid"});
  }
  return out;
}

// Two numeric axes (e.g. learning rate × loss-scale init): one heatmap, rows × columns in numeric order.
std::vector<NamedPlot> numeric_grid(const Pivot& p) {
  if (!p.layout.extra.empty() || p.col_title.empty() || p.rows.size() < 2 || p.cols.size() < 2) return {};
  auto numbers = [](const std::vector<std::string>& texts, std::vector<std::pair<double, size_t>>& out) {
    for (size_t i = 0; i < texts.size(); ++i) {
      char* end = nullptr;
      const double v = std::strtod(texts[i].c_str(), &end);
      if (texts[i].empty() || *end != 0) return false;
      out.emplace_back(v, i);
    }
    std::sort(out.begin(), out.end());
    return true;
  };
  std::vector<std::pair<double, size_t>> rows, cols;
  if (!numbers(p.rows, rows) || !numbers(p.cols, cols)) return {};
  const Headline& h = p.headline;
  HeatmapSpec spec;
  spec.title = capitalised(h.column) + " by " + p.row_title + " × " + p.col_title;
  spec.x_label = p.col_title, spec.y_label = p.row_title, spec.value_label = h.column;
  spec.lower_is_better = h.lower_is_better;
  spec.decimals = h.decimals - 1;
  for (const auto& [v, c] : cols) spec.x_ticks.push_back(p.cols[c]);
  for (const auto& [v, r] : rows) {
    spec.y_ticks.push_back(p.rows[r]);
    spec.values.emplace_back(), spec.diverged.emplace_back();
    for (const auto& [w, c] : cols) {
      const PivotCell& cell = p.cells[r][c];
      spec.values.back().push_back(cell.value.n ? cell.value.mean : nan);
      spec.diverged.back().push_back(cell.value.n == 0 && cell.diverged > 0);
    }
  }
  return {
      {h.file_stem + "_grid.svg", spec.title + " — mean over seeds; ✕: every seed diverged", heatmap(spec),
       "accuracy_grid"}};
}

bool varies_from_one(const PlotSeries& s) {
  return std::any_of(s.y.begin(), s.y.end(), [](double v) { return std::isfinite(v) && v != 1; });
}

// Small multiples of one metric: a panel per column value and per group of ≤ recipes_per_panel rows,
// each with the baseline as a dashed grey line and a legend of full names.
struct CurveSpec {
  Field field;
  std::string section, what, y_label;
  bool log2 = false, only_scaled = false;  // loss scale: only recipes whose scale is not constant 1
};

std::vector<NamedPlot> small_multiples(const ReportData& data, const Pivot& p, const CurveSpec& cs) {
  const int base = baseline_row(p);
  std::vector<NamedPlot> out;
  for (size_t c = 0; c < p.cols.size(); ++c) {
    std::vector<std::pair<size_t, PlotSeries>> rows;
    for (size_t r = 0; r < p.rows.size(); ++r) {
      const PivotCell& cell = p.cells[r][c];
      if (static_cast<int>(r) == base || cell.recipe < 0) continue;
      PlotSeries s = mean_curve(data, data.recipes[static_cast<size_t>(cell.recipe)], cs.field);
      if (s.x.empty() || (cs.only_scaled && !varies_from_one(s))) continue;
      s.label = p.rows[r];
      rows.emplace_back(r, std::move(s));
    }
    if (rows.empty()) continue;
    const size_t panels = (rows.size() + recipes_per_panel - 1) / recipes_per_panel;
    for (size_t k = 0; k < panels; ++k) {
      std::vector<PlotSeries> series;
      if (base >= 0 && !cs.only_scaled && p.cells[static_cast<size_t>(base)][c].recipe >= 0) {
        PlotSeries b =
            mean_curve(data, data.recipes[static_cast<size_t>(p.cells[static_cast<size_t>(base)][c].recipe)], cs.field);
        b.label = p.rows[static_cast<size_t>(base)] + " (baseline)", b.colour = "#555555", b.dashed = true;
        if (!b.x.empty()) series.push_back(std::move(b));
      }
      for (size_t i = k * recipes_per_panel; i < std::min(rows.size(), (k + 1) * recipes_per_panel); ++i) {
        series.push_back(rows[i].second);
      }
      PlotSpec spec;
      spec.title =
          fmt::format("{}: {}{}", cs.what, facet_name(p, c), panels > 1 ? fmt::format(" ({}/{})", k + 1, panels) : "");
      spec.x_label = "training step", spec.y_label = cs.y_label, spec.log2_y = cs.log2;
      spec.width = 440, spec.height = 280;
      out.push_back({fmt::format("{}_{}_{}.svg", cs.section, c + 1, k + 1), spec.title + " (mean over seeds)",
                     svg_plot(spec, series), cs.section});
    }
  }
  return out;
}

// Flushed-to-zero heatmaps (quantisation point × step) for the recipes with the largest gradient flush.
std::vector<NamedPlot> telemetry_maps(const ReportData& data, const Pivot& p) {
  std::vector<std::pair<double, std::pair<size_t, size_t>>> scored;  // (−score, (row, col))
  for (size_t r = 0; r < p.rows.size(); ++r)
    for (size_t c = 0; c < p.cols.size(); ++c) {
      if (p.cells[r][c].recipe < 0) continue;
      double score = -1;
      for (size_t i : data.recipes[static_cast<size_t>(p.cells[r][c].recipe)].runs)
        for (const MetricPoint& m : data.runs[i].metrics)
          for (const auto& [point, v] : m.zero_frac)
            if (point.find("grad") != std::string::npos && std::isfinite(v)) score = std::max(score, v);
      if (score > 0) scored.push_back({-score, {r, c}});
    }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (scored.size() > telemetry_heatmaps) scored.resize(telemetry_heatmaps);
  std::vector<NamedPlot> out;
  for (const auto& [score, rc] : scored) {
    const Recipe& recipe = data.recipes[static_cast<size_t>(p.cells[rc.first][rc.second].recipe)];
    std::set<std::string> points;
    std::set<double> steps;
    std::map<std::pair<std::string, double>, std::pair<double, int>> sums;
    for (size_t i : recipe.runs)
      for (const MetricPoint& m : data.runs[i].metrics)
        for (const auto& [point, v] : m.zero_frac) {
          if (!std::isfinite(v)) continue;
          points.insert(point), steps.insert(m.step);
          auto& [sum, n] = sums[{point, m.step}];
          sum += 100 * v, ++n;
        }
    HeatmapSpec spec;
    spec.title = "Flushed to zero (%): " + p.rows[rc.first] + (p.col_title.empty() ? "" : ", " + p.cols[rc.second]);
    spec.x_label = "training step", spec.y_label = "quantisation point", spec.value_label = "flushed to zero (%)";
    spec.lo = 0, spec.cell_w = 40, spec.cell_h = 16, spec.decimals = 1;
    spec.show_values = steps.size() <= 12;
    spec.x_label_every = steps.size() <= 12 ? 1 : (steps.size() + 7) / 8;
    for (double s : steps) spec.x_ticks.push_back(fmt::format("{:g}", s));
    for (const std::string& pt : points) {
      spec.y_ticks.push_back(pt);
      std::vector<double> row;
      for (double s : steps) {
        const auto it = sums.find({pt, s});
        row.push_back(it == sums.end() ? nan : it->second.first / it->second.second);
      }
      spec.values.push_back(row);
    }
    out.push_back({fmt::format("telemetry_{}.svg", out.size() + 1), spec.title + " (mean over seeds)", heatmap(spec),
                   "telemetry"});
  }
  return out;
}

}  // namespace

std::string section_heading(const std::string& section, const Headline& headline) {
  if (section == "accuracy") return headline.short_name + " per recipe";
  if (section == "format_grid") return headline.short_name + " by exponent and mantissa bits";
  if (section == "accuracy_grid") return headline.short_name + " over both swept axes";
  static const std::map<std::string, std::string> headings = {{"train_loss", "Training loss"},
                                                              {"test_loss", "Test loss"},
                                                              {"loss_scale", "Loss scale"},
                                                              {"telemetry", "Values flushed to zero"}};
  const auto it = headings.find(section);
  return it == headings.end() ? section : it->second;
}

std::vector<NamedPlot> report_plots(const ReportData& data, const Pivot& pivot) {
  std::vector<NamedPlot> plots = {headline_dots(pivot)};
  auto add = [&](std::vector<NamedPlot> more) { plots.insert(plots.end(), more.begin(), more.end()); };
  add(format_grids(pivot));
  add(numeric_grid(pivot));
  add(small_multiples(
      data, pivot, {&MetricPoint::train_loss, "train_loss", "Training loss", "training loss (cross-entropy, nats)"}));
  add(small_multiples(data, pivot,
                      {&MetricPoint::test_loss, "test_loss", "Test loss", "test loss (cross-entropy, nats)"}));
  add(small_multiples(data, pivot,
                      {&MetricPoint::loss_scale, "loss_scale", "Loss scale", "loss scale (log2 axis)", true, true}));
  add(telemetry_maps(data, pivot));
  return plots;
}

}  // namespace fpsim::io
