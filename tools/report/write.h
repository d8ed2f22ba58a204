#pragma once
// `fpsim report results/<sweep>`: summary.csv, report.md, report.html and plots/*.svg, each
// written atomically.
#include <filesystem>
#include <string>
#include <vector>

#include "tools/report/data.h"

namespace fpsim::io {

/// summary.csv: one row per run (id, every swept pointer, seed, status, summary numbers,
/// telemetry summaries as "<layer>/<role>:<statistic>"); RFC 4180 quoting, empty = missing.
/// Example: summary_csv(data) starts with "run_id,".
std::string summary_csv(const ReportData& data);

struct NamedPlot {
  std::string file;   // "accuracy_vs_format.svg"
  std::string title;  // caption
  std::string svg;
};

/// Every plot of the report: final accuracy vs format by rounding mode, train and test loss
/// curves per recipe, loss-scale trajectories, gradient zero fraction per quantisation point.
/// Example: report_plots(data).front().file == "accuracy_vs_format.svg".
std::vector<NamedPlot> report_plots(const ReportData& data);

/// The report as Markdown (plots linked from plots/). Example: report_markdown(d, p) starts with "# ".
std::string report_markdown(const ReportData& data, const std::vector<NamedPlot>& plots);

/// The report as one self-contained HTML page (inline CSS and SVG, no external resources).
/// Example: report_html(d, p).find("<svg") != npos.
std::string report_html(const ReportData& data, const std::vector<NamedPlot>& plots);

/// Load folder, write all files into it; returns the paths written. Example: write_report("results/quick");
std::vector<std::filesystem::path> write_report(const std::filesystem::path& folder);

}  // namespace fpsim::io
