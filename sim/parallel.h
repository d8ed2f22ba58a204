#pragma once
// parallel_for: OpenMP over independent iterations when fpsim is built with it, a plain loop
// otherwise. Only for loops whose iterations write disjoint outputs, so results never depend on
// the thread count (no float reduction is ever split across threads).
#include <cstdint>

namespace fpsim::sim {

/// The smallest loop (in float elements touched) worth an OpenMP parallel region, derived rather than
/// tuned: a parallel region of 2 threads costs about 2-5 µs to fork and join (libgomp with the team
/// spinning; more when its threads sleep), and a streaming element-wise loop moves about 2 floats per
/// ns per core from L2. Splitting n elements saves n/2 / (2 per ns) = n/4 ns, which passes 4 µs at
/// n = 16384 = 2^14. Below it the serial loop is as fast; above it the second core pays.
inline constexpr int64_t kParallelMinElements = int64_t{1} << 14;

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

/// Calls f(begin, end) over consecutive blocks of `block` indices covering [0, n); in parallel only
/// when there are at least `min_blocks` blocks (a parallel region costs more than a small loop).
/// Example: parallel_blocks(n, 16384, 8, [&](int64_t b, int64_t e) { for (i = b; i < e; ++i) ... });
template <class F>
void parallel_blocks(int64_t n, int64_t block, int64_t min_blocks, F&& f) {
  const int64_t blocks = (n + block - 1) / block;
  parallel_for(blocks, min_blocks, [&](int64_t k) { f(k * block, k + 1 == blocks ? n : (k + 1) * block); });
}

/// Calls f(begin, end) over blocks of 4096 elements covering [0, n): the split for an element-wise pass
/// (each element computed on its own), in parallel from kParallelMinElements elements.
/// Example: parallel_elements(n, [&](int64_t b, int64_t e) { for (i = b; i < e; ++i) y[i] = x[i] + z[i]; });
template <class F>
void parallel_elements(int64_t n, F&& f) {
  constexpr int64_t kBlock = 4096;
  parallel_blocks(n, kBlock, kParallelMinElements / kBlock, f);
}

}  // namespace fpsim::sim
