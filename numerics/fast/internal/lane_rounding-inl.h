// Internal to numerics/fast's Highway kernels (arith_simd.cpp, accumulate_simd.cpp): the lane steps that
// round an exact sum s + e held in binary64 (or binary32) lanes by integer operations on its bits —
// TwoSum, round to odd at the lane precision, the increment of every deterministic mode, and stochastic
// rounding from the exact discarded fraction. Why each step is exact: arith_simd.cpp, steps 2, 3 and 5.
// Include after <hwy/highway.h>, once per Highway target (the toggle guard below).
#if defined(FPSIM_NUMERICS_FAST_LANE_ROUNDING_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef FPSIM_NUMERICS_FAST_LANE_ROUNDING_INL_H_
#undef FPSIM_NUMERICS_FAST_LANE_ROUNDING_INL_H_
#else
#define FPSIM_NUMERICS_FAST_LANE_ROUNDING_INL_H_
#endif

#include <cstdint>

#include "numerics/fast/internal/arith_kernel.h"

HWY_BEFORE_NAMESPACE();
namespace fpsim::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DD = hn::ScalableTag<double>;
using DU = hn::RebindToUnsigned<DD>;   // binary64 bit patterns
using DI = hn::RebindToSigned<DD>;     // the same as signed, for compares of values below 2^63
using VD = hn::Vec<DD>;
using VU = hn::Vec<DU>;
using VI = hn::Vec<DI>;

// TwoSum: x + y = s + e exactly (binary64 or binary32 lanes).
template <class VW>
HWY_INLINE void TwoSum(VW x, VW y, VW& s, VW& e) {
  s = hn::Add(x, y);
  const VW bb = hn::Sub(s, x);
  e = hn::Add(hn::Sub(x, hn::Sub(s, bb)), hn::Sub(y, bb));
}

// all ones where a >= b (signed 64-bit lanes)
HWY_INLINE VI AtLeast(VI a, VI b) { return hn::VecFromMask(DI(), hn::Not(hn::Lt(a, b))); }

// The rounding of step 3 on lanes of binary64 (uint64_t bits) or binary32 (uint32_t bits): the same
// bit operations with the top bit and the mantissa width of the lane type.
template <class DUx>
struct ModeWords {
  using VUx = hn::Vec<DUx>;
  VUx one, zero, abs_mask, low_mask, ne, na, up, dn, odd;
  VUx hidden_lsb;  // 1 when the target keeps no mantissa bits: its last kept bit is the hidden 1
  int drop;
  ModeWords(DUx du, const LanePlan& p, int drop_bits) : drop(drop_bits) {
    using T = hn::TFromD<DUx>;
    one = hn::Set(du, T{1});
    zero = hn::Zero(du);
    abs_mask = hn::Set(du, static_cast<T>(~T{0} >> 1));
    low_mask = hn::Set(du, static_cast<T>((T{1} << (drop - 1)) - 1));
    ne = hn::Set(du, static_cast<T>(p.nearest_even));
    na = hn::Set(du, static_cast<T>(p.nearest_away));
    up = hn::Set(du, static_cast<T>(p.up));
    dn = hn::Set(du, static_cast<T>(p.down));
    odd = hn::Set(du, static_cast<T>(p.odd));
    hidden_lsb = hn::Set(du, static_cast<T>(p.no_mantissa ? 1 : 0));
  }
};

// Round to odd: |s| moved one ulp towards e when e != 0 and |s|'s last bit is even.
template <class DUx, class VUx = hn::Vec<DUx>>
HWY_INLINE VUx RoundOddMagnitude(const ModeWords<DUx>& w, VUx sb, VUx eb, VUx s_magnitude) {
  constexpr int kTop = sizeof(hn::TFromD<DUx>) * 8 - 1;
  const auto nudge = hn::And(hn::Ne(hn::And(eb, w.abs_mask), w.zero), hn::Eq(hn::And(s_magnitude, w.one), w.zero));
  const VUx opposite = hn::ShiftRight<kTop>(hn::Xor(sb, eb));  // 1 where e's sign differs from s's
  const VUx delta = hn::Sub(w.one, hn::Add(opposite, opposite));  // +1 or -1
  return hn::IfThenElse(nudge, hn::Add(s_magnitude, delta), s_magnitude);
}

// The increment of a deterministic mode for magnitude bits m (0/1 per lane); inexact = round | sticky.
template <class DUx, class VUx = hn::Vec<DUx>>
HWY_INLINE VUx DeterministicIncrement(const ModeWords<DUx>& w, VUx m, VUx negative, VUx& inexact) {
  // The last kept bit: bit `drop` of m, or the hidden 1 when man_bits = 0 (bit `drop` is then the
  // exponent field's lowest bit: e5m0 3.0 = 1.1·2^1 is a tie between 2 and 4; 4 wins, as in round_pack).
  const VUx lsb = hn::Or(hn::And(hn::ShiftRightSame(m, w.drop), w.one), w.hidden_lsb);
  const VUx round = hn::And(hn::ShiftRightSame(m, w.drop - 1), w.one);
  const VUx sticky = hn::IfThenElseZero(hn::Ne(hn::And(m, w.low_mask), w.zero), w.one);
  inexact = hn::Or(round, sticky);
  VUx increment = hn::And(hn::And(round, hn::Or(sticky, lsb)), w.ne);
  increment = hn::Or(increment, hn::And(round, w.na));
  increment = hn::Or(increment, hn::And(inexact, hn::AndNot(negative, w.up)));
  increment = hn::Or(increment, hn::And(inexact, hn::And(negative, w.dn)));
  return hn::Or(increment, hn::And(inexact, hn::AndNot(lsb, w.odd)));
}

// Step 5: the truncated magnitude bits m' and the increment for one vector of sums s + e.
HWY_INLINE VU StochasticIncrement(const LanePlan& p, VU sb, VD e, VU m, const uint64_t* random, VU& m_trunc,
                                  VU& inexact, VI& bad) {
  const DD dd;
  const DU du;
  const DI di;
  const int w = 64 - p.drop;
  const VU one = hn::Set(du, 1), zero = hn::Zero(du);
  const VD e_rel = hn::Xor(e, hn::BitCast(dd, hn::And(sb, hn::Set(du, uint64_t{1} << 63))));  // e'
  const auto below = hn::Lt(e_rel, hn::Zero(dd));
  m_trunc = hn::IfThenElse(hn::RebindMask(du, below), hn::Sub(m, one), m);
  // 2^W / ulp53(m') = 2^(W + 1075 - field), as binary64 bits (W + 2098 - field) << 52.
  const VI field = hn::BitCast(di, hn::ShiftRight<52>(m_trunc));
  const VD scale = hn::BitCast(dd, hn::ShiftLeft<52>(hn::Sub(hn::Set(di, w + 2098), field)));
  const VD t = hn::Mul(e_rel, scale);
  const VD floor_t = hn::Floor(t);
  const VU sticky = hn::IfThenElseZero(hn::RebindMask(du, hn::Ne(t, floor_t)), one);
  const VI ext = hn::Add(hn::ConvertTo(di, floor_t),
                         hn::IfThenElseZero(hn::RebindMask(di, below), hn::Set(di, int64_t{1} << w)));
  const VU low = hn::And(m_trunc, hn::Set(du, (uint64_t{1} << p.drop) - 1));
  const VU frac = hn::Or(hn::ShiftLeftSame(low, w), hn::BitCast(du, ext));
  // Lanes the argument does not cover: e' != 0 with t == 0 (underflow), or m' too small for the scale.
  const auto e_nonzero = hn::Ne(e_rel, hn::Zero(dd));
  bad = hn::Or(bad, hn::VecFromMask(di, hn::RebindMask(di, hn::And(e_nonzero, hn::Eq(t, hn::Zero(dd))))));
  bad = hn::Or(bad, hn::VecFromMask(di, hn::Lt(field, hn::Set(di, w + 52))));
  inexact = hn::Or(sticky, hn::IfThenElseZero(hn::Ne(frac, zero), one));
  // round_pack sees X as its top 64 significant bits and a sticky bit: p kept bits and the top 64 - p
  // bits of the fraction; the fraction's last p bits join the sticky bit.
  const VU below_64 = hn::Set(du, (uint64_t{1} << (53 - p.drop)) - 1);
  const VU sticky64 = hn::Or(sticky, hn::IfThenElseZero(hn::Ne(hn::And(frac, below_64), zero), one));
  const VU frac64 = hn::AndNot(below_64, frac);
  const VU r = hn::LoadU(du, random);
  if (p.sr_bits > 0) {
    const int k = p.sr_bits;
    const VU sum = hn::Add(hn::ShiftRightSame(frac64, 64 - k), hn::ShiftRightSame(r, 64 - k));
    return hn::ShiftRightSame(sum, k);  // the carry out of K bits
  }
  // Unsigned 64-bit compares as signed ones after flipping the top bit.
  const VI top = hn::Set(di, int64_t(uint64_t{1} << 63));
  const VI rs = hn::Xor(hn::BitCast(di, r), top), fs = hn::Xor(hn::BitCast(di, frac64), top);
  const VU lt = hn::IfThenElseZero(hn::RebindMask(du, hn::Lt(rs, fs)), one);        // r < F
  const VU le = hn::IfThenZeroElse(hn::RebindMask(du, hn::Lt(fs, rs)), one);        // r <= F
  return hn::IfThenElse(hn::Eq(sticky64, one), le, lt);
}


}  // namespace HWY_NAMESPACE
}  // namespace fpsim::detail
HWY_AFTER_NAMESPACE();

#endif  // FPSIM_NUMERICS_FAST_LANE_ROUNDING_INL_H_
