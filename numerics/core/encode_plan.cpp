// EncodePlan (see encode_plan.h). Rounding site (listed in round_pack.cpp): rne of a binary32 pattern by
// integer operations, for every finite input, into formats with binary32-compatible fields.
//
// Normal results (|x| >= 2^emin): with d = 23 − man_bits dropped bits, add 2^(d−1) − 1 plus the kept lsb,
// shift out d bits (a carry bumps the exponent field), then subtract (127 − bias) << man_bits to rebias. A
// magnitude above max_code overflowed: in rne every such input gives one result (± by sign), precomputed by
// convert().
//   binary16, x = 0x3F801000 = 1 + 2^-11 (a tie): (0x3F801000 + 0x0FFF + 0) >> 13 = 0x1FC00, minus 112 << 10
//   gives 0x3C00 = 1.0 (ties to even), inexact.
//   e4m3fn (d = 20), x = 0x43E80000 = 464: (0x43E80000 + 0x7FFFF + 0) >> 20 = 0x43E, minus 120 << 3 = 0x3C0
//   gives 0x7E (448): 464 lies below the 480 midpoint; x = 480 gives 0x7F > max_code 0x7E, an overflow.
// Subnormal results (|x| < 2^emin): |x| = sig·2^(e − 150) with e the binary32 exponent field (1 for its
// subnormals) and sig the significand with its hidden bit; the target's subnormal step is 2^(emin − m),
// so the code is sig shifted right by n = 150 + emin − m − e, rounded to nearest even by the same bias
// trick. n >= 24 − m >= 2 because |x| < 2^emin; n is capped at 25, where every sig < 2^24 rounds to 0.
// A carry out of the top gives 2^m, which is exactly the code of 2^emin (exponent field 1, fraction 0).
//   e4m3fn (emin −6, m 3), x = 0x3C100000 = 2^-7·1.125 = 0.0087890625: e = 120, sig = 0x900000,
//   n = 150 − 6 − 3 − 120 = 21: x is 4.5 steps of 2^-9, a tie; (0x900000 + 0xFFFFF + 0) >> 21 = 4 (even),
//   i.e. 4·2^-9 = 2^-7, inexact (the dropped 0x100000 is not zero) and tiny, so underflow too.
//
// The table (tabled(), m <= 5). For a deterministic mode the result depends on x only through its sign, its
// exponent E, its top m + 1 fraction bits and a sticky bit (every rounding point lies at or above fraction bit
// m + 1: normal results round there, subnormal ones higher; tininess after rounding rounds there too). Rows:
//   e_lo − 1 (the row below): every |x| < 2^e_lo with e_lo = emin − m − 1, half the smallest subnormal, rounds
//     to zero with the same flags; its sticky is "x is not zero" (an exact zero has no flags);
//   e_lo .. e_hi − 1: one row per binade;
//   e_hi = the exponent of max, plus one: every |x| >= 2^e_hi overflows alike.
// Each entry is convert() of the smallest binary32 value of its class (fraction bits below the top m + 1 zero,
// or only the last one set for sticky = 1), which shares sign, E, top bits and sticky with every x it stands for.
//   e4m3fn (m 3, emin −6): e_lo = −10, e_hi = 9, shift 19; x = 0x3FB00000 = 1.375 (E 0, fraction 011 0, sticky
//   0): 0x3FB00000 >> 19 = 0x7F6, the row below is 2^-11 = 0x3A000000, >> 19 = 0x740, index (0xB6 << 1) | 0 =
//   0x16C: row 11 (E = 0), column 0b0110: 1.375 -> 0x3B exactly. 2^-12 = 0x39800000 is below 2^-10: row below,
//   sticky 1 -> +0, inexact and underflow.
// Tininess after rounding: a subnormal-range x is tiny unless it rounds to 2^emin at precision m + 1
// with an unbounded exponent, i.e. unless |x| >= 2^emin − 2^(emin − m − 2); underflow = tiny and inexact.
#include "numerics/core/encode_plan.h"

#include <cfloat>
#include <cmath>

#include "numerics/core/convert.h"

namespace fpsim {
namespace {

const Format& binary32_format() {
  static const Format f = parse_format("binary32");
  return f;
}

// The first binary32 pattern whose value is >= v (v positive, below 2^128).
uint32_t first_pattern_at_or_above(double v) {
  uint32_t p = bits_of(static_cast<float>(v));
  if (static_cast<double>(float_from_bits(p)) < v) ++p;
  return p;
}

}  // namespace

EncodePlan::EncodePlan(const Target& t) : t_(t) {
  const Format& f = t.format;
  const int m = f.man_bits();
  bits_ = t.rounding == Rounding::NearestEven && !t.daz && t.compat == Compat::None && m >= 1 && m <= 22 &&
          f.exp_bits() <= 8 && f.is_signed() && f.has_zero() && f.emin() >= -126;
  if (!bits_) return;
  subnormals_ = f.subnormals();
  negative_zero_ = f.has_negative_zero();
  tiny_before_ = t.tininess == Tininess::BeforeRounding;
  d_ = 23 - m;
  man_bits_ = m;
  emin_ = f.emin();
  normal_min_ = static_cast<uint32_t>(f.emin() + 127) << 23;
  tiny_below_ = first_pattern_at_or_above(std::ldexp(1.0, f.emin()) - std::ldexp(1.0, f.emin() - m - 2));
  rebias_ = static_cast<uint32_t>(127 - f.bias()) << m;
  max_code_ = static_cast<uint32_t>(f.max_code().v);
  sign_mask_ = static_cast<uint32_t>(f.sign_mask());
  overflow_[0] = convert(Bits{bits_of(FLT_MAX)}, binary32_format(), t, 0);
  overflow_[1] = convert(Bits{bits_of(-FLT_MAX)}, binary32_format(), t, 0);
  build_table();
  binary16_ = f.exp_bits() == 5 && m == 10 && f.bias() == 15 && f.specials() == Specials::Ieee && f.subnormals() &&
              max_code_ == 0x7BFFu;
}


void EncodePlan::build_table() {
  const Format& f = t_.format;
  const int m = man_bits_;
  const int e_lo = f.emin() - m - 1, e_hi = static_cast<int>(std::floor(std::log2(f.max_value()))) + 1;
  // The row below must be a binary32 normal binade (so every binary32 subnormal is below 2^e_lo) and 2^e_hi finite.
  if (m > 5 || e_lo - 1 < -126 || e_hi > 127) return;
  const size_t columns = size_t{1} << (m + 1), rows = static_cast<size_t>(e_hi - e_lo + 2);
  const size_t per_sign = rows * columns;  // before the sticky bit
  if (2 * per_sign * 2 > 8192) return;
  table_shift_ = static_cast<uint32_t>(22 - m);
  table_rest_mask_ = (1u << table_shift_) - 1;
  table_lo_ = static_cast<uint32_t>(e_lo + 127) << 23;
  table_hi_ = static_cast<uint32_t>(e_hi + 127) << 23;
  table_base_ = (table_lo_ - (1u << 23)) >> table_shift_;
  table_sign_stride_ = static_cast<uint32_t>(per_sign);
  table_.resize(2 * per_sign * 2);
  for (uint32_t sign = 0; sign < 2; ++sign)
    for (size_t row = 0; row < rows; ++row)
      for (size_t column = 0; column < columns; ++column)
        for (uint32_t sticky = 0; sticky < 2; ++sticky) {
          // The class's smallest pattern; the row below stands for 0 (sticky 0) and for 2^(e_lo − 1) (sticky 1).
          uint32_t pattern = ((table_base_ + static_cast<uint32_t>(row * columns + column)) << table_shift_) | sticky;
          if (row == 0) pattern = sticky ? table_lo_ - (1u << 23) : 0u;
          const Rounded r = convert(Bits{pattern | sign << 31}, binary32_format(), t_, 0);
          table_[((sign * per_sign + row * columns + column) << 1) | sticky] =
              static_cast<uint32_t>(r.bits.v) | uint32_t{r.flags} << 24;
        }
}

Rounded EncodePlan::subnormal(uint32_t magnitude, uint32_t sign) const {
  const uint32_t e = magnitude >> 23;
  const uint32_t sig = (magnitude & 0x7FFFFFu) | (e != 0 ? 0x800000u : 0u);
  int n = 150 + emin_ - man_bits_ - static_cast<int>(e != 0 ? e : 1);
  if (n > 25) n = 25;
  const uint32_t code = round_shift(sig, n);
  // Flags and sign by arithmetic (no branches on data): formats without −0 give +0 for a negative zero result.
  const uint32_t inexact = (sig & ((1u << n) - 1)) != 0;
  const uint32_t tiny = tiny_before_ | (magnitude < tiny_below_);
  const uint32_t keep_sign = sign & ((code != 0) | negative_zero_);
  return {Bits{code | (sign_mask_ & (0u - keep_sign))},
          static_cast<uint8_t>(inexact * flag::inexact | (inexact & tiny) * flag::underflow)};
}

Rounded EncodePlan::rare(float x, uint64_t random_bits) const {
  const uint32_t bits = bits_of(x), magnitude = bits & 0x7FFFFFFFu;
  if (bits_ && subnormals_ && magnitude < normal_min_) return subnormal(magnitude, bits >> 31);
  return convert(Bits{bits}, binary32_format(), t_, random_bits);  // not encode(): that runs this plan
}

}  // namespace fpsim
