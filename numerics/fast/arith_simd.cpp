// Vector kernel for element-wise arithmetic (see arith_kernel.h), compiled by Highway once per target
// (AVX-512, AVX2 and the one-lane portable baseline, as in quantize_simd.cpp). All targets compute the
// same bits; tests compare every target with fpsim::exact.
//
// Why a fast lane is exact. Let X be the exact result and p <= 51 the target precision.
//
// 1. Decoding is exact (as in fast_double.cpp): the code's magnitude shifted into a binary32 pattern,
//    widened to binary64 and multiplied by a power of two. For fn/fnuz/finite formats the all-ones
//    exponent field holds ordinary values, which the binary32 pattern carries like any other field
//    when there are fewer than 8 exponent bits (e4m3fn 0x7E = 448: 0x7E << 20 = 0x07E00000, field 15,
//    1.75·2^(15-127), times 2^120 = 448); with 8 they would be inf/NaN patterns, so lane_decodes
//    takes only ieee formats there.
//
// 2. X as s + e, s = RN53(X):
//    add / sub / fma's sum: s = x + y and TwoSum's e = (x - (s - bb)) + (y - bb), bb = s - x, give
//    x + y = s + e exactly (Knuth TAOCP 4.2.2 Thm B) when s is finite; no step is contracted into an
//    fma (-ffp-contract=off, explicit Highway ops).
//    mul / fma's product: x·y is exact in binary64 when make_lane_plan accepted the formats
//    (precision_a + precision_b <= 53, no underflow or overflow: fast_double_product_exact), e = 0.
//
// 3. Round to odd at 53 bits, RO(X): if e != 0 and s's last bit is even, move s one binary64 ulp
//    towards e. X lies strictly between two consecutive binary64 numbers, s is one of them, and RO(X)
//    is the odd one: if s is odd it is RO(X); if s is even the other one is s ± 1 in the bit pattern,
//    also across a binade (1.0 = 0x3FF0000000000000, e < 0 -> 0x3FEFFFFFFFFFFFFF, all-ones mantissa).
//    RO(X) and X have the same sign, binade and top 52 bits, and RO(X)'s last bit is 1 iff any bit of
//    X below them is, so for p <= 51 they agree on the kept bits, the round bit and the sticky bit of
//    any rounding to p bits: every deterministic mode rounds them identically. In integer form, with
//    m = |RO(X)|'s bits and drop = 52 - man_bits:
//        kept = m >> drop (exponent field and mantissa: a carry from rounding bumps the exponent),
//        round = bit drop-1, sticky = bits below it, lsb = bit drop;
//        rne: round & (sticky | lsb)   rna: round   rtz/trunc: 0   rup: inexact & +   rdn: inexact & -
//        rodd: inexact & !lsb (setting the last bit of an even kept value cannot carry);
//        with man_bits = 0 the last kept bit is the hidden 1, so lsb = 1 (ties round up, rodd keeps).
//    The code is (kept + increment) - ((1023 - bias) << man_bits), the sign moved to the top bit.
//      e.g. binary16 (drop 42), X = 1 + 2^-11 + 2^-60 (s = 1 + 2^-11, e = 2^-60): m = 0x3FF0020000000000,
//      s even -> m = 0x3FF0020000000001; kept = 0xFFC00, round 1, sticky 1 -> rne adds 1: 0xFFC01,
//      minus (1023 - 15) << 10 = 0xFC000 gives 0x3C01 = 1 + 2^-10 (X is above the midpoint 1 + 2^-11).
//
// 4. div: q = RN24(pattern_a / pattern_b) by binary32 division, with |q| a normal binary32 value.
//    r = pattern_a - q·pattern_b in binary64 is exact: q·pattern_b has at most 48 significant bits, and
//    r is a multiple of ulp(q)·ulp(pattern_b) with |r| <= |pattern_b|·ulp(q)/2, so it fits in 25 bits.
//    The quotient X = q + r/pattern_b is never a tie at 25 bits (a 25-bit odd significand times
//    pattern_b's would need more than 24 bits), so X lies strictly inside (A, B), consecutive binary32
//    numbers, q is the nearer of the two, and v = q nudged one binary64 ulp towards X lies in the same
//    interval on the same side of its midpoint. For a target of p <= 24 bits every rounding boundary
//    (a p-bit number or p-bit midpoint) is A, B, or the midpoint of (A, B), so v and X round alike; the
//    power-of-two scale a.scale / b.scale changes no boundary. Step 3 then runs on v.
//
// 5. Stochastic rounding (not div) needs round_pack's exact inputs: the 64-bit discarded fraction F
//    (in units of the target's last place, 0.64 fixed point) and whether any bit lies below it.
//    With W = 64 - drop and e' = e with s's sign folded in (|X| = |s| + e'):
//      e' >= 0: the truncation of |X| is that of m = |s|'s bits; F = (m's low drop bits) << W | floor(t),
//               t = e'·2^W / ulp53(m) in [0, 2^(W-1)], sticky = t is not an integer;
//      e' < 0:  |X| lies just below |s|: with m' = m - 1 (the predecessor, possibly one binade down),
//               |X| = m' + (ulp53(m') + e') and F = (m''s low drop bits) << W | (2^W + floor(t)),
//               t = e'·2^W / ulp53(m') in [-2^(W-1), 0) (|e'| <= ulp53(m')/2 since s = RN53(X)).
//    t is e' times a power of two (exact while no underflow: a lane where e' != 0 gives t == 0 goes
//    scalar; m' >= 2^(W + 52 - 1023) keeps the power of two finite). round_pack sees X as its top 64
//    significant bits plus a sticky bit (the exact path's canonical Exact), so of F only the top
//    64 - p bits count and its last p bits join the sticky bit. Then, as in round_pack:
//      sr: round up iff (sticky ? r <= F : r < F), r the element's 64-bit random word;
//      sr:K: round up iff (F >> (64 - K)) + (r >> (64 - K)) >= 2^K.
//      e.g. binary32 (drop 29, W 35), X = 1 + 2^-25 - 2^-80: s = 1 + 2^-25 (m = 0x3FF0000008000000),
//      e' = -2^-80, m' = 0x3FF0000007FFFFFF; t = -2^-80·2^35/2^-52 = -2^7, F = 0x7FFFFFF << 35 |
//      (2^35 - 2^7): F/2^64 = 1/4 - 2^-57 = (2^-25 - 2^-80)/2^-23, X's distance above 1 in units of 2^-23.
//
// 6. A lane is fast only when no operand is inf/NaN, |s| is finite, 2^emin <= |RO(X)| (so X is not
//    tiny: 2^emin is even, so RO(X) >= 2^emin iff X >= 2^emin) and the rounded magnitude is at most
//    the largest finite code (no overflow, no fn NaN code). Its only possible flag is then inexact.
//    Every other lane is computed by the scalar operation.
//
// 7. Binary32 lanes, for deterministic add/sub/mul/fma into targets of p <= 22 bits whose normal range
//    lies in binary32's (binary16, bfloat16, FP8...), with operands whose values are binary32 values:
//    steps 1-3 in binary32 arithmetic, twice the lanes per vector. TwoSum is exact in binary32 as in
//    binary64; a product of factors with p_a + p_b <= 24 bits is exact whenever RN24 of it is above
//    2^-126 (below, binary32 subnormals could round it; exactly 2^-126 may be a rounded-up subnormal,
//    so such lanes go scalar, and fma's product must also be exact before its TwoSum); round to odd
//    at 24 bits keeps what a p <= 22 rounding needs (p + 2 <= 24). The code arithmetic is step 3's
//    with (127 - bias) << man_bits.
#include <cstddef>
#include <cstdint>

#include "numerics/fast/internal/arith_kernel.h"

#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_SSE4 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "numerics/fast/arith_simd.cpp"
#include <hwy/foreach_target.h>  // must precede highway.h
#include <hwy/highway.h>
#include "numerics/fast/internal/lane_rounding-inl.h"  // TwoSum, round to odd, mode increments

HWY_BEFORE_NAMESPACE();
namespace fpsim::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D32 = hn::Rebind<uint32_t, DD>;  // codes, one per binary64 lane
using DI32 = hn::Rebind<int32_t, DD>;
using DF32 = hn::Rebind<float, DD>;
using VF = hn::Vec<DF32>;

// Step 1 for a vector of codes (DC: uint32_t lanes, one per binary64 or binary32 lane): the binary32
// pattern of each code, and all ones in `special` for its inf/NaN codes.
template <class DC>
HWY_INLINE hn::Vec<hn::Rebind<float, DC>> Pattern(DC dc, const uint32_t* p, const LaneOperand& o,
                                                  hn::Vec<hn::RebindToSigned<DC>>& special) {
  const hn::RebindToSigned<DC> di;
  const auto code = hn::LoadU(dc, p);
  const auto magnitude = hn::And(code, hn::Set(dc, o.magnitude_mask));
  // magnitude >= special_from (both below 2^31, so a signed compare is exact), or fnuz's NaN code.
  const auto is_special = hn::Or(
      hn::Gt(hn::BitCast(di, magnitude), hn::Set(di, static_cast<int32_t>(o.special_from - 1))),
      hn::RebindMask(di, hn::Eq(hn::And(code, hn::Set(dc, o.code_mask)), hn::Set(dc, o.nan_code))));
  special = hn::VecFromMask(di, is_special);
  const auto bits = hn::Or(hn::ShiftLeftSame(magnitude, o.shift),
                           hn::ShiftLeftSame(hn::And(code, hn::Set(dc, o.sign_mask)), o.sign_shift));
  return hn::BitCast(hn::Rebind<float, DC>(), bits);
}

// Step 1 in binary64 lanes: the pattern (for div) and the value; `bad` gets the special lanes.
HWY_INLINE VD Decode(const uint32_t* p, const LaneOperand& o, VI& bad, VF& pattern) {
  hn::Vec<DI32> special;
  pattern = Pattern(D32(), p, o, special);
  bad = hn::Or(bad, hn::PromoteTo(DI(), special));
  return hn::Mul(hn::PromoteTo(DD(), pattern), hn::Set(DD(), o.scale));
}

// The code of magnitude bits m plus the increment (step 3's arithmetic), with the sign; lanes below
// 2^emin or above the largest finite code are marked in `bad` (step 6).
template <class DUx, class DIx, class VUx = hn::Vec<DUx>, class VIx = hn::Vec<DIx>>
HWY_INLINE VUx PackCode(DUx du, DIx di, VUx m, VUx increment, VUx negative, int drop, int sign_shift, VIx rebias,
                        VIx min_bits, VIx max_magnitude, VIx& bad) {
  const VIx magnitude = hn::Sub(hn::BitCast(di, hn::Add(hn::ShiftRightSame(m, drop), increment)), rebias);
  bad = hn::Or(bad, hn::VecFromMask(di, hn::Lt(hn::BitCast(di, m), min_bits)));
  bad = hn::Or(bad, hn::VecFromMask(di, hn::Gt(magnitude, max_magnitude)));
  return hn::Or(hn::BitCast(du, magnitude), hn::ShiftLeftSame(negative, sign_shift));
}

// The elements a vector loop hands back (its `bad` lanes), recomputed by the scalar operation a batch at a time.
// Calling it from inside the loop put a branch per vector and per lane on which lanes are bad, mispredicted on data
// where they come at random, with each call waiting behind it. Add() compresses the bad lanes' offsets into a buffer
// without a branch on them; Flush() runs the calls back to back, where they overlap one another. Fma into e4m3fn,
// ns per element, one machine: N(0, 1/16) (a fifth of the lanes bad) 7.0 → 3.5, N(0, 1)·10^U(−3, 3) (27 %)
// 10.2 → 5.9, N(0, 4) (0.3 %) 1.5 → 1.4. The buffer holds 256 offsets, so that the batch's operands are still in
// the L1 cache.
// Offsets are from `base`, in the loop's lane type (int64 or int32): a flush moves base up to the next vector.
template <class T>
class HandBack {
 public:
  HandBack(uint32_t* out, ScalarElement scalar, void* context) : out_(out), scalar_(scalar), context_(context) {}
  // Vector i's bad lanes; flushes first when the buffer could not take a whole vector or offsets would overflow T.
  template <class DIx>
  HWY_INLINE void Add(DIx di, hn::Vec<DIx> bad, std::size_t i) {
    if (count_ > kCapacity - hn::MaxLanes(di) || i - base_ > kMaxOffset) {
      Flush();
      base_ = i;
    }
    const auto offsets = hn::Iota(di, static_cast<T>(i - base_));
    count_ += hn::CompressStore(offsets, hn::Ne(bad, hn::Zero(di)), di, offsets_ + count_);
  }
  void Flush() {
    for (std::size_t k = 0; k < count_; ++k) {
      const std::size_t j = base_ + static_cast<std::size_t>(offsets_[k]);
      out_[j] = scalar_(j, context_, flags_);
    }
    count_ = 0;
  }
  uint8_t flags() const { return flags_; }

 private:
  static constexpr std::size_t kCapacity = 256;
  static_assert(HWY_MAX_BYTES / sizeof(T) <= kCapacity, "a whole vector of offsets must fit in the buffer");
  static constexpr std::size_t kMaxOffset = std::size_t{1} << 30;
  uint32_t* out_;
  ScalarElement scalar_;
  void* context_;
  uint8_t flags_ = 0;
  std::size_t base_ = 0, count_ = 0;
  // CompressStore may write a whole vector past the count it returns.
  HWY_ALIGN T offsets_[kCapacity + HWY_MAX_BYTES / sizeof(T)];
};

template <LaneOp kOp, bool kStochastic>
HWY_NOINLINE uint8_t Loop(const LanePlan& p, const uint32_t* a, const uint32_t* b, const uint32_t* c,
                          const uint64_t* random, uint32_t* out, std::size_t n, ScalarElement scalar,
                          void* context) {
  const DD dd;
  const DU du;
  const DI di;
  const D32 d32;
  const std::size_t lanes = hn::Lanes(dd);
  const ModeWords<DU> w(du, p, p.drop);
  const VU abs_mask = w.abs_mask, zero = w.zero;
  const VI inf_bits = hn::Set(di, int64_t{0x7ff} << 52);
  const VI min_bits = hn::Set(di, static_cast<int64_t>(p.min_bits));
  const VI max_magnitude = hn::Set(di, static_cast<int64_t>(p.max_magnitude));
  const VI rebias = hn::Set(di, p.rebias);
  VU inexact_any = zero;
  HandBack<int64_t> hand_back(out, scalar, context);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    // 1-2. Decode and X = s + e.
    VI bad = hn::Zero(di);
    VF pa, pb, pc;
    VD s, e;
    const VD x = Decode(a + i, p.a, bad, pa);
    if constexpr (kOp == LaneOp::Mul) {
      s = hn::Mul(x, Decode(b + i, p.b, bad, pb));
      e = hn::Zero(dd);
    } else if constexpr (kOp == LaneOp::Fma) {
      const VD product = hn::Mul(x, Decode(b + i, p.b, bad, pb));
      TwoSum(product, Decode(c + i, p.c, bad, pc), s, e);
    } else if constexpr (kOp == LaneOp::Div) {
      (void)Decode(b + i, p.b, bad, pb);
      const VD q = hn::PromoteTo(dd, hn::Div(pa, pb));
      const VD pb_wide = hn::PromoteTo(dd, pb);
      const VD r = hn::Sub(hn::PromoteTo(dd, pa), hn::Mul(q, pb_wide));  // exact (step 4)
      e = hn::Xor(r, hn::And(pb_wide, hn::Set(dd, -0.0)));               // sign of r / pattern_b
      s = hn::Mul(q, hn::Set(dd, p.div_scale));
      // |q| must be a normal binary32 value: 2^-126 <= |q| < inf.
      const VI qm = hn::BitCast(di, hn::And(hn::BitCast(du, q), abs_mask));
      bad = hn::Or(bad, hn::Or(hn::VecFromMask(di, hn::Lt(qm, hn::Set(di, int64_t{1023 - 126} << 52))),
                               AtLeast(qm, inf_bits)));
    } else {
      VD y = Decode(b + i, p.b, bad, pb);
      if constexpr (kOp == LaneOp::Sub) y = hn::Neg(y);
      TwoSum(x, y, s, e);
    }
    const VU sb = hn::BitCast(du, s);
    const VU s_magnitude = hn::And(sb, abs_mask);
    bad = hn::Or(bad, AtLeast(hn::BitCast(di, s_magnitude), inf_bits));
    const VU negative = hn::ShiftRight<63>(sb);
    VU m, increment, inexact;
    if constexpr (kStochastic) {
      // 5. Stochastic rounding from the exact fraction.
      increment = StochasticIncrement(p, sb, e, s_magnitude, random + i, m, inexact, bad);
    } else {
      // 3. Round to odd at 53 bits, then to the target in the mode.
      m = RoundOddMagnitude(w, sb, hn::BitCast(du, e), s_magnitude);
      increment = DeterministicIncrement(w, m, negative, inexact);
    }
    const VU code =
        PackCode(du, di, m, increment, negative, p.drop, p.sign_shift, rebias, min_bits, max_magnitude, bad);
    hn::StoreU(hn::TruncateTo(d32, code), d32, out + i);
    inexact_any = hn::Or(inexact_any, hn::AndNot(hn::BitCast(du, bad), inexact));
    hand_back.Add(di, bad, i);
  }
  hand_back.Flush();
  uint8_t scalar_flags = hand_back.flags();
  for (; i < n; ++i) out[i] = scalar(i, context, scalar_flags);
  const bool inexact = !hn::AllTrue(du, hn::Eq(inexact_any, zero));
  return static_cast<uint8_t>(scalar_flags | (inexact ? flag::inexact : 0));
}

// ---- binary32 lanes (step 7): twice the lanes of binary64 for narrow targets ----

using DF = hn::ScalableTag<float>;
using DUF = hn::RebindToUnsigned<DF>;
using DIF = hn::RebindToSigned<DF>;

// Step 1 in binary32 lanes: the pattern times the operand's scale (exact: plan.float_lanes).
HWY_INLINE hn::Vec<DF> DecodeFloat(const uint32_t* p, const LaneOperand& o, hn::Vec<DIF>& bad) {
  hn::Vec<DIF> special;
  const auto pattern = Pattern(DUF(), p, o, special);
  bad = hn::Or(bad, special);
  return hn::Mul(pattern, hn::Set(DF(), o.scale_float));
}

template <LaneOp kOp>
HWY_NOINLINE uint8_t FloatLoop(const LanePlan& p, const uint32_t* a, const uint32_t* b, const uint32_t* c,
                               uint32_t* out, std::size_t n, ScalarElement scalar, void* context) {
  const DF df;
  const DUF du;
  const DIF di;
  using VUF = hn::Vec<DUF>;
  using VIF = hn::Vec<DIF>;
  using VFF = hn::Vec<DF>;
  const std::size_t lanes = hn::Lanes(df);
  const ModeWords<DUF> w(du, p, p.drop_float);
  const VIF inf_bits = hn::Set(di, 0x7f800000);
  const VIF min_normal = hn::Set(di, 0x00800000);  // 2^-126
  const VIF min_bits = hn::Set(di, static_cast<int32_t>(p.min_bits_float));
  const VIF max_magnitude = hn::Set(di, static_cast<int32_t>(p.max_magnitude));
  const VIF rebias = hn::Set(di, p.rebias_float);
  VUF inexact_any = w.zero;
  HandBack<int32_t> hand_back(out, scalar, context);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    VIF bad = hn::Zero(di);
    const VFF x = DecodeFloat(a + i, p.a, bad);
    VFF s, e;
    if constexpr (kOp == LaneOp::Mul) {
      s = hn::Mul(x, DecodeFloat(b + i, p.b, bad));  // exact when |s| > 2^-126 (step 7)
      e = hn::Zero(df);
    } else if constexpr (kOp == LaneOp::Fma) {
      const VFF y = DecodeFloat(b + i, p.b, bad);
      const VFF product = hn::Mul(x, y);
      // The product must be exact: above 2^-126, or zero because a factor is.
      const VIF pm = hn::BitCast(di, hn::And(hn::BitCast(du, product), w.abs_mask));
      const auto factor_zero = hn::Or(hn::Eq(hn::And(hn::BitCast(du, x), w.abs_mask), w.zero),
                                      hn::Eq(hn::And(hn::BitCast(du, y), w.abs_mask), w.zero));
      bad = hn::Or(bad, hn::VecFromMask(di, hn::AndNot(hn::RebindMask(di, factor_zero),
                                                       hn::Not(hn::Gt(pm, min_normal)))));
      TwoSum(product, DecodeFloat(c + i, p.c, bad), s, e);
    } else {
      VFF y = DecodeFloat(b + i, p.b, bad);
      if constexpr (kOp == LaneOp::Sub) y = hn::Neg(y);
      TwoSum(x, y, s, e);
    }
    const VUF sb = hn::BitCast(du, s);
    const VUF s_magnitude = hn::And(sb, w.abs_mask);
    bad = hn::Or(bad, hn::VecFromMask(di, hn::Not(hn::Lt(hn::BitCast(di, s_magnitude), inf_bits))));
    const VUF negative = hn::ShiftRight<31>(sb);
    const VUF m = RoundOddMagnitude(w, sb, hn::BitCast(du, e), s_magnitude);
    VUF inexact;
    const VUF increment = DeterministicIncrement(w, m, negative, inexact);
    const VUF code =
        PackCode(du, di, m, increment, negative, w.drop, p.sign_shift, rebias, min_bits, max_magnitude, bad);
    hn::StoreU(code, du, out + i);
    inexact_any = hn::Or(inexact_any, hn::AndNot(hn::BitCast(du, bad), inexact));
    hand_back.Add(di, bad, i);
  }
  hand_back.Flush();
  uint8_t scalar_flags = hand_back.flags();
  for (; i < n; ++i) out[i] = scalar(i, context, scalar_flags);
  const bool inexact = !hn::AllTrue(du, hn::Eq(inexact_any, w.zero));
  return static_cast<uint8_t>(scalar_flags | (inexact ? flag::inexact : 0));
}

template <bool kStochastic>
uint8_t LoopFor(const LanePlan& p, const uint32_t* a, const uint32_t* b, const uint32_t* c, const uint64_t* random,
                uint32_t* out, std::size_t n, ScalarElement scalar, void* context) {
  switch (p.op) {
    case LaneOp::Add: return Loop<LaneOp::Add, kStochastic>(p, a, b, c, random, out, n, scalar, context);
    case LaneOp::Sub: return Loop<LaneOp::Sub, kStochastic>(p, a, b, c, random, out, n, scalar, context);
    case LaneOp::Mul: return Loop<LaneOp::Mul, kStochastic>(p, a, b, c, random, out, n, scalar, context);
    case LaneOp::Fma: return Loop<LaneOp::Fma, kStochastic>(p, a, b, c, random, out, n, scalar, context);
    case LaneOp::Div: break;  // make_lane_plan never asks for stochastic div
  }
  if constexpr (!kStochastic) return Loop<LaneOp::Div, false>(p, a, b, c, random, out, n, scalar, context);
  return 0;
}

uint8_t LaneKernel(const LanePlan& p, const uint32_t* a, const uint32_t* b, const uint32_t* c,
                   const uint64_t* random, uint32_t* out, std::size_t n, ScalarElement scalar, void* context) {
  if (p.float_lanes) {
    switch (p.op) {
      case LaneOp::Add: return FloatLoop<LaneOp::Add>(p, a, b, c, out, n, scalar, context);
      case LaneOp::Sub: return FloatLoop<LaneOp::Sub>(p, a, b, c, out, n, scalar, context);
      case LaneOp::Mul: return FloatLoop<LaneOp::Mul>(p, a, b, c, out, n, scalar, context);
      case LaneOp::Fma: return FloatLoop<LaneOp::Fma>(p, a, b, c, out, n, scalar, context);
      case LaneOp::Div: break;  // make_lane_plan never chooses binary32 lanes for div
    }
  }
  return p.stochastic ? LoopFor<true>(p, a, b, c, random, out, n, scalar, context)
                      : LoopFor<false>(p, a, b, c, random, out, n, scalar, context);
}

}  // namespace HWY_NAMESPACE
}  // namespace fpsim::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <algorithm>

#include "numerics/core/bits.h"
#include "numerics/fast/internal/fast_double.h"
#include "numerics/simd/internal/simd_pick.h"

namespace fpsim::detail {
namespace {

// Decoding constants for f. Specials: ieee, every code from the all-ones exponent up (0x7C00 in
// binary16); fn, only the all-ones magnitude (0x7F in e4m3fn); fnuz, only the negative-zero code
// (0x80 in e4m3fnuz); finite, none (special_from above every magnitude); P3109 (signed), the
// negative-zero code 0x80 and, when extended, the all-ones magnitude 0x7F/0xFF (inf).
LaneOperand lane_operand(const Format& f) {
  LaneOperand o;
  o.magnitude_mask = static_cast<uint32_t>(f.code_mask() & ~f.sign_mask());
  switch (f.specials()) {
    case Specials::Ieee: o.special_from = static_cast<uint32_t>(f.exp_field_max() << f.man_bits()); break;
    case Specials::Fn: o.special_from = o.magnitude_mask; break;
    case Specials::P3109Extended: o.special_from = o.magnitude_mask; break;
    case Specials::Fnuz:
    case Specials::P3109Finite:
    case Specials::Finite: o.special_from = o.magnitude_mask + 1; break;
  }
  if (f.specials() == Specials::Fnuz || is_p3109(f.specials())) {
    o.code_mask = static_cast<uint32_t>(f.code_mask());
    o.nan_code = static_cast<uint32_t>(f.sign_mask());
  }
  o.sign_mask = static_cast<uint32_t>(f.sign_mask());
  o.shift = 23 - f.man_bits();
  o.sign_shift = 31 - (f.total_bits() - 1);
  o.scale = double_from_bits(uint64_t(127 - f.bias() + 1023) << 52);  // 2^(127 - bias)
  o.scale_float = static_cast<float>(o.scale);                         // exact when float_exact(f)
  return o;
}

// Every value of f is a binary32 value and 2^(127 - bias) is a normal binary32 number, so the binary32
// pattern times the scale is the value exactly in binary32 arithmetic (scaling to a value that is
// representable, subnormal or not, is exact).
bool float_exact(const Format& f) {
  return f.fits_binary32() && 127 - f.bias() >= -126 && 127 - f.bias() <= 127;
}

}  // namespace

bool lane_decodes(const Format& f) {
  // With 8 exponent bits only ieee specials: the all-ones field of fn/fnuz/finite formats holds values,
  // but its binary32 pattern would be inf/NaN.
  return f.is_signed() && f.has_zero() && f.exp_bits() <= 8 && f.man_bits() <= 23 && f.total_bits() <= 32 &&
         (f.exp_bits() < 8 || f.specials() == Specials::Ieee) && 127 - f.bias() + 1023 > 0 &&
         127 - f.bias() + 1023 < 2047;
}

bool make_lane_plan(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t,
                    LanePlan& plan) {
  const Format& f = t.format;
  if (t.daz || !f.is_signed() || f.total_bits() > 32 || f.man_bits() > 50 ||
      f.emin() + 1023 < 1 || f.emax() + 1023 > 2046)
    return false;
  // P3109 with P = 1 decides ties and round-to-odd on the exponent field's last bit (round_pack); the
  // lanes' no_mantissa rule uses the hidden bit, so such targets take the scalar path.
  if (is_p3109(f.specials()) && f.man_bits() == 0) return false;
  switch (op) {
    case ArithOp::Add: plan.op = LaneOp::Add; break;
    case ArithOp::Sub: plan.op = LaneOp::Sub; break;
    case ArithOp::Mul: plan.op = LaneOp::Mul; break;
    case ArithOp::Fma: plan.op = LaneOp::Fma; break;
    case ArithOp::Div: plan.op = LaneOp::Div; break;
    default: return false;
  }
  if (!lane_decodes(fa) || !lane_decodes(fb)) return false;
  if (op == ArithOp::Fma && !lane_decodes(fc)) return false;
  if ((op == ArithOp::Mul || op == ArithOp::Fma) && !fast_double_product_exact(fa, fb)) return false;
  if (op == ArithOp::Div && (f.precision() > 24 || t.rounding == Rounding::Stochastic)) return false;
  plan.a = lane_operand(fa);
  plan.b = lane_operand(fb);
  if (op == ArithOp::Fma) plan.c = lane_operand(fc);
  plan.div_scale = plan.a.scale / plan.b.scale;  // a power of two: exact
  plan.drop = 52 - f.man_bits();
  plan.min_bits = uint64_t(f.emin() + 1023) << 52;
  plan.rebias = int64_t{1023 - f.bias()} << f.man_bits();
  plan.max_magnitude = f.max_code().v & ~f.sign_mask();
  plan.sign_shift = f.total_bits() - 1;
  plan.nearest_even = t.rounding == Rounding::NearestEven;
  plan.nearest_away = t.rounding == Rounding::NearestAway;
  plan.up = t.rounding == Rounding::Up;
  plan.down = t.rounding == Rounding::Down;
  plan.odd = t.rounding == Rounding::Odd;  // TowardZero and Truncate: no increment in the normal range
  plan.no_mantissa = f.man_bits() == 0;
  plan.stochastic = t.rounding == Rounding::Stochastic;
  plan.sr_bits = plan.stochastic && t.sr_bits > 0 && t.sr_bits < 64 ? t.sr_bits : 0;
  // Binary32 lanes (step 7): deterministic add/sub/mul/fma, binary32-exact operands, products of at
  // most 24 bits, targets of at most 22 bits of precision whose normal range starts in binary32's.
  plan.float_lanes = !plan.stochastic && op != ArithOp::Div && f.man_bits() <= 21 && f.emin() >= -126 &&
                     f.emax() <= 127 && float_exact(fa) && float_exact(fb) &&
                     (op != ArithOp::Fma || float_exact(fc)) &&
                     ((op != ArithOp::Mul && op != ArithOp::Fma) || fa.precision() + fb.precision() <= 24);
  if (plan.float_lanes) {
    plan.drop_float = 23 - f.man_bits();
    // 2^emin's binary32 bits, and strictly above 2^-126: a product there is exact (step 7).
    plan.min_bits_float = std::max<uint32_t>(uint32_t(f.emin() + 127) << 23, 0x00800001u);
    plan.rebias_float = int32_t{127 - f.bias()} << f.man_bits();
  }
  return true;
}

bool lane_kernel_available(simd::Isa isa) {
  decltype(&HWY_STATIC_DISPATCH(LaneKernel)) f = nullptr;
  return FPSIM_PICK(isa, LaneKernel, f) && f != nullptr;
}

uint8_t run_lane_kernel(simd::Isa isa, const LanePlan& plan, const uint32_t* a, const uint32_t* b,
                        const uint32_t* c, const uint64_t* random, uint32_t* out, std::size_t n,
                        ScalarElement scalar, void* context) {
  decltype(&HWY_STATIC_DISPATCH(LaneKernel)) f = nullptr;
  if (!FPSIM_PICK(isa, LaneKernel, f) || !f) return 0;
  return f(plan, a, b, c, random, out, n, scalar, context);
}

}  // namespace fpsim::detail
#endif  // HWY_ONCE
