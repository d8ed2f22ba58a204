// One addition of the emulated accumulator, rounded once: add_rounded(s, x) = round_t(s + x) exactly.
//
// 1. hi + lo = s + x exactly (Knuth's TwoSum; exact for any finite binary64 s, x without overflow).
// 2. hi = ±m·2^e with a 53-bit integer m. Widen to sig = m·2^10, exponent E = e − 10, leaving 10 bits
//    of room for lo: |lo| ≤ ulp(hi)/2 = 2^(e−1), i.e. at most 2^9 units of 2^E.
// 3. lo in units of 2^E = an integer part L plus a fraction f ∈ [0, 1).
//      same sign as hi:  |s + x| = (sig + L + f)·2^E        -> sig += L,          sticky = (f ≠ 0)
//      opposite sign:    |s + x| = (sig − L − f)·2^E
//                               = (sig − L − 1 + (1 − f))·2^E -> sig −= L + [f ≠ 0], sticky = (f ≠ 0)
//    Worked example: hi = 1.0 (m = 2^52, e = −52), lo = −2^−80: E = −62, sig = 2^62, lo = −2^−18 units,
//    L = 0, f ≠ 0 -> sig = 2^62 − 1, sticky: the exact value lies strictly between (2^62 − 1)·2^−62 and 1.
// 4. round_pack sees the exact value (sig with its sticky bit), so every rounding mode, stochastic
//    rounding with exact probability included, is a single correct rounding.
#include <cmath>
#include <cstdint>

#include "numerics/core/bits.h"
#include "numerics/core/convert.h"
#include "sim/gemm/gemm.h"

namespace fpsim::sim {
namespace {

// |x| = m·2^e with a 53-bit (or smaller, for subnormals) integer m.
void split(double x, uint64_t& m, int32_t& e) {
  const uint64_t b = bits_of(x);
  const uint64_t field = (b >> 52) & 0x7FF;
  const uint64_t fraction = b & ((uint64_t{1} << 52) - 1);
  m = field == 0 ? fraction : (fraction | (uint64_t{1} << 52));
  e = field == 0 ? -1074 : static_cast<int32_t>(field) - 1075;
}

}  // namespace

double add_rounded(double s, double x, const Target& t, uint64_t random_bits) {
  const double hi = s + x;
  if (!std::isfinite(hi)) return decode(encode(hi, t, random_bits).bits, t.format);  // inf, NaN, overflow
  // 1. TwoSum
  const double x_part = hi - s;
  const double lo = (s - (hi - x_part)) + (x - x_part);
  if (hi == 0.0) {
    // An exact zero: −0 only for (−0) + (−0), or for an exact cancellation when rounding down (IEEE 754 6.3).
    const bool negative =
        (s == 0.0 && x == 0.0) ? (std::signbit(s) && std::signbit(x)) : t.rounding == Rounding::Down;
    return decode(encode(negative ? -0.0 : 0.0, t, random_bits).bits, t.format);
  }
  // 2. widen hi
  uint64_t m;
  int32_t e;
  split(hi, m, e);
  Exact exact{std::signbit(hi), e - 10, m << 10, false};
  // 3. fold lo in
  if (lo != 0.0) {
    uint64_t ml;
    int32_t el;
    split(lo, ml, el);
    const int32_t shift = el - exact.exp;  // lo = ml·2^shift units of 2^E
    uint64_t integer = 0;
    bool fraction = false;
    if (shift >= 0) {
      integer = ml << shift;  // |lo| ≤ 2^9 units, so ml·2^shift fits
    } else if (shift > -64) {
      integer = ml >> -shift;
      fraction = (ml & ((uint64_t{1} << -shift) - 1)) != 0;
    } else {
      fraction = true;  // ml ≠ 0
    }
    if (std::signbit(lo) == exact.sign) {
      exact.sig += integer;
    } else {
      exact.sig -= integer + (fraction ? 1 : 0);
    }
    exact.sticky = fraction;
  }
  // 4. one rounding
  return decode(round_pack(exact, t, random_bits).bits, t.format);
}

}  // namespace fpsim::sim
