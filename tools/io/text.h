#pragma once
// Text forms of codes: fixed-width hex (TestFloat style) and binary fields, and strict hex parsing.
#include <cstdint>
#include <string>
#include <string_view>

#include "numerics/core/format.h"

namespace fpsim::io {

/// Hex digits for a code of format f (e5m2: 2, binary16: 4, e2m1fn: 1).
int hex_width(const Format& f);

/// Fixed-width uppercase hex without 0x (binary16 1.0 -> "3C00").
std::string hex_code(Bits b, const Format& f);

/// "0.01111.00" style: sign, exponent and mantissa fields separated by dots.
std::string binary_fields(Bits b, const Format& f);

/// Parse exactly ceil(bits/4) hex digits (optional 0x) with nothing above `bits` set; errors name
/// `where` and `type` ("format e5m2", "int32"). Example: parse_hex_bits("FFFF", 16, "int16", "line 1") == 0xffff.
uint64_t parse_hex_bits(std::string_view text, int bits, const std::string& type, const std::string& where);

/// Parse a hex code of exactly hex_width(f) digits (optional 0x); throws std::invalid_argument
/// naming `where` when the width is wrong, a digit is bad, or bits above the format are set.
Bits parse_hex_code(std::string_view text, const Format& f, const std::string& where);

}  // namespace fpsim::io
