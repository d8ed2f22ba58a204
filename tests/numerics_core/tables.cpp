#include "tables.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fpsim::test {

uint64_t parse_hex(const std::string& text) {
  if (text.empty() || text.size() > 16) throw std::runtime_error("bad hex field \"" + text + "\"");
  uint64_t v = 0;
  for (char c : text) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) throw std::runtime_error("bad hex field \"" + text + "\"");
    v = v << 4 | static_cast<uint64_t>(d);
  }
  return v;
}

std::vector<TestFloatLine> read_testfloat(const std::filesystem::path& path, size_t fields) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::vector<TestFloatLine> out;
  std::string text;
  size_t number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (text.empty()) continue;
    std::istringstream words(text);
    TestFloatLine line;
    line.line = number;
    std::string word;
    try {
      while (words >> word) line.fields.push_back(parse_hex(word));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": " + e.what());
    }
    if (line.fields.size() != fields)
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": expected " + std::to_string(fields) +
                               " fields, found " + std::to_string(line.fields.size()));
    out.push_back(std::move(line));
  }
  return out;
}

size_t Csv::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw std::runtime_error("CSV has no column \"" + name + "\"");
}

Csv read_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  Csv csv;
  std::string text;
  bool first = true;
  while (std::getline(in, text)) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ss(text);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (first) { csv.header = std::move(cells); first = false; continue; }
    if (cells.size() != csv.header.size())
      throw std::runtime_error(path.string() + ": row " + std::to_string(csv.rows.size() + 2) + " has " +
                               std::to_string(cells.size()) + " cells, header has " + std::to_string(csv.header.size()));
    csv.rows.push_back(std::move(cells));
  }
  return csv;
}

}  // namespace fpsim::test
