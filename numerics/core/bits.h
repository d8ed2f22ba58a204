#pragma once
// Bit-pattern vocabulary: a strong type for codes, and the shift helpers every rounding path uses.
#include <bit>
#include <cstdint>

namespace fpsim {

/// An encoded value of some Format, right-aligned in 64 bits (e5m2 1.5 = Bits{0x3e}).
struct Bits {
  uint64_t v = 0;
  friend constexpr bool operator==(Bits, Bits) = default;
};

/// Shift right by n (any n >= 0), OR-ing every bit shifted out into bit 0 ("jamming"), so a later
/// rounding still sees that the value was inexact.
/// Example: shift_right_jam(0b1011'0001, 4) = 0b1011 | 1 = 0b1011; shift_right_jam(0b1000'0000, 4) = 0b1000.
constexpr uint64_t shift_right_jam(uint64_t x, int n) {
  if (n <= 0) return x;
  if (n >= 64) return x != 0;
  return (x >> n) | ((x << (64 - n)) != 0);
}

/// binary64 / binary32 bit patterns, through std::bit_cast (never a pointer cast).
constexpr uint64_t bits_of(double x) { return std::bit_cast<uint64_t>(x); }
constexpr uint32_t bits_of(float x) { return std::bit_cast<uint32_t>(x); }
constexpr double double_from_bits(uint64_t b) { return std::bit_cast<double>(b); }
constexpr float float_from_bits(uint32_t b) { return std::bit_cast<float>(b); }

/// A finite binary64 value as (-1)^negative · sig · 2^exp with an integer significand of at most 53 bits.
struct Binary64Parts {
  bool negative = false;
  uint64_t sig = 0;
  int32_t exp = 0;
};

/// Split a finite binary64 value: the hidden bit joins the stored 52 (subnormals: exponent field 0
/// stands for 2^-1074 units, no hidden bit).
/// Example: 1.5 = 0x3FF8000000000000: field 1023, sig = 0x18000000000000 (2^52 + 2^51), exp = 1023 - 1075 = -52.
constexpr Binary64Parts split_binary64(double x) {
  const uint64_t b = bits_of(x);
  const uint64_t field = (b >> 52) & 0x7FF, fraction = b & ((uint64_t{1} << 52) - 1);
  if (field == 0) return {(b >> 63) != 0, fraction, -1074};
  return {(b >> 63) != 0, fraction | (uint64_t{1} << 52), static_cast<int32_t>(field) - 1075};
}

/// Knuth's TwoSum (TAOCP 4.2.2 Thm B): s = RN(x + y) and err with x + y = s + err exactly, for finite
/// x, y of one binary format whose sum does not overflow, subnormals included (Boldo, Graillat and
/// Muller 2017). No step may be contracted into an FMA: fpsim builds with -ffp-contract=off.
/// Example: two_sum(1.0, 0x1p-60, s, err) gives s = 1.0, err = 0x1p-60.
template <class T>
constexpr void two_sum(T x, T y, T& s, T& err) {
  s = x + y;
  const T y_part = s - x;  // the part of y that made it into s
  err = (x - (s - y_part)) + (y - y_part);
}

}  // namespace fpsim
