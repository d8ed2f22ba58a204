#pragma once
// Inverted dropout with a counter-based mask: element i is kept iff its random word,
// stream.bits(offset + i), read as a 64-bit fraction u = bits·2^-64, is ≥ p; kept values are scaled by
// 1/(1 − p). The mask is a pure function of (stream key, offset + i), so forward and backward agree
// without storing it, and it never depends on the thread count. The caller keys the stream
// (seed, step, layer name), e.g. RandomStream(seed, step, stream_id("fc1.dropout")).
#include <cstddef>
#include <cstdint>

#include "numerics/random.h"

namespace fpsim::sim {

/// Whether element `index` is kept: stream.bits(index) ≥ p·2^64. Example: dropout_keeps(s, 0.0f, i) is true.
bool dropout_keeps(const RandomStream& stream, float p, uint64_t index);

/// y[i] = keep(i) ? x[i] · s : 0 with s = 1/(1 − p) rounded to float once, for 0 ≤ p < 1 (p = 0 copies x). Throws std::invalid_argument
/// for p outside [0, 1). Example: dropout_forward(y, x, n, 0.5f, RandomStream(1, step), 0).
void dropout_forward(float* y, const float* x, std::size_t n, float p, const RandomStream& stream,
                     uint64_t offset = 0);

/// Accumulates dx[i] += keep(i) ? dy[i] · s : 0 with the same stream and offset as forward.
/// Example: dropout_backward(dx, dy, n, 0.5f, RandomStream(1, step), 0).
void dropout_backward(float* dx, const float* dy, std::size_t n, float p, const RandomStream& stream,
                      uint64_t offset = 0);

}  // namespace fpsim::sim
