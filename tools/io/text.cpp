#include "tools/io/text.h"

#include <fmt/core.h>

#include <stdexcept>

namespace fpsim::io {

int hex_width(const Format& f) { return (f.total_bits() + 3) / 4; }

std::string hex_code(Bits b, const Format& f) { return fmt::format("{:0{}X}", b.v, hex_width(f)); }

std::string binary_fields(Bits b, const Format& f) {
  std::string out;
  const int n = f.total_bits();
  for (int i = n - 1; i >= 0; --i) {
    out += ((b.v >> i) & 1) ? '1' : '0';
    const bool after_sign = f.is_signed() && i == n - 1;
    const bool after_exp = i == f.man_bits() && f.man_bits() > 0;
    if ((after_sign || after_exp) && i > 0) out += '.';
  }
  return out;
}

uint64_t parse_hex_bits(std::string_view text, int bits, const std::string& type, const std::string& where) {
  std::string_view s = text;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  const int width = (bits + 3) / 4;
  if (static_cast<int>(s.size()) != width)
    throw std::invalid_argument(
        fmt::format("{}: hex value \"{}\" has {} digits, {} needs {}", where, text, s.size(), type, width));
  uint64_t v = 0;
  for (char c : s) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) throw std::invalid_argument(fmt::format("{}: bad hex digit '{}' in \"{}\"", where, c, text));
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  if (bits < 64 && (v >> bits) != 0)
    throw std::invalid_argument(fmt::format("{}: hex value \"{}\" sets bits above the {}-bit {}", where, text, bits, type));
  return v;
}

Bits parse_hex_code(std::string_view text, const Format& f, const std::string& where) {
  return Bits{parse_hex_bits(text, f.total_bits(), "format " + f.to_string(), where)};
}

}  // namespace fpsim::io
