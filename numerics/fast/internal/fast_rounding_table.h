#pragma once
// A rounding table for narrow targets (binary16, bfloat16, and formats of <= 12 bits of precision):
// round_pack's result for every (sign, exponent, top precision+1 significand bits, sticky) in the
// range where results differ, so the double fast paths can round without calling round_pack per
// element. Deterministic modes only (stochastic rounding needs all 64 bits of the fraction).
//
// Why the table is exact. For a deterministic mode, round_pack's result depends on the exact value
// x = ±1.b1…b(p)b(p+1)…·2^E only through (sign, E, the top p+1 significand bits, sticky = any later
// bit set): every rounding point it uses lies at or above bit p+1 — normal results keep p bits and
// use bit p+1 as the round bit; subnormal results keep fewer bits, so both their round bit and all
// bits below it are covered by the top p+1 bits and the sticky; tininess after rounding rounds at
// precision p. Each entry is round_pack applied to the representative Exact{sign, E − p, top, sticky},
// which shares those four values with every x it stands for.
// Outside [emin − p − 1, emax + 1] the result no longer depends on E or the bits: every |x| below
// 2^(emin − p) (half the smallest subnormal) rounds the same way with the same flags, and every
// |x| >= 2^(emax + 1) overflows; those exponents are clamped to the range ends.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "numerics/core/rounding.h"

namespace fpsim {

class RoundingTable {
 public:
  /// Build from round_pack for t (deterministic rounding, precision <= 12, code <= 24 bits).
  /// Example: RoundingTable(Target{parse_format("binary16")}).round(false, 0, 0b1000'0000'0001, true) is 1.0 + 2^-10 in rne.
  explicit RoundingTable(const Target& t);
  /// The same with its rows widened to cover binades rows_lo .. rows_hi as well (rows beyond the default range hold
  /// what the clamps give there), so that round_exact_in_rows serves every s in them without clamping.
  /// Example: RoundingTable(Target{e4m3fn}, -18, 18) rounds every non-zero x·y + z of e4m3fn operands.
  RoundingTable(const Target& t, int rows_lo, int rows_hi);
  /// Whether RoundingTable(t, rows_lo, rows_hi) would hold at most max_entries and serve round_exact_in_rows
  /// (direct_index()), without building it. Example: widened_fits(Target{e4m3fn}, -18, 18, 16384) is true (2,368).
  static bool widened_fits(const Target& t, int rows_lo, int rows_hi, size_t max_entries);
  /// The entries of RoundingTable(t) (4 bytes each). Example: binary16 352,256 (43 binades × 2^12 × sign × sticky).
  static size_t entries_for(const Target& t);

  /// The rounded result of ±(top + sticky·ε)·2^(E − p), top a (p+1)-bit integer with its top bit set.
  Rounded round(bool sign, int E, uint32_t top, bool sticky) const {
    // Clamped by selects (conditional moves where the compiler agrees): on wide-range data overflowing and
    // underflowing values come and go at random, and a branch on them would be mispredicted.
    const bool below = E < e_lo_;
    E = E > e_hi_ ? e_hi_ : E;
    E = below ? e_lo_ : E;
    top = below ? uint32_t{1} << p_ : top;
    sticky = sticky | below;
    const size_t index = ((((size_t(sign) * size_t(e_hi_ - e_lo_ + 1)) + size_t(E - e_lo_)) << p_) |
                          (top & ((uint32_t{1} << p_) - 1))) << 1 | size_t(sticky);
    const uint32_t e = entries_[index];
    return {Bits{e & 0xffffffu}, static_cast<uint8_t>(e >> 24)};
  }

  /// Round the exact value s + err (finite doubles, s a non-zero normal double, |err| <= ulp(s)/2 or 0).
  /// Steps: 1. read E and the 53-bit significand of s; 2. split it into the top p+1 bits and the rest;
  /// 3. fold err in: same sign -> sticky; opposite sign with an all-zero rest -> the value is just below
  /// top·2^k, so top − 1 with sticky (0111…1 one binade down when top was 1000…0).
  ///   e.g. p = 2, s = 1.00·2^0 exactly (top = 100), err = −2^-60: the value is 0.111…·2^0 -> E = −1, top = 111, sticky.
  Rounded round_double(double s, double err) const {
    const uint64_t bits = bits_of(s);
    const bool sign = (bits >> 63) != 0;
    int E = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
    const uint64_t sig = (bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1} << 52);
    const int drop = 52 - p_;
    uint32_t top = static_cast<uint32_t>(sig >> drop);
    const uint64_t rest = sig & ((uint64_t{1} << drop) - 1);
    bool sticky = rest != 0;
    if (err != 0) {
      sticky = true;
      if (std::signbit(err) != sign && rest == 0) {
        top -= 1;
        if (top < (uint32_t{1} << p_)) { top = (uint32_t{2} << p_) - 1; E -= 1; }
      }
    }
    return round(sign, E, top, sticky);
  }

  /// round_double(s, 0.0) for an exact s (finite, non-zero, normal in binary64) when direct_index(): the index
  /// straight from s's pattern, with no exponent or significand fields taken apart. The pattern's top bits from
  /// the exponent field down to the p-th fraction bit, shifted right by 52 − p, are (E + 1023) << p | low: the
  /// table's row E and column low, offset by (e_lo + 1023) << p. Magnitudes below 2^e_lo are raised to it (their
  /// entry is e_lo's first with sticky, as in round()); those at or above 2^e_hi lowered to it (every entry of
  /// that row overflows alike).
  ///   binary16 (p = 11, e_lo = −26): s = 1.0 = 0x3FF0000000000000: 0x3FF0000000000000 >> 41 = 0x1FF800,
  ///   minus (−26 + 1023) << 11 = 0x1F2800 gives 0xD000 = (26 << 11) | 0, row E = 0, column 0, no sticky.
  Rounded round_exact_double(double s) const {
    const uint64_t bits = bits_of(s), magnitude = bits & ~(uint64_t{1} << 63);
    const uint64_t below = magnitude < lo_pattern_;
    uint64_t clamped = below ? lo_pattern_ : magnitude;
    clamped = clamped > hi_pattern_ ? hi_pattern_ : clamped;
    const uint64_t sticky = ((magnitude & rest_mask_) != 0) | below;
    const size_t index = ((bits >> 63) * sign_stride_ + ((clamped >> drop_) - base_)) << 1 | sticky;
    const uint32_t e = entries_[index];
    return {Bits{e & 0xffffffu}, static_cast<uint8_t>(e >> 24)};
  }
  /// round_exact_double for an s whose binade lies in the table's rows (in_rows(s)): the index without the clamps.
  ///   e4m3fn rows −18 .. 18 (p = 4): s = 2^-18 = 0x3ED0000000000000, index ((0x3ED0000000000000 >> 48) − (1005 << 4))
  ///   << 1 = 0 (row −18, column 0, no sticky), the entry for 2^-18: in rne +0, inexact and underflow.
  Rounded round_exact_in_rows(double s) const { return unpack(entry_in_rows(bits_of(s))); }
  /// round_exact_in_rows's entry, packed (code | flags << 24), for the bit pattern of such an s.
  uint32_t entry_in_rows(uint64_t bits) const { return entry_in_rows(bits >> 63, bits & ~(uint64_t{1} << 63)); }
  /// The same from the sign (0 or 1) and the magnitude's pattern.
  uint32_t entry_in_rows(uint64_t sign, uint64_t magnitude) const {
    const size_t index = (sign * sign_stride_ + ((magnitude >> drop_) - base_)) << 1 |
                         size_t((magnitude & rest_mask_) != 0);
    return entries_[index];
  }
  static Rounded unpack(uint32_t entry) { return {Bits{entry & 0xffffffu}, static_cast<uint8_t>(entry >> 24)}; }
  /// Sets every entry of row E (2^E <= |s| < 2^(E+1)) of one sign to r: for a kernel that routes a case no
  /// finite s reaches (a NaN) into a row beyond the ones it rounds. Example: table_fma_nan_row_kernel's row hi + 1.
  void fill_row(int E, bool sign, Rounded r);
  /// Whether round_exact_double serves this table: 2^e_lo and 2^e_hi are binary64 normals.
  bool direct_index() const { return direct_index(e_lo_, e_hi_); }

  /// Layout, for vector kernels that compute the index themselves (same formula as round()).
  int precision() const { return p_; }
  int e_lo() const { return e_lo_; }
  int e_hi() const { return e_hi_; }
  const uint32_t* entries() const { return entries_.data(); }

 private:
  int p_ = 0, e_lo_ = 0, e_hi_ = 0;
  std::vector<uint32_t> entries_;  // code | flags << 24
  // round_exact_double's constants: the patterns of 2^e_lo and 2^e_hi, the mask of the bits below the p-th
  // fraction bit, the index of row e_lo (before the sticky bit) and the entries per sign (before it too).
  uint64_t lo_pattern_ = 0, hi_pattern_ = 0, rest_mask_ = 0, base_ = 0, sign_stride_ = 0;
  int drop_ = 0;  // 52 − p: the fraction bits below the index's top p
  void fill(const Target& t);
  static bool direct_index(int e_lo, int e_hi) { return e_lo + 1023 >= 1 && e_hi + 1023 <= 2046; }
  // The rows of RoundingTable(t, rows_lo, rows_hi): the default ones, [emin − p − 1, emax + 1], widened to cover both.
  static int widened_lo(const Target& t, int rows_lo) {
    return std::min(t.format.emin() - t.format.precision() - 1, rows_lo);
  }
  static int widened_hi(const Target& t, int rows_hi) { return std::max(t.format.emax() + 1, rows_hi); }
  static size_t entries_for(int p, int e_lo, int e_hi) { return 2 * size_t(e_hi - e_lo + 1) << (p + 1); }
};

/// The largest RoundingTable rounding_table() builds: 2^22 entries (16 MiB). tf32 needs 2,187,264; a format of 12 bits
/// of precision over a thousand binades would need 17 M, built by round_pack entry by entry (seconds) on its first
/// call, and keeps round_pack instead.
inline constexpr size_t kMaxRoundingTableEntries = size_t{1} << 22;

/// Whether a RoundingTable can serve t: deterministic mode, precision <= 12, code <= 24 bits, at most
/// kMaxRoundingTableEntries entries.
/// Example: rounding_table_applies(Target{parse_format("bfloat16")}) is true; binary32 is false.
bool rounding_table_applies(const Target& t);

/// The table for t, built on first use (thread-safe) with a per-thread memo of the last one used;
/// nullptr when none applies or the first-use tables' budget is spent (core/internal/table_budget.h). Example: rounding_table(Target{parse_format("binary16")}) != nullptr.
const RoundingTable* rounding_table(const Target& t);

}  // namespace fpsim
