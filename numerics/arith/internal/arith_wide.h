#pragma once
// Internal to the arithmetic files: 128-bit exact intermediates and their reduction to an Exact.
//
// Every operand significand has at most 53 bits (Format allows man_bits <= 52), so a product has at
// most 106 bits and fits an unsigned __int128 exactly; sums, quotients and square roots are built on
// the same 128-bit integers. The Exact handed to round_pack is always canonical: the top 64 bits of
// the exact value counted from its leading bit, plus sticky = "some lower bit is non-zero". Every
// path (exact or fast) produces this same Exact, so stochastic rounding with exact probability,
// which compares all 64 bits, gives bit-identical results on every path.
#include <bit>
#include <cstdint>

#include "numerics/core/convert.h"
#include "numerics/core/rounding.h"

namespace fpsim::detail {

using u128 = unsigned __int128;

/// Number of significant bits (0 for 0). Example: bit_width128(u128{1} << 100) == 101.
inline int bit_width128(u128 x) {
  const uint64_t hi = static_cast<uint64_t>(x >> 64);
  return hi ? 128 - std::countl_zero(hi) : 64 - std::countl_zero(static_cast<uint64_t>(x));
}

/// shift_right_jam on 128 bits. Example: shift_right_jam128(0b1011'0001, 4) == 0b1011.
inline u128 shift_right_jam128(u128 x, int n) {
  if (n <= 0) return x;
  if (n >= 128) return x != 0;
  return (x >> n) | u128{(x << (128 - n)) != 0};
}

/// The canonical Exact of ±(sig + sticky·ε)·2^exp: the top 64 bits of sig, the rest jammed.
/// Example: to_exact(false, 0, u128{3} << 70, false) == Exact{false, 70 - 62, 3 << 62, false}.
inline Exact to_exact(bool sign, int32_t exp, u128 sig, bool sticky) {
  const int width = bit_width128(sig);
  if (width > 64) {
    const int shift = width - 64;
    sticky |= (sig << (128 - shift)) != 0;
    sig >>= shift;
    exp += shift;
  }
  return Exact{sign, exp, static_cast<uint64_t>(sig), sticky};
}

/// A signed exact term ±sig·2^exp (sig < 2^107, 0 for a zero).
struct Term {
  bool sign = false;
  int32_t exp = 0;
  u128 sig = 0;
};

/// The exact sum x + y as a canonical Exact; `zero` is set when the sum is exactly zero (the caller
/// picks the zero's sign by IEEE rules). Steps:
///   1. order the terms so X has the higher leading-bit exponent, and put X's leading bit at bit 125
///      (X has <= 107 significant bits, so X's bits 0..18 are zero);
///   2. align Y to X's scale with a jamming right shift (exact unless Y's bits fall below bit 0);
///   3. add or subtract the magnitudes (the larger minus the smaller) and reduce with to_exact.
/// Why the jam in step 2 is exact: bits are lost only when Y's leading bit is >= 19 places below X's,
/// so |X ± Y| >= 2^124 and to_exact keeps bits 124..61 at the lowest. Write Y = Yf + δ (0 < δ < 1)
/// and Y' = Yf | 1. If Yf is odd, X − Y' = X − Yf = floor(X − Y) + 1 is odd (X is even), so it has
/// the same bits above bit 0 and still a non-zero bit 0: to_exact reports the same top bits and
/// sticky. If Yf is even, X − Y' = X − Yf − 1 = floor(X − Y) exactly, and it is odd. Sums are alike:
/// X + Y' = X + Yf + 1 (Yf even) or X + Yf (Yf odd), both odd and with floor(X + Y)'s top bits.
///   e.g. X = 1000 0000, Y = 0.0101 (units of bit 0): Y' = 1, X − Y' = 0111 1111 — the same
///   truncation and sticky as the exact 0111 1111.1011.
inline Exact sum_terms(Term x, Term y, bool& zero) {
  zero = false;
  if (x.sig == 0 && y.sig == 0) { zero = true; return Exact{}; }
  if (y.sig == 0) return to_exact(x.sign, x.exp, x.sig, false);
  if (x.sig == 0) return to_exact(y.sign, y.exp, y.sig, false);
  // 1. Leading-bit exponents; X is the term with the larger one.
  int32_t lead_x = x.exp + bit_width128(x.sig) - 1, lead_y = y.exp + bit_width128(y.sig) - 1;
  if (lead_y > lead_x) { std::swap(x, y); std::swap(lead_x, lead_y); }
  const int32_t base = lead_x - 125;  // weight of bit 0 after alignment
  const u128 mx = x.sig << (x.exp - base);
  // 2. Y's bit 0 sits at y.exp; shift it to `base` (a left shift when y.exp > base cannot happen by
  //    more than 125 - width places, so it never overflows).
  const int64_t d = int64_t{y.exp} - base;
  const u128 my = d >= 0 ? y.sig << d : shift_right_jam128(y.sig, d < -200 ? 200 : static_cast<int>(-d));
  // 3. Magnitude arithmetic.
  if (x.sign == y.sign) return to_exact(x.sign, base, mx + my, false);
  if (mx == my) { zero = true; return Exact{}; }
  if (mx > my) return to_exact(x.sign, base, mx - my, false);
  return to_exact(y.sign, base, my - mx, false);
}

/// The exact term of a finite unpacked operand (a zero has sig 0). Example: term(unpack({0x3c00}, f16)) is 1024·2^-10.
inline Term term(const Unpacked& u) { return Term{u.sign, u.exp, u.sig}; }

/// Exact cores on unpacked operands, shared by the exact and fast paths (add.cpp, sub.cpp, ...).
Rounded add_unpacked(const Unpacked& a, const Unpacked& b, const Target& t, uint64_t random_bits);
Rounded mul_unpacked(const Unpacked& a, const Unpacked& b, const Target& t, uint64_t random_bits);
Rounded fma_unpacked(const Unpacked& a, const Unpacked& b, const Unpacked& c, const Target& t, uint64_t random_bits);

}  // namespace fpsim::detail
