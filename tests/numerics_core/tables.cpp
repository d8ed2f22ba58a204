#include "tables.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fpsim::test {

uint64_t parse_hex(std::string_view text) {
  if (text.empty() || text.size() > 16) throw std::runtime_error("bad hex field \"" + std::string(text) + "\"");
  uint64_t v = 0;
  for (char c : text) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) throw std::runtime_error("bad hex field \"" + std::string(text) + "\"");
    v = v << 4 | static_cast<uint64_t>(d);
  }
  return v;
}

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

// Calls visit(line_text, line_number) for each line (without its '\n' or '\r').
template <class Visit>
void for_each_line(const std::string& text, Visit&& visit) {
  size_t number = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    size_t stop = end;
    if (stop > start && text[stop - 1] == '\r') --stop;
    visit(std::string_view(text).substr(start, stop - start), ++number);
    start = end + 1;
  }
}

// Splits on `sep` (runs of it when `merge`), without copying the text.
std::vector<std::string_view> split(std::string_view line, char sep, bool merge) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= line.size()) {
    size_t end = line.find(sep, start);
    if (end == std::string_view::npos) end = line.size();
    if (!merge || end > start) out.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::vector<TestFloatLine> read_testfloat(const std::filesystem::path& path, size_t fields, size_t stride) {
  const std::string text = slurp(path);
  std::vector<TestFloatLine> out;
  for_each_line(text, [&](std::string_view line, size_t number) {
    if (line.empty() || (number - 1) % stride != 0) return;
    TestFloatLine parsed;
    parsed.line = number;
    try {
      for (std::string_view word : split(line, ' ', true)) parsed.fields.push_back(parse_hex(word));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": " + e.what());
    }
    if (parsed.fields.size() != fields)
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": expected " + std::to_string(fields) +
                               " fields, found " + std::to_string(parsed.fields.size()));
    out.push_back(std::move(parsed));
  });
  return out;
}

size_t Csv::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw std::runtime_error("CSV has no column \"" + name + "\"");
}

Csv read_csv(const std::filesystem::path& path) {
  const std::string text = slurp(path);
  Csv csv;
  bool first = true;
  for_each_line(text, [&](std::string_view line, size_t number) {
    if (line.empty()) return;
    std::vector<std::string> cells;
    for (std::string_view cell : split(line, ',', false)) cells.emplace_back(cell);
    if (first) { csv.header = std::move(cells); first = false; return; }
    if (cells.size() != csv.header.size())
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": " + std::to_string(cells.size()) +
                               " cells, header has " + std::to_string(csv.header.size()));
    csv.rows.push_back(std::move(cells));
  });
  return csv;
}

}  // namespace fpsim::test
