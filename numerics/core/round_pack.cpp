// round_pack: the function that owns the rounding rule — rounding, overflow, underflow and flags.
//
// ROUNDING SITES. round_pack (below, with the per-mode rule detail::round_up of
// numerics/core/internal/round_decision.h) is the rule. A fast path may re-derive a step of it for
// speed; every such place is listed here with the test that checks it bit for bit against round_pack
// (or the exact path built on it), so a reader finds every place a rounding bit is decided in one hop.
// tests/purity/rounding_sites_test.cpp greps numerics/, sim/ and tools/ for the rounding idioms
// (sticky bits, round_up(), round to odd, rounding tables) and fails on a file not listed here, or on
// a listed function or test that does not exist. Adding a site = adding an entry: a line
// "[kind] path", then "fn:" (names that occur in the file) and "test:" (paths, or "none" for kinds
// that decide nothing). Kinds:
//   decides  re-derives the round-up decision itself (SIMD lanes, table lookups, GEMM row steps)
//   table    precomputed results, every entry produced by round_pack or the exact path
//   exact    builds the exact value + sticky bit that round_pack then rounds (a wrong sticky bit
//            would change a rounding, so these are listed too)
//   oracle   the independent MPFR reference the tests compare against (shares no code with this file)
//   names    only names the modes or carries the Exact type; decides nothing
//
//   [decides] numerics/core/round_pack.cpp
//       fn: round_pack, overflow_result
//       test: tests/numerics_core/oracle_vectors_test.cpp, tests/numerics_core/reference_tables_test.cpp
//   [decides] numerics/core/internal/round_decision.h
//       fn: split, round_up
//       test: tests/numerics_core/oracle_vectors_test.cpp, tests/numerics_core/stochastic_test.cpp
//   [decides] numerics/core/integer.cpp
//       fn: to_integer
//       why: rounds to an integer with split/round_up (+ rodd's |1) at the binary point, not via round_pack
//       test: tests/numerics_arith/integer_test.cpp, tests/numerics_arith/integer_oracle_test.cpp
//   [decides] numerics/quantize/quantize_simd.cpp
//       fn: Deterministic, StochasticExact, StochasticK, Vector, Loop, MagicRne, FiniteRne, FiniteSr
//       why: rounds binary32 bit patterns in lanes: its own RNE bias trick (2^(d-1) - 1 + lsb), sr and
//            sr:K from Philox words, tininess of binary32 subnormals, flush-to-zero without subnormals;
//            Loop applies the bias trick alone to formats with binary32's exponent range (integer_rne);
//            FiniteRne / FiniteSr pick per lane between the bit-pattern rounding, the subnormal-range
//            rounding (MagicRne: the FPU's rne of |x| + 2^(emin-m+23); sr: ~w1's top bits added) and overflow
//       test: tests/numerics_quantize/bit_identical_test.cpp, tests/numerics_quantize/exhaustive_test.cpp
//   [decides] numerics/fast/arith_simd.cpp
//       fn: RoundOddMagnitude, DeterministicIncrement, StochasticIncrement, PackCode
//       why: array arithmetic lanes: round to odd at 53 (or 24) bits, then each mode's increment on the
//            binary64 (binary32) bits; sr from the exact 64-bit fraction
//       test: tests/numerics_arith/lane_kernel_test.cpp, tests/numerics_arith/fast_paths_test.cpp
//   [decides] numerics/fast/internal/arith_kernel.h
//       fn: LanePlan, odd
//       why: the lane plan's mode words (nearest_even, nearest_away, up, down, odd) for arith_simd.cpp
//       test: tests/numerics_arith/lane_kernel_test.cpp
//   [decides] numerics/fast/internal/fast_rounding_table.h
//       fn: RoundingTable, round_double, round_exact_double, round_exact_in_rows
//       why: folds a TwoSum error term into (top p+1 bits, sticky) and looks the result up; for an exact
//            binary64 sum, the index straight from its pattern (exponent field and top p fraction bits, clamped;
//            round_exact_in_rows: unclamped, for a table whose rows cover every sum, as the 8-bit fma's)
//       test: tests/numerics_arith/fast_paths_test.cpp, tests/numerics_arith/arith_plan_test.cpp
//   [decides] numerics/core/encode_plan.h
//       fn: tabled, general, fixed, round_shift
//       why: EncodePlan's inline steps (encode_plan.cpp's entry below): the table index from a binary32 pattern
//            (exponent field and top m + 1 fraction bits, clamped to the rows, sticky), the bias trick
//       test: tests/numerics_core/encode_plan_test.cpp
//   [decides] numerics/fast/fast_double.cpp
//       fn: round_sum, fast_double_mul
//       why: native-double sums and products with an exact error term; rounded by a RoundingTable or
//            handed to round_pack
//       test: tests/numerics_arith/fast_paths_test.cpp
//   [decides] numerics/fast/internal/lane_rounding-inl.h
//       fn: RoundOddMagnitude, DeterministicIncrement, StochasticIncrement
//       why: the lane rounding steps shared by the arith lane kernel and the GEMM's vector accumulator
//       test: tests/numerics_arith/lane_kernel_test.cpp, tests/sim_gemm/gemm_accumulation_test.cpp
//   [decides] numerics/fast/accumulate_simd.cpp
//       fn: Rounded, Tiny, RoundBfloat16, RoundBinary16, NarrowGroup, StepStochastic, FmaGroup, RoundDirected
//       why: the GEMM accumulator's in-register steps (sums of 8/16 outputs advance through k together);
//            rne into binary16/bfloat16 of narrow (FP8) products: an fma's binary32 result rounded once
//            more by F16C or the bfloat16 bias trick (2^15 - 1 + lsb), single rounding by the gate's bound;
//            AVX-512, binary16/bfloat16 from any finite products: directed modes by an fma with embedded
//            rounding then vcvtps2ph or bits in the same direction, rne by round to odd at 24 bits from the
//            round-down and round-up fmas (or one rne fma when its result is no Target midpoint);
//            sr and sr:K from the random word's top bits against the sum's discarded bits (ties to add_rounded)
//       test: tests/sim_gemm/gemm_accumulation_test.cpp
//   [exact] numerics/fast/accumulate.cpp
//       fn: add_rounded
//       why: one accumulator addition: TwoSum and the error folded into an Exact, rounded by round_sum
//       test: tests/sim_gemm/gemm_accumulation_test.cpp
//   [decides] numerics/core/encode_plan.cpp
//       fn: EncodePlan, subnormal, build_table
//       why: EncodePlan (binary32 -> narrower formats in rne; encode(float) runs it): the bias trick for normal
//            results (fixed: its constants folded for binary16, in encode_plan.h), a rounded integer shift for
//            subnormal ones, precomputed overflow results; for formats of <= 5 fraction bits a table of
//            convert()'s results by (sign, exponent, top m + 1 fraction bits, sticky) instead (read by tabled(),
//            in encode_plan.h)
//       test: tests/numerics_core/encode_plan_test.cpp, tests/numerics_core/encode_fast_test.cpp,
//             tests/numerics_arith/testfloat_ops_test.cpp
//   [decides] numerics/arith/arith_plan.cpp
//       fn: round_exact, ieee_kernel, round_stochastic
//       why: ArithPlan's rne rounding of an exact binary64 s + err by integer steps (normal results, off the
//            rounding boundaries); sr and sr:K of an exact s (err = 0) from its pattern's dropped bits (split and
//            round_up written out, normal and subnormal results); everything else goes to a RoundingTable or
//            round_pack
//       test: tests/numerics_arith/arith_plan_test.cpp, tests/numerics_arith/testfloat_ops_test.cpp
//   [decides] numerics/arith/arith_plan_binary32.cpp
//       fn: binary32_kernel
//       why: ArithPlan's binary32 add/sub/mul: the native binary32 result, proved IEEE's (rne probe, normal
//            operands, results above 2^-126), flags from the exact binary64 product or the TwoSum error
//       test: tests/numerics_arith/arith_plan_test.cpp, tests/numerics_arith/fp_environment_test.cpp
//   [decides] numerics/arith/arith_plan_f16c.cpp
//       fn: f16c_mul_kernel, round16
//       why: ArithPlan's binary16 multiply: the exact binary32 product rounded by vcvtps2ph (rne by its
//            immediate), flags from the conversion back and the tininess threshold
//       test: tests/numerics_arith/arith_plan_test.cpp, tests/numerics_arith/fp_environment_test.cpp
//   [table] numerics/fast/fast_rounding_table.cpp
//       fn: RoundingTable, rounding_table
//       test: tests/numerics_arith/fast_paths_test.cpp
//   [table] numerics/fast/op_tables.cpp
//       fn: OpTable, op_table
//       why: 256x256 result tables, every entry from exact::apply (no idiom to grep: listed by hand)
//       test: tests/numerics_arith/fast_paths_test.cpp
//   [exact] numerics/arith/internal/arith_wide.h
//       fn: to_exact, shift_right_jam128, sum_terms
//       test: tests/numerics_arith/oracle_test.cpp, tests/numerics_arith/testfloat_ops_test.cpp
//   [exact] numerics/core/decimal.cpp
//       fn: top_bits, encode_decimal
//       test: tests/numerics_core/decimal_test.cpp
//   [oracle] numerics/reference/oracle_round.cpp
//       fn: round_to_quantum
//       test: tests/numerics_core/oracle_vectors_test.cpp
//   [names] numerics/arith/arith_plan.h
//       fn: RoundingTable, Rounder
//       why: the plan holds the RoundingTable it chose; decides nothing
//       test: none
//   [names] numerics/fast/internal/fast_double.h
//       fn: RoundingTable, round_sum_with
//       why: declares round_sum_with, which takes a RoundingTable; decides nothing
//       test: none
//   [names] numerics/core/rounding.h
//       fn: Exact, Rounding
//       test: none
//
// The rule, step by step (round_pack):
// Input: an exact finite value (-1)^s * sig * 2^exp (+ sticky). Steps:
//   1. normalise sig so its top bit is bit 63; E = floor(log2 |x|);
//   2. choose how many significand bits survive: precision p for E >= emin, fewer in the
//      subnormal range (the last kept place is then 2^(emin - man_bits));
//   3. split into the kept integer and the discarded fraction, as 64-bit fixed point + sticky:
//          sig = KKKK…K RFFF…F   (K kept, R the round bit = top of the fraction, F the rest)
//      and decide the increment for the rounding mode;
//   4. re-normalise (a carry can move to the next binade, or from subnormal to min normal),
//      then handle overflow, tininess/underflow, flush-to-zero and the flags.
//
#include <bit>

#include "numerics/core/internal/round_decision.h"
#include "numerics/core/rounding.h"

namespace fpsim {
namespace {

using detail::Split;
using detail::round_up;
using detail::split;

uint64_t sign_bit(const Format& f, bool negative) { return negative ? f.sign_mask() : 0; }

// ±"infinity" of a format: inf, else its NaN (fn/fnuz), else max (finite formats).
Bits infinity_like(const Format& f, bool negative) {
  if (f.has_inf()) return f.inf_code(negative);
  if (f.has_nan()) return f.default_nan(negative);
  return Bits{sign_bit(f, negative) | f.max_code().v};
}

Rounded overflow_result(bool negative, const Target& t) {
  const Format& f = t.format;
  const uint8_t flags = flag::overflow | flag::inexact;
  const Bits max{sign_bit(f, negative) | f.max_code().v};
  switch (t.overflow) {
    case Overflow::Saturate: return {max, flags};
    case Overflow::NonSaturating: return {infinity_like(f, negative), flags};
    case Overflow::Ieee: break;
  }
  bool to_inf = true;  // rne, rna, sr, trunc
  switch (t.rounding) {
    case Rounding::TowardZero:
    case Rounding::Odd: to_inf = false; break;
    case Rounding::Up: to_inf = !negative; break;
    case Rounding::Down: to_inf = negative; break;
    default: break;
  }
  return {to_inf ? infinity_like(f, negative) : max, flags};
}

// Exact zero, or a flushed / underflowed zero.
Bits zero_code(const Format& f, bool negative) {
  if (!f.has_zero()) return f.min_positive_code();
  return Bits{f.has_negative_zero() ? sign_bit(f, negative) : 0};
}

// A normalised result kept * 2^q (kept != 0) packed into a code; nullopt-like flag on overflow.
struct Packed {
  Bits bits;
  bool overflow = false;
  bool below_normal = false;  // magnitude < 2^emin
};

Packed pack(uint64_t kept, int q, bool negative, const Format& f) {
  const int m = f.man_bits();
  const int width = 64 - std::countl_zero(kept);
  const int e = q + width - 1;  // exponent of the result's leading bit
  Packed out;
  if (e < f.emin()) {
    // Subnormal: the last kept place is 2^(emin - m), so kept is the mantissa field itself.
    out.below_normal = true;
    out.bits = Bits{sign_bit(f, negative) | (kept << (q - (f.emin() - m)))};
    return out;
  }
  // Normal: align kept to m + 1 bits (dropped bits are zero: a carry only appends a zero).
  const int shift = q - (e - m);
  const uint64_t sig = shift >= 0 ? kept << shift : kept >> -shift;
  if (e > f.emax() || (e == f.emax() && sig > f.max_significand())) {
    out.overflow = true;
    // Truncation can land on the fn NaN code (e4m3fn: 480 -> 0x7f); report the code for trunc.
    if (e == f.emax()) out.bits = Bits{sign_bit(f, negative) | ((uint64_t(e + f.bias())) << m) | (sig & f.man_mask())};
    return out;
  }
  out.bits = Bits{sign_bit(f, negative) | (uint64_t(e + f.bias()) << m) | (sig & f.man_mask())};
  return out;
}

}  // namespace

Rounded round_pack(const Exact& x, const Target& t, uint64_t random_bits) {
  const Format& f = t.format;
  const bool negative = x.sign;
  if (x.sig == 0 && !x.sticky) {
    if (!f.has_zero()) {  // e8m0 has no zero: out of range
      if (t.overflow == Overflow::Saturate || !f.has_nan()) return {f.min_positive_code(), flag::inexact};
      return {f.default_nan(false), flag::invalid};
    }
    return {zero_code(f, negative), 0};
  }
  if (negative && !f.is_signed()) {  // negative values are outside an unsigned format
    if (t.overflow == Overflow::Saturate || !f.has_nan()) return {zero_code(f, false), flag::invalid};
    return {f.default_nan(false), flag::invalid};
  }

  // 1. Normalise (a lone sticky bit stands for a value just above 0 * 2^exp: treat it as 2^(exp-1)+).
  uint64_t sig = x.sig;
  int32_t exp = x.exp;
  bool sticky = x.sticky;
  if (sig == 0) { sig = 1; exp -= 1; }
  const int lz = std::countl_zero(sig);
  sig <<= lz;
  const int E = exp + 63 - lz;  // |x| in [2^E, 2^(E+1))
  const int p = f.precision();
  const int emin = f.emin();

  Rounding mode = t.rounding;
  if (mode == Rounding::Stochastic && t.sr_subnormal_nearest && E < emin) mode = Rounding::NearestEven;

  // Truncation (ml_dtypes kTruncate): |x| >= 2^(emax+1) overflows; below, the significand is cut.
  if (mode == Rounding::Truncate && E > f.emax()) {
    Target nonsat = t;
    if (nonsat.overflow == Overflow::Ieee) nonsat.overflow = Overflow::NonSaturating;
    return overflow_result(negative, nonsat);
  }

  // Tininess before rounding / with unbounded exponent (after rounding).
  bool tiny = E < emin;
  if (tiny && t.tininess == Tininess::AfterRounding && E == emin - 1) {
    Split unbounded = split(sig, sticky, p);
    if (round_up(unbounded, negative, mode, t.sr_bits, random_bits) &&
        unbounded.kept + 1 == (uint64_t{1} << p))
      tiny = false;  // rounds up to 2^emin with an unbounded exponent
  }

  // 2-3. Kept precision, split and round.
  int keep = p;
  if (E < emin && f.subnormals()) keep = p - (emin - E);
  Split s = split(sig, sticky, keep);
  const bool inexact = s.frac != 0 || s.sticky;
  uint8_t flags = inexact ? flag::inexact : 0;
  uint64_t kept = s.kept;
  // P3109 with P = 1 (no fraction bits, kept = the hidden 1): even and odd are the code's last bit, the
  // exponent field's lowest bit, as gfloat decides them. p3109_k8p1se, 1.5·2^60 = 0x43B8000000000000 is a
  // tie between 2^60 (field 124 = 0b1111100, even: code 0x7C) and 2^61 (0x7D): rne gives 0x7C; rodd 0x7D.
  Split decide = s;
  const bool field_parity = is_p3109(f.specials()) && f.man_bits() == 0 && keep == 1 && E >= emin;
  if (field_parity) decide.kept = static_cast<uint64_t>(E + f.bias()) & 1;
  if (round_up(decide, negative, mode, t.sr_bits, random_bits)) kept += 1;
  if (mode == Rounding::Odd && inexact) kept = field_parity ? kept + (~decide.kept & 1) : kept | 1;
  int q = E - keep + 1;  // weight of the last kept place

  if (!f.subnormals() && tiny) {
    // Flush to zero (x86 FTZ): a tiny result becomes ±0 (the smallest value if there is no zero).
    return {zero_code(f, negative), static_cast<uint8_t>(flag::underflow | flag::inexact)};
  }
  if (tiny && inexact) flags |= flag::underflow;
  if (kept == 0) return {zero_code(f, negative), flags};

  // 4. Pack; overflow per policy.
  Packed out = pack(kept, q, negative, f);
  if (out.overflow) {
    if (mode == Rounding::Truncate) {
      // In the top binade truncation can only exceed max by landing on the fn NaN code. As with every
      // overflow, inexact accompanies it (the NaN or max is not the value), even when the cut was exact.
      const uint8_t of = flag::overflow | flag::inexact;
      if (t.overflow == Overflow::Saturate) return {Bits{sign_bit(f, negative) | f.max_code().v}, of};
      return {out.bits, of};
    }
    return overflow_result(negative, t);
  }
  return {out.bits, flags};
}

}  // namespace fpsim
