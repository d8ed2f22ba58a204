#pragma once
// The exact oracle: a second, independent implementation of rounding into any Format, built on MPFR
// (through Boost.Multiprecision's mpfr_float). Used only by tests and tools to check the fast core.
//
// Independence: nothing here calls round_pack, encode, convert or unpack. Codes are decoded from the
// Format's parameters (exp_bits, man_bits, bias, specials, ...), values are held exactly in MPFR, and
// rounding is an explicit quantum computation: with the quantum 2^Q of the result (the last place of a
// precision-p significand, or 2^(emin - man_bits) in the subnormal range), floor(|x| / 2^Q) and the
// remainder decide the result for each mode. Operations whose exact result is not finite in binary
// (div, sqrt, decimal strings) are computed at 320 bits toward zero with a sticky bit jammed below,
// which rounds identically to the exact value for every target of at most 64 significand bits.
//
// Conventions for the non-IEEE cases match numerics/core/rounding.h (flush-to-zero as x86 FTZ, overflow
// policies, fn/fnuz/finite specials, e8m0's missing zero, unsigned formats); see oracle_round.cpp.
// Only the deterministic modes (rne rna rtz rup rdn rodd trunc) are supported: Stochastic throws.
#include <span>
#include <string_view>

#include "numerics/core/convert.h"

namespace fpsim::reference {

/// A code decoded by the oracle: its class and exact value (every format value is a binary64 value;
/// NaN gives a NaN with the code's sign).
/// Example: oracle_decode(Bits{0x7e}, parse_format("e4m3fn")).value == 448.0
struct Decoded {
  Class cls = Class::Zero;
  bool sign = false;
  double value = 0.0;
};
Decoded oracle_decode(Bits code, const Format& format);

/// Convert a code of `from` into t with one rounding (deterministic modes only).
/// Example: oracle_convert(Bits{0x3c01}, parse_format("binary16"), Target{parse_format("e5m2")}).bits == Bits{0x3c}
Rounded oracle_convert(Bits a, const Format& from, const Target& t);

/// Round a double into t. Example: oracle_encode(58000.0, Target{parse_format("e5m2")}).bits == Bits{0x7b}
Rounded oracle_encode(double x, const Target& t);

/// Round an exact decimal string ("0.1", "-65520", "1e-7", "inf", "nan") into t, once.
/// Example: oracle_decimal("65520", Target{parse_format("binary16")}).bits == Bits{0x7c00} (overflow to inf)
Rounded oracle_decimal(std::string_view text, const Target& t);

/// Arithmetic with one rounding. Fma = a*b+c.
enum class Op { Add, Sub, Mul, Div, Sqrt, Fma };

/// operands[i] is a code of formats[i] (1 operand for Sqrt, 3 for Fma, else 2). IEEE 754 / x86 SSE
/// semantics (SoftFloat 8086-SSE): NaN operands propagate the first NaN quieted; invalid cases give the
/// default NaN (+0 where the format has no NaN) with `invalid`; x/0 gives inf with `infinite`; an exact
/// zero sum of opposite signs is +0 (−0 in rdn); t.daz reads subnormal operands as zero.
/// Example: oracle_op(Op::Add, {{0x3c00},{0x3c00}}, {f16,f16}, Target{f16}).bits == Bits{0x4000}
Rounded oracle_op(Op op, std::span<const Bits> operands, std::span<const Format> formats, const Target& t);

}  // namespace fpsim::reference
