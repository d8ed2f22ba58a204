#pragma once
// Fully connected layer: y = x·w + bias, through the deterministic GEMM (sim/gemm.h).
// Shapes (row-major): x [batch, in], w [in, out], bias [out] (may be null), y [batch, out].
// Forward is GEMM NN, the input gradient NT (dy·wᵀ), the weight gradient TN (xᵀ·dy).
#include "sim/gemm.h"

namespace fpsim::sim {

/// y = x·w (+ bias broadcast over rows); y is overwritten. The bias is added after the GEMM in binary32.
/// Example: linear_forward(y, x, w, b, 128, 784, 512) is the first layer of the default MLP.
void linear_forward(float* y, const float* x, const float* w, const float* bias, int batch, int in, int out,
                    const Accumulation& acc = kFp32Accumulation);

/// Accumulates: dx [batch, in] += dy·wᵀ, dw [in, out] += xᵀ·dy, dbias [out] += Σ_rows dy (rows summed
/// in increasing order in binary32). Any of dx, dw, dbias may be null to skip that gradient.
/// Example: linear_backward(nullptr, dw, db, dy, x, w, 128, 784, 512) skips the input gradient of layer 1.
void linear_backward(float* dx, float* dw, float* dbias, const float* dy, const float* x, const float* w,
                     int batch, int in, int out, const Accumulation& acc = kFp32Accumulation);

}  // namespace fpsim::sim
