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

}  // namespace

std::string summary_csv(const ReportData& data) {
  std::vector<std::string> fields = {"diverged_step",    "steps",         "epochs",          "final_test_accuracy",
                                     "best_test_accuracy", "final_test_loss", "final_train_loss", "skipped_steps",
                                     "final_loss_scale"};
  // Text runs also record bits per byte; the column appears only when some run has it, so the summary.csv of
  // an image sweep keeps its columns.
  for (const RunResult& r : data.runs)
    if (r.summary.is_object() && r.summary.contains("final_test_bits_per_byte")) {
      fields.insert(fields.begin() + 6, "final_test_bits_per_byte");  // after final_test_loss
      break;
    }
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

namespace {

constexpr size_t panels_per_page = 9;

// Sections in plot order, each with its plots; small multiples split into pages of panels_per_page.
std::vector<std::pair<std::string, std::vector<const NamedPlot*>>> sections(const std::vector<NamedPlot>& plots,
                                                                            const Headline& headline) {
  std::vector<std::pair<std::string, std::vector<const NamedPlot*>>> out;
  for (const NamedPlot& p : plots) {
    if (out.empty() || out.back().first != p.section) out.push_back({p.section, {}});
    out.back().second.push_back(&p);
  }
  std::vector<std::pair<std::string, std::vector<const NamedPlot*>>> paged;
  for (const auto& [name, list] : out) {
    const size_t pages = (list.size() + panels_per_page - 1) / panels_per_page;
    for (size_t k = 0; k < pages; ++k) {
      const std::string heading =
          section_heading(name, headline) + (pages > 1 ? fmt::format(" ({}/{})", k + 1, pages) : "");
      const auto first = static_cast<std::ptrdiff_t>(k * panels_per_page);
      const auto last = static_cast<std::ptrdiff_t>(std::min(list.size(), (k + 1) * panels_per_page));
      paged.push_back({heading, {list.begin() + first, list.begin() + last}});
    }
  }
  return paged;
}

std::string status_line(const ReportData& data) {
  size_t finished = 0, diverged = 0;
  for (const RunResult& r : data.runs)
    finished += r.status == "completed" || r.status == "diverged", diverged += r.status == "diverged";
  return fmt::format("{} runs ({} finished, {} of them diverged, {} not finished) in {} recipes.", data.runs.size(),
                     finished, diverged, data.runs.size() - finished, data.recipes.size());
}

// Panels of one figure kind share a page in a grid; single wide figures (the dot plot) take the width.
const char* grid_class(const std::string& section) {
  if (section == "accuracy") return "wide";
  return section == "telemetry" || section == "format_grid" || section == "accuracy_grid" ? "grid two" : "grid";
}

}  // namespace

std::string report_markdown(const ReportData& data, const Pivot& pivot, const std::vector<NamedPlot>& plots) {
  std::string md = fmt::format("# Sweep report: {}\n\n", data.name);
  if (!data.description.empty()) md += data.description + "\n\n";
  md += status_line(data) + " " + escape_stars(pivot_legend(pivot.headline)) + "\n\n" + pivot_markdown(pivot);
  md += "\nPer-run values (best accuracy, losses, skipped steps, loss scale, telemetry): [summary.csv](summary.csv).\n";
  for (const auto& [heading, list] : sections(plots, pivot.headline)) {
    md += "\n## " + heading + "\n\n";
    for (const NamedPlot* p : list) md += fmt::format("![{}](plots/{})\n\n", p->title, p->file);
  }
  return md;
}

std::string report_html(const ReportData& data, const Pivot& pivot, const std::vector<NamedPlot>& plots) {
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Sweep report: {0}</title>\n"
      "<style>\n"
      "body {{ font-family: Helvetica, Arial, sans-serif; margin: 24px; max-width: 1240px; color: #222; }}\n"
      "h1 {{ font-size: 22px; margin: 0 0 8px; }} h2 {{ font-size: 18px; margin: 0 0 8px; }}\n"
      "p {{ font-size: 14px; line-height: 1.4; margin: 6px 0; }}\n"
      "section {{ margin-bottom: 32px; }}\n"
      "table {{ border-collapse: collapse; font-size: 13px; margin-top: 8px; }}\n"
      "th, td {{ border: 1px solid #ccc; padding: 3px 8px; text-align: right; white-space: nowrap; }}\n"
      "th {{ background: #f3f3f3; }} td:first-child, th:first-child {{ text-align: left; font-family: monospace; }}\n"
      "td.best {{ font-weight: bold; background: #e3f1e3; }} td.baseline {{ background: #eeeeee; }}\n"
      "td.diverged {{ color: #c0392b; }}\n"
      "figure {{ margin: 0; }} figcaption {{ font-size: 12px; color: #555; margin-top: 2px; }}\n"
      "svg {{ max-width: 100%; height: auto; display: block; }}\n"
      ".grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; }}\n"
      ".grid.two {{ grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); }}\n"
      "@media print {{\n"
      "  @page {{ size: A4; margin: 10mm; }}\n"
      "  body {{ margin: 0; max-width: none; }}\n"
      "  section {{ break-after: page; margin: 0; }} section:last-of-type {{ break-after: auto; }}\n"
      "  table {{ font-size: 10px; }} th, td {{ padding: 1px 4px; }} p {{ font-size: 11px; }}\n"
      "  .grid {{ grid-template-columns: repeat(3, 1fr); gap: 8px; }} .grid.two {{ grid-template-columns: 1fr 1fr; }}\n"
      "  figure {{ break-inside: avoid; }}\n"
      "}}\n</style>\n</head>\n<body>\n",
      xml_escape(data.name));
  html += "<section id=\"table\">\n<h1>Sweep report: " + xml_escape(data.name) + "</h1>\n";
  if (!data.description.empty()) html += "<p>" + xml_escape(data.description) + "</p>\n";
  html += "<p>" + xml_escape(status_line(data) + " " + pivot_legend(pivot.headline)) +
          " Per-run values: <a href=\"summary.csv\">summary.csv</a>.</p>\n" + pivot_html(pivot) + "</section>\n";
  for (const auto& [heading, list] : sections(plots, pivot.headline)) {
    html += "<section>\n<h2>" + xml_escape(heading) + "</h2>\n<div class=\"" + grid_class(list.front()->section) +
            "\">\n";
    for (const NamedPlot* p : list)
      html += "<figure>\n" + p->svg + "<figcaption>" + xml_escape(p->title) + "</figcaption>\n</figure>\n";
    html += "</div>\n</section>\n";
  }
  return html + "</body>\n</html>\n";
}

std::vector<fs::path> write_report_files(const ReportData& data, const fs::path& out) {
  const Pivot pivot = build_pivot(data, recipe_rows(data));
  const std::vector<NamedPlot> plots = report_plots(data, pivot);
  std::vector<fs::path> written;
  auto put = [&](const fs::path& path, const std::string& content) {
    write_file_atomic(path, content);
    written.push_back(path);
  };
  put(out / "summary.csv", summary_csv(data));
  for (const NamedPlot& p : plots) put(out / "plots" / p.file, p.svg);
  put(out / "report.md", report_markdown(data, pivot, plots));
  put(out / "report.html", report_html(data, pivot, plots));
  // Plots of an earlier report that this one no longer draws would be linked from nowhere: remove them.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out / "plots", ec))
    if (entry.path().extension() == ".svg" && std::find(written.begin(), written.end(), entry.path()) == written.end())
      fs::remove(entry.path(), ec);
  return written;
}

std::vector<fs::path> write_report(const fs::path& folder) {
  return write_report_files(load_report_data(folder), folder);
}

}  // namespace fpsim::io
