// The oracle's rounding: an explicit quantum computation in MPFR.
//
// For a finite non-zero x with |x| in [2^E, 2^(E+1)) and a format with m mantissa bits:
//   1. the quantum (weight of the last kept place) is 2^Q with Q = E - m, or Q = emin - m in the
//      subnormal range (Q = E - m with an unbounded exponent range, used for tininess after rounding);
//   2. y = |x| / 2^Q is exact in MPFR; N = floor(y) and the remainder r = y - N in [0, 1) decide:
//        rne: up iff r > 1/2, or r = 1/2 and N odd     rna: up iff r >= 1/2
//        rtz, trunc: never     rup: iff x > 0     rdn: iff x < 0     rodd: iff r > 0 and N even
//      e.g. e2m1fn, x = 1.25 = 0b1.01: E = 0, Q = -1, y = 2.5, N = 2, r = 1/2 -> rne keeps N = 2 (1.0);
//   3. the result N * 2^Q is re-normalised (N = 2^(m+1) after a carry is the next binade) and packed;
//   4. results above max finite, tiny results and exact zeros follow the policies of numerics/core/rounding.h.
#include <bit>
#include <stdexcept>

#include "numerics/reference/oracle_value.h"

namespace fpsim::reference::detail {
namespace {

struct Quantised {
  uint64_t n = 0;  ///< |x| / 2^Q rounded to an integer
  bool inexact = false;
};

// parity: whether N counts as odd for rne ties and rodd; -1 = N's own last bit.
Quantised round_to_quantum(mpfr_srcptr x, long Q, Rounding mode, int parity = -1) {
  thread_local mpfr_float y = make_number(kWide), whole = make_number(kWide);
  const bool negative = mpfr_signbit(x) != 0;
  mpfr_abs(raw(y), x, MPFR_RNDN);
  mpfr_mul_2si(raw(y), raw(y), -Q, MPFR_RNDN);  // exact: a power-of-two scaling
  mpfr_floor(raw(whole), raw(y));                // exact: kWide bits hold every integer part here
  Quantised out;
  out.n = mpfr_get_uj(raw(whole), MPFR_RNDZ);
  mpfr_sub(raw(y), raw(y), raw(whole), MPFR_RNDN);  // the remainder, exact
  if (mpfr_zero_p(raw(y))) return out;
  out.inexact = true;
  const bool odd = parity < 0 ? (out.n & 1) != 0 : parity != 0;
  const int vs_half = mpfr_cmp_d(raw(y), 0.5);
  bool up = false;
  switch (mode) {
    case Rounding::NearestEven: up = vs_half > 0 || (vs_half == 0 && odd); break;
    case Rounding::NearestAway: up = vs_half >= 0; break;
    case Rounding::TowardZero:
    case Rounding::Truncate: up = false; break;
    case Rounding::Up: up = !negative; break;
    case Rounding::Down: up = negative; break;
    case Rounding::Odd: up = !odd; break;
    case Rounding::Stochastic: throw std::invalid_argument("oracle: stochastic rounding is not deterministic");
  }
  if (up) out.n += 1;
  return out;
}

int bit_length(uint64_t n) { return 64 - std::countl_zero(n); }

Bits nan_code(const Format& f, const Limits& L, bool negative) {
  switch (f.specials()) {
    case Specials::Ieee:  // quiet, zero payload: f16 0x7e00 / 0xfe00
      return Bits{(negative ? L.sign_bit : 0) | (L.exp_all_ones << L.m) | (uint64_t{1} << (L.m - 1))};
    case Specials::Fn: return Bits{(negative ? L.sign_bit : 0) | (L.exp_all_ones << L.m) | L.man_all_ones};
    case Specials::Fnuz: return Bits{L.sign_bit};
    case Specials::P3109Extended:
    case Specials::P3109Finite:
      return Bits{L.sign_bit ? L.sign_bit : (L.exp_all_ones << L.m) | L.man_all_ones};
    case Specials::Finite: break;
  }
  throw std::logic_error("oracle: format has no NaN");
}

bool has_nan(const Format& f) { return f.specials() != Specials::Finite; }

// "Infinity" as the overflow policies use it: inf, else the NaN, else max finite.
Bits infinity_like(const Format& f, const Limits& L, bool negative) {
  const uint64_t s = negative ? L.sign_bit : 0;
  if (f.specials() == Specials::Ieee) return Bits{s | (L.exp_all_ones << L.m)};
  if (L.inf_magnitude != 0) return Bits{s | L.inf_magnitude};
  if (has_nan(f)) return nan_code(f, L, negative);
  return Bits{s | L.max_code};
}

Rounded overflow_result(bool negative, const Target& t, const Limits& L) {
  const Format& f = t.format;
  const uint8_t flags = flag::overflow | flag::inexact;
  const Bits max{(negative ? L.sign_bit : 0) | L.max_code};
  if (t.overflow == Overflow::Saturate) return {max, flags};
  if (t.overflow == Overflow::NonSaturating) return {infinity_like(f, L, negative), flags};
  // IEEE 754 7.4: nearest modes go to infinity; directed modes to infinity only in their direction;
  // rodd (SoftFloat) and trunc's in-range part like rtz. trunc reaches here only via its
  // |x| >= 2^(emax+1) rule, handled by the caller.
  bool to_infinity = true;
  switch (t.rounding) {
    case Rounding::TowardZero:
    case Rounding::Odd: to_infinity = false; break;
    case Rounding::Up: to_infinity = !negative; break;
    case Rounding::Down: to_infinity = negative; break;
    default: break;
  }
  return {to_infinity ? infinity_like(f, L, negative) : max, flags};
}

// Zero code of a result that is zero or flushed to zero. Formats without zero use their smallest value.
Bits zero_code(const Format& f, const Limits& L, bool negative) {
  if (!f.has_zero()) return Bits{0};  // e8m0fnu: code 0 is 2^-127
  const bool keeps_sign = f.is_signed() && f.specials() != Specials::Fnuz && !is_p3109(f.specials());
  return Bits{negative && keeps_sign ? L.sign_bit : 0};
}

// A negative non-zero value into an unsigned format: invalid; the NaN, or 0 / the smallest value when
// saturating or without NaN.
Rounded negative_into_unsigned(const Target& t, const Limits& L) {
  const Format& f = t.format;
  if (t.overflow == Overflow::Saturate || !has_nan(f)) return {Bits{0}, flag::invalid};
  return {nan_code(f, L, false), flag::invalid};
}

Rounded round_finite(mpfr_srcptr x, const Target& t) {
  const Format& f = t.format;
  const Limits L = limits_of(f);
  const bool negative = mpfr_signbit(x) != 0;
  if (negative && !f.is_signed()) return negative_into_unsigned(t, L);
  const Rounding mode = t.rounding;
  const long E = mpfr_get_exp(x) - 1;  // MPFR: |x| = 0.1… * 2^exp
  const int m = L.m;

  // trunc (ml_dtypes kTruncate): |x| >= 2^(emax+1) overflows as if non-saturating (or saturates).
  if (mode == Rounding::Truncate && E > L.emax) {
    Target nonsat = t;
    if (nonsat.overflow == Overflow::Ieee) nonsat.overflow = Overflow::NonSaturating;
    return overflow_result(negative, nonsat, L);
  }

  // Tininess: before rounding, |x| < 2^emin; after, |x| rounded to m+1 bits with an unbounded
  // exponent range is still < 2^emin.
  bool tiny = E < L.emin;
  if (tiny && t.tininess == Tininess::AfterRounding) {
    const Quantised unbounded = round_to_quantum(x, E - m, mode);
    tiny = bit_length(unbounded.n) - 1 + (E - m) < L.emin;
  }
  if (tiny && !f.subnormals())  // flush to zero (x86 FTZ): ±0, or the smallest value without zero
    return {zero_code(f, L, negative), static_cast<uint8_t>(flag::underflow | flag::inexact)};

  const long Q = (f.subnormals() && E < L.emin) ? L.emin - m : E - m;
  // P3109 with P = 1 (no fraction bits): even and odd are the code's, i.e. the exponent field's, last bit
  // (gfloat); N = 1 for every normal-range value, so it cannot say.
  const bool field_parity = is_p3109(f.specials()) && m == 0 && Q == E && E >= L.emin;
  const Quantised r = round_to_quantum(x, Q, mode, field_parity ? static_cast<int>((E + f.bias()) & 1) : -1);
  uint8_t flags = r.inexact ? flag::inexact : 0;
  if (tiny && r.inexact) flags |= flag::underflow;
  if (r.n == 0) return {zero_code(f, L, negative), flags};

  const uint64_t s = negative ? L.sign_bit : 0;
  const long e = Q + bit_length(r.n) - 1;  // exponent of the result's leading bit
  if (e < L.emin) return {Bits{s | r.n}, flags};  // subnormal: N is the mantissa field (Q = emin - m)
  const long shift = Q - (e - m);                 // align N to m+1 bits (-1 after a carry: a zero drops)
  const uint64_t sig = shift >= 0 ? r.n << shift : r.n >> -shift;
  const bool overflow = e > L.emax || (e == L.emax && sig > L.max_sig);
  const uint64_t code = s | (uint64_t(e + f.bias()) << m) | (sig & L.man_all_ones);
  if (overflow) {
    if (mode == Rounding::Truncate) {
      // In the top binade, truncation exceeds max only by landing on an fn NaN code (e4m3fn 480 -> 0x7f),
      // which ml_dtypes returns as is; saturation gives max.
      const uint8_t of = flag::overflow | flag::inexact;  // overflow always comes with inexact
      if (t.overflow == Overflow::Saturate) return {Bits{s | L.max_code}, of};
      return {Bits{code}, of};
    }
    return overflow_result(negative, t, L);
  }
  return {Bits{code}, flags};
}

}  // namespace

Rounded zero_result(bool sign, const Target& t) {
  const Format& f = t.format;
  const Limits L = limits_of(f);
  if (!f.has_zero()) {  // e8m0fnu: zero is out of range
    if (t.overflow == Overflow::Saturate || !has_nan(f)) return {Bits{0}, flag::inexact};
    return {nan_code(f, L, false), flag::invalid};
  }
  return {zero_code(f, L, sign), 0};
}

Rounded infinity_result(bool sign, const Target& t) {
  const Format& f = t.format;
  const Limits L = limits_of(f);
  if (f.specials() == Specials::Ieee && (f.is_signed() || !sign))
    return {Bits{(sign ? L.sign_bit : 0) | (L.exp_all_ones << L.m)}, 0};
  // P3109 saturation (gfloat's sat, the draft's SatFinite) clamps infinities to ±max.
  if (is_p3109(f.specials()) && t.overflow == Overflow::Saturate && (f.is_signed() || !sign))
    return {Bits{(sign ? L.sign_bit : 0) | L.max_code}, static_cast<uint8_t>(flag::overflow | flag::inexact)};
  if (L.inf_magnitude != 0 && (f.is_signed() || !sign)) return {Bits{(sign ? L.sign_bit : 0) | L.inf_magnitude}, 0};
  if (has_nan(f)) return {nan_code(f, L, sign), flag::invalid};
  if (sign && !f.is_signed()) return {Bits{0}, flag::invalid};
  return {Bits{(sign ? L.sign_bit : 0) | L.max_code}, flag::invalid};
}

Rounded invalid_result(const Target& t) {
  const Format& f = t.format;
  if (!has_nan(f)) return {Bits{0}, flag::invalid};
  return {nan_code(f, limits_of(f), t.nan == NanPolicy::X86), flag::invalid};
}

Rounded nan_result(const Value& nan, const Target& t) {
  const Format& f = t.format;
  const Limits L = limits_of(f);
  uint8_t flags = nan.signaling ? flag::invalid : 0;
  if (!has_nan(f)) flags |= flag::invalid;
  const bool mldtypes = t.compat == Compat::MlDtypes;
  const bool negative = f.is_signed() && (t.nan == NanPolicy::X86 || mldtypes) && nan.sign;
  switch (f.specials()) {
    case Specials::Ieee: {
      // x86: the source payload's top bits, quieted (binary32 0x7f800001 -> binary16 0x7e00;
      // 0x7fbfe000 -> 0x7fff). ARM default-NaN / RISC-V / ml_dtypes: the quiet bit alone.
      uint64_t man = uint64_t{1} << (L.m - 1);
      if (t.nan == NanPolicy::X86 && !mldtypes) man |= nan.payload >> (64 - L.m);
      return {Bits{(negative ? L.sign_bit : 0) | (L.exp_all_ones << L.m) | man}, flags};
    }
    case Specials::Fn:
    case Specials::Fnuz:
    case Specials::P3109Extended:
    case Specials::P3109Finite: return {nan_code(f, L, negative), flags};
    case Specials::Finite:
      // No NaN: +0; ml_dtypes gives the zero of the opposite sign (its quiet_NaN() is −0).
      if (mldtypes && f.is_signed()) return {Bits{nan.sign ? 0 : L.sign_bit}, flags};
      return {Bits{0}, flags};
  }
  return {Bits{0}, flags};
}

Rounded round_value(const Value& v, const Target& t) {
  switch (v.kind) {
    case Value::Kind::NaN: return nan_result(v, t);
    case Value::Kind::Inf: return infinity_result(v.sign, t);
    case Value::Kind::Zero: return zero_result(v.sign, t);
    case Value::Kind::Finite: break;
  }
  return round_finite(raw(v.x), t);
}

}  // namespace fpsim::reference::detail
