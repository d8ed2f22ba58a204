// Elementwise activations. Each element is independent, so the OpenMP split cannot change any bit.
#include "sim/kernels/activations.h"

#include <cmath>
#include <cstdint>

namespace fpsim::sim {
namespace {

// Below this many elements a parallel region costs more than the loop.
constexpr std::int64_t kParallelMin = 1 << 15;

// GELU tanh approximation: u = √(2/π)·(x + 0.044715·x³).
constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluCubic = 0.044715f;

}  // namespace

void relu_forward(float* y, const float* x, std::size_t n) {
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
  for (std::int64_t i = 0; i < count; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_backward(float* dx, const float* dy, const float* x, std::size_t n) {
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
  for (std::int64_t i = 0; i < count; ++i)
    if (x[i] > 0.0f) dx[i] += dy[i];
}

void gelu_forward(float* y, const float* x, std::size_t n) {
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
  for (std::int64_t i = 0; i < count; ++i) {
    const float v = x[i];
    const float u = kSqrt2OverPi * (v + kGeluCubic * v * v * v);
    y[i] = 0.5f * v * (1.0f + std::tanh(u));
  }
}

void gelu_backward(float* dx, const float* dy, const float* x, std::size_t n) {
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
  for (std::int64_t i = 0; i < count; ++i) {
    // d/dx [0.5·x·(1 + tanh u)] = 0.5·(1 + tanh u) + 0.5·x·(1 − tanh² u)·du/dx,
    // du/dx = √(2/π)·(1 + 3·0.044715·x²)
    const float v = x[i];
    const float u = kSqrt2OverPi * (v + kGeluCubic * v * v * v);
    const float th = std::tanh(u);
    const float du = kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * v * v);
    dx[i] += dy[i] * (0.5f * (1.0f + th) + 0.5f * v * (1.0f - th * th) * du);
  }
}

void tanh_forward(float* y, const float* x, std::size_t n) {
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
  for (std::int64_t i = 0; i < count; ++i) y[i] = std::tanh(x[i]);
}

void tanh_backward(float* dx, const float* dy, const float* y, std::size_t n) {
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
  for (std::int64_t i = 0; i < count; ++i) dx[i] += dy[i] * (1.0f - y[i] * y[i]);
}

}  // namespace fpsim::sim
