#pragma once
// README's results tables are generated: the text between
//   <!-- report-table:paper_fp8 -->   and   <!-- /report-table:paper_fp8 -->
// is the pivot table of results/paper_fp8, refreshed by
//   fpsim report results/paper_fp8 --readme README.md
// and checked against the committed results by tests/report (so a hand edit or a stale table fails).
#include <filesystem>
#include <optional>
#include <string>

#include "tools/report/data.h"

namespace fpsim::io {

/// The block's content for a sweep: the pivot table in Markdown and the sentence explaining its cells.
/// Example: readme_table(load_report_data("results/paper_fp8")) starts with "| precision \\ model/type |".
std::string readme_table(const ReportData& data);

/// The content between the markers named `name` in `text`, nullopt when there is no such block.
/// Example: readme_block("a<!-- report-table:x -->\nT\n<!-- /report-table:x -->", "x") == "\nT\n".
std::optional<std::string> readme_block(const std::string& text, const std::string& name);

/// Replace the block named after the sweep in `file` with readme_table of `results_folder`, atomically.
/// Throws std::runtime_error naming the file and the missing marker when the block is absent.
void update_readme_block(const std::filesystem::path& file, const std::filesystem::path& results_folder);

}  // namespace fpsim::io
