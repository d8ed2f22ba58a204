#pragma once
// `fpsim report results/<sweep>`: summary.csv, report.md, report.html and plots/*.svg, each
// written atomically. `fpsim report A B` writes the same for two sweeps side by side.
#include <filesystem>
#include <string>
#include <vector>

#include "tools/report/data.h"
#include "tools/report/pivot.h"
#include "tools/report/plots.h"

namespace fpsim::io {

/// summary.csv: one row per run (id, every swept pointer, seed, status, summary numbers,
/// telemetry summaries as "<layer>/<role>:<statistic>"); RFC 4180 quoting, empty = missing.
/// Example: summary_csv(data) starts with "run_id,".
std::string summary_csv(const ReportData& data);

/// The report as Markdown: the pivot table, then the plots by section (linked from plots/).
/// Example: report_markdown(d, pivot, plots) starts with "# ".
std::string report_markdown(const ReportData& data, const Pivot& pivot, const std::vector<NamedPlot>& plots);

/// The report as one self-contained HTML page (inline CSS and SVG, no external resources, no script):
/// one <section> per printed page: the table first, then each figure section (small multiples in
/// groups of at most 9 panels per page). Example: report_html(d, pivot, plots).find("<svg") != npos.
std::string report_html(const ReportData& data, const Pivot& pivot, const std::vector<NamedPlot>& plots);

/// Write summary.csv, plots/, report.md and report.html of `data` into `out`; returns the paths written.
std::vector<std::filesystem::path> write_report_files(const ReportData& data, const std::filesystem::path& out);

/// Load folder, write all files into it; returns the paths written. Example: write_report("results/quick");
std::vector<std::filesystem::path> write_report(const std::filesystem::path& folder);

}  // namespace fpsim::io
