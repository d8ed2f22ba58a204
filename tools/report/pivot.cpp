#include "tools/report/pivot.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "tools/report/svg_plot.h"

namespace fpsim::io {

Pivot build_pivot(const ReportData& data, const std::vector<RecipeRow>& rows) {
  Pivot pivot;
  pivot.headline = choose_headline(data);
  const Headline& h = pivot.headline;
  pivot.layout = report_layout(data, (data.folder / "sweep.json").string());
  const ReportLayout& layout = pivot.layout;
  pivot.row_title = layout.rows >= 0 ? layout.dims[static_cast<size_t>(layout.rows)].title : "recipe";
  for (size_t e : layout.extra) pivot.row_title += ", " + layout.dims[e].title;
  if (layout.cols >= 0) {
    pivot.col_title = layout.dims[static_cast<size_t>(layout.cols)].title;
    pivot.cols = layout.dims[static_cast<size_t>(layout.cols)].values;
  } else {
    pivot.cols = {h.column};
  }
  // Rows in order of first appearance; each recipe lands in exactly one cell.
  std::vector<std::pair<size_t, size_t>> where(data.recipes.size());
  for (size_t i = 0; i < data.recipes.size(); ++i) {
    const std::string label = row_label(layout, data.recipes[i].overrides);
    auto it = std::find(pivot.rows.begin(), pivot.rows.end(), label);
    if (it == pivot.rows.end()) it = pivot.rows.insert(pivot.rows.end(), label);
    const std::string col =
        layout.cols >= 0 ? dimension_value(layout.dims[static_cast<size_t>(layout.cols)], data.recipes[i].overrides)
                         : pivot.cols[0];
    where[i] = {static_cast<size_t>(it - pivot.rows.begin()),
                static_cast<size_t>(std::find(pivot.cols.begin(), pivot.cols.end(), col) - pivot.cols.begin())};
  }
  pivot.cells.assign(pivot.rows.size(), std::vector<PivotCell>(pivot.cols.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    PivotCell& cell = pivot.cells[where[i].first][where[i].second];
    const RecipeRow& row = rows[i];
    cell.recipe = static_cast<int>(i);
    cell.value = row.headline;
    cell.accuracy = row.final_accuracy;
    cell.runs = row.runs, cell.finished = row.finished, cell.diverged = row.diverged;
    cell.baseline = row.within_noise == "baseline";
    if (row.baseline) cell.baseline_row = static_cast<int>(where[*row.baseline].first);
    if (row.baseline && !cell.baseline && row.final_accuracy.n) cell.delta_pp = row.delta_pp;
    if (row.baseline && !cell.baseline && row.headline.n) cell.delta = row.delta, cell.p_value = row.p_value;
  }
  for (size_t c = 0; c < pivot.cols.size(); ++c) {
    std::optional<double> best;
    for (const auto& r : pivot.cells)
      if (r[c].value.n && (!best || better(h, r[c].value.mean, *best))) best = r[c].value.mean;
    for (auto& r : pivot.cells) r[c].best = r[c].value.n && r[c].value.mean == best;
  }
  return pivot;
}

std::string cell_text(const PivotCell& cell, const Headline& headline) {
  if (cell.recipe < 0) return "";
  if (cell.value.n == 0) return cell.diverged ? fmt::format("diverged ({}/{})", cell.diverged, cell.runs) : "—";
  std::string text = format_mean_std(cell.value, headline.decimals);
  if (std::isfinite(cell.delta)) text += fmt::format(" ({:+.{}f})", cell.delta, headline.decimals);
  if (cell.p_value < 0.01)
    text += " **";
  else if (cell.p_value < significance_level)
    text += " *";
  if (cell.diverged) text += fmt::format(", {}/{} diverged", cell.diverged, cell.runs);
  if (cell.finished < cell.runs) text += fmt::format(", {}/{} finished", cell.finished, cell.runs);
  return text;
}

std::string accuracy_text(const PivotCell& cell) {
  if (cell.recipe < 0) return "";
  return format_mean_std(cell.accuracy, 2);
}

std::string pivot_legend(const Headline& h) {
  std::string legend =
      h.legend_lead + ", mean ± sample std over seeds (a diverged seed counts with its " + h.last_value +
      " before divergence, if it had one; cells say how many seeds diverged); (Δ) in " + h.delta_unit +
      " against the baseline recipe of the same column; * p < 0.05, ** p < 0.01 by Welch's two-sided t-test against "
      "that baseline (no mark: within seed noise); the best " + (h.lower_is_better ? "(lowest) " : "") +
      "of each column in bold.";
  if (!h.accuracy_column.empty())
    legend += " Beside it, " + h.accuracy_column + ", mean ± std, not ranked.";
  return legend;
}

namespace {

// Header of column c, then its accuracy column when the headline shows one ("mlp: next-byte accuracy (%)").
std::vector<std::string> column_headers(const Pivot& pivot) {
  std::vector<std::string> out;
  for (const std::string& c : pivot.cols) {
    out.push_back(c);
    if (!pivot.headline.accuracy_column.empty())
      out.push_back((pivot.col_title.empty() ? "" : c + ": ") + pivot.headline.accuracy_column);
  }
  return out;
}

}  // namespace

std::string escape_stars(const std::string& text) {
  std::string out;
  for (char ch : text) out += ch == '*' ? std::string("\\*") : std::string(1, ch);
  return out;
}

std::string pivot_markdown(const Pivot& pivot) {
  std::string corner = pivot.row_title + (pivot.col_title.empty() ? "" : " \\ " + pivot.col_title);
  std::string md = "| " + corner + " |";
  const std::vector<std::string> headers = column_headers(pivot);
  for (const std::string& c : headers) md += " " + c + " |";
  md += "\n|---|";
  for (size_t c = 0; c < headers.size(); ++c) md += "---|";
  md += "\n";
  for (size_t r = 0; r < pivot.rows.size(); ++r) {
    md += "| `" + pivot.rows[r] + "` |";
    for (const PivotCell& cell : pivot.cells[r]) {
      // Significance stars are escaped so they never pair with the bold of a best cell.
      const std::string text = escape_stars(cell_text(cell, pivot.headline));
      md += " " + (cell.best ? "**" + text + "**" : text) + " |";
      if (!pivot.headline.accuracy_column.empty()) md += " " + accuracy_text(cell) + " |";
    }
    md += "\n";
  }
  return md;
}

std::string pivot_html(const Pivot& pivot) {
  std::string html = "<table class=\"pivot\">\n<tr><th>" + xml_escape(pivot.row_title) +
                     (pivot.col_title.empty() ? "" : " \\ " + xml_escape(pivot.col_title)) + "</th>";
  for (const std::string& c : column_headers(pivot)) html += "<th>" + xml_escape(c) + "</th>";
  html += "</tr>\n";
  for (size_t r = 0; r < pivot.rows.size(); ++r) {
    html += "<tr><td>" + xml_escape(pivot.rows[r]) + "</td>";
    for (const PivotCell& cell : pivot.cells[r]) {
      std::string cls = cell.best ? "best" : cell.baseline ? "baseline" : "";
      if (cell.value.n == 0 && cell.diverged) cls = "diverged";
      const std::string tip =
          std::isfinite(cell.p_value) ? fmt::format(" title=\"Welch p = {:.3g}\"", cell.p_value) : "";
      html += "<td" + (cls.empty() ? "" : " class=\"" + cls + "\"") + tip + ">" +
              xml_escape(cell_text(cell, pivot.headline)) + "</td>";
      if (!pivot.headline.accuracy_column.empty()) html += "<td>" + xml_escape(accuracy_text(cell)) + "</td>";
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

}  // namespace fpsim::io
