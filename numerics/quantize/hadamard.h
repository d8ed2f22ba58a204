#pragma once
// Random Hadamard transform (RHT) along the contraction axis, as NVFP4 and MXFP4 training apply it to
// both operands of the weight-gradient GEMM (Tseng et al. 2025; NVFP4 report, TE NVFP4BlockScaling):
// every block v of 16 consecutive K-elements becomes
//     v' = (1/4) · H16 · D · v,   H16[i][j] = (-1)^popcount(i & j) (Sylvester), D = diag(d_0 .. d_15), d_j = ±1
// H16·H16ᵀ = 16·I, so (1/4·H·D·a)·(1/4·H·D·b) = a·b: applied with the same signs to both operands the GEMM
// result is unchanged in exact arithmetic, while outliers are spread over the block before quantisation.
// A tail of K mod 16 elements is left as it is (the identity is also orthogonal).
//
// Arithmetic: the 16 values are taken to binary64, signed, run through the 4-stage butterfly
// (stage h = 1, 2, 4, 8: (a, b) -> (a + b, a - b) for pairs h apart), multiplied by 1/4 and rounded once to
// binary32. Every step is exact when the 16 inputs span at most 25 binades (24 bits + 4 bits of growth <= 53).
#include <cstdint>
#include <span>

#include "numerics/core/random.h"

namespace fpsim {

inline constexpr int kHadamardBlock = 16;

/// The 16 signs of a transform from a keyed stream: bit j of the result set means d_j = -1.
/// Example: hadamard_signs(RandomStream(seed, step, stream_id("fc1/hadamard"))).
uint16_t hadamard_signs(const RandomStream& stream);

/// Transform a row-major rows×cols matrix in place along k_axis (1: along rows, 0: along columns).
/// Example: hadamard_transform(x, 128, 784, 1, signs) transforms each row in 49 blocks of 16.
void hadamard_transform(std::span<float> x, int rows, int cols, int k_axis, uint16_t signs);

}  // namespace fpsim
