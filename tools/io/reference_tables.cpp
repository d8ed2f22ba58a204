#include "tools/io/reference_tables.h"

#include <fmt/core.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "numerics/arith/arith.h"
#include "tools/io/text.h"

namespace fpsim::io {
namespace {

std::optional<Format> testfloat_type(const std::string& t) {
  if (t == "f16") return parse_format("binary16");
  if (t == "bf16") return parse_format("bfloat16");
  if (t == "f32") return parse_format("binary32");
  if (t == "f64") return parse_format("binary64");
  return std::nullopt;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

uint32_t parse_u32_hex(const std::string& s, const std::string& where) {
  static const Format f = parse_format("binary32");
  return static_cast<uint32_t>(parse_hex_code(s, f, where).v);
}

std::ifstream open(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read reference table " + path.string());
  return in;
}

// The rows of a CSV table after its header, each with `min_columns` to `max_columns` fields; fill(row, fields,
// "file:line") reads one. Throws std::runtime_error naming file and line for a row of another width.
template <class Row, class Fill>
std::vector<Row> read_csv_rows(const std::filesystem::path& path, size_t min_columns, size_t max_columns, Fill fill) {
  std::ifstream in = open(path);
  std::vector<Row> rows;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (number == 1 || line.empty()) continue;  // header
    const std::vector<std::string> f = split(line, ',');
    const std::string where = fmt::format("{}:{}", path.string(), number);
    if (f.size() < min_columns || f.size() > max_columns)
      throw std::runtime_error(min_columns == max_columns
                                   ? fmt::format("{}: expected {} columns", where, min_columns)
                                   : fmt::format("{}: expected at least {} columns", where, min_columns));
    Row r;
    r.line = number;
    fill(r, f, where);
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace

std::optional<TestFloatFile> parse_testfloat_name(const std::string& filename) {
  const std::vector<std::string> parts = split(filename, '.');
  if (parts.size() != 4 || parts[3] != "txt") return std::nullopt;
  TestFloatFile f;
  f.function = parts[0];
  int sr_bits = 0;
  try {
    parse_rounding(parts[1], f.rounding, sr_bits);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  if (parts[2] == "tafter") f.tininess = Tininess::AfterRounding;
  else if (parts[2] == "tbefore") f.tininess = Tininess::BeforeRounding;
  else return std::nullopt;
  const std::vector<std::string> words = split(f.function, '_');
  if (words.size() == 3 && words[1] == "to") {
    auto a = testfloat_type(words[0]), z = testfloat_type(words[2]);
    if (!a || !z) return std::nullopt;
    f.operation = "convert";
    f.operand_formats = {*a};
    f.result_format = *z;
    return f;
  }
  if (words.size() != 2) return std::nullopt;
  auto type = testfloat_type(words[0]);
  if (!type) return std::nullopt;
  // TestFloat names the arithmetic operations as ArithOp does, except mulAdd (fma).
  const std::string name = words[1] == "mulAdd" ? "fma" : words[1];
  for (ArithOp op : kArithOps) {
    if (name != to_string(op)) continue;
    f.operation = name;
    f.operand_formats.assign(arity(op), *type);
    f.result_format = *type;
    return f;
  }
  return std::nullopt;
}

std::vector<TestFloatCase> read_testfloat(const std::filesystem::path& path, const std::vector<Format>& operand_formats,
                                          const Format& result_format) {
  std::ifstream in = open(path);
  std::vector<TestFloatCase> cases;
  std::string line;
  const size_t n = operand_formats.size();
  for (size_t number = 1; std::getline(in, line); ++number) {
    std::istringstream words(line);
    std::vector<std::string> fields;
    for (std::string w; words >> w;) fields.push_back(w);
    if (fields.empty()) continue;
    const std::string where = fmt::format("{}:{}", path.string(), number);
    if (fields.size() != n + 2)
      throw std::runtime_error(fmt::format("{}: expected {} fields, found {}", where, n + 2, fields.size()));
    TestFloatCase c;
    c.line = number;
    for (size_t i = 0; i < n; ++i) c.operands.push_back(parse_hex_code(fields[i], operand_formats[i], where));
    c.result = parse_hex_code(fields[n], result_format, where);
    static const Format flags_format = parse_format("e4m3");  // any 8-bit format: two hex digits
    c.flags = static_cast<uint8_t>(parse_hex_code(fields[n + 1], flags_format, where).v);
    cases.push_back(std::move(c));
  }
  return cases;
}

std::optional<std::pair<Format, std::string>> parse_mldtypes_name(const std::string& filename) {
  const std::vector<std::string> parts = split(filename, '.');
  if (parts.size() != 3 || parts[2] != "csv" || (parts[1] != "decode" && parts[1] != "from_f32")) return std::nullopt;
  if (parts[0].rfind("p3109_", 0) == 0) return std::nullopt;  // gfloat's tables: parse_p3109_name
  try {
    return std::make_pair(parse_format(parts[0]), parts[1]);
  } catch (const FormatError&) {
    return std::nullopt;
  }
}

std::vector<MlDtypesDecodeRow> read_mldtypes_decode(const std::filesystem::path& path) {
  if (!parse_mldtypes_name(path.filename().string()))
    throw std::runtime_error("not an ml_dtypes table name: " + path.string());
  return read_csv_rows<MlDtypesDecodeRow>(path, 3, SIZE_MAX, [](MlDtypesDecodeRow& r, const auto& f, const auto& where) {
    // Codes of 6-/4-bit types are written as the storage byte: two hex digits.
    r.code = Bits{std::stoull(f[0], nullptr, 16)};
    r.f32 = parse_u32_hex(f[2], where);
  });
}

std::vector<MlDtypesEncodeRow> read_mldtypes_encode(const std::filesystem::path& path) {
  return read_csv_rows<MlDtypesEncodeRow>(path, 6, 6, [](MlDtypesEncodeRow& r, const auto& f, const auto& where) {
    r.input = parse_u32_hex(f[0], where);
    r.kind = f[1];
    r.rne = Bits{std::stoull(f[2], nullptr, 16)};
    r.rne_sat = Bits{std::stoull(f[3], nullptr, 16)};
    r.rtz = Bits{std::stoull(f[4], nullptr, 16)};
    r.rtz_sat = Bits{std::stoull(f[5], nullptr, 16)};
  });
}

std::optional<std::pair<Format, std::string>> parse_p3109_name(const std::string& filename) {
  const std::vector<std::string> parts = split(filename, '.');
  if (parts.size() != 3 || parts[2] != "csv" || (parts[1] != "decode" && parts[1] != "round")) return std::nullopt;
  try {
    const std::optional<FormatSpec> spec = p3109_spec(parts[0]);
    if (!spec) return std::nullopt;
    return std::make_pair(Format(*spec), parts[1]);
  } catch (const FormatError&) {
    return std::nullopt;
  }
}

namespace {

uint64_t parse_u64_hex(const std::string& s, const std::string& where) {
  static const Format f = parse_format("binary64");
  return parse_hex_code(s, f, where).v;
}

Bits parse_code_byte(const std::string& s, const std::string& where) {
  static const Format byte = parse_format("e4m3");  // any 8-bit format: two hex digits
  return parse_hex_code(s, byte, where);
}

}  // namespace

std::vector<P3109DecodeRow> read_p3109_decode(const std::filesystem::path& path) {
  if (!parse_p3109_name(path.filename().string())) throw std::runtime_error("not a P3109 table name: " + path.string());
  return read_csv_rows<P3109DecodeRow>(path, 2, 2, [](P3109DecodeRow& r, const auto& f, const auto& where) {
    r.code = parse_code_byte(f[0], where);
    r.value = parse_u64_hex(f[1], where);
  });
}

std::vector<P3109RoundRow> read_p3109_round(const std::filesystem::path& path) {
  if (!parse_p3109_name(path.filename().string())) throw std::runtime_error("not a P3109 table name: " + path.string());
  return read_csv_rows<P3109RoundRow>(path, 13, 13, [](P3109RoundRow& r, const auto& f, const auto& where) {
    r.input = parse_u64_hex(f[0], where);
    for (size_t c = 0; c < 12; ++c) r.codes[c] = parse_code_byte(f[c + 1], where);
  });
}

}  // namespace fpsim::io
