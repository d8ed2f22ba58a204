// The vector accumulator (accumulate.h): sums of up to 4 rows × two vectors of binary64 lanes advance
// together through k, each addition rounded into the Target in-register. Compiled by Highway once per
// target (AVX-512, AVX2, the portable baseline), chosen at run time as arith_simd.cpp does; every
// target gives add_rounded's bits (tests/numerics_arith/accumulate_test.cpp, tests/sim_gemm).
//
// One step, s ← round_t(s + x), with s a Target value and x = a·b (exact: 24 + 24 bits ≤ 53):
//   1. hi + lo = s + x exactly (TwoSum; no overflow: |s| ≤ 2^128, |x| ≤ 2^256).
//   2. Deterministic modes: m = |RO53(hi + lo)|'s bits (round to odd: keeps every bit a rounding to
//      p ≤ 24 < 52 bits needs, arith_simd.cpp step 3), then the mode's rounding of m by integer
//      operations, (m + bias) & keep (Flavour below; drop = 52 − man_bits low bits are cleared); with
//      the sign these are the binary64 bits of the rounded value (a carry moves into the exponent).
//        e.g. binary16 (drop 42), s = 1, x = 2^-11 + 2^-60: hi = 1 + 2^-11 (0x3FF0020000000000),
//        lo = 2^-60, m = 0x3FF0020000000001; rne bias 2^41 − 1 + lsb 0 carries: 0x3FF0040000000000 = 1 + 2^-10.
//      Stochastic rounding: the increment from the exact 64-bit discarded fraction and the word of
//      (r, j, k) (arith_simd.cpp step 5).
//   3. A lane is finished here when 2^emin ≤ |RO53(X)| ≤ max (the Target's normal range: the rounded
//      magnitude cannot pass max, a Target value). Otherwise:
//      tiny, deterministic (0 < |X| < 2^emin): the Target's grid there is 2^(emin − man_bits), the
//        grid of [2^emin, 2^(emin+1)) at its precision; so X' = 2^emin + |X| rounds (same mode, X's
//        sign) to 2^emin + round(|X|), and round(|X|) = round(X') − 2^emin exactly (Sterbenz).
//        RO53(X'): h2 + l2 = 2^emin + |hi| (TwoSum), r = l2 + lo·sign(hi) has the exact residual's
//        sign, and |r| < ulp(h2) (|l2| ≤ ulp(h2)/2, |lo| ≤ ulp(hi)/2 ≤ ulp(h2)/4), so nudging h2 one
//        ulp towards r when h2 is even gives RO53(X'). e.g. binary16 (emin −14, grid 2^-24), X = 3·2^-26:
//        X' = 2^-14 + 3·2^-26, kept bit 2^-24, round bit 2^-25 set, sticky set -> rne up: 2^-14 + 2^-24,
//        minus 2^-14: 2^-24 (= 4·2^-26, the nearer grid point to 3·2^-26).
//      everything else (an exact zero: its sign follows IEEE 754 6.3; overflow; inf or NaN; tiny under
//        stochastic rounding): add_rounded for that lane.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>

#include "numerics/fast/internal/accumulate_plan.h"

#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_SSE4 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "numerics/fast/accumulate_simd.cpp"
#include <hwy/foreach_target.h>  // must precede highway.h
#include <hwy/highway.h>
#include "numerics/fast/internal/lane_rounding-inl.h"  // TwoSum, round to odd, mode increments

HWY_BEFORE_NAMESPACE();
namespace fpsim::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF32 = hn::Rebind<float, DD>;  // one float per binary64 lane
using Plan = RoundedAccumulator::Plan;

// How the deterministic modes round m (RO53's magnitude bits) to the Target: (m + bias) & keep, with
//   Even:     bias = 2^(drop-1) − 1 + lsb     (round bit set and sticky or lsb set: carry into the lsb)
//   Away:     bias = 2^(drop-1)
//   Directed: bias = 2^drop − 1 for magnitudes rounding away from zero (rup positive, rdn negative),
//             else 0 (rtz, trunc: in the normal range trunc is rtz)
//   Odd:      m & keep, then the lsb set when any dropped bit is (an even kept value: no carry).
enum class Flavour : uint8_t { Even, Away, Directed, Odd };

Flavour FlavourOf(Rounding r) {
  switch (r) {
    case Rounding::NearestEven: return Flavour::Even;
    case Rounding::NearestAway: return Flavour::Away;
    case Rounding::Odd: return Flavour::Odd;
    default: return Flavour::Directed;
  }
}

// Constants of one Target, set once per call, for binary64 lanes (D = DD) or binary32 lanes (D = DF).
template <class D>
struct StepWords {
  using DUx = hn::RebindToUnsigned<D>;
  using DIx = hn::RebindToSigned<D>;
  using T = hn::TFromD<DUx>;
  using VUx = hn::Vec<DUx>;
  static constexpr int kTop = sizeof(T) * 8 - 1;
  ModeWords<DUx> w;
  hn::Vec<DIx> min_bits, max_bits;
  hn::Vec<D> min_normal;
  VUx sign, one, low, keep, half, bias_positive, bias_negative, lsb_unit;
  int drop;
  StepWords(const RoundedAccumulator::Plan& p, int drop_bits, T min, T max, hn::TFromD<D> normal)
      : w(DUx(), p.lanes, drop_bits),
        min_bits(hn::Set(DIx(), static_cast<hn::TFromD<DIx>>(min))),
        max_bits(hn::Set(DIx(), static_cast<hn::TFromD<DIx>>(max))),
        min_normal(hn::Set(D(), normal)),
        sign(hn::Set(DUx(), T{1} << kTop)),
        one(hn::Set(DUx(), T{1})),
        low(hn::Set(DUx(), (T{1} << drop_bits) - 1)),
        keep(hn::Set(DUx(), static_cast<T>(~((T{1} << drop_bits) - 1)))),
        half(hn::Set(DUx(), T{1} << (drop_bits - 1))),
        bias_positive(hn::Set(DUx(), p.target.rounding == Rounding::Up ? (T{1} << drop_bits) - 1 : 0)),
        bias_negative(hn::Set(DUx(), p.target.rounding == Rounding::Down ? (T{1} << drop_bits) - 1 : 0)),
        lsb_unit(hn::Set(DUx(), T{1} << drop_bits)),
        drop(drop_bits) {}
};

StepWords<DD> WordsDouble(const RoundedAccumulator::Plan& p) {
  return StepWords<DD>(p, p.lanes.drop, p.lanes.min_bits, p.max_bits, p.min_normal);
}

// |RO(hi + lo)|'s bits at the lane precision: |hi| moved one ulp towards lo when lo ≠ 0 and |hi| is
// even, written as (|hi| − [lo opposes hi]) | [lo ≠ 0]: an even |hi| becomes |hi| − 1 or |hi| + 1 (odd),
// an odd one stays. "lo opposes hi": their sign bits differ and lo ≠ 0 (a −0 lo opposes nothing).
//   e.g. hi = 1.0 (0x3FF0000000000000), lo = −2^-60: 0x3FF0000000000000 − 1 = 0x3FEFFFFFFFFFFFFF, | 1 unchanged.
template <class D, class W = StepWords<D>>
HWY_INLINE typename W::VUx OddMagnitude(const W& c, hn::Vec<D> hi, hn::Vec<D> lo, typename W::VUx magnitude) {
  const D d;
  const typename W::DUx du;
  const typename W::DIx di;
  const auto nonzero = hn::RebindMask(du, hn::Ne(lo, hn::Zero(d)));
  const auto differ = hn::RebindMask(du, hn::Lt(hn::BitCast(di, hn::Xor(hn::BitCast(du, hi), hn::BitCast(du, lo))),
                                                hn::Zero(di)));
  const auto opposes = hn::VecFromMask(du, hn::And(nonzero, differ));  // all ones = −1
  return hn::Or(hn::Add(magnitude, opposes), hn::IfThenElseZero(nonzero, c.one));
}

// The rounded magnitude bits of m in flavour F (see Flavour), for a sum whose bits (sign) are hb.
template <Flavour F, class D, class W = StepWords<D>, class VUx = typename W::VUx>
HWY_INLINE VUx RoundMagnitude(const W& c, VUx m, VUx hb) {
  const D d;
  const typename W::DUx du;
  if constexpr (F == Flavour::Even) {
    const VUx lsb = hn::And(hn::ShiftRightSame(m, c.drop), c.one);
    return hn::And(hn::Add(m, hn::Add(hn::Sub(c.half, c.one), lsb)), c.keep);
  } else if constexpr (F == Flavour::Away) {
    return hn::And(hn::Add(m, c.half), c.keep);
  } else if constexpr (F == Flavour::Directed) {
    const VUx bias = hn::BitCast(du, hn::IfNegativeThenElse(hn::BitCast(d, hb), hn::BitCast(d, c.bias_negative),
                                                          hn::BitCast(d, c.bias_positive)));
    return hn::And(hn::Add(m, bias), c.keep);
  } else {
    const VUx sticky = hn::IfThenElseZero(hn::Ne(hn::And(m, c.low), hn::Zero(du)), c.lsb_unit);
    return hn::Or(hn::And(m, c.keep), sticky);
  }
}

// ((m >> drop) + increment) << drop with the sign bit of `signed_bits`: the rounded value's bits
// (binary64 lanes, stochastic rounding).
HWY_INLINE VD Rounded(const StepWords<DD>& c, VU m, VU increment, VU signed_bits) {
  const VU kept = hn::ShiftLeftSame(hn::Add(hn::ShiftRightSame(m, c.drop), increment), c.drop);
  return hn::BitCast(DD(), hn::Or(kept, hn::And(signed_bits, c.sign)));
}

// Step 3, tiny deterministic lanes: round(X) = round(2^emin + |X|) − 2^emin, with X's sign.
template <class D, class W = StepWords<D>>
HWY_INLINE hn::Vec<D> Tiny(const W& c, hn::Vec<D> hi, hn::Vec<D> lo) {
  const D d;
  const typename W::DUx du;
  using V = hn::Vec<D>;
  const auto hb = hn::BitCast(du, hi);
  const V lo_rel = hn::BitCast(d, hn::Xor(hn::BitCast(du, lo), hn::And(hb, c.sign)));  // |X| = |hi| + lo_rel
  V h2, l2;
  TwoSum(c.min_normal, hn::Abs(hi), h2, l2);
  const V r = hn::Add(l2, lo_rel);  // the residual's sign is exact
  const auto h2b = hn::BitCast(du, h2);
  const auto m = RoundOddMagnitude(c.w, h2b, hn::BitCast(du, r), h2b);
  typename W::VUx inexact;
  const auto increment = DeterministicIncrement(c.w, m, hn::ShiftRight<W::kTop>(hb), inexact);
  const V up = hn::BitCast(d, hn::ShiftLeftSame(hn::Add(hn::ShiftRightSame(m, c.drop), increment), c.drop));
  return hn::BitCast(d, hn::Or(hn::BitCast(du, hn::Sub(up, c.min_normal)), hn::And(hb, c.sign)));
}

// Lanes flagged in `bad` finished by add_rounded (the word of lane l at words[l]).
template <class D>
HWY_NOINLINE hn::Vec<D> ScalarLanes(const RoundedAccumulator::Plan& p, hn::Vec<hn::RebindToSigned<D>> bad,
                                    hn::Vec<D> s, hn::Vec<D> x, hn::Vec<D> out, const uint64_t* words) {
  const D d;
  using T = hn::TFromD<D>;
  constexpr std::size_t kMax = hn::MaxLanes(d);
  HWY_ALIGN T sv[kMax], xv[kMax], ov[kMax];
  HWY_ALIGN hn::TFromD<hn::RebindToSigned<D>> bv[kMax];
  hn::Store(s, d, sv);
  hn::Store(x, d, xv);
  hn::Store(out, d, ov);
  hn::Store(bad, hn::RebindToSigned<D>(), bv);
  for (std::size_t l = 0; l < hn::Lanes(d); ++l)  // binary32 lanes: s, x and the Target value are floats
    if (bv[l]) ov[l] = static_cast<T>(add_rounded(sv[l], xv[l], p.target, words ? words[l] : 0));
  return hn::Load(d, ov);
}

// One rounded addition s + x for a vector of sums (steps 1-3), deterministic, in lanes of D.
// Binary64 lanes first try hi = RN53(s + x) alone: when no lane's hi is on one of the Target's rounding
// boundaries (nearest modes: a midpoint, dropped bits exactly half; directed and odd: a grid point, dropped
// bits 0) and hi is in the normal range, hi rounds as s + x does. Every boundary is a binary64 number and
// RN53 is monotone, so s + x strictly between two consecutive boundaries gives hi between or on them, and
// on them only when it is a boundary itself (then TwoSum and round to odd decide, below).
//   e.g. binary16 rne, s = 1 + 2^-10, x = 2^-11 − 2^-57: hi = 1 + 2^-10 + 2^-11, a midpoint: the exact step
//   sees lo = −2^-57 and keeps 1 + 2^-10 (hi alone would tie to 1 + 2^-9).
// Binary32 lanes (FP8 products of few bits) land on boundaries too often for this to pay.
template <Flavour F, class D, class W = StepWords<D>>
HWY_INLINE hn::Vec<D> StepDeterministic(const RoundedAccumulator::Plan& p, const W& c, hn::Vec<D> s, hn::Vec<D> x) {
  const D d;
  const typename W::DUx du;
  const typename W::DIx di;
  if constexpr (std::is_same_v<D, DD>) {
    const auto rounded = hn::BitCast(du, hn::Add(s, x));
    const auto magnitude = hn::And(rounded, c.w.abs_mask);
    const auto dropped = hn::And(magnitude, c.low);
    const auto boundary = F == Flavour::Even || F == Flavour::Away ? hn::Eq(dropped, c.half)
                                                                   : hn::Eq(dropped, hn::Zero(du));
    const auto outside = hn::Or(hn::Lt(hn::BitCast(di, magnitude), c.min_bits),
                                hn::Gt(hn::BitCast(di, magnitude), c.max_bits));
    if (HWY_LIKELY(hn::AllFalse(di, hn::Or(hn::RebindMask(di, boundary), outside))))
      return hn::BitCast(d, hn::Or(RoundMagnitude<F, D>(c, magnitude, rounded), hn::And(rounded, c.sign)));
  }
  hn::Vec<D> hi, lo;
  TwoSum(s, x, hi, lo);
  const auto hb = hn::BitCast(du, hi);
  const auto m = OddMagnitude<D>(c, hi, lo, hn::And(hb, c.w.abs_mask));
  hn::Vec<D> out = hn::BitCast(d, hn::Or(RoundMagnitude<F, D>(c, m, hb), hn::And(hb, c.sign)));
  const auto tiny = hn::Lt(hn::BitCast(di, m), c.min_bits);
  const auto outside = hn::Or(tiny, hn::Gt(hn::BitCast(di, m), c.max_bits));
  if (HWY_UNLIKELY(!hn::AllFalse(di, outside))) {
    const auto zero = hn::Eq(hn::BitCast(di, m), hn::Zero(di));
    out = hn::IfThenElse(hn::RebindMask(d, hn::AndNot(zero, tiny)), Tiny<D>(c, hi, lo), out);
    const auto bad = hn::VecFromMask(di, hn::AndNot(hn::AndNot(zero, tiny), outside));
    if (!hn::AllTrue(di, hn::Eq(bad, hn::Zero(di)))) out = ScalarLanes<D>(p, bad, s, x, out, nullptr);
  }
  return out;
}

// The same with stochastic rounding (binary64 lanes), sr:K with K > drop: arith_simd.cpp step 5, the exact
// 64-bit discarded fraction; tiny sums go to add_rounded.
HWY_INLINE VD StepStochasticWide(const RoundedAccumulator::Plan& p, const StepWords<DD>& c, VD s, VD x,
                                 const uint64_t* words) {
  const DU du;
  const DI di;
  VD hi, lo;
  TwoSum(s, x, hi, lo);
  const VU hb = hn::BitCast(du, hi);
  VI bad = hn::Zero(di);
  VU m, inexact;
  const VU increment = StochasticIncrement(p.lanes, hb, lo, hn::And(hb, c.w.abs_mask), words, m, inexact, bad);
  VD out = Rounded(c, m, increment, hb);
  bad = hn::Or(bad, hn::VecFromMask(di, hn::Lt(hn::BitCast(di, m), c.min_bits)));
  bad = hn::Or(bad, hn::VecFromMask(di, hn::Gt(hn::BitCast(di, hn::BitCast(du, hn::Abs(out))), c.max_bits)));
  if (HWY_UNLIKELY(!hn::AllTrue(di, hn::Eq(bad, hn::Zero(di))))) out = ScalarLanes<DD>(p, bad, s, x, out, words);
  return out;
}

// The top bits of lane l's random word words[l] (binary64 lanes: all 64; binary32 lanes: bits 32-63).
template <class D>
HWY_INLINE hn::Vec<hn::RebindToUnsigned<D>> RandomTop(const uint64_t* words) {
  const hn::RebindToUnsigned<D> du;
  if constexpr (sizeof(hn::TFromD<D>) == 8) {
    return hn::LoadU(du, words);
  } else {
#if HWY_TARGET == HWY_SCALAR
    return hn::Set(du, static_cast<uint32_t>(words[0] >> 32));
#else
    // two vectors of words as 32-bit halves (low, high, low, high, ...): the odd halves are the high words
    const hn::Repartition<uint64_t, decltype(du)> d64;
    const auto first = hn::BitCast(du, hn::LoadU(d64, words));
    const auto second = hn::BitCast(du, hn::LoadU(d64, words + hn::Lanes(d64)));
    return hn::ConcatOdd(du, second, first);
#endif
  }
}

// Stochastic rounding, sr and sr:K with K <= drop, decided by the top bits alone, in binary64 lanes (drop =
// 52 − man_bits) or binary32 lanes (products exact in binary32: drop = 23 − man_bits). round_pack sees
// X = hi + lo as m', the lane bits of |X| cut to the lane precision (|hi|, or |hi| − 1 unit when lo opposes
// hi: |X| is then just below |hi|), and lower bits; its discarded fraction, 0.64 fixed point, is
// frac = (low << w) | ext with low = m' & (2^drop − 1), w = 64 − drop and ext < 2^w. So
//   sr:   round up iff r < frac (r <= frac with a sticky bit): iff (r >> w) < low when (r >> w) != low;
//         (r >> w) == low (probability 2^-drop per addition) leaves the decision to ext and the sticky
//         bit: such lanes go to add_rounded;
//   sr:K: the carry out of frac's and r's top K bits; frac's top K bits are low >> (drop − K).
//   e.g. binary16 in binary64 lanes (drop 42, w 22), s = 1, x = 2^-11 + 2^-40: hi = s + x exactly,
//   m' = 0x3FF0020000040000, low = 0x20000040000 (frac = 0.1000…01 in binary): sr takes 1 + 2^-10 iff
//   r >> 22 < low (P ≈ 1/2). In binary32 lanes (drop 13) r >> w is the high word's top 13 bits.
// Tiny sums (|X| < 2^emin), zeros, overflow, inf and NaN go to add_rounded as in the deterministic step.
template <class D, class W = StepWords<D>>
HWY_INLINE hn::Vec<D> StepStochastic(const RoundedAccumulator::Plan& p, const W& c, hn::Vec<D> s, hn::Vec<D> x,
                                     const uint64_t* words) {
  const D d;
  const typename W::DUx du;
  const typename W::DIx di;
  constexpr int kLaneBits = W::kTop + 1;
  const int k = p.lanes.sr_bits;
  if constexpr (kLaneBits == 64) {
    if (k > c.drop) return StepStochasticWide(p, c, s, x, words);
  }
  hn::Vec<D> hi, lo;
  TwoSum(s, x, hi, lo);
  const auto hb = hn::BitCast(du, hi);
  const auto differ = hn::Lt(hn::BitCast(di, hn::Xor(hb, hn::BitCast(du, lo))), hn::Zero(di));
  const auto opposes = hn::And(hn::RebindMask(di, hn::Ne(lo, hn::Zero(d))), differ);
  const auto m = hn::Add(hn::And(hb, c.w.abs_mask), hn::BitCast(du, hn::VecFromMask(di, opposes)));  // − 1
  const auto low = hn::And(m, c.low);
  const auto r = RandomTop<D>(words);  // r's top kLaneBits bits
  typename W::VUx increment;
  hn::Vec<typename W::DIx> bad;
  if (k > 0) {
    increment = hn::ShiftRightSame(
        hn::Add(hn::ShiftRightSame(low, c.drop - k), hn::ShiftRightSame(r, kLaneBits - k)), k);
    bad = hn::Zero(di);
  } else {
    const auto top = hn::ShiftRightSame(r, kLaneBits - c.drop);  // below 2^drop: signed compares are unsigned ones
    increment = hn::IfThenElseZero(hn::RebindMask(du, hn::Lt(hn::BitCast(di, top), hn::BitCast(di, low))), c.one);
    bad = hn::VecFromMask(di, hn::Eq(hn::BitCast(di, top), hn::BitCast(di, low)));
  }
  const auto kept = hn::ShiftLeftSame(hn::Add(hn::ShiftRightSame(m, c.drop), increment), c.drop);
  hn::Vec<D> out = hn::BitCast(d, hn::Or(kept, hn::And(hb, c.sign)));
  bad = hn::Or(bad, hn::VecFromMask(di, hn::Lt(hn::BitCast(di, m), c.min_bits)));
  // overflow, inf and NaN (m > max also where m's carry would reach the sign bit: a NaN of all-ones payload)
  bad = hn::Or(bad, hn::VecFromMask(di, hn::Or(hn::Gt(hn::BitCast(di, m), c.max_bits),
                                                hn::Gt(hn::BitCast(di, kept), c.max_bits))));
  if (HWY_UNLIKELY(!hn::AllTrue(di, hn::Eq(bad, hn::Zero(di))))) out = ScalarLanes<D>(p, bad, s, x, out, words);
  return out;
}

template <bool kStochastic, Flavour F>
HWY_INLINE VD Step(const RoundedAccumulator::Plan& p, const StepWords<DD>& c, VD s, VD x, const uint64_t* words) {
  if constexpr (kStochastic) {
    return StepStochastic<DD>(p, c, s, x, words);
  } else {
    (void)words;
    return StepDeterministic<F, DD>(p, c, s, x);
  }
}

// Binary32 lanes (AccumulateGroup::binary32_products, Plan::float_lanes): the same steps with binary32
// TwoSum; the deterministic modes round to odd at 24 bits, which keeps what a rounding to p ≤ 22 bits needs
// (arith_simd.cpp step 7), stochastic rounding reads the random words' high halves (StepStochastic); the
// products a·b are exact in binary32 (the caller checked the operands). Twice the lanes of binary64: one
// vector per row covers the group's width on AVX2 and AVX-512.
template <bool kStochastic, Flavour F, int kRows>
HWY_NOINLINE void FloatGroup(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  using DFl = hn::ScalableTag<float>;
  const DFl df;
  const std::size_t n = hn::Lanes(df), width = 2 * hn::Lanes(DD()), vecs = width / n;
  const StepWords<DFl> c(p, p.drop_float, p.min_bits_float, p.max_bits_float, static_cast<float>(p.min_normal));
  hn::Vec<DFl> s[kRows][2];  // vecs ≤ 2
  for (int r = 0; r < kRows; ++r)
    for (std::size_t v = 0; v < vecs; ++v) s[r][v] = hn::LoadU(df, g.sums + r * width + v * n);
  for (int k = 0; k < g.k_count; ++k) {
    const float* b = g.b + static_cast<std::size_t>(k) * width;
    for (std::size_t v = 0; v < vecs; ++v) {
      const auto bv = hn::LoadU(df, b + v * n);
      for (int r = 0; r < kRows; ++r) {
        const auto a = hn::Set(df, g.a_rows[r][static_cast<std::size_t>(k) * g.a_step]);
        if constexpr (kStochastic) {  // the words of lanes (r, v·n ..), term k, as in Group
          const uint64_t* words = g.random + (static_cast<std::size_t>(r) * g.k_count + k) * width + v * n;
          s[r][v] = StepStochastic<DFl>(p, c, s[r][v], hn::Mul(a, bv), words);  // exact products
        } else {
          s[r][v] = StepDeterministic<F, DFl>(p, c, s[r][v], hn::Mul(a, bv));
        }
      }
    }
  }
  for (int r = 0; r < kRows; ++r)
    for (std::size_t v = 0; v < vecs; ++v) hn::StoreU(s[r][v], df, g.sums + r * width + v * n);
}

// rne into binary16 or bfloat16 with narrow products (Plan::narrow, AccumulateGroup::product_bits ≤
// Plan::narrow_product_bits): s' = RN_t(y), y = fma(a, b, s) = RN_24(s + p), p = a·b. This equals RN_t(s + p),
// one rounding, although y is rounded first. Why (pa = the Target's precision, 11 or 8; p has q ≤ pa bits):
//   Every grid point and midpoint of the Target (down to its subnormal step 2^-24 or 2^-133) is a binary32
//   number, and RN_24 is monotone, so y stays in the closed rounding interval of RN_t(s + p); RN_t(y) can
//   differ only when s + p is not a binary32 number and y lands on a midpoint M. Not a binary32 number: its
//   bits span more than 24 places from the lower of the lsbs of s (on the pa-bit grid) and p (q bits), so
//   A. p's lsb is lower: 2^(e_v) ≥ 2^(e_p − q + 25) (e_x = floor(log2 |x|), v = s + p), so |p| < 2^(e_v − 24 + q)
//      and |y − s| ≤ |p| + 2^(e_v − 24) < 2^(e_v − 24)·(2^q + 1). Every midpoint is at least 2^(e_s − pa − 1)
//      from s (2^(e_s − pa) unless s is a power of two, where e_v ≤ e_s), and e_v ≤ e_s + 1: with
//      2^q + 1 ≤ 2^(23 − pa) (q + pa ≤ 22) y is nearer to s than any midpoint, and so is s + p;
//   B. s's lsb is lower: the same with s and p exchanged (|s| < 2^(e_v − 24 + pa)), p on the Target's grid
//      (q ≤ pa bits, and |p| ≥ 2^emin: a smaller p leaves only s = 0 beside it), so 2^pa + 1 ≤ 2^(23 − pa);
//   in binary16's subnormal range the midpoints are 2^-25 from every s, and e_v ≤ −14 makes A's bound
//   2^-38·(2^q + 1) < 2^-25; a binary32-subnormal s + p (bfloat16) is exact (lsbs ≥ 2^-149).
//   So q ≤ pa and q + pa ≤ 22 (e4m3 × e4m3: q = 8). Neither can be dropped: binary16, q = 12:
//   s = 53·2^-21 (subnormal), p = 19208 = 2401·2^3, a midpoint of the 2^4 grid of [2^14, 2^15): y = p ties
//   to 19200, s + p rounds to 19216; bfloat16, q = 9 (q + pa = 17): s = −3/64, p = −389·2^12, a midpoint of
//   the 2^13 grid: y = p ties to −388·2^12, s + p rounds to −390·2^12.
// Overflow rounds both to ±inf alike (binary32 overflow of y needs |s + p| ≥ 2^128·(1 − 2^-25), past
// bfloat16's own threshold); an inf sum stays inf (the products are finite). A group whose starting sums
// are not all finite (an inf or NaN C) takes FloatGroup, which hands them to add_rounded as before.
// The directed modes and stochastic rounding have no such property (a tiny p of the other sign moves a
// directed result while y == s): they stay on FloatGroup.

// bfloat16 rne of binary32 bits: (u + 0x7FFF + lsb) & 0xFFFF0000, lsb = bit 16 (a carry moves into the
// exponent, up to inf: 0x7F7F8000 -> 0x7F800000; binary32 subnormals round on bfloat16's subnormal grid).
//   e.g. 0x3F808000 (1 + 2^-8, a tie): + 0x7FFF + 0 = 0x3F80FFFF -> 0x3F800000 (even);
//        0x3F818000 (1 + 3·2^-8, a tie): + 0x7FFF + 1 = 0x3F820000 -> 0x3F820000 (even).
template <class DFl>
HWY_INLINE hn::Vec<DFl> RoundBfloat16(hn::Vec<DFl> y) {
  const hn::RebindToUnsigned<DFl> du;
  const auto u = hn::BitCast(du, y);
  const auto lsb = hn::And(hn::ShiftRight<16>(u), hn::Set(du, 1u));
  return hn::BitCast(DFl(), hn::And(hn::Add(u, hn::Add(hn::Set(du, 0x7FFFu), lsb)), hn::Set(du, 0xFFFF0000u)));
}

// Whether this target converts binary32 to binary16 with F16C/AVX-512 (vcvtps2ph, imm 8 = _MM_FROUND_NO_EXC:
// rounding field 00, round to nearest even whatever MXCSR says; subnormals and overflow to inf as IEEE 754).
// Highway's software conversion (other targets, or HWY_DISABLE_F16C) truncates: binary16 keeps FloatGroup.
#if HWY_ARCH_X86 && (HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3) && !defined(HWY_DISABLE_F16C)
constexpr bool kF16c = true;
#else
constexpr bool kF16c = false;
#endif

// binary16 rne of binary32 values: F16C down (vcvtps2ph) and back up (vcvtph2ps, exact).
//   e.g. 1 + 2^-11 (0x3F801000, a tie) -> 0x3C00 -> 1.0; 65519.99 -> 0x7BFF (65504); 65520 -> 0x7C00 (inf).
template <class DFl>
HWY_INLINE hn::Vec<DFl> RoundBinary16(hn::Vec<DFl> y) {
  const DFl df;
  const hn::Rebind<hwy::float16_t, DFl> dh;
  return hn::PromoteTo(df, hn::DemoteTo(dh, y));
}

template <Plan::NarrowKind kKind, class DFl>
HWY_INLINE hn::Vec<DFl> RoundNarrow(hn::Vec<DFl> y) {
  if constexpr (kKind == Plan::NarrowKind::Binary16) {
    return RoundBinary16<DFl>(y);
  } else {
    return RoundBfloat16<DFl>(y);
  }
}

template <Plan::NarrowKind kKind, int kRows>
HWY_NOINLINE void NarrowGroup(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  using DFl = hn::ScalableTag<float>;
  const DFl df;
  const std::size_t n = hn::Lanes(df), width = 2 * hn::Lanes(DD()), vecs = width / n;
  hn::Vec<DFl> s[kRows][2];  // vecs ≤ 2
  auto finite = hn::IsFinite(hn::Zero(df));
  for (int r = 0; r < kRows; ++r)
    for (std::size_t v = 0; v < vecs; ++v) {
      s[r][v] = hn::LoadU(df, g.sums + r * width + v * n);
      finite = hn::And(finite, hn::IsFinite(s[r][v]));
    }
  if (!hn::AllTrue(df, finite)) return FloatGroup<false, Flavour::Even, kRows>(p, g);
  for (int k = 0; k < g.k_count; ++k) {
    const float* b = g.b + static_cast<std::size_t>(k) * width;
    for (std::size_t v = 0; v < vecs; ++v) {
      const auto bv = hn::LoadU(df, b + v * n);
      for (int r = 0; r < kRows; ++r) {
        const auto a = hn::Set(df, g.a_rows[r][static_cast<std::size_t>(k) * g.a_step]);
        s[r][v] = RoundNarrow<kKind, DFl>(hn::MulAdd(a, bv, s[r][v]));  // a·b exact: MulAdd = Mul + Add
      }
    }
  }
  for (int r = 0; r < kRows; ++r)
    for (std::size_t v = 0; v < vecs; ++v) hn::StoreU(s[r][v], df, g.sums + r * width + v * n);
}

// Binary16 or bfloat16 in rne, rtz, rup or rdn from any binary32 products, AVX-512 (Plan::fma_kind): each
// step rounds a·b + s in an fma with AVX-512's embedded rounding (a·b exact inside it, operands of any bits),
// then into the Target in the same direction. (rne from products of few bits takes NarrowGroup's single
// fma.) A fold of chunk sums (AccumulateGroup::rows_b) is one such step with an add instead of the fma.
//   Directed (rtz, rup, rdn): D_t(D_24(x)) = D_t(x), since the Target's grid, subnormal steps included, is a
//     subset of binary32's and D is monotone; one fma. An exact cancellation gets the mode's zero (−0 in rdn)
//     from the fma, as IEEE 754 6.3 gives it. Overflow (Overflow::Ieee only): past binary32's range the fma
//     gives ±inf or ±max by direction, and so does the Target.
//   rne: RN_t(RO_24(x)). Rounding to odd at 24 bits keeps what a rounding to p ≤ 22 bits needs (arith_simd.cpp
//     step 7: RO_24 moves x only within the open interval between two 24-bit numbers, and marks it odd; every
//     grid point and midpoint of the Target down to its subnormal step is an even 24-bit number). Two fmas
//     give RO_24: rd = RD_24(x), ru = RU_24(x);
//       equal (as floats): x is a binary32 number, ru (+0 for an exact cancellation, as in rne; rd gives −0);
//       different: rd and ru are neighbours, their bits consecutive integers of one sign (rd = −inf, ru = −max
//         included), and RO_24 is the odd one: min(bits(rd), bits(ru)) | 1.
//       e.g. s = 2048 (binary16), a·b = 1 + 2^-30: rd = 2049 (0x45001000), ru = 2049 + 2^-12 (0x45001001):
//            RO = 0x45001001, just above the midpoint 2049 of 2048 and 2050: rne gives 2050, as the exact sum
//            does (rounding the RN_24 result 2049, a tie, would give 2048).
//     Overflow: past binary32's range rd or ru is ±inf and the other ±max: RO = ±max, which rounds to ±inf in
//     both Targets, as x does.
//     Speculative (kSpeculate: products that are not exact in binary32, whose sums seldom are binary32
//     numbers): y = RN_24(x) from one fma first. RN_24 is monotone and keeps the Target's midpoints, so
//     RN_t(y) = RN_t(x) unless y is a midpoint; a midpoint (down to the subnormal step: odd multiples of
//     2^(emin − man_bits − 1)), ±0 and ±inf all have their low drop_float − 1 bits clear (binary16: bits 0-11,
//     a midpoint sets bit 12). When no lane of the group's rows has them clear, the step is RN_t(y); else
//     the whole step is redone from RO_24.
//       e.g. binary16, y = 2049 = 0x45001000: low 12 bits clear (a midpoint of 2048 and 2050): redone;
//            y = 2049 + 2^-12 = 0x45001001: rounds to 2050 from y alone.
// Starting sums that are not all finite take the binary64 lanes (add_rounded's specials), and so do groups whose
// operands may not be (AccumulateGroup::finite_operands): with finite operands a sum is never NaN (inf − inf
// needs an infinite product), whose bits the integer roundings would carry into the sign, and an inf sum stays
// inf in every path.
template <bool kStochastic, Flavour F>
void GroupRows(const RoundedAccumulator::Plan& p, const AccumulateGroup& g);
// GroupRows for any rows (up to 4 per Group call).
template <Flavour F>
void Binary64Lanes(const RoundedAccumulator::Plan& p, const AccumulateGroup& g);

#if HWY_TARGET == HWY_AVX3
constexpr bool kFmaSteps = true;

// The embedded-rounding immediate of a directed mode (also cvtps2ph's rounding field).
constexpr int DirectedImmediate(Rounding r) {
  return (r == Rounding::TowardZero ? _MM_FROUND_TO_ZERO : r == Rounding::Up ? _MM_FROUND_TO_POS_INF
                                                                              : _MM_FROUND_TO_NEG_INF) |
         _MM_FROUND_NO_EXC;
}

// Binary32 values rounded into binary16 or bfloat16 in a directed mode (values of the Target, as binary32).
// binary16: vcvtps2ph with the mode in its immediate, and back. bfloat16 on the bits u: rtz keeps the top 16
// bits; rup (positive u) and rdn (negative u) add 0x10000 first when any of the low 16 bits is set (a carry
// moves into the exponent, up to inf: 0x7F7F0001 -> 0x7F800000 in rup).
//   e.g. rup: 0x3F800001 (1 + 2^-23) -> 0x3F810000 (1 + 2^-7); rdn: 0xBF800001 -> 0xBF810000; rtz: 0x3F80FFFF -> 0x3F800000.
template <Plan::NarrowKind kKind, Rounding kMode>
HWY_INLINE __m512 RoundDirected(__m512 y) {
  if constexpr (kKind == Plan::NarrowKind::Binary16) {
    return _mm512_cvtph_ps(_mm512_cvtps_ph(y, DirectedImmediate(kMode)));
  } else {
    const __m512i u = _mm512_castps_si512(y), high = _mm512_set1_epi32(static_cast<int>(0xFFFF0000u));
    if constexpr (kMode == Rounding::TowardZero) return _mm512_castsi512_ps(_mm512_and_si512(u, high));
    // the lanes whose magnitude rounds up: rup positive, rdn negative, with low bits set
    const __mmask16 negative = _mm512_movepi32_mask(u);
    const __mmask16 away = kMode == Rounding::Up ? static_cast<__mmask16>(~negative) : negative;
    const __mmask16 inexact = _mm512_test_epi32_mask(u, _mm512_set1_epi32(0xFFFF));
    const __m512i up = _mm512_mask_add_epi32(u, away & inexact, u, _mm512_set1_epi32(0x10000));
    return _mm512_castsi512_ps(_mm512_and_si512(up, high));
  }
}

template <Plan::NarrowKind kKind, Rounding kMode, bool kSpeculate, int kRows>
HWY_NOINLINE void FmaGroup(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  using DFl = hn::ScalableTag<float>;
  const DFl df;
  static_assert(hn::MaxLanes(DFl()) == 16, "one vector of 16 binary32 lanes per row");
  const std::size_t width = 2 * hn::Lanes(DD());
  hn::Vec<DFl> s[kRows];
  auto finite = hn::IsFinite(hn::Zero(df));
  for (int r = 0; r < kRows; ++r) {
    s[r] = hn::LoadU(df, g.sums + r * width);
    finite = hn::And(finite, hn::IsFinite(s[r]));
  }
  if (g.rows_b[0] != nullptr) {  // one step s + x, x a row of partial sums (Target values): a fold
    for (int r = 0; r < kRows; ++r) finite = hn::And(finite, hn::IsFinite(hn::LoadU(df, g.rows_b[r])));
  }
  if (!hn::AllTrue(df, finite)) {
    return Binary64Lanes<kMode == Rounding::NearestEven ? Flavour::Even : Flavour::Directed>(p, g);
  }
  const __m512i one = _mm512_set1_epi32(1);
  // RN_t(RO_24(x)) from rd = RD_24(x) and ru = RU_24(x)
  auto round_odd = [&](__m512 rd, __m512 ru) {
    const __mmask16 inexact = _mm512_cmp_ps_mask(rd, ru, _CMP_NEQ_UQ);
    const __m512i odd = _mm512_or_si512(_mm512_min_epu32(_mm512_castps_si512(rd), _mm512_castps_si512(ru)), one);
    const __m512i ro = _mm512_mask_mov_epi32(_mm512_castps_si512(ru), inexact, odd);
    return RoundNarrow<kKind, DFl>(hn::Vec<DFl>{_mm512_castsi512_ps(ro)});
  };
  if (g.rows_b[0] != nullptr) {
    for (int r = 0; r < kRows; ++r) {
      const __m512 x = _mm512_loadu_ps(g.rows_b[r]);
      if constexpr (kMode == Rounding::NearestEven) {
        s[r] = round_odd(_mm512_add_round_ps(s[r].raw, x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC),
                         _mm512_add_round_ps(s[r].raw, x, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC));
      } else {
        s[r].raw = RoundDirected<kKind, kMode>(_mm512_add_round_ps(s[r].raw, x, DirectedImmediate(kMode)));
      }
      hn::StoreU(s[r], df, g.sums + r * width);
    }
    return;
  }
  // rne's speculative step: the low (drop_float − 1) bits of binary32 numbers that may be midpoints
  const __m512i below_half = _mm512_set1_epi32((1 << (p.drop_float - 1)) - 1);
  auto a_at = [&](int r, int k) { return _mm512_set1_ps(g.a_rows[r][static_cast<std::size_t>(k) * g.a_step]); };
  for (int k = 0; k < g.k_count; ++k) {
    const __m512 b = _mm512_loadu_ps(g.b + static_cast<std::size_t>(k) * width);
    if constexpr (kMode == Rounding::NearestEven) {
      if constexpr (kSpeculate) {
        __m512 y[kRows];
        __mmask16 suspect = 0;
        for (int r = 0; r < kRows; ++r) {
          y[r] = _mm512_fmadd_ps(a_at(r, k), b, s[r].raw);
          suspect |= _mm512_testn_epi32_mask(_mm512_castps_si512(y[r]), below_half);
        }
        if (HWY_LIKELY(suspect == 0)) {
          for (int r = 0; r < kRows; ++r) s[r] = RoundNarrow<kKind, DFl>(hn::Vec<DFl>{y[r]});
          continue;
        }
      }
      for (int r = 0; r < kRows; ++r) {
        const __m512 a = a_at(r, k);
        s[r] = round_odd(_mm512_fmadd_round_ps(a, b, s[r].raw, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC),
                         _mm512_fmadd_round_ps(a, b, s[r].raw, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC));
      }
    } else {
      for (int r = 0; r < kRows; ++r)
        s[r].raw = RoundDirected<kKind, kMode>(_mm512_fmadd_round_ps(a_at(r, k), b, s[r].raw, DirectedImmediate(kMode)));
    }
  }
  for (int r = 0; r < kRows; ++r) hn::StoreU(s[r], df, g.sums + r * width);
}
#else
constexpr bool kFmaSteps = false;
#endif

template <bool kStochastic, Flavour F, int kRows>
HWY_NOINLINE void Group(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  const DD dd;
  const DF32 df;
  const std::size_t n = hn::Lanes(dd), width = 2 * n;
  const StepWords<DD> c = WordsDouble(p);
  VD s[kRows][2];
  for (int r = 0; r < kRows; ++r)
    for (int v = 0; v < 2; ++v) s[r][v] = hn::PromoteTo(dd, hn::LoadU(df, g.sums + r * width + v * n));
  // the words of lanes (r, v·n ..), term k: random[(r·k_count + k)·width + v·n ..] (contiguous)
  auto words = [&](int r, int v, int k) {
    return kStochastic ? g.random + (static_cast<std::size_t>(r) * g.k_count + k) * width + v * n : nullptr;
  };
  if (g.rows_b[0] != nullptr) {  // one step with a term per sum (folding partial sums)
    for (int r = 0; r < kRows; ++r)
      for (int v = 0; v < 2; ++v)
        s[r][v] = Step<kStochastic, F>(p, c, s[r][v], hn::PromoteTo(dd, hn::LoadU(df, g.rows_b[r] + v * n)),
                                    words(r, v, 0));
  } else {
    for (int k = 0; k < g.k_count; ++k) {
      const float* b = g.b + static_cast<std::size_t>(k) * width;
      const VD b0 = hn::PromoteTo(dd, hn::LoadU(df, b)), b1 = hn::PromoteTo(dd, hn::LoadU(df, b + n));
      for (int r = 0; r < kRows; ++r) {
        const VD a = hn::Set(dd, static_cast<double>(g.a_rows[r][static_cast<std::size_t>(k) * g.a_step]));
        s[r][0] = Step<kStochastic, F>(p, c, s[r][0], hn::Mul(a, b0), words(r, 0, k));  // exact products
        s[r][1] = Step<kStochastic, F>(p, c, s[r][1], hn::Mul(a, b1), words(r, 1, k));
      }
    }
  }
  // Target values are binary32 values (RoundedAccumulator::applies): the conversion is exact. (Not
  // DemoteTo: Highway's portable target clamps ±inf to ±FLT_MAX.)
  HWY_ALIGN double out[hn::MaxLanes(dd)];
  for (int r = 0; r < kRows; ++r)
    for (int v = 0; v < 2; ++v) {
      hn::Store(s[r][v], dd, out);
      for (std::size_t l = 0; l < n; ++l) g.sums[r * width + v * n + l] = static_cast<float>(out[l]);
    }
}

template <bool kStochastic, Flavour F>
void GroupRows(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  switch (g.rows) {
    case 1: return Group<kStochastic, F, 1>(p, g);
    case 2: return Group<kStochastic, F, 2>(p, g);
    case 3: return Group<kStochastic, F, 3>(p, g);
    default: return Group<kStochastic, F, 4>(p, g);
  }
}

// Calls body.template operator()<R>() with R = rows, 1 to 8 (rows above 8 run as 8): the row count of a
// group is a compile-time constant inside its kernel, so its sums stay in registers.
template <class Body>
void WithRows(int rows, Body&& body) {
  switch (rows) {
    case 1: return body.template operator()<1>();
    case 2: return body.template operator()<2>();
    case 3: return body.template operator()<3>();
    case 4: return body.template operator()<4>();
    case 5: return body.template operator()<5>();
    case 6: return body.template operator()<6>();
    case 7: return body.template operator()<7>();
    default: return body.template operator()<8>();
  }
}

// The rows of NarrowGroup, as FloatRows.
template <Plan::NarrowKind kKind>
void NarrowRows(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  WithRows(g.rows, [&]<int kRows>() { NarrowGroup<kKind, kRows>(p, g); });
}

// The rows of FmaGroup in the Plan's kind and mode, as FloatRows (AVX-512 only).
void FmaRows(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
#if HWY_TARGET == HWY_AVX3
  auto rows = [&]<Plan::NarrowKind kKind>() {
    auto mode = [&]<Rounding kMode, bool kSpeculate = false>() {
      WithRows(g.rows, [&]<int kRows>() { FmaGroup<kKind, kMode, kSpeculate, kRows>(p, g); });
    };
    switch (p.target.rounding) {
      case Rounding::TowardZero: return mode.template operator()<Rounding::TowardZero>();
      case Rounding::Up: return mode.template operator()<Rounding::Up>();
      case Rounding::Down: return mode.template operator()<Rounding::Down>();
      default:
        // products of many bits (not exact in binary32) rarely put the binary32 sum on a midpoint
        if (!g.binary32_products) return mode.template operator()<Rounding::NearestEven, true>();
        return mode.template operator()<Rounding::NearestEven>();
    }
  };
  if (p.fma_kind == Plan::NarrowKind::Bfloat16) return rows.template operator()<Plan::NarrowKind::Bfloat16>();
  return rows.template operator()<Plan::NarrowKind::Binary16>();
#else
  (void)p;
  (void)g;
#endif
}

// Splits g into groups of at most 4 rows (binary64 lanes: 8 vector chains on AVX2) and runs `rows` on each.
template <class Rows>
void InFours(const AccumulateGroup& g, Rows&& rows) {
  if (g.rows <= 4) return rows(g);
  const std::size_t width = 2 * hn::Lanes(DD());
  AccumulateGroup low = g, high = g;
  low.rows = 4;
  high.rows = g.rows - 4;
  for (int r = 0; r < 4; ++r) {
    high.a_rows[r] = g.a_rows[r + 4];
    high.rows_b[r] = g.rows_b[r + 4];
  }
  high.sums = g.sums + 4 * width;
  if (g.random != nullptr) high.random = g.random + 4 * static_cast<std::size_t>(g.k_count) * width;
  rows(low);
  rows(high);
}

template <Flavour F>
void Binary64Lanes(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  InFours(g, [&](const AccumulateGroup& part) { GroupRows<false, F>(p, part); });
}

// Binary32 lanes: up to 8 rows, one vector each on AVX2 and AVX-512, so 8 independent chains.
template <bool kStochastic, Flavour F>
void FloatRows(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  WithRows(g.rows, [&]<int kRows>() { FloatGroup<kStochastic, F, kRows>(p, g); });
}

// Whether g runs in binary32 lanes: products exact in binary32, a Target that fits them, terms a·b (not
// folded partial sums), and for sr:K a K the binary32 fraction covers (K <= drop_float).
bool FloatLanes(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  return g.binary32_products && p.float_lanes && g.rows_b[0] == nullptr &&
         p.lanes.sr_bits <= p.drop_float;
}

// Whether g takes NarrowGroup (rne, one fma: products of few bits; terms a·b) or FmaGroup (AVX-512: finite
// binary32 products of any bits, or a fold of partial sums).
bool NarrowProducts(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  return FloatLanes(p, g) && g.product_bits > 0 && g.product_bits <= p.narrow_product_bits &&
         (p.narrow == Plan::NarrowKind::Bfloat16 || (p.narrow == Plan::NarrowKind::Binary16 && kF16c));
}
bool FmaProducts(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  if (!kFmaSteps || p.fma_kind == Plan::NarrowKind::None) return false;
  if (g.rows_b[0] != nullptr) return true;  // a fold: FmaGroup checks its terms are finite
  return g.finite_operands && !NarrowProducts(p, g);
}

template <Flavour F>
void Deterministic(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  if constexpr (F == Flavour::Even) {
    if (NarrowProducts(p, g)) {
      if (p.narrow == Plan::NarrowKind::Bfloat16) return NarrowRows<Plan::NarrowKind::Bfloat16>(p, g);
      return NarrowRows<Plan::NarrowKind::Binary16>(p, g);
    }
  }
  if constexpr (F == Flavour::Even || F == Flavour::Directed) {
    if (FmaProducts(p, g)) return FmaRows(p, g);
  }
  if (!FloatLanes(p, g)) return GroupRows<false, F>(p, g);
  return FloatRows<false, F>(p, g);
}

void AccumulateRows(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  if (p.lanes.stochastic) {  // the flavour is unused
    if (FloatLanes(p, g)) return FloatRows<true, Flavour::Even>(p, g);
    return GroupRows<true, Flavour::Even>(p, g);
  }
  switch (FlavourOf(p.target.rounding)) {
    case Flavour::Even: return Deterministic<Flavour::Even>(p, g);
    case Flavour::Away: return Deterministic<Flavour::Away>(p, g);
    case Flavour::Directed: return Deterministic<Flavour::Directed>(p, g);
    case Flavour::Odd: return Deterministic<Flavour::Odd>(p, g);
  }
}

// Binary64 lanes take at most 4 rows (8 vector chains on AVX2): a group of more rows runs as two.
void AccumulateKernel(const RoundedAccumulator::Plan& p, const AccumulateGroup& g) {
  if (FloatLanes(p, g) || FmaProducts(p, g)) return AccumulateRows(p, g);
  InFours(g, [&](const AccumulateGroup& part) { AccumulateRows(p, part); });
}

int AccumulateWidth() { return static_cast<int>(2 * hn::Lanes(DD())); }

// The matrix-unit model (accumulate.h, RoundedAccumulator::run_matrix_unit) for a tile of sums through all
// of K: per group of products, the cut terms' exact total T, s = round(+0 + T) into the Target, and the
// promotion f = fp32(f + s), s = 0. A group takes binary32 lanes (MatrixUnitFast) when every product is
// exact in binary32 (AccumulateGroup::binary32_products) and the cut terms sum in int32 (IntegerSumFits);
// otherwise, and for a group whose largest exponent is outside the binary32 constants' range (a tiny or
// huge running sum, inf or NaN), binary64 lanes (MatrixUnitSums, then RoundTotal).

// s = round(+0 + T) for exact binary64 totals T (never −0): StepDeterministic with lo = 0 (RO53(T) = T).
// Zero totals stay +0, tiny ones take Tiny, overflow and inf/NaN add_rounded(+0, T): RoundTotalOutside, a
// separate call, so that the common path keeps its result in registers.
template <Flavour F>
HWY_INLINE VD RoundTotalMagnitude(const StepWords<DD>& c, VU hb) {
  return hn::BitCast(DD(), hn::Or(RoundMagnitude<F, DD>(c, hn::And(hb, c.w.abs_mask), hb), hn::And(hb, c.sign)));
}

template <Flavour F>
HWY_NOINLINE VD RoundTotalOutside(const RoundedAccumulator::Plan& p, const StepWords<DD>& c, VD total) {
  const DD dd;
  const DU du;
  const DI di;
  const VU hb = hn::BitCast(du, total);
  const VU m = hn::And(hb, c.w.abs_mask);
  VD out = RoundTotalMagnitude<F>(c, hb);
  const auto tiny = hn::Lt(hn::BitCast(di, m), c.min_bits);
  const auto outside = hn::Or(tiny, hn::Gt(hn::BitCast(di, m), c.max_bits));
  const auto zero = hn::Eq(hn::BitCast(di, m), hn::Zero(di));
  out = hn::IfThenElse(hn::RebindMask(dd, hn::AndNot(zero, tiny)), Tiny<DD>(c, total, hn::Zero(dd)), out);
  out = hn::IfThenZeroElse(hn::RebindMask(dd, zero), out);
  const VI bad = hn::VecFromMask(di, hn::AndNot(tiny, outside));
  if (!hn::AllTrue(di, hn::Eq(bad, hn::Zero(di)))) out = ScalarLanes<DD>(p, bad, hn::Zero(dd), total, out, nullptr);
  return out;
}

template <Flavour F>
HWY_INLINE VD RoundTotal(const RoundedAccumulator::Plan& p, const StepWords<DD>& c, VD total) {
  const DU du;
  const DI di;
  const VU hb = hn::BitCast(du, total);
  const VI m = hn::BitCast(di, hn::And(hb, c.w.abs_mask));
  if (HWY_UNLIKELY(!hn::AllFalse(di, hn::Or(hn::Lt(m, c.min_bits), hn::Gt(m, c.max_bits)))))
    return RoundTotalOutside<F>(p, c, total);
  return RoundTotalMagnitude<F>(c, hb);
}

// RoundTotal in the Target's rounding flavour.
HWY_INLINE VD RoundTotalIn(const RoundedAccumulator::Plan& p, const StepWords<DD>& c, Flavour flavour, VD total) {
  switch (flavour) {
    case Flavour::Even: return RoundTotal<Flavour::Even>(p, c, total);
    case Flavour::Away: return RoundTotal<Flavour::Away>(p, c, total);
    case Flavour::Directed: return RoundTotal<Flavour::Directed>(p, c, total);
    default: return RoundTotal<Flavour::Odd>(p, c, total);
  }
}

// RoundTotal of a vector of totals, stored as floats (Target values: exact) at `sums`: cvtpd2ps on x86
// (±inf kept), lane by lane elsewhere (Highway's portable DemoteTo clamps ±inf to ±FLT_MAX).
HWY_INLINE void StoreRounded(const RoundedAccumulator::Plan& p, const StepWords<DD>& c, Flavour flavour, VD total,
                             float* sums) {
  const DD dd;
  const VD out = RoundTotalIn(p, c, flavour, total);
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3
  hn::StoreU(hn::DemoteTo(DF32(), out), DF32(), sums);
#else
  HWY_ALIGN double rounded[hn::MaxLanes(dd)];
  hn::Store(out, dd, rounded);
  for (std::size_t l = 0; l < hn::Lanes(dd); ++l) sums[l] = static_cast<float>(rounded[l]);
#endif
}

// Matrix-unit group sums in binary64 lanes, any operands: two passes over the group's products, the first
// for the largest magnitude, the second cutting each term at 2^(E − frac_bits) and summing exactly.
// 2^(frac_bits − E) is built from the largest magnitude's exponent field: bits (2046 + F − field) << 52
//   e.g. max |term| = 1.5 (field 1023), F = 13: (2046 + 13 − 1023) << 52 = 2^13.
// An all-zero group, and one with an inf or NaN term, takes field 1023 (scale 1): every cut term is 0, or
// the total is inf or NaN whatever the finite terms are.
template <bool kTruncate>
HWY_NOINLINE void MatrixUnitSums(const AccumulateGroup& g, int frac_bits, double* totals) {
  const DD dd;
  const DU du;
  const DI di;
  const DF32 df;
  const std::size_t n = hn::Lanes(dd), width = 2 * n;
  for (int r = 0; r < g.rows; ++r) {
    const float* a = g.a_rows[r];
    VD s[2], largest[2];
    for (int v = 0; v < 2; ++v) {
      s[v] = hn::PromoteTo(dd, hn::LoadU(df, g.sums + r * width + v * n));
      largest[v] = hn::Abs(s[v]);
    }
    for (int k = 0; k < g.k_count; ++k) {
      const VD ak = hn::Set(dd, static_cast<double>(a[static_cast<std::size_t>(k) * g.a_step]));
      const float* b = g.b + static_cast<std::size_t>(k) * width;
      for (int v = 0; v < 2; ++v)
        largest[v] = hn::Max(largest[v], hn::Abs(hn::Mul(ak, hn::PromoteTo(dd, hn::LoadU(df, b + v * n)))));
    }
    VD scale[2], total[2];
    for (int v = 0; v < 2; ++v) {
      VI field = hn::BitCast(di, hn::ShiftRight<52>(hn::BitCast(du, largest[v])));
      field = hn::IfThenElse(hn::Or(hn::Eq(field, hn::Zero(di)), hn::Eq(field, hn::Set(di, 2047))), hn::Set(di, 1023),
                             field);
      const VI exponent = hn::Sub(hn::Set(di, 2046 + frac_bits), field);
      scale[v] = hn::BitCast(dd, hn::ShiftLeft<52>(exponent));
      const VD cut = hn::Mul(s[v], scale[v]);
      total[v] = kTruncate ? hn::Trunc(cut) : hn::Round(cut);
    }
    for (int k = 0; k < g.k_count; ++k) {
      const VD ak = hn::Set(dd, static_cast<double>(a[static_cast<std::size_t>(k) * g.a_step]));
      const float* b = g.b + static_cast<std::size_t>(k) * width;
      for (int v = 0; v < 2; ++v) {
        const VD cut = hn::Mul(hn::Mul(ak, hn::PromoteTo(dd, hn::LoadU(df, b + v * n))), scale[v]);
        total[v] = hn::Add(total[v], kTruncate ? hn::Trunc(cut) : hn::Round(cut));  // integers below 2^53
      }
    }
    // total / 2^(F − E) exactly; + 0 turns a −0 total into +0 (the model's "−0 counts as +0")
    for (int v = 0; v < 2; ++v)
      hn::StoreU(hn::Add(hn::Div(total[v], scale[v]), hn::Zero(dd)), dd, totals + r * width + v * n);
  }
}

// How MatrixUnitFast cuts a term x (exact in binary32) to a multiple of u = 2^(E − F), as the integer x/u:
//   Truncate: x·2^(F − E) (exact) converted toward zero (cvttps2dq);
//   Nearest:  the same rounded to nearest-even first;
//   Magic (nearest-even, F ≤ 20): y = fma(a, b, C) with C = 1.5·2^(E − F + 23). C's binade [2^(E−F+23),
//     2^(E−F+24)) has ulp u, so the fma's one rounding is x's nearest-even multiple of u (C/u = 3·2^22 is
//     even: y's lsb is the quotient's parity), and |x| < 2^(E+1) ≤ 2^(E−F+21) keeps y in that binade, so
//     bits(y) − bits(C) is the quotient: one fma and one integer addition per term.
//       e.g. F = 13, E = 0: C = 1536 (0x44C00000), u = 2^-13; x = 3·2^-14 (1.5 u, a tie): y = 0x44C00002,
//       quotient 2 (even); x = 2^-14 (0.5 u): y = 1536 (tie to even), quotient 0.
enum class Cut : uint8_t { Truncate, Nearest, Magic };

// Whether the cut products of a group sum in int32 lanes: group · (largest quotient) ≤ 2^31 − 1. A quotient
// is below 2^(F+1) before rounding; with F ≥ 23 a binary32 value that large is an integer already.
bool IntegerSumFits(const MatrixUnitCut& cut) {
  if (cut.frac_bits > 29) return false;
  const int64_t top = int64_t{1} << (cut.frac_bits + 1);
  const int64_t largest = cut.frac_bits >= 23 ? top - (int64_t{1} << (cut.frac_bits - 23)) : top;
  return cut.group * largest <= int64_t{0x7FFFFFFF};
}

using DFl = hn::ScalableTag<float>;
using DI32 = hn::RebindToSigned<DFl>;
using VFl = hn::Vec<DFl>;
using VI32 = hn::Vec<DI32>;

// x → int32 toward zero for |x| < 2^31 (Highway's ConvertTo adds an overflow fix-up this never needs).
HWY_INLINE VI32 TruncateToInt(VFl x) {
#if HWY_TARGET == HWY_AVX2
  return VI32{_mm256_cvttps_epi32(x.raw)};
#elif HWY_TARGET == HWY_AVX3
  return VI32{_mm512_cvttps_epi32(x.raw)};
#else
  return hn::ConvertTo(DI32(), x);
#endif
}

template <Cut kCut>
HWY_INLINE VI32 Quotient(VFl x_scaled) {
  return TruncateToInt(kCut == Cut::Truncate ? x_scaled : hn::Round(x_scaled));
}

// How a tile rounds its totals T into the Target (s = round(+0 + T)). With small_totals, every T of the
// binary32 lanes is Q·u with |Q| ≤ (group + 1)·2^(F+1) ≤ 2^24 and u ≥ 2^-126: a binary32 number, so
//   identity (a binary32 Target: man_bits 23, emin −126, emax 127): s = T;
//   narrow (Plan::float_lanes): RoundFloatTotal on T's binary32 bits, binary64 lanes for a lane outside
//     the Target's normal range;
// otherwise T = (Q_products + Q_s)·u is formed in binary64 (exact: below 2^33·u) and rounded by StoreRounded.
struct TotalRounding {
  const RoundedAccumulator::Plan& plan;
  const StepWords<DD>& wide;
  const StepWords<DFl>* narrow;  // Plan::float_lanes only
  Flavour flavour;
  bool small_totals, identity;
};

// s = round(T) for T exact in binary32, RoundMagnitude on its bits (as RoundTotal, lo = 0; zeros stay +0);
// false (out unset) when a nonzero lane is outside the Target's normal range.
template <Flavour F>
HWY_INLINE bool RoundFloatTotal(const StepWords<DFl>& c, VFl total, VFl& out) {
  const DFl df;
  const hn::RebindToUnsigned<DFl> du;
  const DI32 di;
  const auto hb = hn::BitCast(du, total);
  const auto m = hn::And(hb, c.w.abs_mask);
  const VI32 mi = hn::BitCast(di, m);
  const auto outside = hn::AndNot(hn::Eq(mi, hn::Zero(di)), hn::Or(hn::Lt(mi, c.min_bits), hn::Gt(mi, c.max_bits)));
  if (!hn::AllFalse(di, outside)) return false;
  out = hn::BitCast(df, hn::Or(RoundMagnitude<F, DFl>(c, m, hb), hn::And(hb, c.sign)));
  return true;
}

// The sums' new values from the quotients of one row vector: s = round((products + own)·unit) (TotalRounding).
HWY_INLINE void StoreTotal(const TotalRounding& how, VI32 products, VI32 own, VFl unit, float* s) {
  const DFl df;
  const DI32 di;
  const DD dd;
  if (how.small_totals) {
    const VFl t = hn::Mul(hn::ConvertTo(df, hn::Add(products, own)), unit);  // exact
    if (how.identity) return hn::StoreU(t, df, s);
    VFl out;
    bool done = false;
    if (how.narrow != nullptr) {
      switch (how.flavour) {
        case Flavour::Even: done = RoundFloatTotal<Flavour::Even>(*how.narrow, t, out); break;
        case Flavour::Away: done = RoundFloatTotal<Flavour::Away>(*how.narrow, t, out); break;
        case Flavour::Directed: done = RoundFloatTotal<Flavour::Directed>(*how.narrow, t, out); break;
        default: done = RoundFloatTotal<Flavour::Odd>(*how.narrow, t, out); break;
      }
    }
    if (done) return hn::StoreU(out, df, s);
  }
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3
  {  // two halves of binary64 lanes, in registers; one store (a later full-width load then forwards from it)
    const hn::Half<DFl> dh;
    const hn::Half<DI32> dih;
    const VD low = hn::Mul(hn::Add(hn::PromoteTo(dd, hn::LowerHalf(dih, products)),
                                   hn::PromoteTo(dd, hn::LowerHalf(dih, own))),
                           hn::PromoteTo(dd, hn::LowerHalf(dh, unit)));
    const VD high = hn::Mul(hn::Add(hn::PromoteTo(dd, hn::UpperHalf(dih, products)),
                                    hn::PromoteTo(dd, hn::UpperHalf(dih, own))),
                            hn::PromoteTo(dd, hn::UpperHalf(dh, unit)));
    return hn::StoreU(hn::Combine(df, hn::DemoteTo(dh, RoundTotalIn(how.plan, how.wide, how.flavour, high)),
                                  hn::DemoteTo(dh, RoundTotalIn(how.plan, how.wide, how.flavour, low))),
                      df, s);
  }
#endif
  constexpr std::size_t kMax = hn::MaxLanes(DFl());
  HWY_ALIGN int32_t q_products[kMax], q_own[kMax];
  HWY_ALIGN float units[kMax];
  hn::Store(products, di, q_products);
  hn::Store(own, di, q_own);
  hn::Store(unit, df, units);
  const hn::Rebind<int32_t, DD> di_half;
  for (std::size_t h = 0; h < hn::Lanes(df); h += hn::Lanes(dd)) {
    const VD q = hn::Add(hn::PromoteTo(dd, hn::Load(di_half, q_products + h)),
                         hn::PromoteTo(dd, hn::Load(di_half, q_own + h)));
    StoreRounded(how.plan, how.wide, how.flavour, hn::Mul(q, hn::PromoteTo(dd, hn::Load(DF32(), units + h))), s + h);
  }
}

// One group [k0, k1) of a tile in binary32 lanes; false (nothing changed) when a lane's largest term is
// outside the constants' range. Per lane, from the largest magnitude's binary32 exponent field (E = field − 127):
//   scale = 2^(F − E): bits (F + 254 − field) << 23;  u = 2^(E − F): bits (field − F) << 23;
//   C = 1.5·2^(E − F + 23): bits ((field − F + 23) << 23) | 0x400000;  all normal for field in [F + 1, F + 231].
//     e.g. largest 1.5 (field 127), F = 13: scale 0x46000000 = 2^13, u 0x39000000 = 2^-13, C 0x44C00000 = 1536.
// An all-zero group takes field F + 127 (scale 1): every quotient is 0. The running sum s is cut apart from
// the products (its quotient joins T in binary64), so the int32 sum holds the products only (IntegerSumFits).
template <Cut kCut, int kRows>
HWY_INLINE bool MatrixUnitFast(const TotalRounding& how, const AccumulateGroup& g, int k0, int k1, int frac_bits) {
  const DFl df;
  const DI32 di;
  const DD dd;
  const std::size_t n = hn::Lanes(df), nd = hn::Lanes(dd), width = 2 * nd, vecs = width / n;  // vecs ≤ 2
  auto a_at = [&](int r, int k) { return g.a_rows[r][static_cast<std::size_t>(k) * g.a_step]; };
  const bool magnitudes = g.a_magnitude_rows[0] != nullptr;
  VI32 field[kRows][2];
  auto in_range = hn::Eq(hn::Zero(di), hn::Zero(di));
  for (std::size_t v = 0; v < vecs; ++v) {
    VFl largest[kRows];
    for (int r = 0; r < kRows; ++r) {  // an inf or NaN sum takes binary64 lanes (Max may drop a NaN)
      largest[r] = hn::Abs(hn::LoadU(df, g.sums + r * width + v * n));
      in_range = hn::And(in_range, hn::RebindMask(di, hn::IsFinite(largest[r])));
    }
    for (int k = k0; k < k1; ++k) {
      const VFl b = hn::Abs(hn::LoadU(df, g.b + static_cast<std::size_t>(k) * width + v * n));
      for (int r = 0; r < kRows; ++r) {
        const VFl a = magnitudes ? hn::Set(df, g.a_magnitude_rows[r][static_cast<std::size_t>(k) * g.a_step])
                                 : hn::Abs(hn::Set(df, a_at(r, k)));
        largest[r] = hn::Max(largest[r], hn::Mul(a, b));
      }
    }
    for (int r = 0; r < kRows; ++r) {
      const VI32 bits = hn::BitCast(di, largest[r]);
      field[r][v] = hn::IfThenElse(hn::Eq(bits, hn::Zero(di)), hn::Set(di, frac_bits + 127), hn::ShiftRight<23>(bits));
      in_range = hn::And(in_range, hn::And(hn::Gt(field[r][v], hn::Set(di, frac_bits)),
                                           hn::Lt(field[r][v], hn::Set(di, std::min(frac_bits + 232, 255)))));
    }
  }
  if (!hn::AllTrue(di, in_range)) return false;
  for (std::size_t v = 0; v < vecs; ++v) {
    VFl step[kRows];  // C (Magic) or scale
    VI32 total[kRows];
    for (int r = 0; r < kRows; ++r) {
      step[r] = kCut == Cut::Magic
                    ? hn::BitCast(df, hn::Or(hn::ShiftLeft<23>(hn::Add(field[r][v], hn::Set(di, 23 - frac_bits))),
                                             hn::Set(di, 0x400000)))
                    : hn::BitCast(df, hn::ShiftLeft<23>(hn::Sub(hn::Set(di, frac_bits + 254), field[r][v])));
      total[r] = hn::Zero(di);
    }
    for (int k = k0; k < k1; ++k) {
      const VFl b = hn::LoadU(df, g.b + static_cast<std::size_t>(k) * width + v * n);
      for (int r = 0; r < kRows; ++r) {
        const VFl a = hn::Set(df, a_at(r, k));
        if constexpr (kCut == Cut::Magic)
          total[r] = hn::Add(total[r], hn::BitCast(di, hn::MulAdd(a, b, step[r])));  // wraps mod 2^32
        else
          total[r] = hn::Add(total[r], Quotient<kCut>(hn::Mul(hn::Mul(a, b), step[r])));  // exact products
      }
    }
    // T = (Σ quotients + s's quotient)·u, rounded into the Target
    const VI32 count = hn::Set(di, k1 - k0);
    for (int r = 0; r < kRows; ++r) {
      float* s = g.sums + r * width + v * n;
      const VFl sv = hn::LoadU(df, s);
      const VI32 step_bits = hn::BitCast(di, step[r]);
      const VFl unit = hn::BitCast(df, hn::ShiftLeft<23>(hn::Sub(field[r][v], hn::Set(di, frac_bits))));
      if constexpr (kCut == Cut::Magic)
        StoreTotal(how, hn::Sub(total[r], hn::Mul(step_bits, count)),
                   hn::Sub(hn::BitCast(di, hn::Add(sv, step[r])), step_bits), unit, s);
      else
        StoreTotal(how, total[r], Quotient<kCut>(hn::Mul(sv, step[r])), unit, s);
    }
  }
  return true;
}

// One group [k0, k1) of a tile in binary64 lanes (any operands): MatrixUnitSums, then RoundTotal.
template <int kRows>
HWY_INLINE void MatrixUnitExact(const RoundedAccumulator::Plan& p, const StepWords<DD>& c, Flavour flavour,
                                const AccumulateGroup& g, int k0, int k1, const MatrixUnitCut& cut) {
  const std::size_t nd = hn::Lanes(DD()), width = 2 * nd;
  AccumulateGroup group = g;
  group.rows = kRows;
  group.k_count = k1 - k0;
  for (int r = 0; r < kRows; ++r) group.a_rows[r] = g.a_rows[r] + static_cast<std::size_t>(k0) * g.a_step;
  group.b = g.b + static_cast<std::size_t>(k0) * width;
  HWY_ALIGN double totals[kRows * 2 * hn::MaxLanes(DD())];
  if (cut.truncate)
    MatrixUnitSums<true>(group, cut.frac_bits, totals);
  else
    MatrixUnitSums<false>(group, cut.frac_bits, totals);
  for (std::size_t e = 0; e < kRows * width; e += nd)
    StoreRounded(p, c, flavour, hn::Load(DD(), totals + e), g.sums + e);
}

template <Cut kCut, int kRows>
HWY_NOINLINE void MatrixUnitTile(const RoundedAccumulator::Plan& p, const AccumulateGroup& g,
                                 const MatrixUnitCut& cut, float* promoted) {
  const DFl df;
  const std::size_t n = hn::Lanes(df), width = 2 * hn::Lanes(DD());
  const StepWords<DD> c = WordsDouble(p);
  const Flavour flavour = FlavourOf(p.target.rounding);
  const bool fast = g.binary32_products && IntegerSumFits(cut);
  std::optional<StepWords<DFl>> narrow;
  if (p.float_lanes)
    narrow.emplace(p, p.drop_float, p.min_bits_float, p.max_bits_float, static_cast<float>(p.min_normal));
  const Format& f = p.target.format;
  const TotalRounding how{p, c, narrow ? &*narrow : nullptr, flavour,
                          (int64_t{cut.group} + 1) << (cut.frac_bits + 1) <= (int64_t{1} << 24),
                          f.man_bits() == 23 && f.emin() == -126 && f.emax() == 127};
  for (int k0 = 0; k0 < g.k_count; k0 += cut.group) {
    const int k1 = std::min(g.k_count, k0 + cut.group);
    if (!(fast && MatrixUnitFast<kCut, kRows>(how, g, k0, k1, cut.frac_bits)))
      MatrixUnitExact<kRows>(p, c, flavour, g, k0, k1, cut);
    if (promoted != nullptr && (k1 % cut.promote_every == 0 || k1 == g.k_count))
      for (std::size_t e = 0; e < kRows * width; e += n) {  // f = fp32(f + s), s = 0
        hn::StoreU(hn::Add(hn::LoadU(df, promoted + e), hn::LoadU(df, g.sums + e)), df, promoted + e);
        hn::StoreU(hn::Zero(df), df, g.sums + e);
      }
  }
}

void MatrixUnitKernel(const RoundedAccumulator::Plan& p, const AccumulateGroup& g, const MatrixUnitCut& cut,
                      float* promoted) {
  const Cut kind = cut.truncate ? Cut::Truncate : cut.frac_bits <= 20 ? Cut::Magic : Cut::Nearest;
  WithRows(g.rows, [&]<int kRows>() {
    switch (kind) {
      case Cut::Truncate: return MatrixUnitTile<Cut::Truncate, kRows>(p, g, cut, promoted);
      case Cut::Nearest: return MatrixUnitTile<Cut::Nearest, kRows>(p, g, cut, promoted);
      case Cut::Magic: return MatrixUnitTile<Cut::Magic, kRows>(p, g, cut, promoted);
    }
  });
}

}  // namespace HWY_NAMESPACE
}  // namespace fpsim::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "numerics/simd/internal/simd_pick.h"

namespace fpsim::detail {

int accumulate_width(simd::Isa isa) {
  decltype(&HWY_STATIC_DISPATCH(AccumulateWidth)) f = nullptr;
  return FPSIM_PICK(isa, AccumulateWidth, f) && f ? f() : 0;
}

void matrix_unit_tile(const RoundedAccumulator::Plan& plan, const AccumulateGroup& g, const MatrixUnitCut& cut,
                      float* promoted) {
  decltype(&HWY_STATIC_DISPATCH(MatrixUnitKernel)) f = nullptr;
  if (FPSIM_PICK(plan.isa, MatrixUnitKernel, f) && f) f(plan, g, cut, promoted);
}

void accumulate_group(const RoundedAccumulator::Plan& plan, const AccumulateGroup& g) {
  decltype(&HWY_STATIC_DISPATCH(AccumulateKernel)) f = nullptr;
  if (FPSIM_PICK(plan.isa, AccumulateKernel, f) && f) f(plan, g);
}

}  // namespace fpsim::detail

#endif  // HWY_ONCE
