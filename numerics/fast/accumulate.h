#pragma once
// Rounded accumulation: running sums that are rounded into a Target after every addition, the
// emulated accumulator of a GEMM (sim/gemm/gemm.h's model) or of any dot product.
//
//   add_rounded          one addition, s + x rounded once (the scalar reference; any Target)
//   RoundedAccumulator   a group of sums (up to 8 rows × width() columns) advanced together through k in
//                        vector registers, each addition rounded in-register by integer operations on the
//                        binary64 bits (accumulate_simd.cpp), bit-identical to add_rounded for every mode,
//                        stochastic rounding included; run_matrix_unit: the matrix-unit model (MatrixUnitCut)
//                        for such a group through all of k, bit-identical to sim/gemm's scalar model.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "numerics/core/rounding.h"
#include "numerics/quantize/quantize.h"
#include "numerics/simd/isa.h"

namespace fpsim {

/// One addition of a rounded accumulator: the exact value s + x rounded once into `t` (s and x
/// finite or not binary64, e.g. s a Target value and x an exact product of two floats).
/// Example: add_rounded(2048.0, 1.0, Target{parse_format("binary16")}, 0) == 2048.0 (tie to even).
double add_rounded(double s, double x, const Target& t, uint64_t random_bits);

/// One call of RoundedAccumulator::run: rows × width sums, each advanced through k_count terms.
/// Term k of sum (r, j) is a_rows[r][k·a_step] · b[k·width + j] (rows share the panel b), or, when
/// `rows_b` is set, rows_b[r][j] for a single step (k_count = 1: folding partial sums).
/// Stochastic rounding: the word of sum (r, j)'s term k is random[(r·k_count + k)·width + j].
struct AccumulateGroup {
  int rows = 0;                     ///< 1..8
  int k_count = 0;
  const float* a_rows[8] = {};
  std::size_t a_step = 1;
  const float* b = nullptr;         ///< k_count × width floats
  const float* rows_b[8] = {};      ///< alternative terms: one row of width floats per sum row
  /// run_matrix_unit only, optional: |a| at a_rows' positions, a_magnitude_rows[r][i] = |a_rows[r][i]|
  const float* a_magnitude_rows[8] = {};
  float* sums = nullptr;            ///< rows × width, row stride width: Target values in and out
  const uint64_t* random = nullptr; ///< stochastic Targets only: rows × k_count × width words
  /// Every product a·b is exact in binary32 and below 2^127 in magnitude (e.g. FP8 operands, checked by
  /// the caller): deterministic modes may then run in binary32 lanes, twice as many per vector.
  bool binary32_products = false;
  /// With binary32_products: no product has more significant bits than this (e.g. 4 + 3 = 7 for e4m3 × e5m2
  /// operands); 0 when unknown. Lets rne into binary16 or bfloat16 round each step once from an fma.
  int product_bits = 0;
  /// Every a and b value is finite (checked by the caller): the fma steps of binary16 and bfloat16 (AVX-512)
  /// then never meet a NaN, whose bits they would not round as add_rounded does.
  bool finite_operands = false;
};

/// A matrix unit's accumulation (sim/gemm/gemm.h's model, for RoundedAccumulator::run_matrix_unit): per
/// group of `group` products, the terms (the running sum s and the products) are cut to multiples of
/// 2^(E − frac_bits), E = floor(log2 max |term|), toward zero (truncate) or to nearest-even, summed exactly
/// (T) and s = round(+0 + T) into the Target; every `promote_every` K-elements (and at K's end) f = fp32(f + s)
/// and s = 0. Example: MatrixUnitCut{32, 13, true, 128} (H100-like, promoted every 128).
struct MatrixUnitCut {
  int group = 32;         ///< products per group, 1..1024
  int frac_bits = 13;     ///< bits kept below the group's largest exponent, 1..40
  bool truncate = true;   ///< cut toward zero, or to nearest-even
  int promote_every = 0;  ///< a multiple of group; 0: never
};

/// The vector accumulator for one Target and instruction set, built once per GEMM.
/// Example: RoundedAccumulator acc(Target{parse_format("binary16")}, simd::Isa::Avx2); acc.width() is 8.
class RoundedAccumulator {
 public:
  /// Whether the vector path takes this Target: signed with −0, at least one mantissa bit, values that
  /// are binary32 values (precision ≤ 24, emax ≤ 127, smallest step ≥ 2^-149), no DAZ or compat quirks.
  /// Example: applies(Target{parse_format("binary16"), Rounding::Stochastic}) is true; e4m3fnuz is not.
  static bool applies(const Target& t);

  /// `isa` must be supported by this CPU (simd::cpu_supports); simd::best_isa() is the widest.
  RoundedAccumulator(const Target& t, simd::Isa isa);
  ~RoundedAccumulator();
  RoundedAccumulator(const RoundedAccumulator&) = delete;
  RoundedAccumulator& operator=(const RoundedAccumulator&) = delete;

  /// Columns per group: two vectors of binary64 lanes (8 on AVX2, 16 on AVX-512).
  int width() const { return width_; }
  /// Rows a group of terms a·b should have to fill the vector registers: 8 when its sums run in binary32
  /// lanes (one vector per row), 4 in binary64 lanes (two per row). binary32_products: AccumulateGroup's.
  /// Example: 8 for binary16 rne on AVX-512 whatever the products; 4 for binary16 rne on AVX2, binary32 operands.
  int rows_per_group(bool binary32_products) const;
  /// Advances the group's sums (AccumulateGroup). Lanes the vector steps do not cover (zero, overflow,
  /// inf/NaN, and tiny sums under stochastic rounding) are finished by add_rounded. The calling thread's
  /// rounding mode and FTZ/DAZ do not matter (the call runs in the IEEE default and restores them).
  void run(const AccumulateGroup& g) const;
  /// The matrix-unit model through all of k for a group of sums (rows ≤ 8): g's terms for k = 0 ..
  /// k_count − 1 (a_rows, a_step, b; k_count is the whole K, promotions count from k = 0), g.sums the
  /// accumulators s, `promoted` the FP32 registers f (rows × width; nullptr when cut.promote_every is 0).
  /// Deterministic Targets only. Binary32 lanes with integer sums when g.binary32_products, else binary64.
  void run_matrix_unit(const AccumulateGroup& g, const MatrixUnitCut& cut, float* promoted) const;

  struct Plan;  ///< defined in numerics/fast/internal/accumulate_plan.h

 private:
  std::unique_ptr<Plan> plan_;
  int width_ = 0;
};

}  // namespace fpsim
