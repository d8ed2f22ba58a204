// Comparisons of values in any formats (IEEE 754 5.11). Steps for two non-NaN values:
//   1. zeros compare equal whatever their signs;
//   2. different signs: the negative one is less;
//   3. same sign: compare magnitudes — infinity above every finite value; finite ones by the exponent
//      of their leading bit, then by their significands aligned to the same top bit; flip for negatives.
//        e.g. e5m2 0x3e (1.5 = 0b11·2^-1) vs binary16 0x3e00 (1.5 = 0b11000000000·2^-10): leading
//        exponents 0 and 0; aligned to bit 63 both are 0xC000…0: Equal.
#include <bit>

#include "numerics/arith/arith.h"
#include "numerics/core/convert.h"

namespace fpsim {
namespace {

// -1, 0, 1 for |x| <, ==, > |y|; both finite non-zero or infinite.
int compare_magnitude(const Unpacked& x, const Unpacked& y) {
  const bool inf_x = x.cls == Class::Infinite, inf_y = y.cls == Class::Infinite;
  if (inf_x || inf_y) return inf_x == inf_y ? 0 : (inf_x ? 1 : -1);
  const int wx = std::bit_width(x.sig), wy = std::bit_width(y.sig);
  const int64_t lead_x = int64_t{x.exp} + wx - 1, lead_y = int64_t{y.exp} + wy - 1;
  if (lead_x != lead_y) return lead_x > lead_y ? 1 : -1;
  const uint64_t ax = x.sig << (64 - wx), ay = y.sig << (64 - wy);
  return ax == ay ? 0 : (ax > ay ? 1 : -1);
}

Ordering order_unpacked(const Unpacked& x, const Unpacked& y) {
  if (x.is_nan() || y.is_nan()) return Ordering::Unordered;
  const bool zero_x = x.cls == Class::Zero, zero_y = y.cls == Class::Zero;
  if (zero_x && zero_y) return Ordering::Equal;
  // A zero against a non-zero: the sign of the non-zero one decides.
  if (zero_x) return y.sign ? Ordering::Greater : Ordering::Less;
  if (zero_y) return x.sign ? Ordering::Less : Ordering::Greater;
  if (x.sign != y.sign) return x.sign ? Ordering::Less : Ordering::Greater;
  int c = compare_magnitude(x, y);
  if (x.sign) c = -c;
  return c == 0 ? Ordering::Equal : (c < 0 ? Ordering::Less : Ordering::Greater);
}

uint8_t nan_flags(const Unpacked& x, const Unpacked& y, bool signalling) {
  if (x.cls == Class::SignalingNaN || y.cls == Class::SignalingNaN) return flag::invalid;
  if (signalling && (x.is_nan() || y.is_nan())) return flag::invalid;
  return 0;
}

}  // namespace

Ordering order(Bits a, const Format& fa, Bits b, const Format& fb, bool daz) {
  return order_unpacked(unpack(a, fa, daz), unpack(b, fb, daz));
}

Rounded compare_eq(Bits a, const Format& fa, Bits b, const Format& fb, bool daz) {
  const Unpacked x = unpack(a, fa, daz), y = unpack(b, fb, daz);
  return {Bits{order_unpacked(x, y) == Ordering::Equal}, nan_flags(x, y, false)};
}

Rounded compare_lt(Bits a, const Format& fa, Bits b, const Format& fb, bool daz) {
  const Unpacked x = unpack(a, fa, daz), y = unpack(b, fb, daz);
  return {Bits{order_unpacked(x, y) == Ordering::Less}, nan_flags(x, y, true)};
}

Rounded compare_le(Bits a, const Format& fa, Bits b, const Format& fb, bool daz) {
  const Unpacked x = unpack(a, fa, daz), y = unpack(b, fb, daz);
  const Ordering o = order_unpacked(x, y);
  return {Bits{o == Ordering::Less || o == Ordering::Equal}, nan_flags(x, y, true)};
}

}  // namespace fpsim
