#pragma once
// Internal to numerics/fast/accumulate*.cpp: what the vector accumulator needs for one Target.
#include <cstdint>

#include "numerics/fast/accumulate.h"
#include "numerics/fast/internal/arith_kernel.h"

namespace fpsim {

struct RoundedAccumulator::Plan {
  Target target;
  detail::LanePlan lanes;  // drop, mode words, sr bits: the arith lane kernel's plan for an addition
  uint64_t max_bits = 0;   // binary64 bits of the largest finite Target value
  double min_normal = 0;   // 2^emin
  simd::Isa isa = simd::Isa::Portable;
  // binary32 lanes (man_bits ≤ 21, 2^emin and max binary32 normal numbers; every mode): their constants
  bool float_lanes = false;
  int drop_float = 0;            // 23 − man_bits
  uint32_t min_bits_float = 0;   // binary32 bits of 2^emin
  uint32_t max_bits_float = 0;   // binary32 bits of the largest finite Target value
  // rne into binary16 or bfloat16 (IEEE overflow to inf): one fma and a rounding of its binary32 result
  // take a step whenever every product has at most narrow_product_bits significant bits (accumulate_simd.cpp,
  // NarrowGroup: exact then, not a double rounding); NarrowKind::None for every other Target.
  enum class NarrowKind : uint8_t { None, Binary16, Bfloat16 };
  NarrowKind narrow = NarrowKind::None;
  int narrow_product_bits = 0;  // min(precision, 22 − precision): 11 (binary16), 8 (bfloat16)
  // binary16 or bfloat16 in rne, rtz, rup or rdn (directed: Overflow::Ieee), AVX-512: every step an fma with
  // embedded rounding and a rounding of its binary32 result, from products of any bits (accumulate_simd.cpp,
  // FmaGroup); binary32 lanes for every group of terms a·b (RoundedAccumulator::rows_per_group)
  NarrowKind fma_kind = NarrowKind::None;
};

namespace detail {

/// Columns per group on `isa` (two vectors of binary64 lanes). Example: accumulate_width(simd::Isa::Avx2) is 8.
int accumulate_width(simd::Isa isa);
/// The vector steps of RoundedAccumulator::run.
void accumulate_group(const RoundedAccumulator::Plan& plan, const AccumulateGroup& g);
/// RoundedAccumulator::run_matrix_unit.
void matrix_unit_tile(const RoundedAccumulator::Plan& plan, const AccumulateGroup& g, const MatrixUnitCut& cut,
                      float* promoted);

}  // namespace detail
}  // namespace fpsim
