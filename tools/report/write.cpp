#include "tools/report/write.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "tools/io/atomic_file.h"
#include "tools/report/table.h"
#include "tools/report/svg_plot.h"

namespace fpsim::io {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr size_t max_curves = 16;          // line plots beyond this become unreadable
constexpr size_t max_telemetry_plots = 12;

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_value(const json& v) {
  if (v.is_null()) return "";
  if (v.is_number_float() && !std::isfinite(v.get<double>())) return "";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return csv_field(value_text(v));
}

PlotSpec plot_spec(const std::string& title, const std::string& x_label, const std::string& y_label) {
  PlotSpec spec;
  spec.title = title, spec.x_label = x_label, spec.y_label = y_label;
  return spec;
}

bool is_rounding_axis(const std::string& pointer) { return pointer.find("round") != std::string::npos; }

// Mean over the runs of a recipe of one metric at each eval step (steps matched by value).
PlotSeries mean_curve(const ReportData& data, const Recipe& recipe, double MetricPoint::*field) {
  std::map<double, std::pair<double, int>> by_step;
  for (size_t i : recipe.runs)
    for (const MetricPoint& p : data.runs[i].metrics) {
      auto& [sum, n] = by_step[p.step];
      if (std::isfinite(p.*field)) sum += p.*field, ++n;
      else if (n == 0) sum = std::numeric_limits<double>::quiet_NaN();
    }
  PlotSeries s;
  s.label = recipe.label;
  for (const auto& [step, acc] : by_step) {
    s.x.push_back(step);
    s.y.push_back(acc.second ? acc.first / acc.second : std::numeric_limits<double>::quiet_NaN());
  }
  return s;
}

std::vector<PlotSeries> curves(const ReportData& data, double MetricPoint::*field) {
  std::vector<PlotSeries> out;
  for (const Recipe& r : data.recipes) {
    if (out.size() == max_curves) break;
    PlotSeries s = mean_curve(data, r, field);
    if (!s.x.empty()) out.push_back(std::move(s));
  }
  return out;
}

NamedPlot accuracy_vs_format(const ReportData& data, const std::vector<RecipeRow>& rows) {
  // Categories: the recipe without its rounding values; series: the rounding values.
  std::vector<std::string> categories, series_names;
  std::vector<std::pair<size_t, size_t>> cell;  // per recipe: (category, series)
  for (const Recipe& r : data.recipes) {
    json cat = json::object(), ser = json::object();
    for (const auto& [pointer, value] : r.overrides.items()) (is_rounding_axis(pointer) ? ser : cat)[pointer] = value;
    const std::string c = recipe_label(cat), s = ser.empty() ? "final accuracy" : recipe_label(ser);
    auto ci = std::find(categories.begin(), categories.end(), c);
    if (ci == categories.end()) ci = categories.insert(categories.end(), c);
    auto si = std::find(series_names.begin(), series_names.end(), s);
    if (si == series_names.end()) si = series_names.insert(series_names.end(), s);
    cell.emplace_back(ci - categories.begin(), si - series_names.begin());
  }
  std::vector<PlotSeries> series(series_names.size());
  for (size_t s = 0; s < series.size(); ++s) series[s].label = series_names[s];
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].final_accuracy.n == 0) continue;
    PlotSeries& s = series[cell[r].second];
    s.x.push_back(static_cast<double>(cell[r].first));
    s.y.push_back(rows[r].final_accuracy.mean);
    s.error.push_back(rows[r].final_accuracy.std);
  }
  PlotSpec spec = plot_spec("Final test accuracy by format, grouped by rounding (mean ± std over seeds)", "recipe",
                            "final test accuracy (%)");
  spec.categories = categories;
  return {"accuracy_vs_format.svg", spec.title, svg_plot(spec, series)};
}

}  // namespace

std::string summary_csv(const ReportData& data) {
  static const std::vector<std::string> fields = {"diverged_step",   "steps",           "epochs",
                                                  "final_test_accuracy", "best_test_accuracy", "final_test_loss",
                                                  "final_train_loss", "skipped_steps",   "final_loss_scale"};
  std::set<std::string> telemetry;
  for (const RunResult& r : data.runs)
    if (r.summary.is_object() && r.summary.contains("telemetry_summary") && r.summary["telemetry_summary"].is_object())
      for (const auto& [point, stats] : r.summary["telemetry_summary"].items())
        if (stats.is_object())
          for (const auto& [stat, value] : stats.items()) telemetry.insert(point + ":" + stat);
  std::vector<std::string> swept;
  for (const std::string& a : data.axes)
    if (a != "/seed") swept.push_back(a);
  std::string out = "run_id";
  for (const std::string& a : swept) out += "," + csv_field(a);
  out += ",seed,status";
  for (const std::string& f : fields) out += "," + f;
  for (const std::string& t : telemetry) out += "," + csv_field(t);
  out += "\n";
  for (const RunResult& r : data.runs) {
    out += r.id;
    for (const std::string& a : swept) out += "," + (r.overrides.contains(a) ? csv_value(r.overrides[a]) : "");
    out += "," + (r.overrides.contains("/seed") ? csv_value(r.overrides["/seed"]) : "") + "," + r.status;
    for (const std::string& f : fields)
      out += "," + (r.summary.is_object() && r.summary.contains(f) ? csv_value(r.summary[f]) : "");
    for (const std::string& t : telemetry) {
      const size_t colon = t.rfind(':');
      const json ptr_value = r.summary.is_object() ? r.summary.value("telemetry_summary", json::object())
                                                         .value(t.substr(0, colon), json::object())
                                                         .value(t.substr(colon + 1), json())
                                                   : json();
      out += "," + csv_value(ptr_value);
    }
    out += "\n";
  }
  return out;
}

std::vector<NamedPlot> report_plots(const ReportData& data) {
  const std::vector<RecipeRow> rows = recipe_rows(data);
  std::vector<NamedPlot> plots;
  plots.push_back(accuracy_vs_format(data, rows));
  const std::string more = data.recipes.size() > max_curves
                               ? fmt::format(" (first {} of {} recipes)", max_curves, data.recipes.size())
                               : "";
  plots.push_back({"train_loss.svg", "Training loss per recipe (mean over seeds)" + more,
                   svg_plot(plot_spec("Training loss per recipe (mean over seeds)", "training step", "training loss (cross-entropy, nats)"),
                            curves(data, &MetricPoint::train_loss))});
  plots.push_back({"test_loss.svg", "Test loss per recipe (mean over seeds)" + more,
                   svg_plot(plot_spec("Test loss per recipe (mean over seeds)", "training step", "test loss (cross-entropy, nats)"),
                            curves(data, &MetricPoint::test_loss))});
  PlotSpec scale = plot_spec("Loss scale per recipe (mean over seeds)", "training step", "loss scale (log2 axis)");
  scale.log2_y = true;
  plots.push_back({"loss_scale.svg", scale.title + more, svg_plot(scale, curves(data, &MetricPoint::loss_scale))});
  // Telemetry: fraction flushed to zero per quantisation point, gradients only when any exist.
  size_t made = 0;
  for (size_t k = 0; k < data.recipes.size() && made < max_telemetry_plots; ++k) {
    const Recipe& recipe = data.recipes[k];
    std::set<std::string> points, grads;
    for (size_t i : recipe.runs)
      for (const MetricPoint& p : data.runs[i].metrics)
        for (const auto& [point, v] : p.zero_frac) {
          points.insert(point);
          if (point.find("grad") != std::string::npos) grads.insert(point);
        }
    if (points.empty()) continue;
    const std::set<std::string>& shown = grads.empty() ? points : grads;
    std::vector<PlotSeries> series;
    for (const std::string& point : shown) {
      std::map<double, std::pair<double, int>> by_step;
      for (size_t i : recipe.runs)
        for (const MetricPoint& p : data.runs[i].metrics)
          if (auto it = p.zero_frac.find(point); it != p.zero_frac.end() && std::isfinite(it->second))
            by_step[p.step].first += 100 * it->second, ++by_step[p.step].second;
      PlotSeries s;
      s.label = point;
      for (const auto& [step, acc] : by_step) s.x.push_back(step), s.y.push_back(acc.first / acc.second);
      series.push_back(std::move(s));
    }
    const std::string title = fmt::format("{} flushed to zero: {}", grads.empty() ? "Values" : "Gradients", recipe.label);
    plots.push_back({fmt::format("telemetry_{}.svg", ++made), title,
                     svg_plot(plot_spec(title, "training step", "fraction flushed to zero (%)"), series)});
  }
  return plots;
}

std::string report_markdown(const ReportData& data, const std::vector<NamedPlot>& plots) {
  const std::vector<RecipeRow> rows = recipe_rows(data);
  std::string md = fmt::format("# Sweep report: {}\n\n", data.name);
  if (!data.description.empty()) md += data.description + "\n\n";
  size_t finished = 0, diverged = 0;
  for (const RunResult& r : data.runs) finished += r.status == "completed" || r.status == "diverged", diverged += r.status == "diverged";
  md += fmt::format("{} runs ({} finished, {} of them diverged, {} not finished) in {} recipes. Accuracies are test "
                    "accuracy in %, mean ± sample std over seeds; Δ is in percentage points against the baseline "
                    "recipe; \"within noise\" means |Δ| ≤ 2·sqrt(s₁²/n₁ + s₂²/n₂). **Bold** marks the best of a column.\n\n",
                    data.runs.size(), finished, diverged, data.runs.size() - finished, data.recipes.size());
  md += "| recipe | seeds | diverged | final accuracy (%) | Δ vs baseline (pp) | within noise | best accuracy (%) | "
        "final test loss | skipped steps | final loss scale |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const RecipeRow& r : rows) {
    auto bold = [](bool b, const std::string& s) { return b ? "**" + s + "**" : s; };
    const std::string delta = r.within_noise == "baseline" ? "baseline"
                              : r.baseline && r.final_accuracy.n   ? fmt::format("{:+.2f}", r.delta_pp)
                                                                   : "—";
    md += fmt::format("| {} | {}/{} | {} | {} | {} | {} | {} | {} | {} | {} |\n", r.label, r.finished, r.runs, r.diverged,
                      bold(r.best_final, format_mean_std(r.final_accuracy, 2)), delta, r.within_noise,
                      bold(r.best_best, format_mean_std(r.best_accuracy, 2)),
                      bold(r.best_loss, format_mean_std(r.final_test_loss, 4)), format_mean_std(r.skipped_steps, 1),
                      r.final_loss_scale.n ? fmt::format("{:g}", r.final_loss_scale.mean) : "—");
  }
  md += "\nPer-run values: [summary.csv](summary.csv).\n\n## Plots\n\n";
  for (const NamedPlot& p : plots) md += fmt::format("### {}\n\n![{}](plots/{})\n\n", p.title, p.title, p.file);
  return md;
}

std::string report_html(const ReportData& data, const std::vector<NamedPlot>& plots) {
  const std::vector<RecipeRow> rows = recipe_rows(data);
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Sweep report: {0}</title>\n"
      "<style>\nbody {{ font-family: Helvetica, Arial, sans-serif; margin: 2em; max-width: 1100px; color: #222; }}\n"
      "table {{ border-collapse: collapse; font-size: 13px; }}\n"
      "th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}\n"
      "th {{ background: #f3f3f3; }} td:first-child {{ text-align: left; }}\n"
      ".best {{ font-weight: bold; background: #e8f4e8; }}\nfigure {{ margin: 1.5em 0; }}\n</style>\n</head>\n<body>\n"
      "<h1>Sweep report: {0}</h1>\n",
      xml_escape(data.name));
  if (!data.description.empty()) html += "<p>" + xml_escape(data.description) + "</p>\n";
  html += fmt::format("<p>{} runs in {} recipes. Test accuracy in %, mean ± sample std over seeds; Δ in percentage "
                      "points against the baseline recipe; \"within noise\": |Δ| ≤ 2·sqrt(s₁²/n₁ + s₂²/n₂). Highlighted "
                      "cells are the best of their column. Per-run values: <a href=\"summary.csv\">summary.csv</a>.</p>\n",
                      data.runs.size(), data.recipes.size());
  html += "<table>\n<tr><th>recipe</th><th>seeds</th><th>diverged</th><th>final accuracy (%)</th><th>Δ vs baseline "
          "(pp)</th><th>within noise</th><th>best accuracy (%)</th><th>final test loss</th><th>skipped steps</th>"
          "<th>final loss scale</th></tr>\n";
  for (const RecipeRow& r : rows) {
    auto cell = [](bool best, const std::string& s) {
      return std::string(best ? "<td class=\"best\">" : "<td>") + xml_escape(s) + "</td>";
    };
    const std::string delta = r.within_noise == "baseline" ? "baseline"
                              : r.baseline && r.final_accuracy.n   ? fmt::format("{:+.2f}", r.delta_pp)
                                                                   : "—";
    html += "<tr>" + cell(false, r.label) + cell(false, fmt::format("{}/{}", r.finished, r.runs)) +
            cell(false, std::to_string(r.diverged)) + cell(r.best_final, format_mean_std(r.final_accuracy, 2)) +
            cell(false, delta) + cell(false, r.within_noise) + cell(r.best_best, format_mean_std(r.best_accuracy, 2)) +
            cell(r.best_loss, format_mean_std(r.final_test_loss, 4)) + cell(false, format_mean_std(r.skipped_steps, 1)) +
            cell(false, r.final_loss_scale.n ? fmt::format("{:g}", r.final_loss_scale.mean) : "—") + "</tr>\n";
  }
  html += "</table>\n<h2>Plots</h2>\n";
  for (const NamedPlot& p : plots)
    html += "<figure>\n" + p.svg + "<figcaption>" + xml_escape(p.title) + "</figcaption>\n</figure>\n";
  html += "</body>\n</html>\n";
  return html;
}

std::vector<fs::path> write_report(const fs::path& folder) {
  const ReportData data = load_report_data(folder);
  const std::vector<NamedPlot> plots = report_plots(data);
  std::vector<fs::path> written;
  auto put = [&](const fs::path& path, const std::string& content) {
    write_file_atomic(path, content);
    written.push_back(path);
  };
  put(folder / "summary.csv", summary_csv(data));
  for (const NamedPlot& p : plots) put(folder / "plots" / p.file, p.svg);
  put(folder / "report.md", report_markdown(data, plots));
  put(folder / "report.html", report_html(data, plots));
  return written;
}

}  // namespace fpsim::io
