#pragma once
// Elementwise activations: forward/backward pairs on n contiguous floats (any shape, flattened).
// Backward accumulates: dx[i] += dy[i] · f'(x[i]). Computed in binary32 (gelu's inner
// polynomial and tanh in float libm calls); deterministic for any thread count (elementwise).
#include <cstddef>

namespace fpsim::sim {

/// y = max(x, 0). Example: relu_forward(y, x, n) maps {-1, 0, 2} to {0, 0, 2}.
void relu_forward(float* y, const float* x, std::size_t n);
/// dx += dy where x > 0 (the derivative at 0 is taken as 0). Example: relu_backward(dx, dy, x, n).
void relu_backward(float* dx, const float* dy, const float* x, std::size_t n);

/// GELU, tanh approximation (as GPT-2 and llm.c): y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
/// Example: gelu_forward(y, x, n) maps 1 to 0.841192.
void gelu_forward(float* y, const float* x, std::size_t n);
/// dx += dy · d/dx of the tanh approximation above. Example: gelu_backward(dx, dy, x, n).
void gelu_backward(float* dx, const float* dy, const float* x, std::size_t n);

/// y = tanh(x). Example: tanh_forward(y, x, n) maps 0.5 to 0.462117.
void tanh_forward(float* y, const float* x, std::size_t n);
/// dx += dy · (1 - y²), from the forward OUTPUT y. Example: tanh_backward(dx, dy, y, n).
void tanh_backward(float* dx, const float* dy, const float* y, std::size_t n);

}  // namespace fpsim::sim
