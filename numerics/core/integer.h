#pragma once
// Conversions between encoded values and two's-complement integers of 8 to 64 bits (IEEE 754 5.8
// convertToIntegerExact with the rounding of a Target, and 5.4.1 convertFromInt).
#include <cstdint>
#include <string>
#include <string_view>

#include "numerics/core/rounding.h"

namespace fpsim {

/// An integer type: width in bits (8..64) and signedness.
struct IntFormat {
  int bits = 32;
  bool is_signed = true;
  uint64_t mask() const { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }
  bool operator==(const IntFormat&) const = default;
};

/// "int8" … "int64", "uint8" … "uint64" (widths 8, 16, 32, 64); throws std::invalid_argument naming
/// the text otherwise. Example: parse_int_format("uint16") == IntFormat{16, false}.
IntFormat parse_int_format(std::string_view text);
/// Example: to_string(IntFormat{32, true}) == "int32".
std::string to_string(IntFormat f);

/// `a` rounded to an integer with t.rounding (every mode, sr and sr:K with random_bits; trunc = rtz,
/// rodd sets the last bit of an inexact result), t.daz reading subnormals as zero; t.format is not
/// used. bits.v is the result's two's-complement pattern in f.bits bits. Flags: inexact when a
/// fraction was discarded; invalid alone for NaN, infinities and results out of range, whose result
/// follows t.nan as the SoftFloat specialisations do:
///   X86 (8086-SSE): every invalid case gives the "integer indefinite" — the most negative signed value
///     (0x80000000 for int32), all ones for unsigned;
///   ArmDefault: saturate (max above, min below; unsigned: 0 below), NaN gives 0;
///   RiscV: saturate, NaN gives the maximum.
/// A negative value that rounds to 0 is valid for unsigned types (-0.4 rtz -> 0, inexact).
/// Example: to_integer({0x3e00}, binary16, IntFormat{32, true}, Target{}) == Rounded{{2}, flag::inexact} (1.5 -> 2, rne).
Rounded to_integer(Bits a, const Format& fa, IntFormat f, const Target& t, uint64_t random_bits = 0);

/// The integer whose f.bits-bit pattern is `pattern` (sign-extended when f.is_signed) rounded once
/// into t. Example: from_integer(0xffffffff, IntFormat{32, true}, Target{binary16}).bits == Bits{0xbc00} (-1).
Rounded from_integer(uint64_t pattern, IntFormat f, const Target& t, uint64_t random_bits = 0);

}  // namespace fpsim
