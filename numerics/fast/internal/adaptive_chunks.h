#pragma once
// How the calling thread's last apply_array call on the "adaptive" path (fast_arrays.cpp) split its chunks between
// the lane kernel and the plan's kernel: for the tests that check the switch happens both ways.
#include <cstddef>

namespace fpsim::detail {

struct AdaptiveChunks {
  std::size_t lanes = 0, plan = 0;
};

/// Example: after an adaptive fma over 2048 · 40 elements, lanes + plan == 40.
AdaptiveChunks last_adaptive_chunks();

}  // namespace fpsim::detail
