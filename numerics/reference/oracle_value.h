#pragma once
// Internals shared by the oracle's files: an exact operand/result value in MPFR, the format limits the
// oracle derives on its own from a Format's parameters, and the rounding back end.
#include <cstdint>  // before mpfr.h, which declares the intmax_t functions only when it is seen
#include <boost/multiprecision/mpfr.hpp>

#include "numerics/reference/oracle.h"

namespace fpsim::reference::detail {

using boost::multiprecision::mpfr_float;

/// Working precision for inexact intermediate results (div, sqrt, decimal strings): far more than the
/// 64 + 2 bits a sticky-jammed value needs to round like the exact one.
inline constexpr mpfr_prec_t kWide = 320;

inline mpfr_ptr raw(mpfr_float& x) { return x.backend().data(); }
inline mpfr_srcptr raw(const mpfr_float& x) { return x.backend().data(); }

/// A fresh MPFR number with `bits` of precision (value NaN until set).
inline mpfr_float make_number(mpfr_prec_t bits = kWide) {
  mpfr_float x;
  mpfr_set_prec(raw(x), bits);
  return x;
}

/// An operand or a result before rounding.
struct Value {
  enum class Kind { Zero, Finite, Inf, NaN };
  Kind kind = Kind::Zero;
  bool sign = false;
  bool signaling = false;   ///< NaN only
  uint64_t payload = 0;     ///< NaN only: the mantissa field left-aligned in 64 bits (quiet bit at 63)
  bool subnormal = false;   ///< Finite only: decoded from a subnormal code
  mpfr_float x = make_number();  ///< Finite only: the value with its sign, exact or sticky-jammed
};

/// Limits of a format, derived here from exp_bits, man_bits, bias and specials alone.
struct Limits {
  int m = 0;                 ///< mantissa bits
  int emin = 0, emax = 0;    ///< unbiased exponents of the smallest normal and of the largest finite value
  uint64_t exp_all_ones = 0; ///< 2^exp_bits - 1
  uint64_t man_all_ones = 0; ///< 2^m - 1
  uint64_t sign_bit = 0;     ///< 0 for unsigned formats
  uint64_t max_code = 0;     ///< +max finite
  uint64_t max_sig = 0;      ///< significand of max finite as an (m+1)-bit integer
  uint64_t inf_magnitude = 0;  ///< P3109 extended: the +inf code's magnitude (0 otherwise)
};
Limits limits_of(const Format& f);

/// Decode a code exactly (daz: subnormal codes read as zero of the same sign).
Value decode_value(Bits code, const Format& f, bool daz);

/// Set v to the finite value `truncated` (rounded toward zero from the exact result, `ternary` as MPFR
/// returned it) with a sticky 1 appended one bit below when inexact:
///   exact   1.0110 1001…  truncated to 1.0110, ternary != 0  ->  1.0110 1 (strictly between, never a tie)
/// `truncated` must have at most kWide - 1 bits of precision.
void set_jammed(Value& v, mpfr_srcptr truncated, int ternary);

/// Round any value into t (NaN propagated per t.nan / t.compat, infinities per the format).
Rounded round_value(const Value& v, const Target& t);
/// The zero result of an exact computation (sign kept where the format has −0).
Rounded zero_result(bool sign, const Target& t);
/// The result of an infinite value: inf, else the NaN (invalid), else the extreme finite value (invalid).
Rounded infinity_result(bool sign, const Target& t);
/// The result of an invalid operation: the default NaN (x86: sign set), or +0 without NaN; `invalid` set.
Rounded invalid_result(const Target& t);
/// A NaN operand carried into t (payload and sign per t.nan / t.compat); invalid when signaling or
/// when t has no NaN.
Rounded nan_result(const Value& nan, const Target& t);

}  // namespace fpsim::reference::detail
