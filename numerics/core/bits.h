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

}  // namespace fpsim
