// Vector kernels for quantize(): binary32 input, any KernelPlan, bit-identical to encode().
//
// Library choice: Google Highway (libhwy-dev) for the lanes. Its foreach_target compiles this file
// once per target (AVX-512 "AVX3", AVX2, and the portable baseline: HWY_SCALAR, one plain C++ lane,
// because Highway disables its EMU128 baseline under GCC < 12.3) with per-function target
// attributes, so no global -m flags are needed; the target is picked at run time from the CPU
// (numerics/simd/isa.h through numerics/simd/internal/simd_pick.h, which avoids linking libhwy's dispatch table). Philox4x32-10 is
// vectorised here (Random123 is scalar: one block per call); tests check every word against it.
//
// The rounding works on the binary32 bit pattern as an integer. For |x| with biased exponent
// be (1..254) and mantissa field man, the significand is sig = 2^23 + man; for be = 0 it is man
// with the exponent of be = 1. Keeping m mantissa bits discards d binary32 significand bits:
//     d = 23 - m                              when 2^emin <= |x|   (normal range of the format)
//     d = 23 - m + (emin + 127 - max(be, 1))  below 2^emin          (subnormal range: fixed quantum)
// In the normal range the rounding can be done on the whole bit pattern, because a carry out of the
// mantissa field correctly bumps the exponent field:
//     bfloat16 (d = 16), rne, x = 0x3F80_8000 (1.00390625, a tie): low = 0x8000 = half, kept = 0x3F80
//     is even -> stays 0x3F80_0000;  x = 0x3F81_8000: kept 0x3F81 odd -> 0x3F82_0000 (1.015625).
//     e5m2 (d = 21), rne, x = 0x3FF0_0000 (1.875): low = 0x10_0000 = half, kept = 0x1FF odd ->
//     0x200 << 21 = 0x4000_0000 (2.0): the mantissa carry moved into the exponent field.
// In the subnormal range the kept integer k = sig >> d (+ rounding) counts quanta 2^(emin - m),
// and the value is float(k) * 2^(emin - m) (exact: k < 2^24 and the product is a binary32 value):
//     e4m3fn (emin -6, m 3, quantum 2^-9), x = 0x3B40_0000 (0.0029296875 = 1.5 * 2^-9): be = 118,
//     d = 20 + (121 - 118) = 23, sig = 0xC0_0000, kept = 1, low = 0x40_0000 = half, kept odd -> k = 2.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "numerics/quantize/internal/quantize_kernel.h"

// Only the targets we dispatch to: AVX-512 (AVX3), AVX2 and the portable baseline.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_SSE4 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "numerics/quantize/quantize_simd.cpp"
#include <hwy/foreach_target.h>  // must precede highway.h
#include <hwy/cache_control.h>
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace fpsim::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D = hn::ScalableTag<uint32_t>;
using DI = hn::RebindToSigned<D>;
using DF = hn::RebindToFloat<D>;
using V = hn::Vec<D>;
using M = hn::Mask<D>;

HWY_INLINE V U(uint32_t x) { return hn::Set(D(), x); }

// Signed a < b for lanes known to be below 2^31 (bit patterns of |x|, shift counts, small integers).
HWY_INLINE M SLt(V a, V b) {
  const DI di;
  return hn::RebindMask(D(), hn::Lt(hn::BitCast(di, a), hn::BitCast(di, b)));
}
// Unsigned a < b for full 32-bit words (native on AVX-512; Highway flips bit 31 elsewhere).
HWY_INLINE M ULt(V a, V b) { return hn::Lt(a, b); }
// b[1] where the lane is negative, else b[0], as a vector / a mask.
HWY_INLINE V BySign(M neg, const uint32_t b[2]) { return hn::IfThenElse(neg, U(b[1]), U(b[0])); }
HWY_INLINE M BySign(M neg, const bool b[2]) {
  return hn::Ne(hn::IfThenElse(neg, U(b[1] ? 1u : 0u), U(b[0] ? 1u : 0u)), hn::Zero(D()));
}

// ---- Philox4x32-10 (Salmon et al. 2011), four counter words per lane ("structure of arrays") ----

// hi:lo = a * mult per 32-bit lane. MulEven multiplies the even lanes into 64-bit products; the odd
// lanes are first swapped into even position. Lane j of a product p holds lo in u32 lane 2j, hi in
// 2j+1; Shuffle2301 swaps each pair, and OddEven(odd-lane source, even-lane source) reassembles:
//     a     = [a0 a1 a2 a3]      even = [lo(a0m) hi(a0m) lo(a2m) hi(a2m)]
//     swap  = [a1 a0 a3 a2]      odd  = [lo(a1m) hi(a1m) lo(a3m) hi(a3m)]
//     lo    = OddEven(swap(odd), even) = [lo(a0m) lo(a1m) lo(a2m) lo(a3m)]
//     hi    = OddEven(odd, swap(even)) = [hi(a0m) hi(a1m) hi(a2m) hi(a3m)]
// (shuffles rather than 64-bit shifts: on AVX-512 the shifts compete with the multiplies for port 0).
// On AVX2, lo is the low-half multiply a * m (vpmulld) in place of a shuffle and a blend: one op fewer per
// product, and sr's Philox-bound loop measured ~8% faster (Zen 3).
HWY_INLINE void MulHiLo(V a, uint32_t mult, V& hi, V& lo) {
#if HWY_TARGET == HWY_SCALAR
  // One lane: a plain 64-bit product.
  const uint64_t product = uint64_t{hn::GetLane(a)} * mult;
  hi = U(static_cast<uint32_t>(product >> 32));
  lo = U(static_cast<uint32_t>(product));
#elif HWY_TARGET == HWY_AVX3
  // AVX-512: one two-table permute per half (vpermt2d) gathers lo / hi from both products.
  //   lo = {even[0], odd[0], even[2], odd[2], ...}   hi = {even[1], odd[1], even[3], odd[3], ...}
  const __m512i m = _mm512_set1_epi32(static_cast<int>(mult));
  const __m512i even = _mm512_mul_epu32(a.raw, m);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a.raw, 32), m);
  const __m512i lo_index = _mm512_set_epi32(30, 14, 28, 12, 26, 10, 24, 8, 22, 6, 20, 4, 18, 2, 16, 0);
  const __m512i hi_index = _mm512_set_epi32(31, 15, 29, 13, 27, 11, 25, 9, 23, 7, 21, 5, 19, 3, 17, 1);
  lo = V{_mm512_permutex2var_epi32(even, lo_index, odd)};
  hi = V{_mm512_permutex2var_epi32(even, hi_index, odd)};
#else
  const D d;
  const V m = U(mult);
  const V even = hn::BitCast(d, hn::MulEven(a, m));
  const V odd = hn::BitCast(d, hn::MulEven(hn::Shuffle2301(a), m));
  lo = hn::Mul(a, m);  // the low halves need no reassembly
  hi = hn::OddEven(odd, hn::Shuffle2301(even));
#endif
}

// Philox4x32-10 of the counters {c0, c1, ctr_hi[0], ctr_hi[1]}, words w[0..3] (Random123's
// philox4x32_R(10, ...): round with the key, then bump the key by the Weyl constants, ten rounds).
HWY_INLINE void Philox(V c0, V c1, const PhiloxKey& key, V w[4]) {
  V c2 = U(key.ctr_hi[0]);
  V c3 = U(key.ctr_hi[1]);
  uint32_t k0 = key.key[0];
  uint32_t k1 = key.key[1];
  for (int round = 0; round < 10; ++round) {
    V hi0, lo0, hi1, lo1;
    MulHiLo(c0, 0xD2511F53u, hi0, lo0);
    MulHiLo(c2, 0xCD9E8D57u, hi1, lo1);
    const V n0 = hn::Xor3(hi1, c1, U(k0));
    const V n2 = hn::Xor3(hi0, c3, U(k1));
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 += 0x9E3779B9u;  // golden ratio
    k1 += 0xBB67AE85u;  // sqrt(3) - 1
  }
  w[0] = c0;
  w[1] = c1;
  w[2] = c2;
  w[3] = c3;
}

// As Philox, when counter word 1 (the index's high half) is the same in every lane, c1: words 1-3
// of the counter are then lane-invariant, so the first round's second product and the second
// round's first product are scalars (two of the twenty vector products saved).
//   round 1: c0' = hi(M1*c2) ^ c1 ^ k0 and c1' = lo(M1*c2) are scalars; c2', c3' come from M0*c0
//   round 2: M0*c0' is a scalar product; M1*c2' is the vector one
// K independent counter vectors run in lockstep: one round is a chain of ~9 cycles (multiply,
// shift/blend, xor), so interleaving two chains keeps the multiplier busy.
// Key words of rounds 3-10 as vectors, broadcast once per call instead of once per round.
struct RoundKeys {
  V k0[8], k1[8];
  explicit RoundKeys(const PhiloxKey& key) {
    uint32_t a = key.key[0] + 2 * 0x9E3779B9u, b = key.key[1] + 2 * 0xBB67AE85u;
    for (int r = 0; r < 8; ++r, a += 0x9E3779B9u, b += 0xBB67AE85u) {
      k0[r] = U(a);
      k1[r] = U(b);
    }
  }
};

// kOddWords: only words 1 and 3 (the low halves of round 10's products) are wanted, as by the sr kernels whose
// rounding reads only the high random word of each element: round 10 is then two low multiplies per vector,
// and words 0 and 2 are left zero.
template <int K, bool kOddWords = false>
HWY_INLINE void PhiloxUniformHigh(const V (&c0)[K], uint32_t c1, const PhiloxKey& key, const RoundKeys& rk,
                                  V (&w)[K][4]) {
  constexpr uint32_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
  const uint32_t k0 = key.key[0], k1 = key.key[1];
  // Round 1 (key k): the M1 product is the same for every lane and vector.
  const uint64_t p1 = uint64_t{m1} * key.ctr_hi[0];
  const uint32_t r1_c0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
  const uint32_t r1_c1 = static_cast<uint32_t>(p1);
  // Round 2 (key k + Weyl): the M0 product of r1_c0 is a scalar too.
  const uint32_t k0b = k0 + 0x9E3779B9u, k1b = k1 + 0xBB67AE85u;
  const uint64_t p0 = uint64_t{m0} * r1_c0;
  V c[K][4];
  for (int k = 0; k < K; ++k) {
    V hi0, lo0;
    MulHiLo(c0[k], m0, hi0, lo0);
    const V r1_c2 = hn::Xor(hi0, U(key.ctr_hi[1] ^ k1));
    V hi1, lo1;
    MulHiLo(r1_c2, m1, hi1, lo1);
    c[k][0] = hn::Xor(hi1, U(r1_c1 ^ k0b));
    c[k][1] = lo1;
    c[k][2] = hn::Xor(lo0, U(static_cast<uint32_t>(p0 >> 32) ^ k1b));
    c[k][3] = U(static_cast<uint32_t>(p0));
  }
  // Rounds 3-10 (3-9 when round 10 is cut short below).
  for (int round = 2; round < (kOddWords ? 9 : 10); ++round) {
    for (int k = 0; k < K; ++k) {
      V h0, l0, h1, l1;
      MulHiLo(c[k][0], m0, h0, l0);
      MulHiLo(c[k][2], m1, h1, l1);
      const V n0 = hn::Xor3(h1, c[k][1], rk.k0[round - 2]);
      const V n2 = hn::Xor3(h0, c[k][3], rk.k1[round - 2]);
      c[k][0] = n0;
      c[k][1] = l1;
      c[k][2] = n2;
      c[k][3] = l0;
    }
  }
  if constexpr (kOddWords) {
    for (int k = 0; k < K; ++k) {
      w[k][0] = w[k][2] = hn::Zero(D());
      w[k][1] = hn::Mul(c[k][2], U(m1));  // round 10's lo(M1 * c2)
      w[k][3] = hn::Mul(c[k][0], U(m0));  // round 10's lo(M0 * c0)
    }
    return;
  }
  for (int k = 0; k < K; ++k)
    for (int i = 0; i < 4; ++i) w[k][i] = c[k][i];
}

// Counters for stream indices index, index + 1, ... (lane order), carrying into the high word.
HWY_INLINE void Counters(uint64_t index, V& c0, V& c1) {
  const D d;
  const uint32_t lo = static_cast<uint32_t>(index);
  const uint32_t hi = static_cast<uint32_t>(index >> 32);
  c0 = hn::Add(hn::Iota(d, 0), U(lo));
  const M carry = ULt(c0, U(lo));  // lo + lane wrapped past 2^32
  c1 = hn::IfThenElse(carry, U(hi + 1), U(hi));
}

// ---- rounding decisions, per lane: returns 1 where the kept significand is incremented ----

struct Lanes {
  V sig;    // binary32 significand (24 bits, hidden bit included)
  V d;      // discarded significand bits
  M neg;    // sign of the input
};

// Deterministic modes (and sr's nearest-even in the subnormal range). d is capped at 25: with
// d >= 25 the whole significand (< 2^24) lies below half a quantum, so every decision is unchanged.
//   sig = KKKK RLLL…L   kept | round bit R = top of low | rest;  half = 1 << (d - 1)
HWY_INLINE V Deterministic(const KernelPlan& p, Rounding mode, const Lanes& l, V& odd) {
  const V one = U(1);
  const V dc = hn::Min(l.d, U(25));
  const V unit = hn::Shl(one, dc);
  const V low = hn::And(l.sig, hn::Sub(unit, one));
  const V half = hn::ShiftRight<1>(unit);
  const M inexact = hn::Ne(low, hn::Zero(D()));
  (void)p;
  switch (mode) {
    case Rounding::NearestEven: {
      const V kept = hn::Shr(l.sig, dc);
      const M tie_odd = hn::And(hn::Eq(low, half), hn::Ne(hn::And(kept, one), hn::Zero(D())));
      return hn::IfThenElseZero(hn::And(inexact, hn::Or(SLt(half, low), tie_odd)), one);
    }
    case Rounding::NearestAway: return hn::IfThenElseZero(hn::And(inexact, hn::Not(SLt(low, half))), one);
    case Rounding::Up: return hn::IfThenElseZero(hn::AndNot(l.neg, inexact), one);
    case Rounding::Down: return hn::IfThenElseZero(hn::And(l.neg, inexact), one);
    case Rounding::Odd: odd = hn::IfThenElseZero(inexact, one); return hn::Zero(D());
    default: return hn::Zero(D());  // rtz
  }
}

// Exact-probability sr: round up iff r < frac, or r <= frac when bits below frac's 64 are non-zero
// (round_pack's rule), with r = w0 | w1 << 32 and frac = the discarded bits as a 0.64 fraction:
//   d <= 32:       frac = low << (64 - d)                 -> hi = low << (32 - d), lo = 0
//   32 < d <= 64:  frac = sig << (64 - d)                 -> hi = sig >> (d - 32), lo = sig << (64 - d)
//   d > 64:        frac = sig >> (d - 64), sticky = lost bits -> hi = 0, lo = sig >> (d - 64)
// Example: e5m2, d = 21, low = 0x10_0000 (exactly half): up iff w1 < 0x8000_0000 (probability 1/2).
HWY_INLINE V StochasticExact(const Lanes& l, V w0, V w1) {
  const D d;
  const V one = U(1);
  const V zero = hn::Zero(d);
  const V low = hn::And(l.sig, hn::Sub(hn::Shl(one, hn::Min(l.d, U(24))), one));
  const V hi_a = hn::Shl(low, hn::Min(hn::Sub(U(32), hn::Min(l.d, U(32))), U(31)));
  const M in_a = SLt(l.d, U(33));
  // Common case, every lane discards at most 32 bits: frac's low word is 0, so up iff w1 < hi.
  if (hn::AllTrue(d, in_a)) return hn::IfThenElseZero(ULt(w1, hi_a), one);
  const V hi_b = hn::Shr(l.sig, hn::Min(hn::Sub(hn::Max(l.d, U(32)), U(32)), U(31)));
  const V lo_b = hn::Shl(l.sig, hn::Min(hn::Sub(U(64), hn::Min(l.d, U(64))), U(31)));
  const V shift_c = hn::Min(hn::Sub(hn::Max(l.d, U(64)), U(64)), U(31));
  const V lo_c = hn::Shr(l.sig, shift_c);
  const M sticky_c = hn::Ne(hn::And(l.sig, hn::Sub(hn::Shl(one, shift_c), one)), zero);
  const M in_c = SLt(U(64), l.d);
  const V hi = hn::IfThenElse(in_a, hi_a, hn::IfThenZeroElse(in_c, hi_b));
  const V lo = hn::IfThenElse(in_a, zero, hn::IfThenElse(in_c, lo_c, lo_b));
  const M sticky = hn::And(in_c, sticky_c);
  const M lo_ok = hn::Or(ULt(w0, lo), hn::And(sticky, hn::Eq(w0, lo)));
  const M up = hn::Or(ULt(w1, hi), hn::And(hn::Eq(w1, hi), lo_ok));
  return hn::IfThenElseZero(up, one);
}

// sr:K: add the top K random bits (of w1) to the top K discarded bits fk; a carry out rounds up.
//   fk = low << (K - d) when d <= K, else low >> (d - K);  up iff fk + rk >= 2^K iff rk > (2^K - 1) - fk
// Example: K = 4, d = 8, low = 0b1011_0110 -> fk = 0b1011; rk = 0b0110 > 0b0100 -> up (P = 11/16).
HWY_INLINE V StochasticK(const KernelPlan& p, const Lanes& l, V w1) {
  const V one = U(1);
  const uint32_t k = p.sr_bits;
  const uint32_t mask_k = k >= 32 ? 0xFFFFFFFFu : (1u << k) - 1;
  const V low = hn::And(l.sig, hn::Sub(hn::Shl(one, hn::Min(l.d, U(24))), one));
  const V left = hn::Min(hn::Sub(hn::Max(l.d, U(k)), l.d), U(31));   // K - d when d <= K, else 0
  const V right = hn::Min(hn::Sub(hn::Max(l.d, U(k)), U(k)), U(31));  // d - K when d > K, else 0
  const V fk = hn::Shr(hn::Shl(low, left), right);
  const V rk = hn::ShiftRightSame(w1, static_cast<int>(32 - k));
  return hn::IfThenElseZero(ULt(hn::Sub(U(mask_k), fk), rk), one);
}

// ---- the element kernel ----

struct Counts {
  uint64_t nonzero = 0, underflow = 0, subnormal = 0, saturated = 0, overflow = 0, nan = 0;
};

// A non-temporal (streaming) store where out is aligned to the whole vector, else an ordinary one. Streaming
// writes skip the read-for-ownership of the destination line, a third of a large quantize()'s memory traffic;
// quantize() starts its streamed range at a 64-byte boundary (run_float), so every full vector of a chunk is
// aligned. A vector written as 16-byte non-temporal pieces instead was slower than ordinary stores on AMD Zen
// (its write-combining buffers take whole lines).
//   AVX-512 (64-byte vectors): out = 0x...40 streams (0x40 & 63 == 0); 0x...50 takes the ordinary store.
#if HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128
HWY_INLINE void Store(V v, float* out, bool stream) {
  constexpr uintptr_t kVectorBytes = sizeof(float) * hn::MaxLanes(DF());
  if (stream && (reinterpret_cast<uintptr_t>(out) & (kVectorBytes - 1)) == 0) hn::Stream(hn::BitCast(DF(), v), DF(), out);
  else hn::StoreU(hn::BitCast(DF(), v), DF(), out);
}
#else  // the portable targets store as usual
HWY_INLINE void Store(V v, float* out, bool) { hn::StoreU(hn::BitCast(DF(), v), DF(), out); }
#endif
HWY_INLINE void Store(V v, uint16_t* out, bool) {
  const hn::Rebind<uint16_t, D> d16;
  hn::StoreU(hn::DemoteTo(d16, hn::BitCast(DI(), v)), d16, out);
}
HWY_INLINE void Store(V v, uint8_t* out, bool) {
  const hn::Rebind<uint8_t, D> d8;
  hn::StoreU(hn::DemoteTo(d8, hn::BitCast(DI(), v)), d8, out);
}

// Step 5 of Vector, lanes below 2^emin of a format with subnormals: k quanta of 2^(emin - m), d capped at 25
// (sig < 2^24 is then below half). Values: k * 2^(emin - m) (exact); codes: k is the mantissa field.
//   e4m3fn (quantum 2^-9), x = 1.5 * 2^-9: d = 23, sig = 0xC0_0000, kept 1, low = half, odd -> k = 2 (2^-8).
template <bool kValues>
HWY_INLINE void SubnormalRange(const KernelPlan& p, const Lanes& l, bool uniform_rne, V up, V odd, M below,
                               V& out_abs, V& code_abs) {
  const D d;
  const V one = U(1);
  const V dc = hn::Min(l.d, U(25));
  V k;
  if (uniform_rne) {
    const V lsb = hn::And(hn::Shr(l.sig, dc), one);
    k = hn::Shr(hn::Add(hn::Add(l.sig, hn::Sub(hn::Shl(one, hn::Sub(dc, one)), one)), lsb), dc);
  } else {
    k = hn::Or(hn::Add(hn::Shr(l.sig, dc), up), odd);
  }
  if constexpr (kValues) {
    const V value = hn::BitCast(d, hn::Mul(hn::ConvertTo(DF(), hn::BitCast(DI(), k)), hn::Set(DF(), p.sub_scale)));
    out_abs = hn::IfThenElse(below, value, out_abs);
  } else {
    code_abs = hn::IfThenElse(below, k, code_abs);
    out_abs = hn::IfThenElse(below, k, out_abs);  // only its zero-ness is used below
  }
}

// What step 7 counts from: the input's magnitude bits and sign, and each lane's outcome.
struct Outcome {
  V a_in;     // |x| bit pattern
  M neg;      // sign of x
  M below;    // |x| < 2^emin
  M ovf;      // rounded past max
  M is_zero;  // result zero
  M is_nan;   // NaN input
  M is_inf;   // ±inf input
  V out_n, out_abs, code_abs;  // normal-range rounding, result magnitude (values), code magnitude (codes)
};

// Step 7 of Vector: the statistics of one vector (same definitions as the scalar reference).
template <bool kValues>
HWY_INLINE void Tally(const KernelPlan& p, const Outcome& o, V& amax, Counts& n) {
  const D d;
  const V zero = hn::Zero(d);
  const V a_in = o.a_in, out_n = o.out_n, out_abs = o.out_abs, code_abs = o.code_abs;
  const M neg = o.neg, below = o.below, ovf = o.ovf, is_zero = o.is_zero, is_nan = o.is_nan, is_inf = o.is_inf;
  const M finite = SLt(a_in, U(0x7F800000u));
  const M nz = hn::And(finite, hn::Ne(a_in, zero));
  amax = hn::Max(amax, hn::IfThenElseZero(finite, a_in));
  const M ovf_nz = hn::And(nz, ovf);
  const M ovf_max = BySign(neg, p.ovf_is_max);
  const M ovf_nan = BySign(neg, p.ovf_is_nan);
  // Results at ±max: overflow to max, or a normal-range result equal to the largest value.
  // Non-zero results below 2^emin (with emin = -126 these also come from the normal-range path).
  const M sub_result = kValues ? hn::And(hn::Ne(out_abs, zero), SLt(out_abs, U(p.emin_field << 23)))
                               : hn::And(hn::Ne(code_abs, zero), SLt(code_abs, U(1u << p.man_bits)));
  const M res_max = hn::Or(hn::And(ovf, ovf_max), hn::AndNot(hn::Or(ovf, below), hn::Eq(out_n, U(p.max_bits))));
  n.nonzero += hn::CountTrue(d, nz);
  n.underflow += hn::CountTrue(d, hn::AndNot(ovf, hn::And(nz, is_zero)));
  n.subnormal += hn::CountTrue(d, hn::AndNot(ovf, hn::And(nz, sub_result)));
  n.saturated += hn::CountTrue(d, hn::And(hn::And(nz, res_max), SLt(U(p.max_bits), a_in)));
  n.overflow += hn::CountTrue(d, hn::AndNot(ovf_max, ovf_nz));
  n.nan += hn::CountTrue(d, hn::And(ovf_nz, ovf_nan));
  if (p.nan_is_nan) n.nan += hn::CountTrue(d, is_nan);
  n.nan += hn::CountTrue(d, hn::And(is_inf, BySign(neg, p.inf_is_nan)));  // e4m3fn: ±inf -> NaN
}

// One vector: in[0..N) -> out[0..N). Returns false (writing nothing) when a lane needs the scalar
// reference (nosub formats with emin = -126 and a binary32 subnormal input).
// w0, w1: the elements' random words (low and high halves of bits(i)); sr only.
// kBlend: the subnormal-range rounding and the special-result blend run on every vector, without a
// data-dependent branch (wide-range data: FP8 sees lanes below 2^emin or past max in most vectors, in
// an unpredictable pattern); otherwise each is skipped when no lane needs it (narrow data). `rare`
// counts the vectors that needed either, so the loop can pick the variant for the next stretch.
template <bool kValues, bool kSR, bool kStats, bool kBlend, class Out>
HWY_INLINE bool Vector(const KernelCall& c, const float* in, Out* out, V w0, V w1, V& amax, Counts& n,
                       std::size_t& rare) {
  const KernelPlan& p = *c.plan;
  const D d;
  const V zero = hn::Zero(d);
  const V one = U(1);
  // 1. Split sign and magnitude; classify.
  const V x = hn::BitCast(d, hn::LoadU(DF(), in));
  const V a_in = hn::And(x, U(0x7FFFFFFFu));
  const M neg = hn::Ne(hn::And(x, U(0x80000000u)), zero);
  const M is_nan = SLt(U(0x7F800000u), a_in);
  const M is_inf = hn::Eq(a_in, U(0x7F800000u));
  V a = a_in;
  if (p.daz) a = hn::IfThenZeroElse(SLt(a_in, U(0x00800000u)), a_in);
  // 2. Significand and discarded bit count. sig = a - (max(be, 1) - 1) << 23 replaces the exponent
  //    field by the hidden bit: 0x3FC0_0000 (1.5, be 127) - 126 << 23 = 0x00C0_0000.
  const V bep = hn::Max(hn::ShiftRight<23>(a), one);
  Lanes l;
  l.neg = neg;
  l.sig = hn::Sub(a, hn::ShiftLeft<23>(hn::Sub(bep, one)));
  const M below = SLt(bep, U(p.emin_field));  // |x| < 2^emin
  if (!p.subnormals && p.emin_field == 1) {
    // A binary32 subnormal just below 2^-126 may round up to it at the format's precision; its
    // significand is not normalised here, so leave such vectors to the reference.
    if (!hn::AllFalse(d, hn::And(hn::Eq(hn::ShiftRight<23>(a), zero), hn::Ne(a, zero)))) return false;
  }
  l.d = U(p.d_normal);
  if (p.subnormals) l.d = hn::Add(l.d, hn::Sub(hn::Max(bep, U(p.emin_field)), bep));
  // 3. Round-up decision.
  const int dn = static_cast<int>(p.d_normal);
  V odd = zero;
  V up = zero;
  V out_n;
  // Nearest-even: add the rounding bias 2^(d-1) - 1 plus the kept lsb, then clear the discarded
  // bits (normal-range lanes, d = d_normal; the subnormal range below uses the same trick on sig).
  //   bfloat16 (d = 16): 0x3F80_8000 + 0x7FFF + 0 = 0x3F80_FFFF -> 0x3F80_0000 (tie, even kept)
  //                      0x3F81_8000 + 0x7FFF + 1 = 0x3F82_0000 -> 0x3F82_0000 (tie, odd kept: up)
  //                      0x3F80_8001 + 0x7FFF + 0 = 0x3F81_0000 -> 0x3F81_0000 (above half: up)
  const bool uniform_rne = !kSR && p.mode == Rounding::NearestEven && dn >= 1;
  if (uniform_rne) {
    const V lsb = hn::And(hn::ShiftRightSame(a, dn), one);
    const uint32_t bias = (1u << (dn - 1)) - 1;
    out_n = hn::And(hn::Add(hn::Add(a, U(bias)), lsb), U(~((1u << dn) - 1)));
  } else if constexpr (kSR) {
    up = p.sr_bits ? StochasticK(p, l, w1) : StochasticExact(l, w0, w1);
    if (p.sr_subnormal_nearest) {
      // Below 2^emin (binary32 subnormals included) round_pack switches sr to nearest-even.
      const M tiny_in = SLt(a, U(p.emin_field << 23));
      if (!hn::AllFalse(d, tiny_in)) {
        V unused = zero;
        up = hn::IfThenElse(tiny_in, Deterministic(p, Rounding::NearestEven, l, unused), up);
      }
    }
  } else {
    up = Deterministic(p, p.mode, l, odd);
  }
  // 4. Normal range: round the bit pattern itself at d_normal (carries bump the exponent).
  if (!uniform_rne) out_n = hn::ShiftLeftSame(hn::Or(hn::Add(hn::ShiftRightSame(a, dn), up), odd), dn);
  V out_abs = out_n;
  V code_abs = zero;
  if constexpr (!kValues) code_abs = hn::Sub(hn::ShiftRightSame(out_n, dn), U(p.rebias));
  const bool any_below = !hn::AllFalse(d, below);
  if (p.subnormals) {
    // Formats whose emin is binary32's (bfloat16: emin_field 1) never have lanes below it.
    if (p.emin_field > 1 && (kBlend || any_below)) {
      SubnormalRange<kValues>(p, l, uniform_rne, up, odd, below, out_abs, code_abs);
    }
  } else {
    // 5'. No subnormals: tiny results flush to zero. Tiny after rounding = the result rounded at
    //     full precision (out_n, unbounded exponent) is still below 2^emin.
    const V min_normal = U(p.emin_field << 23);
    const M tiny = SLt(p.tiny_before ? a : out_n, min_normal);
    out_abs = hn::IfThenZeroElse(tiny, out_abs);
    code_abs = hn::IfThenZeroElse(tiny, code_abs);
  }
  // 6. Overflow, zeros and specials, in the output domain.
  const M ovf = SLt(U(p.max_bits), out_n);
  const M is_zero = hn::Eq(out_abs, zero);
  V res;
  if constexpr (kValues) res = hn::Or(out_abs, hn::IfThenElseZero(neg, U(p.sign_out)));
  else res = hn::Or(code_abs, hn::IfThenElseZero(neg, U(p.sign_out)));
  // Zeros, overflows, infinities and NaNs take their results from the plan. A zero result is already ±0
  // above unless the format has no negative zero (fnuz, P3109).
  const M nonfinite = SLt(U(0x7F7FFFFFu), a_in);
  const M fix_zero = p.zero_is_signed ? hn::FirstN(d, 0) : is_zero;
  const bool any_special = !hn::AllFalse(d, hn::Or(hn::Or(nonfinite, ovf), fix_zero));
  rare += (any_below || any_special) ? 1 : 0;
  if (kBlend || any_special) {
    res = hn::IfThenElse(is_zero, BySign(neg, p.zero_out), res);
    res = hn::IfThenElse(ovf, BySign(neg, p.ovf_out), res);
    res = hn::IfThenElse(is_inf, BySign(neg, p.inf_out), res);
    V nan = BySign(neg, p.nan_out);
    if constexpr (!kValues)
      if (p.nan_payload_mask) nan = hn::Or(nan, hn::And(hn::ShiftRightSame(a_in, dn), U(p.nan_payload_mask)));
    res = hn::IfThenElse(is_nan, nan, res);
  }
  Store(res, out, c.stream_out);
  // 7. Statistics (same definitions as the scalar reference).
  if constexpr (kStats) {
    const Outcome o{a_in, neg, below, ovf, is_zero, is_nan, is_inf, out_n, out_abs, code_abs};
    Tally<kValues>(p, o, amax, n);
  }
  return true;
}

// ---- values by lane selection (KernelPlan::lane_select), no statistics ----
// Every finite lane's result is one of three candidates computed for all lanes: the normal-range rounding of
// the bit pattern, the subnormal-range rounding, or the overflow result; compares and blends pick one per
// lane, so wide-range data (lanes below 2^emin or past max in most vectors, unpredictably) takes no branch.
// Vectors holding ±inf or NaN (and, for sr, lanes too tiny for a 32-bit sum) take Vector instead.

// The plan's constants as vectors, broadcast once per call.
struct LaneConsts {
  V keep;        // ~(2^dn - 1): clears the discarded bits
  V bias;        // 2^(dn - 1) - 1: rne's bias less the kept lsb
  V min_normal;  // 2^emin as binary32 bits
  V max_bits;    // the largest finite value as binary32 bits
  V ovf;         // |overflow result| (KernelPlan::lane_select: its sign is the input's)
  V dn_emin;     // dn + emin_field, for the subnormal range's discarded count
  V emin_field;
  V tiny_limit;  // sr: TooTiny's bound
  hn::Vec<DF> magic;       // rne: 2^(emin - m + 23), whose ulp is the subnormal quantum
  hn::Vec<DF> sub_scale;   // sr: the subnormal quantum 2^(emin - m)
  explicit LaneConsts(const KernelPlan& p) {
    const DF df;
    const uint32_t dn = p.d_normal;
    keep = U(~((1u << dn) - 1));
    bias = U(dn > 0 ? (1u << (dn - 1)) - 1 : 0u);  // dn = 0 (binary32 itself): nothing is discarded
    min_normal = U(p.emin_field << 23);
    max_bits = U(p.max_bits);
    ovf = U(p.ovf_out[0]);
    dn_emin = U(dn + p.emin_field);
    emin_field = U(p.emin_field);
    // Non-zero |x| below 2^(dn + emin_field - 31 - 127) discard more than 31 bits (none can when that is 2^-127).
    const uint32_t tiny = dn + p.emin_field > 32 ? (dn + p.emin_field - 31) << 23 : 0u;
    tiny_limit = U(tiny ? 0x80000000u + (tiny - 1) : 0x80000000u);
    magic = hn::Set(df, p.sub_scale * 8388608.0f);  // times 2^23: exact
    sub_scale = hn::Set(df, p.sub_scale);
  }
};

// sr: lanes with 0 < |x| < tiny, whose discarded bit count exceeds FiniteSr's 31 (zeros round fine there):
// a + 0x7FFF_FFFF maps a = 0 to INT_MAX and a >= 1 to INT_MIN + (a - 1), so one signed compare with
// INT_MIN + (tiny - 1) finds 1 <= a < tiny. e4m3fn: tiny = 110 << 23 = 0x3700_0000, bound 0xB6FF_FFFF;
// a = 0x3400_0000 (2^-23) -> 0xB3FF_FFFF, below: too tiny; a = 0 -> 0x7FFF_FFFF and a = 0x3F80_0000 ->
// 0xBF7F_FFFF, not below.
HWY_INLINE M TooTiny(const LaneConsts& k, V a) { return SLt(hn::Add(a, U(0x7FFFFFFFu)), k.tiny_limit); }

// Rne of |x| < 2^emin to the subnormal quantum q = 2^(emin - m), as binary32 bits: (|x| + C) - C with
// C = 2^(emin - m + 23), whose ulp is q. |x| < 2^emin <= C keeps the sum in C's binade, so the addition rounds
// |x| to a multiple of q in the FPU's own rne (run_float's IeeeDefaultFp: no flush-to-zero, and binary32
// subnormal inputs are exact), and the subtraction is exact (the build keeps IEEE semantics: it is not folded).
//   e4m3fn (q = 2^-9, C = 2^14 = 0x4680_0000): |x| = 1.5 * 2^-9 = 0x3B40_0000; 2^14 + 1.5 * 2^-9 is a tie
//   between 0x4680_0001 (odd) and 0x4680_0002 (even) -> 0x4680_0002 - C = 2^-8 = 0x3B80_0000 (2 quanta).
HWY_INLINE V MagicRne(V a, hn::Vec<DF> magic) {
  const DF df;
  return hn::BitCast(D(), hn::Sub(hn::Add(hn::BitCast(df, a), magic), magic));
}

// Overflow and sign: lanes whose rounded normal-range pattern out_n exceeds max get the overflow result;
// x ^ |x| is the input's sign bit. Subnormal-range lanes have out_n <= 2^emin, never past max.
//   e4m3fn (max 448 = 0x43E0_0000), rne, x = -464 = 0xC3E8_0000: out_n = 0x43F0_0000 (480) > max -> ovf | sign.
HWY_INLINE V OverflowAndSign(const LaneConsts& k, V x, V a, V out_n, V res) {
  return hn::Or(hn::IfThenElse(SLt(k.max_bits, out_n), k.ovf, res), hn::Xor(x, a));
}

// Rne of a vector of finite inputs: the bias trick of Vector step 3 in the normal range, MagicRne below it.
HWY_INLINE V FiniteRne(const LaneConsts& k, int dn, V x, V a) {
  const V lsb = hn::And(hn::ShiftRightSame(a, dn), U(1));
  const V out_n = hn::And(hn::Add(hn::Add(a, k.bias), lsb), k.keep);
  const V res = hn::IfThenElse(SLt(a, k.min_normal), MagicRne(a, k.magic), out_n);
  return OverflowAndSign(k, x, a, out_n, res);
}

// Exact-probability sr of a vector of finite inputs, every non-zero lane discarding d <= 31 bits. StochasticExact's
// d <= 32 rule, up iff w1 < low << (32 - d), holds iff the top d bits of w1 are below low, iff low plus the
// top d bits of ~w1 (= 2^d - 1 - those of w1) carries out of the d discarded bits: the rounding is one
// addition to the bit pattern (normal range, d = dn) or to the significand (below 2^emin, k quanta).
//   e5m2 (dn = 21), |x| = 1.875 = 0x3FF0_0000 (low = 0x10_0000, half): w1 = 0x7FFF_FFFF: ~w1 >> 11 = 0x10_0000,
//   0x4000_0000 -> 2.0 (up, as w1 < 0x8000_0000); w1 = 0x8000_0000: ~w1 >> 11 = 0xF_FFFF, 0x3FFF_FFFF ->
//   cleared 0x3FE0_0000 = 1.75 (down).
//   e4m3fn (emin_field 121, d = 20 + 121 - be), |x| = 1.5 * 2^-9 = 0x3B40_0000 (be 118, d = 23, sig = 0xC0_0000):
//   w1 = 0x7FFF_FFFF: ~w1 >> 9 = 0x40_0000, (0xC0_0000 + 0x40_0000) >> 23 = 2 quanta = 2^-8 (up).
// kSkip: a vector without lanes below 2^emin skips the subnormal range's dozen ops (e5m2 and binary16 on
// both benchmark distributions: nearly every vector); without it no branch depends on the data (e4m3fn, whose
// 2^-6 has lanes below it in most vectors). any_below tells the loop which variant pays.
template <bool kSkip>
HWY_INLINE V FiniteSr(const LaneConsts& k, int dn, V x, V a, V w1, bool& any_below) {
  const V one = U(1);
  const V r = hn::Not(w1);
  const V out_n = hn::And(hn::Add(a, hn::ShiftRightSame(r, 32 - dn)), k.keep);
  const M below = SLt(a, k.min_normal);
  any_below = !hn::AllFalse(D(), below);
  if (kSkip && !any_below) return OverflowAndSign(k, x, a, out_n, out_n);
  // Below 2^emin: be clamped to [1, emin_field] (as Vector step 2; lanes at or above 2^emin get d = dn and
  // a discarded result), sig with the hidden bit, d = dn + emin_field - be, capped at 31 for the shifts.
  const V bep = hn::Min(hn::Max(hn::ShiftRight<23>(a), one), k.emin_field);
  const V sig = hn::Sub(a, hn::ShiftLeft<23>(hn::Sub(bep, one)));
  const V dl = hn::Min(hn::Sub(k.dn_emin, bep), U(31));
  const V quanta = hn::Shr(hn::Add(sig, hn::Shr(r, hn::Sub(U(32), dl))), dl);
  const V sub = hn::BitCast(D(), hn::Mul(hn::ConvertTo(DF(), hn::BitCast(DI(), quanta)), k.sub_scale));
  const V res = hn::IfThenElse(below, sub, out_n);
  return OverflowAndSign(k, x, a, out_n, res);
}

template <bool kValues, bool kSR, bool kStats, class Out>
HWY_NOINLINE void Loop(const float* in, Out* out, std::size_t count, const KernelCall& c) {
  const D d;
  const std::size_t lanes = hn::Lanes(d);
  V amax = hn::Zero(d);
  Counts n;
  std::size_t i = 0;
  std::size_t rare = 0;  // vectors that needed the subnormal or special-result work (see Vector)
  QuantStats rest;
  QuantStats* rest_stats = kStats ? &rest : nullptr;
  if constexpr (kSR) {
    // Groups of 32 stream indices share the 16 Philox blocks 16g .. 16g+15 (RandomStream's layout):
    // a vector of blocks 16g + j*lanes + lane feeds elements 32g + j*lanes + lane (words 0-1) and
    // 32g + 16 + j*lanes + lane (words 2-3). Elements before the first whole group go to the reference.
    const std::size_t head = std::min<std::size_t>(count, (32 - c.first_index % 32) % 32);
    if (head) scalar_range(in, out, head, *c.target, c.stream, c.first_index, rest_stats);
    i = head;
    // Counter vectors are taken kInFlight at a time (16 lanes: four groups per step; 8 lanes: the
    // vectors of two groups; 1 lane: four of the group's 16 blocks): independent Philox chains keep
    // the multiplier busy while each round waits on the previous one.
    constexpr std::size_t kInFlight = 4;
    const std::size_t vectors_per_group = lanes <= 16 ? 16 / lanes : 1;
    const std::size_t groups_per_step = std::max<std::size_t>(1, kInFlight / vectors_per_group);
    const std::size_t step = 32 * groups_per_step;
    const RoundKeys round_keys(c.philox);
    [[maybe_unused]] const bool lane_select = c.plan->lane_select;
    // FiniteSr reads only the high random word w1 (odd Philox words); Vector's fallback recomputes the rest.
    const bool odd_words = kValues && !kStats && lane_select;
    [[maybe_unused]] const LaneConsts consts(*c.plan);
    [[maybe_unused]] const int dn = static_cast<int>(c.plan->d_normal);
    constexpr std::size_t kStretch = 64;
    [[maybe_unused]] bool skip_sub = true;
    [[maybe_unused]] std::size_t below_vectors = 0, stretch_vectors = 0;
    for (; lanes <= 16 && i + step <= count; i += step) {
      const uint64_t group0 = (c.first_index + i) >> 5;
      const std::size_t vectors = groups_per_step * vectors_per_group;
      for (std::size_t v = 0; v < vectors; v += kInFlight) {
        uint64_t first[kInFlight];
        std::size_t at[kInFlight];
        for (std::size_t k = 0; k < kInFlight; ++k) {
          const std::size_t g = (v + k) / vectors_per_group, j = (v + k) % vectors_per_group;
          first[k] = ((group0 + g) << 4) + j * lanes;
          at[k] = i + g * 32 + j * lanes;
        }
        V w[kInFlight][4];
        const uint32_t high = static_cast<uint32_t>(first[0] >> 32);
        if (high == static_cast<uint32_t>((first[kInFlight - 1] + lanes - 1) >> 32)) {
          V c0[kInFlight];
          for (std::size_t k = 0; k < kInFlight; ++k) c0[k] = hn::Add(hn::Iota(d, 0), U(static_cast<uint32_t>(first[k])));
          if (odd_words) PhiloxUniformHigh<kInFlight, true>(c0, high, c.philox, round_keys, w);
          else PhiloxUniformHigh<kInFlight>(c0, high, c.philox, round_keys, w);
        } else {  // the counter's high word changes inside the step (once per 2^32 blocks)
          for (std::size_t k = 0; k < kInFlight; ++k) {
            V c0, c1;
            Counters(first[k], c0, c1);
            Philox(c0, c1, c.philox, w[k]);
          }
        }
        // The step's vectors, with or without the subnormal-range skip (a straight-line body for each).
        const auto round_step = [&](auto skip) {
          constexpr bool kSkip = decltype(skip)::value;
          for (std::size_t k = 0; k < kInFlight; ++k)
            for (std::size_t h = 0; h < 2; ++h) {
              const std::size_t e = at[k] + h * 16;
              if constexpr (kValues && !kStats) {
                if (lane_select) {
                  const V x = hn::BitCast(d, hn::LoadU(DF(), in + e));
                  const V a = hn::And(x, U(0x7FFFFFFFu));
                  // Finite, and no lane discarding more than 31 bits.
                  if (hn::AllFalse(d, hn::Or(SLt(U(0x7F7FFFFFu), a), TooTiny(consts, a)))) {
                    bool any_below = false;
                    Store(FiniteSr<kSkip>(consts, dn, x, a, w[k][2 * h + 1], any_below), out + e, c.stream_out);
                    below_vectors += any_below ? 1 : 0;
                    continue;
                  }
                }
              }
              const V* words = w[k];
              V all_words[4];
              if (odd_words) {  // words 0 and 2 were skipped: the vector's whole Philox block again
                V c0v, c1v;
                Counters(first[k], c0v, c1v);
                Philox(c0v, c1v, c.philox, all_words);
                words = all_words;
              }
              if (!Vector<kValues, kSR, kStats, false>(c, in + e, out + e, words[2 * h], words[2 * h + 1], amax, n,
                                                       rare))
                scalar_range(in + e, out + e, lanes, *c.target, c.stream, c.first_index + e, rest_stats);
            }
        };
        if (skip_sub) round_step(std::true_type{});
        else round_step(std::false_type{});
        // Every kStretch vectors: skip the subnormal work while at most one vector in eight needs it.
        stretch_vectors += 2 * kInFlight;
        if (stretch_vectors >= kStretch) {
          skip_sub = below_vectors * 8 <= stretch_vectors;
          below_vectors = stretch_vectors = 0;
        }
      }
    }
  } else if (kValues && !kStats && c.plan->integer_rne) {
    // Round the bit pattern: add half an output ulp less one plus the kept bit's parity, clear the discarded bits.
    // bfloat16 (d = 16): 1.00390625 = 0x3F808000, a tie with the kept bit 0: + 0x7FFF + 0 = 0x3F80FFFF ->
    // 0x3F800000 = 1 (even); 1.01171875 = 0x3F818000: + 0x7FFF + 1 = 0x3F820000 = 1.015625 (away, to even). A carry
    // out of the mantissa raises the exponent: 0x7F7FFFFF + 0x7FFF + 1 -> 0x7F800000 = inf, rne's overflow; a
    // binary32 subnormal rounds to the format's subnormal quantum the same way. Vectors holding a NaN take the
    // general path (their payload and quieting are the plan's).
    const uint32_t d_bits = c.plan->d_normal;
    const V half_less_one = U((1u << (d_bits - 1)) - 1), keep = U(~((1u << d_bits) - 1)), one = U(1);
    for (; i + lanes <= count; i += lanes) {
      const V x = hn::LoadU(d, reinterpret_cast<const uint32_t*>(in + i));
      if (!hn::AllFalse(d, SLt(U(0x7F800000u), hn::And(x, U(0x7FFFFFFFu))))) {
        if (!Vector<kValues, kSR, kStats, false>(c, in + i, out + i, hn::Zero(d), hn::Zero(d), amax, n, rare))
          scalar_range(in + i, out + i, lanes, *c.target, c.stream, c.first_index + i, rest_stats);
        continue;
      }
      const V parity = hn::And(hn::ShiftRightSame(x, static_cast<int>(d_bits)), one);
      Store(hn::And(hn::Add(hn::Add(x, half_less_one), parity), keep), out + i, c.stream_out);
    }
  } else if (kValues && !kStats && c.plan->lane_select) {
    const LaneConsts consts(*c.plan);
    const int dn = static_cast<int>(c.plan->d_normal);
    for (; i + lanes <= count; i += lanes) {
      const V x = hn::BitCast(d, hn::LoadU(DF(), in + i));
      const V a = hn::And(x, U(0x7FFFFFFFu));
      if (!hn::AllFalse(d, SLt(U(0x7F7FFFFFu), a))) {  // ±inf or NaN: the plan's special results
        if (!Vector<kValues, kSR, kStats, true>(c, in + i, out + i, hn::Zero(d), hn::Zero(d), amax, n, rare))
          scalar_range(in + i, out + i, lanes, *c.target, c.stream, c.first_index + i, rest_stats);
        continue;
      }
      Store(FiniteRne(consts, dn, x, a), out + i, c.stream_out);
    }
  } else {
    // Stretches of kStretch vectors; a stretch where more than one vector in eight needed the rare work
    // makes the next one run the branch-free variant (and one where few did, the branchy one again).
    constexpr std::size_t kStretch = 64;
    bool blend = false;
    while (i + lanes <= count) {
      const std::size_t end = std::min(count - (count - i) % lanes, i + kStretch * lanes);
      rare = 0;
      for (; i < end; i += lanes) {
        const bool ok = blend ? Vector<kValues, kSR, kStats, true>(c, in + i, out + i, hn::Zero(d), hn::Zero(d),
                                                                   amax, n, rare)
                              : Vector<kValues, kSR, kStats, false>(c, in + i, out + i, hn::Zero(d), hn::Zero(d),
                                                                    amax, n, rare);
        if (!ok) scalar_range(in + i, out + i, lanes, *c.target, c.stream, c.first_index + i, rest_stats);
      }
      blend = rare * 8 > kStretch;
    }
  }
  if (i < count) scalar_range(in + i, out + i, count - i, *c.target, c.stream, c.first_index + i, rest_stats);
  if (c.stream_out) hwy::FlushStream();  // order this thread's streaming stores before anything after the call
  if constexpr (kStats) {
    QuantStats s;
    s.count = count - rest.count;
    s.nonzero = n.nonzero;
    s.underflow = n.underflow;
    s.subnormal = n.subnormal;
    s.saturated = n.saturated;
    s.overflow = n.overflow;
    s.nan = n.nan;
    s.amax = static_cast<double>(std::bit_cast<float>(hn::GetLane(hn::MaxOfLanes(d, amax))));
    s.merge(rest);
    c.stats->merge(s);
  }
}

template <bool kValues, class Out>
void Dispatch(const float* in, Out* out, std::size_t count, const KernelCall& c) {
  const bool sr = c.plan->mode == Rounding::Stochastic;
  if (sr) {
    if (c.stats) Loop<kValues, true, true>(in, out, count, c);
    else Loop<kValues, true, false>(in, out, count, c);
  } else {
    if (c.stats) Loop<kValues, false, true>(in, out, count, c);
    else Loop<kValues, false, false>(in, out, count, c);
  }
}

void QuantizeValues(const float* in, float* out, std::size_t count, const KernelCall& c) {
  Dispatch<true>(in, out, count, c);
}
void QuantizeCodes8(const float* in, uint8_t* out, std::size_t count, const KernelCall& c) {
  Dispatch<false>(in, out, count, c);
}
void QuantizeCodes16(const float* in, uint16_t* out, std::size_t count, const KernelCall& c) {
  Dispatch<false>(in, out, count, c);
}

// Element words of whole groups (RandomStream's layout): out[32g + r] = bits(32·(first_group + g) + r),
// i.e. words 0-1 (r < 16) or 2-3 (r >= 16) of block 16·(first_group + g) + (r mod 16), low word first.
// The groups' counters are consecutive, so vectors of them run two at a time as in Loop.
void PhiloxGroupWords(const PhiloxKey& key, uint64_t first_group, std::size_t groups, uint64_t* out) {
  const D d;
  const std::size_t lanes = hn::Lanes(d);
  const uint64_t first = first_group << 4;
  const std::size_t total = 16 * groups;
  const RoundKeys round_keys(key);
  HWY_ALIGN uint32_t b[4][hn::MaxLanes(d)];
  // Words of the vector of counters first + at, first + at + 1, ... into their elements. A vector
  // never straddles groups (lanes divides 16), so its elements are two runs of `lanes`: word pairs
  // widened in lane order, low word first (lane l: w0[l] | w1[l] << 32).
  auto scatter = [&](const V (&w)[4], std::size_t at) {
#if HWY_TARGET != HWY_SCALAR
    if (lanes <= 16 && at + lanes <= total) {
      const hn::Half<D> dh;
      const hn::Repartition<uint64_t, D> d64;
      uint64_t* e = out + 32 * (at >> 4) + (at & 15);
      for (int h = 0; h < 2; ++h) {  // words 0-1 -> e[0..], words 2-3 -> e[16..]
        const V lo = w[2 * h], hi = w[2 * h + 1];
        const auto first_half = hn::Or(hn::PromoteTo(d64, hn::LowerHalf(dh, lo)),
                                       hn::ShiftLeft<32>(hn::PromoteTo(d64, hn::LowerHalf(dh, hi))));
        const auto second_half = hn::Or(hn::PromoteTo(d64, hn::UpperHalf(dh, lo)),
                                        hn::ShiftLeft<32>(hn::PromoteTo(d64, hn::UpperHalf(dh, hi))));
        hn::StoreU(first_half, d64, e + 16 * h);
        hn::StoreU(second_half, d64, e + 16 * h + lanes / 2);
      }
      return;
    }
#endif
    for (int k = 0; k < 4; ++k) hn::Store(w[k], d, b[k]);
    for (std::size_t l = 0; l < lanes && at + l < total; ++l) {
      uint64_t* e = out + 32 * ((at + l) >> 4) + ((at + l) & 15);
      e[0] = uint64_t{b[0][l]} | (uint64_t{b[1][l]} << 32);
      e[16] = uint64_t{b[2][l]} | (uint64_t{b[3][l]} << 32);
    }
  };
  // kVectors consecutive counter vectors in lockstep when they share the counter's high word.
  auto run = [&]<int kVectors>(std::size_t at) {
    const uint64_t c = first + at;
    if (at + kVectors * lanes > total || (c >> 32) != ((c + kVectors * lanes - 1) >> 32)) return false;
    V c0[kVectors], w[kVectors][4];
    for (int v = 0; v < kVectors; ++v) c0[v] = hn::Add(hn::Iota(d, 0), U(static_cast<uint32_t>(c + v * lanes)));
    PhiloxUniformHigh<kVectors>(c0, static_cast<uint32_t>(c >> 32), key, round_keys, w);
    for (int v = 0; v < kVectors; ++v) scatter(w[v], at + v * lanes);
    return true;
  };
  std::size_t at = 0;
  while (at < total) {
    const uint64_t c = first + at;
    // four chains hide a round's latency (multiply, shuffle, xor) where two leave the multiplier idle
    if (run.template operator()<4>(at)) {
      at += 4 * lanes;
    } else if (run.template operator()<2>(at)) {
      at += 2 * lanes;
    } else {
      V c0, c1, w[4];
      Counters(c, c0, c1);
      Philox(c0, c1, key, w);
      scatter(w, at);
      at += lanes;
    }
  }
}

// Interleaved runs (RandomStream::fill_interleaved): out[kk·ld + j] = bits(firsts[j] + kk). Four runs at a
// time: each run's whole groups into its own buffer by PhiloxGroupWords (up to kBatch words of it at a time), then
// the four buffers, each from its run's offset in its first group, transposed into `out` by 4 × 4 blocks of
// 64-bit words on AVX2 and AVX-512 (word kk of runs j .. j+3 is one row of out):
//   rows r_j = (j0 j1 j2 j3):  lower(r0, r1) = (00 10 02 12), upper(r0, r1) = (01 11 03 13), likewise r2, r3;
//   out row 0 = the lower halves (00 10 | 20 30), row 2 the upper halves (02 12 | 22 32); rows 1 and 3 alike.
void PhiloxInterleavedWords(const PhiloxKey& key, const uint64_t* firsts, std::size_t runs, std::size_t count,
                            std::size_t ld, uint64_t* out) {
  constexpr std::size_t kRuns = 4, kBatch = 512;
  HWY_ALIGN uint64_t buffer[kRuns][kBatch + 64];
  for (std::size_t j0 = 0; j0 < runs; j0 += kRuns) {
    const std::size_t n_runs = std::min(kRuns, runs - j0);
    for (std::size_t k0 = 0; k0 < count; k0 += kBatch) {
      const std::size_t n = std::min(kBatch, count - k0);
      const uint64_t* from[kRuns];
      for (std::size_t j = 0; j < n_runs; ++j) {
        const uint64_t first = firsts[j0 + j] + k0, group = first >> 5;
        PhiloxGroupWords(key, group, ((first + n - 1) >> 5) + 1 - group, buffer[j]);
        from[j] = buffer[j] + (first & 31);
      }
      uint64_t* dst = out + k0 * ld + j0;
      std::size_t kk = 0;
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3  // AVX-512 runs the same 256-bit transposes
      if (n_runs == kRuns) {
        const hn::Full256<uint64_t> d64;
        for (; kk + 4 <= n; kk += 4) {
          const auto r0 = hn::LoadU(d64, from[0] + kk), r1 = hn::LoadU(d64, from[1] + kk);
          const auto r2 = hn::LoadU(d64, from[2] + kk), r3 = hn::LoadU(d64, from[3] + kk);
          const auto a = hn::InterleaveLower(d64, r0, r1), b = hn::InterleaveUpper(d64, r0, r1);
          const auto c = hn::InterleaveLower(d64, r2, r3), e = hn::InterleaveUpper(d64, r2, r3);
          hn::StoreU(hn::ConcatLowerLower(d64, c, a), d64, dst + kk * ld);
          hn::StoreU(hn::ConcatLowerLower(d64, e, b), d64, dst + (kk + 1) * ld);
          hn::StoreU(hn::ConcatUpperUpper(d64, c, a), d64, dst + (kk + 2) * ld);
          hn::StoreU(hn::ConcatUpperUpper(d64, e, b), d64, dst + (kk + 3) * ld);
        }
      }
#endif
      for (; kk < n; ++kk)
        for (std::size_t j = 0; j < n_runs; ++j) dst[kk * ld + j] = from[j][kk];
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace fpsim::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "numerics/simd/internal/simd_pick.h"

namespace fpsim::detail {

bool simd_kernel_available(simd::Isa isa) {
  decltype(&HWY_STATIC_DISPATCH(QuantizeValues)) f = nullptr;
  return FPSIM_PICK(isa, QuantizeValues, f) && f != nullptr;
}

void run_kernel(simd::Isa isa, const float* in, float* out, std::size_t n, const KernelCall& call) {
  decltype(&HWY_STATIC_DISPATCH(QuantizeValues)) f = nullptr;
  if (FPSIM_PICK(isa, QuantizeValues, f)) f(in, out, n, call);
}
void run_kernel(simd::Isa isa, const float* in, uint8_t* out, std::size_t n, const KernelCall& call) {
  decltype(&HWY_STATIC_DISPATCH(QuantizeCodes8)) f = nullptr;
  if (FPSIM_PICK(isa, QuantizeCodes8, f)) f(in, out, n, call);
}
void run_kernel(simd::Isa isa, const float* in, uint16_t* out, std::size_t n, const KernelCall& call) {
  decltype(&HWY_STATIC_DISPATCH(QuantizeCodes16)) f = nullptr;
  if (FPSIM_PICK(isa, QuantizeCodes16, f)) f(in, out, n, call);
}

void philox_group_words(simd::Isa isa, const PhiloxKey& key, uint64_t first_group, std::size_t groups,
                        uint64_t* out) {
  decltype(&HWY_STATIC_DISPATCH(PhiloxGroupWords)) f = nullptr;
  if (FPSIM_PICK(isa, PhiloxGroupWords, f)) f(key, first_group, groups, out);
}

void philox_interleaved_words(simd::Isa isa, const PhiloxKey& key, const uint64_t* firsts, std::size_t runs,
                              std::size_t count, std::size_t ld, uint64_t* out) {
  decltype(&HWY_STATIC_DISPATCH(PhiloxInterleavedWords)) f = nullptr;
  if (FPSIM_PICK(isa, PhiloxInterleavedWords, f)) f(key, firsts, runs, count, ld, out);
}

}  // namespace fpsim::detail
#endif  // HWY_ONCE
