// The oracle's own decoder, and the conversions built on it.
#include <cmath>
#include <limits>
#include <stdexcept>

#include "numerics/reference/oracle_value.h"

namespace fpsim::reference {
namespace detail {

Limits limits_of(const Format& f) {
  Limits L;
  L.m = f.man_bits();
  L.exp_all_ones = (uint64_t{1} << f.exp_bits()) - 1;
  L.man_all_ones = (uint64_t{1} << L.m) - 1;
  L.sign_bit = f.is_signed() ? uint64_t{1} << (f.exp_bits() + L.m) : 0;
  // Top finite code per specials: ieee reserves the all-ones exponent; fn reserves S.1…1.1…1 (the
  // whole top binade when there are no mantissa bits, as e8m0fnu); fnuz and finite reserve nothing there.
  uint64_t top_field = L.exp_all_ones, top_man = L.man_all_ones;
  switch (f.specials()) {
    case Specials::Ieee: top_field -= 1; break;
    case Specials::Fn:
      if (L.m == 0) top_field -= 1; else top_man -= 1;
      break;
    case Specials::Fnuz:
    case Specials::Finite: break;
    case Specials::P3109Extended:
    case Specials::P3109Finite: {
      // Codes from the top magnitude down: the NaN when unsigned (signed: 0x80), +inf when extended.
      uint64_t top = (L.exp_all_ones << L.m) | L.man_all_ones;
      if (!f.is_signed()) top -= 1;
      if (f.specials() == Specials::P3109Extended) L.inf_magnitude = top--;
      top_field = top >> L.m;
      top_man = top & L.man_all_ones;
      break;
    }
  }
  L.emin = (f.has_zero() ? 1 : 0) - f.bias();
  L.emax = static_cast<int>(top_field) - f.bias();
  L.max_code = (top_field << L.m) | top_man;
  L.max_sig = (uint64_t{1} << L.m) | top_man;
  return L;
}

Value decode_value(Bits code, const Format& f, bool daz) {
  const Limits L = limits_of(f);
  const uint64_t mask = L.sign_bit ? (L.sign_bit << 1) - 1 : (uint64_t{1} << (f.exp_bits() + L.m)) - 1;
  if ((code.v & ~mask) != 0) throw std::invalid_argument("oracle: code has bits above the format's width");
  Value v;
  v.sign = (code.v & L.sign_bit) != 0;
  const uint64_t field = (code.v >> L.m) & L.exp_all_ones;
  const uint64_t man = code.v & L.man_all_ones;
  const uint64_t payload = L.m > 0 ? man << (64 - L.m) : 0;
  // Special codes.
  switch (f.specials()) {
    case Specials::Ieee:
      if (field == L.exp_all_ones) {
        if (man == 0) { v.kind = Value::Kind::Inf; return v; }
        v.kind = Value::Kind::NaN;
        v.signaling = (man >> (L.m - 1)) == 0;  // quiet bit = top mantissa bit
        v.payload = payload;
        return v;
      }
      break;
    case Specials::Fn:
      if (field == L.exp_all_ones && man == L.man_all_ones) {
        v.kind = Value::Kind::NaN;
        v.payload = payload;
        return v;
      }
      break;
    case Specials::Fnuz:
      if (code.v == L.sign_bit) { v.kind = Value::Kind::NaN; return v; }  // the "−0" code, read with its sign
      break;
    case Specials::P3109Extended:
    case Specials::P3109Finite:
      if (f.is_signed() ? code.v == L.sign_bit : code.v == mask) { v.kind = Value::Kind::NaN; return v; }
      if (L.inf_magnitude != 0 && (code.v & ~L.sign_bit) == L.inf_magnitude) { v.kind = Value::Kind::Inf; return v; }
      break;
    case Specials::Finite: break;
  }
  // Finite codes: exponent field 0 is the subnormal binade when the format has a zero.
  int64_t sig = 0;
  long exp2 = 0;
  if (f.has_zero() && field == 0) {
    if (man == 0 || daz) { v.kind = Value::Kind::Zero; return v; }
    v.subnormal = true;
    sig = static_cast<int64_t>(man);
    exp2 = 1 - f.bias() - L.m;
  } else {
    sig = static_cast<int64_t>((uint64_t{1} << L.m) | man);
    exp2 = static_cast<long>(field) - f.bias() - L.m;
  }
  v.kind = Value::Kind::Finite;
  mpfr_set_si_2exp(raw(v.x), v.sign ? -sig : sig, exp2, MPFR_RNDN);  // exact: sig < 2^53
  return v;
}

void set_jammed(Value& v, mpfr_srcptr truncated, int ternary) {
  v.kind = Value::Kind::Finite;
  v.sign = mpfr_signbit(truncated) != 0;
  mpfr_set(raw(v.x), truncated, MPFR_RNDN);  // exact: kWide >= precision of truncated + 1
  if (ternary == 0) return;
  // One unit at bit kWide of the significand: 2^(exponent - kWide) with MPFR's exponent convention
  // (significand in [1/2, 1)), so the sum fits kWide bits exactly and lies strictly inside the gap.
  mpfr_float unit = make_number(8);
  mpfr_set_si_2exp(raw(unit), v.sign ? -1 : 1, mpfr_get_exp(truncated) - kWide, MPFR_RNDN);
  mpfr_add(raw(v.x), raw(v.x), raw(unit), MPFR_RNDN);
}

}  // namespace detail

using namespace detail;

Decoded oracle_decode(Bits code, const Format& format) {
  const Value v = decode_value(code, format, false);
  Decoded d;
  d.sign = v.sign;
  switch (v.kind) {
    case Value::Kind::Zero: d.cls = Class::Zero; d.value = v.sign ? -0.0 : 0.0; break;
    case Value::Kind::Inf:
      d.cls = Class::Infinite;
      d.value = v.sign ? -HUGE_VAL : HUGE_VAL;
      break;
    case Value::Kind::NaN:
      d.cls = v.signaling ? Class::SignalingNaN : Class::QuietNaN;
      d.value = v.sign ? -std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::quiet_NaN();
      break;
    case Value::Kind::Finite:
      d.cls = v.subnormal ? Class::Subnormal : Class::Normal;
      d.value = mpfr_get_d(raw(v.x), MPFR_RNDN);  // exact: every format value is a binary64 value
      break;
  }
  return d;
}

Rounded oracle_convert(Bits a, const Format& from, const Target& t) {
  return round_value(decode_value(a, from, t.daz), t);
}

Rounded oracle_encode(double x, const Target& t) {
  static const Format binary64 = parse_format("binary64");
  return oracle_convert(Bits{bits_of(x)}, binary64, t);
}

}  // namespace fpsim::reference
