#pragma once
// Internal to the rounding code (round_pack.cpp, integer.cpp): splitting a significand into the kept
// integer and the discarded fraction, and the one rule per mode for adding a unit in the last place.
#include <cstdint>

#include "numerics/core/rounding.h"

namespace fpsim::detail {

struct Split {
  uint64_t kept = 0;  // integer significand at the kept precision
  uint64_t frac = 0;  // discarded fraction of one unit in the last kept place, 0.64 fixed point
  bool sticky = false;
};

// sig has its top bit at 63 (value sig * 2^(E-63)); keep `keep` bits (keep may be <= 0).
inline Split split(uint64_t sig, bool sticky, int keep) {
  Split s;
  s.sticky = sticky;
  if (keep >= 64) { s.kept = sig; return s; }
  if (keep > 0) {
    s.kept = sig >> (64 - keep);
    s.frac = sig << keep;
  } else if (keep == 0) {
    s.frac = sig;  // the value is exactly its fraction of the last place: 0.1xxx…
  } else if (keep > -64) {
    // Nothing kept: the fraction is sig shifted right by -keep, the bits shifted out go to sticky.
    //   keep = -2: sig = 1101… -> frac = 0011 01…, sticky |= low 2 bits of sig.
    s.frac = sig >> -keep;
    s.sticky |= (sig << (64 + keep)) != 0;
  } else {
    s.sticky |= sig != 0;
  }
  return s;
}

// Whether to add one unit in the last place. `inexact` = frac or sticky non-zero.
inline bool round_up(const Split& s, bool negative, Rounding mode, int sr_bits, uint64_t random_bits) {
  constexpr uint64_t half = uint64_t{1} << 63;
  const bool inexact = s.frac != 0 || s.sticky;
  if (!inexact) return false;
  switch (mode) {
    case Rounding::NearestEven:
      // Ties go to the even kept significand. With 0 mantissa bits the kept "1" is the hidden bit,
      // so ties round up (1.5 * 2^k -> 2^(k+1)), as ml_dtypes' e8m0 does.
      return s.frac > half || (s.frac == half && (s.sticky || (s.kept & 1)));
    case Rounding::NearestAway: return s.frac >= half;
    case Rounding::TowardZero:
    case Rounding::Truncate:
    case Rounding::Odd: return false;
    case Rounding::Up: return !negative;
    case Rounding::Down: return negative;
    case Rounding::Stochastic:
      if (sr_bits <= 0 || sr_bits >= 64) {
        // Exact probability: with U = random_bits / 2^64 uniform, round up iff U < exact fraction f.
        // f = frac/2^64 + d, d in (0, 2^-64) when sticky, so U < f <=> random_bits <= frac.
        return s.sticky ? random_bits <= s.frac : random_bits < s.frac;
      } else {
        // sr:K: add K random bits to the top K discarded bits; a carry out rounds up.
        //   frac = 1011 0110…, K = 4, r = 0110 -> 1011 + 0110 = 1 0001: carry, round up (P = 11/16).
        const uint64_t fk = s.frac >> (64 - sr_bits);
        const uint64_t rk = random_bits >> (64 - sr_bits);
        return fk + rk >= (uint64_t{1} << sr_bits);
      }
  }
  return false;
}

}  // namespace fpsim::detail
