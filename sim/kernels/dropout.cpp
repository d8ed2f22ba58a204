// Inverted dropout with a counter-based mask (see sim/kernels/dropout.h).
#include "sim/kernels/dropout.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace fpsim::sim {
namespace {

// p·2^64 as an integer threshold: keep iff bits ≥ threshold, so P(keep) = 1 − p up to 2^-64.
uint64_t threshold(float p) {
  if (!(p >= 0.0f && p < 1.0f))
    throw std::invalid_argument("dropout: probability " + std::to_string(p) + " is outside [0, 1)");
  return static_cast<uint64_t>(std::ldexp(static_cast<double>(p), 64));  // p < 1: fits below 2^64
}

constexpr std::int64_t kParallelMin = 1 << 15;

}  // namespace

bool dropout_keeps(const RandomStream& stream, float p, uint64_t index) {
  return stream.bits(index) >= threshold(p);
}

void dropout_forward(float* y, const float* x, std::size_t n, float p, const RandomStream& stream,
                     uint64_t offset) {
  const uint64_t limit = threshold(p);
  const float scale = 1.0f / (1.0f - p);
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
  for (std::int64_t i = 0; i < count; ++i)
    y[i] = stream.bits(offset + static_cast<uint64_t>(i)) >= limit ? x[i] * scale : 0.0f;
}

void dropout_backward(float* dx, const float* dy, std::size_t n, float p, const RandomStream& stream,
                      uint64_t offset) {
  const uint64_t limit = threshold(p);
  const float scale = 1.0f / (1.0f - p);
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
  for (std::int64_t i = 0; i < count; ++i)
    if (stream.bits(offset + static_cast<uint64_t>(i)) >= limit) dx[i] += dy[i] * scale;
}

}  // namespace fpsim::sim
