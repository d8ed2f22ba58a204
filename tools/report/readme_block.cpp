#include "tools/report/readme_block.h"

#include <sstream>
#include <stdexcept>

#include "tools/io/atomic_file.h"
#include "tools/report/pivot.h"

namespace fpsim::io {

namespace {
std::string start_marker(const std::string& name) { return "<!-- report-table:" + name + " -->"; }
std::string end_marker(const std::string& name) { return "<!-- /report-table:" + name + " -->"; }

// Words joined into lines of at most `width` columns (README prose is wrapped at 120).
std::string wrap(const std::string& text, size_t width) {
  std::string out, line, word;
  std::istringstream words(text);
  auto columns = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // UTF-8 code points
    return n;
  };
  while (words >> word) {
    if (!line.empty() && columns(line) + 1 + columns(word) > width) out += line + "\n", line.clear();
    line += (line.empty() ? "" : " ") + word;
  }
  return out + line + "\n";
}
}  // namespace

std::string readme_table(const ReportData& data) {
  const Pivot pivot = build_pivot(data, recipe_rows(data));
  return "\n" + pivot_markdown(pivot) + "\n" + wrap(escape_stars(pivot_legend(pivot.headline)), 120);
}

std::optional<std::string> readme_block(const std::string& text, const std::string& name) {
  const size_t start = text.find(start_marker(name));
  if (start == std::string::npos) return std::nullopt;
  const size_t from = start + start_marker(name).size(), end = text.find(end_marker(name), from);
  if (end == std::string::npos) return std::nullopt;
  return text.substr(from, end - from);
}

void update_readme_block(const std::filesystem::path& file, const std::filesystem::path& results_folder) {
  const ReportData data = load_report_data(results_folder);
  std::string text = read_file(file);
  if (!readme_block(text, data.name))
    throw std::runtime_error(file.string() + ": no block " + start_marker(data.name) + " … " + end_marker(data.name) +
                             " to replace");
  const size_t from = text.find(start_marker(data.name)) + start_marker(data.name).size();
  const size_t end = text.find(end_marker(data.name), from);
  text.replace(from, end - from, readme_table(data));
  write_file_atomic(file, text);
}

}  // namespace fpsim::io
