#pragma once
// Minimal readers for the reference tables in FPSIM_REFERENCE_DIR (see the README in each folder).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace fpsim::test {

/// One TestFloat line: fields as integers (operands..., result, flags).
struct TestFloatLine {
  std::vector<uint64_t> fields;
  size_t line = 0;
};
/// Reads lines 1, 1 + stride, 1 + 2*stride, ... of a TestFloat file; throws std::runtime_error naming
/// file and line when a line read does not have `fields` hex fields.
std::vector<TestFloatLine> read_testfloat(const std::filesystem::path& path, size_t fields, size_t stride = 1);

/// A CSV file as rows of string cells (the header row dropped, its names kept).
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t column(const std::string& name) const;  ///< throws when absent
};
Csv read_csv(const std::filesystem::path& path);

uint64_t parse_hex(std::string_view text);  ///< throws on anything but hex digits

}  // namespace fpsim::test
