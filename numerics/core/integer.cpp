// Integer conversions (see integer.h). to_integer steps for a finite non-zero value ±sig·2^exp:
//   1. exp >= 0: the value is already an integer, sig << exp (out of range when it needs > 64 bits);
//   2. exp < 0: normalise sig to bit 63 and keep the E + 1 integer bits (E = the leading bit's
//      exponent) with detail::split, then add a unit per detail::round_up, the rule round_pack uses;
//        e.g. 2.5 = 0b101·2^-1: sig << 61 = 0xA000…0, E = 1, keep 2 -> kept 0b10, frac 0x8000…0 (a tie):
//        rne keeps 2 (even), rna gives 3;
//   3. check the range of the signed magnitude, then write the two's-complement pattern.
#include "numerics/core/integer.h"

#include <bit>
#include <stdexcept>

#include "numerics/core/convert.h"
#include "numerics/core/internal/round_decision.h"

namespace fpsim {
namespace {

// The result of an invalid conversion per NaN policy (SoftFloat's 8086-SSE, ARM and RISC-V rules).
enum class Invalid { Nan, Above, Below };

uint64_t invalid_pattern(Invalid kind, IntFormat f, NanPolicy policy) {
  const uint64_t max = f.is_signed ? f.mask() >> 1 : f.mask();
  const uint64_t min = f.is_signed ? (max + 1) & f.mask() : 0;  // 0x80…0 or 0
  if (policy == NanPolicy::X86) return f.is_signed ? min : f.mask();
  switch (kind) {
    case Invalid::Above: return max;
    case Invalid::Below: return min;
    case Invalid::Nan: return policy == NanPolicy::RiscV ? max : 0;
  }
  return 0;
}

}  // namespace

IntFormat parse_int_format(std::string_view text) {
  IntFormat f;
  std::string_view rest = text;
  if (rest.starts_with("uint")) {
    f.is_signed = false;
    rest.remove_prefix(4);
  } else if (rest.starts_with("int")) {
    rest.remove_prefix(3);
  } else {
    rest = {};
  }
  if (rest == "8" || rest == "16" || rest == "32" || rest == "64") {
    f.bits = std::stoi(std::string(rest));
    return f;
  }
  throw std::invalid_argument("unknown integer type '" + std::string(text) +
                              "' (expected int8, int16, int32, int64, uint8, uint16, uint32 or uint64)");
}

std::string to_string(IntFormat f) { return (f.is_signed ? "int" : "uint") + std::to_string(f.bits); }

Rounded to_integer(Bits a, const Format& fa, IntFormat f, const Target& t, uint64_t random_bits) {
  const Unpacked u = unpack(a, fa, t.daz);
  if (u.is_nan()) return {Bits{invalid_pattern(Invalid::Nan, f, t.nan)}, flag::invalid};
  const Invalid out_of_range = u.sign ? Invalid::Below : Invalid::Above;
  if (u.cls == Class::Infinite) return {Bits{invalid_pattern(out_of_range, f, t.nan)}, flag::invalid};
  if (u.cls == Class::Zero || u.sig == 0) return {Bits{0}, 0};

  // 1-2. The magnitude rounded to an integer.
  uint64_t magnitude;
  bool inexact = false;
  const int width = std::bit_width(u.sig);
  if (u.exp >= 0) {
    if (width + u.exp > 64) return {Bits{invalid_pattern(out_of_range, f, t.nan)}, flag::invalid};
    magnitude = u.sig << u.exp;
  } else {
    const uint64_t sig = u.sig << (64 - width);
    const int E = u.exp + width - 1;  // |value| in [2^E, 2^(E+1)), E < 63
    Rounding mode = t.rounding == Rounding::Truncate ? Rounding::TowardZero : t.rounding;
    detail::Split s = detail::split(sig, false, E + 1);
    inexact = s.frac != 0 || s.sticky;
    magnitude = s.kept;
    if (detail::round_up(s, u.sign, mode, t.sr_bits, random_bits)) magnitude += 1;
    if (mode == Rounding::Odd && inexact) magnitude |= 1;
  }
  // 3. Range, then the pattern.
  const uint64_t max_positive = f.is_signed ? f.mask() >> 1 : f.mask();
  const uint64_t max_negative = f.is_signed ? (f.mask() >> 1) + 1 : 0;
  if (u.sign ? magnitude > max_negative : magnitude > max_positive)
    return {Bits{invalid_pattern(out_of_range, f, t.nan)}, flag::invalid};
  const uint64_t pattern = (u.sign ? ~magnitude + 1 : magnitude) & f.mask();
  return {Bits{pattern}, static_cast<uint8_t>(inexact ? flag::inexact : 0)};
}

Rounded from_integer(uint64_t pattern, IntFormat f, const Target& t, uint64_t random_bits) {
  pattern &= f.mask();
  const bool negative = f.is_signed && (pattern >> (f.bits - 1)) != 0;
  // |v|: the two's complement of the sign-extended pattern (0x80…0 of int64 gives 2^63, exact in uint64).
  //   int8 0x80: ~0x80 + 1 = 0x…FF80, masked to 0x80 = 128.
  const uint64_t magnitude = negative ? (~pattern + 1) & f.mask() : pattern;
  return round_pack(Exact{negative, 0, magnitude, false}, t, random_bits);
}

}  // namespace fpsim
