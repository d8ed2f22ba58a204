#pragma once
// Scaled GEMM: C (= or +=) op(A)·op(B) on scaled casts (numerics/quantize/scaled_cast.h), folding the
// decode factors back as the scaled recipes do.
//
// K is cut into blocks of kb = min(tile_k of A, tile_k of B) (one block when both scale whole rows or
// tensors); the two tilings must nest (the longer tile is a multiple of kb, or covers all of K). Per output:
//     s = 0
//     for each K-block β = [k0, min(k0 + kb, K)), in increasing order:
//         P = Σ_{k∈β} qa_ik · qb_kj              accumulated per `acc` from 0 (fp32: fmaf chain, k increasing)
//         s = fmaf(P, fp32(fa_i,β · fb_j,β), s)  the block's partial sum promoted into the fp32 accumulator
//     r = fp32(s · fp32(ta · tb))                 the NVFP4 tensor factors (exact when both are 1)
//     C_ij = accumulate ? fp32(C_ij + r) : r
// With one block this is C = fp32(P · fp32(fa·fb)): per-tensor (TE) and per-row (torchao) scaling apply the
// product of the two operands' scale inverses to the fp32 GEMM result once. With blocks of 128 it is
// DeepSeek-V3's promotion of the partial sums every 128 K-elements, with 32 (MX) or 16 (NVFP4) the
// block-scaled matrix units' per-block scaling.
//
// Work is split over outputs only (never over K), so the bits are the same for any thread count.
#include "numerics/quantize/scaled_cast.h"
#include "numerics/simd/isa.h"
#include "sim/gemm/gemm.h"

namespace fpsim::sim {

/// A is M×K (a.other() = M, a.k() = K; stored M×K when a.k_axis == 1, K×M when 0); B is K×N
/// (b.other() = N; stored N×K when b.k_axis == 1, K×N when 0). C is M×N with leading dimension ldc.
/// Throws std::invalid_argument when K differs, the K tilings do not nest, or acc is a stochastic
/// accumulator (its random words are indexed per GEMM call, and the scaled GEMM splits calls by rows and blocks).
/// Example: scaled_gemm(cast_x, cast_w, y.data(), n, false, kFp32Accumulation).
void scaled_gemm(const ScaledMatrix& a, const ScaledMatrix& b, float* c, int ldc, bool accumulate,
                 const Accumulation& acc = kFp32Accumulation);

/// The same with a chosen micro-kernel for fp32 accumulation (tests run every ISA the CPU supports).
void scaled_gemm(const ScaledMatrix& a, const ScaledMatrix& b, float* c, int ldc, bool accumulate,
                 const Accumulation& acc, simd::Isa isa);

/// The same definition as plain loops (fp32 accumulation only), single-threaded: the oracle.
/// Example: scaled_gemm_reference(a, b, y.data(), n, false) gives scaled_gemm's bits.
void scaled_gemm_reference(const ScaledMatrix& a, const ScaledMatrix& b, float* c, int ldc, bool accumulate);

}  // namespace fpsim::sim
