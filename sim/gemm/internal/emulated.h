#pragma once
// The vector path of the emulated accumulator (sim/gemm/gemm.h's model, same bits as gemm_reference):
// tiles of up to 4 rows × one column group advance through k together, each addition rounded into the
// Target in-register by numerics' RoundedAccumulator. Internal to sim/gemm*.cpp; public for tests.
#include "numerics/quantize/quantize.h"
#include "sim/gemm/gemm.h"

namespace fpsim::sim {

/// gemm() with an emulated accumulator on the vector path, on instruction set `isa` (requires
/// RoundedAccumulator::applies(acc.target) and an available isa; Auto = the widest).
/// Example: gemm_emulated_vector(p, {false, Target{parse_format("binary16")}, 64}, simd::Isa::Avx2).
void gemm_emulated_vector(const GemmProblem& p, const Accumulation& acc, simd::Isa isa);

/// gemm() under the matrix-unit model (acc.matrix_unit.group > 0) on the vector path: each tile through
/// all of K by numerics' RoundedAccumulator::run_matrix_unit (requires RoundedAccumulator::applies(acc.target)).
/// Example: gemm_matrix_unit(p, acc, simd::best_isa()).
void gemm_matrix_unit(const GemmProblem& p, const Accumulation& acc, simd::Isa isa);

/// When every product a_ik·b_kj is exact in binary32 and below 2^127 (at most 24 significant bits
/// together, every nonzero product at least 2^-126: a normal number, no subnormal rounding), the most
/// significant bits a product can have (≥ 1: all-zero operands count as 1 bit); otherwise 0.
/// Example: 1 for all-zero operands; 7 for e4m3 × e5m2 values; 0 for general binary32 operands.
int binary32_product_bits(const GemmProblem& p);

/// What emulated accumulation needs to know of op(A) and op(B), from one pass over each.
struct OperandFacts {
  int product_bits = 0;  ///< binary32_product_bits
  bool finite = false;   ///< every value of A and B is finite (no inf, no NaN)
};
/// Example: operand_facts(p).finite is false when A holds a NaN.
OperandFacts operand_facts(const GemmProblem& p);

/// C (m × n at ldc) rounded in place into t by the array path, as decode(encode(c, t)) would round each
/// element (deterministic modes only: no random words). Example: round_c_into_target(p, Target{parse_format("binary16")}).
void round_c_into_target(const GemmProblem& p, const Target& t);

/// panel[kk·width + j] = op(B)(kk, j0 + j) for kk < K, j < cols; 0 for cols ≤ j < width.
void pack_column_group(const GemmProblem& p, int j0, int cols, int width, float* panel);

/// Every column group's panel in one pass over B (reading B in its stored order): group g's panel (as
/// pack_column_group's for j0 = g·width) at panels + g·K·width; ⌈N/width⌉·K·width floats.
void pack_column_groups(const GemmProblem& p, int width, float* panels);

}  // namespace fpsim::sim
