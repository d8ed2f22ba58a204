#pragma once
// parallel_for: OpenMP over independent iterations when fpsim is built with it, a plain loop
// otherwise. Only for loops whose iterations write disjoint outputs, so results never depend on
// the thread count (no float reduction is ever split across threads).
#include <cstdint>

namespace fpsim::sim {

/// Calls f(i) for i in [0, n); in parallel when n >= min_parallel. Example: parallel_for(rows, 64, [&](int64_t r) {...});
template <class F>
void parallel_for(int64_t n, int64_t min_parallel, F&& f) {
#ifdef FPSIM_HAVE_OPENMP
  if (n >= min_parallel) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) f(i);
    return;
  }
#else
  (void)min_parallel;
#endif
  for (int64_t i = 0; i < n; ++i) f(i);
}

}  // namespace fpsim::sim
