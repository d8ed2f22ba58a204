#pragma once
// Deterministic emulated GEMM: C[M×N] (= or +=) op(A)[M×K] · op(B)[K×N], row-major, with an explicit
// accumulation model.
//
// The accumulation order (the same in every code path, thread count and cache blocking):
//   for every output c_ij independently,
//     s = accumulate ? C[i][j] : 0
//     for k = 0, 1, ..., K-1 (increasing):  s = s + a_ik · b_kj      (one rounding per step)
//     C[i][j] = s
// * fp32 accumulation (the default): each step is one fused multiply-add in binary32,
//   s = fmaf(a_ik, b_kj, s). A product of two FP8 (or any ≤ 12-bit-significand) values is exact in
//   binary32, so this is also the model of an FP8 GEMM with FP32 accumulation. The fast path computes
//   exactly this chain (vector FMAs over j, k strictly increasing, partial sums stored and reloaded
//   as floats between K blocks), so it gives the same bits as gemm_reference.
// * emulated accumulation into any Target: the product a_ik·b_kj is exact (in binary64: 24+24 bits),
//   and the exact sum s + a_ik·b_kj is rounded once into the Target (round_pack sees the exact sum,
//   so every rounding mode, stochastic included, is exact). With chunk = L > 0 (Wang et al. 2018,
//   chunk-based accumulation) the terms are summed L at a time into a partial sum started from 0
//   (rounded per addition), and each chunk's partial sum is then added into s with the same rounding:
//     s = accumulate ? round(C[i][j]) : 0
//     for each chunk c = [cL, min(cL+L, K)):  p = 0; for k in c: p = round(p + a_ik·b_kj);  s = round(s + p)
//   The final s is stored into C as a float (exact when the Target is no wider than binary32,
//   otherwise rounded to nearest-even). Infinities follow binary64 arithmetic and are then encoded
//   into the Target.
// * matrix-unit accumulation (acc.matrix_unit.group = g > 0), a model of an FP8 matrix unit's block
//   accumulation (products aligned to the group's largest exponent, only the top bits kept; see
//   README "Accumulator models"): with s the accumulator (a Target value) and f an FP32 register,
//     f = accumulate ? C[i][j] : 0 when promote_every > 0;  s = accumulate and promote_every = 0 ? round(C) : 0
//     for each group of g consecutive k (the last may be shorter):
//       terms = {s} ∪ {a_ik·b_kj : k in the group}; E = floor(log2 max |term|);
//       T = Σ cut(term), each term cut to a multiple of 2^(E − frac_bits) (truncated toward zero, or
//           rounded to nearest-even), summed exactly (−0 counts as +0; with an inf or NaN term, T is inf
//           or NaN);  s = round(+0 + T) into the Target
//       promote_every > 0 and the group ends at a multiple of promote_every or at K:  f = fp32(f + s), s = 0
//     C[i][j] = promote_every > 0 ? f : s
// * NaN results: a NaN's sign and payload are unspecified (they may differ between code paths, as
//   they do between SIMD and scalar FMA); every other result is bit-exact.
//
// Implementation (all paths give gemm_reference's bits): fp32 by packed AVX-512 / AVX2 micro-kernels
// (sim/gemm/internal/fp32.h); an emulated accumulator by tiles of outputs whose sums advance together
// through k in vector registers, each addition rounded into the Target in-register, every mode
// stochastic included (numerics' RoundedAccumulator, sim/gemm/internal/emulated.h), for Targets whose
// values are binary32 values; other Targets (DAZ, fnuz, wider than binary32) by add_rounded per addition
// (numerics/fast/accumulate.h), which is also the reference's rounding.
//
// Parallelism: OpenMP over blocks of output rows/columns only; K is never split across threads, so
// the bits are the same for any thread count.
#include <cstdint>

#include "numerics/core/random.h"
#include "numerics/core/rounding.h"

namespace fpsim::sim {

/// Whether an operand is used as stored or transposed: op(X) = X or Xᵀ.
enum class Trans : uint8_t { No, Yes };

/// A matrix unit's accumulation (the model in the header comment). group = 0: off.
/// Example: MatrixUnit{32, 13, true, 0} is the H100-like preset (README "Accumulator models").
struct MatrixUnit {
  int group = 0;          ///< products per aligned group (1..1024); 0 = per-addition emulation instead
  int frac_bits = 13;     ///< bits kept below the group's largest exponent (1..40)
  bool truncate = true;   ///< cut toward zero (hardware) or round to nearest-even
  int promote_every = 0;  ///< K-elements between promotions into FP32 (a multiple of group); 0 = never
  /// Per GEMM role of a layer (forward, input gradient, weight gradient): "fast accumulation" (torchao's
  /// use_fast_accum, TE's use_split_accumulator = false) skips the promotion in that GEMM. See for_role.
  bool fast_accum_forward = false, fast_accum_input_grad = false, fast_accum_weight_grad = false;
};

/// How a GEMM accumulates. Default: binary32 fused multiply-add chain.
struct Accumulation {
  bool fp32 = true;        ///< true: fmaf chain in binary32 (the fast path); false: use `target`
  Target target{};         ///< the accumulator format and rounding when !fp32
  int chunk = 0;           ///< !fp32 only: 0 = one running sum; L > 0 = chunks of L terms
  /// Stochastic-rounding accumulator only: each rounding of output (i, j) draws random->bits(index)
  /// with index = (i·N + j)·S + t and S = K + chunks + 1 (chunks = ⌈K/L⌉, or 0 when unchunked):
  /// t = k for the addition of term k, t = K + c for the addition of chunk c's partial sum, and
  /// t = S - 1 for rounding the incoming C when accumulating. Required when target.rounding is
  /// Stochastic; ignored otherwise.
  const RandomStream* random = nullptr;
  MatrixUnit matrix_unit{};  ///< !fp32 only: group > 0 selects the matrix-unit model (target = its accumulator)
};

/// The three GEMMs of a linear or conv layer (their operands: sim/quant/quant_plan.h):
///   fprop y = x·wᵀ, dgrad dx = dy·w, wgrad dw = dyᵀ·x.
enum class GemmPass : uint8_t { Fprop, Dgrad, Wgrad };

/// `acc` as used by the layer's `pass` GEMM: a matrix-unit model with fast accumulation for that pass
/// loses its promotion (promote_every = 0). Example: for_role(acc, GemmPass::Fprop).
Accumulation for_role(Accumulation acc, GemmPass pass);

/// The binary32 fmaf-chain model (the default). Example: gemm(..., kFp32Accumulation).
inline const Accumulation kFp32Accumulation{};

/// Operands of one GEMM: op(A) is M×K, op(B) is K×N, C is M×N; all row-major with leading dimensions
/// (A is stored M×K with lda ≥ K when trans_a = No, K×M with lda ≥ M when Yes; likewise B).
struct GemmProblem {
  Trans trans_a = Trans::No;
  Trans trans_b = Trans::No;
  int m = 0, n = 0, k = 0;
  const float* a = nullptr;
  int lda = 0;
  const float* b = nullptr;
  int ldb = 0;
  float* c = nullptr;
  int ldc = 0;
  bool accumulate = false;  ///< C += op(A)·op(B) instead of C = op(A)·op(B)
};

/// C (= or +=) op(A)·op(B) under `acc`, fast (packed, register-blocked, SIMD, OpenMP) and bit-identical
/// to gemm_reference for any thread count. Throws std::invalid_argument on negative sizes, a leading
/// dimension too small, or a stochastic accumulator without a random stream.
/// Example: gemm({Trans::No, Trans::Yes, 128, 512, 784, x, 784, w, 784, y, 512}) is y = x·wᵀ.
void gemm(const GemmProblem& p, const Accumulation& acc = kFp32Accumulation);

/// The same model as a plain scalar triple loop (i, j, then k increasing), single-threaded: the oracle
/// the fast path is tested against. Example: gemm_reference(p) gives the same bits as gemm(p).
void gemm_reference(const GemmProblem& p, const Accumulation& acc = kFp32Accumulation);

}  // namespace fpsim::sim
