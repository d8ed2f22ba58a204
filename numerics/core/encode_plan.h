#pragma once
// EncodePlan: binary32 -> a target, prepared once; encode(float, t) runs the target's plan (cached per
// target, convert.cpp). For rne into a signed format with <= 8 exponent bits, 1–22 fraction bits and
// emin >= -126 (binary16, bfloat16, tf32, every FP8, P3109 with P >= 2) it rounds by integer operations on the
// binary32 pattern, for normal, subnormal and overflowing results alike; formats of <= 5 fraction bits (every
// FP8, FP6 and FP4) read the same results from a table of a few thousand entries instead; other targets, modes,
// NaN and inf inputs take convert() (round_pack). tests/numerics_core/encode_plan_test.cpp checks it against
// convert() on probed binary32 patterns, at both ends of every table class, and ([long]) on every pattern.
#include <cstddef>
#include <vector>

#include "numerics/core/rounding.h"

namespace fpsim {

class EncodePlan {
 public:
  /// Example: EncodePlan to16(Target{parse_format("binary16")}); to16(1.0f).bits == Bits{0x3c00}.
  explicit EncodePlan(const Target& t);

  Rounded operator()(float x, uint64_t random_bits = 0) const {
    if (!table_.empty()) return tabled(x, random_bits);
    return binary16_ ? fixed<5, 10>(x, random_bits) : general(x, random_bits);
  }
  /// Formats of <= 5 fraction bits (every FP8, FP6 and FP4): one table load, with no branch on the result's range.
  /// On activations and gradients spread over many binades, a third of e4m3fn's inputs fall below 2^emin or past
  /// max, at random, where general()'s range branch would be mispredicted. The index is the binary32 pattern's
  /// exponent field and top m + 1 fraction bits, clamped to the rows where results differ, with a sticky bit
  /// (encode_plan.cpp's comment has the rows and a worked index). inf and NaN inputs go to rare().
  Rounded tabled(float x, uint64_t random_bits) const {
    const uint32_t bits = bits_of(x), magnitude = bits & 0x7FFFFFFFu, sign = bits >> 31;
    if (magnitude >= 0x7F800000u) [[unlikely]] return rare(x, random_bits);
    const bool below = magnitude < table_lo_;
    uint32_t clamped = magnitude > table_hi_ ? table_hi_ : magnitude;
    clamped = below ? table_lo_ - (1u << 23) : clamped;
    const uint32_t sticky = below ? magnitude != 0 : (magnitude & table_rest_mask_) != 0;
    const size_t index = (((0u - sign) & table_sign_stride_) + (clamped >> table_shift_) - table_base_) << 1 | sticky;
    const uint32_t e = table_[index];
    return {Bits{e & 0xFFFFFFu}, static_cast<uint8_t>(e >> 24)};
  }

  /// Normal-range results inline (the steps are in encode_plan.cpp's comment); the rest out of line.
  Rounded general(float x, uint64_t random_bits) const {
    const uint32_t bits = bits_of(x), magnitude = bits & 0x7FFFFFFFu, sign = bits >> 31;
    if (!bits_ || magnitude < normal_min_ || magnitude >= 0x7F800000u) return rare(x, random_bits);
    const uint32_t code = round_shift(magnitude, d_) - rebias_;
    if (code > max_code_) return overflow_[sign];
    // Sign and flag by arithmetic, not ?: (a branch on the sign is mispredicted half the time on real data).
    return {Bits{code | (sign_mask_ & (0u - sign))},
            static_cast<uint8_t>(((magnitude & ((1u << d_) - 1)) != 0) * flag::inexact)};
  }

  /// The same steps for an IEEE format of E exponent and M fraction bits (bias B = emax = 2^(E−1) − 1), its
  /// constants folded into the instructions: one range test sends subnormal, overflowing, inf and NaN results
  /// to general().
  ///   binary16: normal results for |x| in [2^-14, 65520) = binary32 patterns [0x38800000, 0x477FF000); 65520
  ///   (0x477FF000, halfway between 65504 and 2^16) rounds to even, 2^16: overflow.
  template <int E, int M>
  Rounded fixed(float x, uint64_t random_bits) const {
    constexpr int d = 23 - M, B = (1 << (E - 1)) - 1;
    constexpr uint32_t normal_min = uint32_t(1 - B + 127) << 23;
    constexpr uint32_t overflow_at = (uint32_t(B + 127) << 23) | (((1u << (M + 1)) - 1) << (22 - M));
    constexpr uint32_t rebias = uint32_t(127 - B) << M;
    const uint32_t bits = bits_of(x), magnitude = bits & 0x7FFFFFFFu;
    if (magnitude - normal_min >= overflow_at - normal_min) return general(x, random_bits);
    const uint32_t code = round_shift(magnitude, d) - rebias;
    return {Bits{code | (bits >> 31) << (E + M)},
            static_cast<uint8_t>(((magnitude & ((1u << d) - 1)) != 0) * flag::inexact)};
  }

  /// The rne bias trick: magnitude shifted right by d, plus 2^(d−1) − 1 and the kept lsb first (a tie rounds to
  /// the even neighbour; a carry moves into the exponent field).
  static uint32_t round_shift(uint32_t magnitude, int d) {
    return (magnitude + ((1u << (d - 1)) - 1) + ((magnitude >> d) & 1)) >> d;
  }

  /// "table" or "bits" when tabled() or the integer path serves the target, "exact" otherwise.
  const char* path() const { return !table_.empty() ? "table" : bits_ ? "bits" : "exact"; }
  const Target& target() const { return t_; }

 private:
  Rounded rare(float x, uint64_t random_bits) const;  // subnormal results, inf/NaN, targets without bits_
  void build_table();
  Rounded subnormal(uint32_t magnitude, uint32_t sign) const;

  Target t_;
  bool bits_ = false;
  bool binary16_ = false;      // the target is IEEE binary16 (fixed<5, 10>)
  bool subnormals_ = false;    // the format has subnormals (else results below 2^emin take encode())
  bool tiny_before_ = false;   // tininess before rounding
  bool negative_zero_ = false; // the format has −0
  int d_ = 0;                  // binary32 fraction bits dropped: 23 - man_bits
  int man_bits_ = 0;
  int emin_ = 0;
  uint32_t normal_min_ = 0;    // binary32 pattern of 2^emin
  uint32_t tiny_below_ = 0;    // binary32 pattern of 2^emin - 2^(emin - man_bits - 2): tiny after rounding below it
  uint32_t rebias_ = 0;        // (127 - bias) << man_bits
  uint32_t max_code_ = 0;
  uint32_t sign_mask_ = 0;
  Rounded overflow_[2];        // the result for |x| beyond the overflow threshold, + and −
  // tabled(): entries code | flags << 24 by (sign, row, top m + 1 fraction bits, sticky); empty when not used.
  std::vector<uint32_t> table_;
  uint32_t table_lo_ = 0;          // binary32 pattern of 2^e_lo: every magnitude below it shares the row below
  uint32_t table_hi_ = 0;          // pattern of 2^e_hi: larger magnitudes are clamped to it (all overflow)
  uint32_t table_rest_mask_ = 0;   // the binary32 fraction bits below the top m + 1: the sticky
  uint32_t table_shift_ = 0;       // 22 − m: pattern >> shift is (exponent field, top m + 1 fraction bits)
  uint32_t table_base_ = 0;        // (pattern of the row below) >> shift
  uint32_t table_sign_stride_ = 0; // (index without its sticky bit) per sign
};

}  // namespace fpsim
