#pragma once
// Seeded test data and bit-exact comparison helpers for the GEMM tests.
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#ifdef FPSIM_HAVE_OPENMP
#include <omp.h>
#endif

namespace fpsim::test {

/// n floats uniform in [lo, hi) from a fixed seed.
inline std::vector<float> uniform(std::size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

/// n floats with random signs, significands and exponents over [2^-20, 2^20): sums of these round
/// at every step and cancel often, which exposes any change of order or fusing.
inline std::vector<float> wide_range(std::size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> mant(1.0f, 2.0f);
  std::uniform_int_distribution<int> expo(-20, 19), sign(0, 1);
  std::vector<float> v(n);
  for (auto& x : v) x = std::ldexp(mant(gen), expo(gen)) * (sign(gen) ? -1.0f : 1.0f);
  return v;
}

/// Index of the first element whose bits differ, or -1 when all bits agree.
inline std::ptrdiff_t first_bit_difference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i])) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

/// As first_bit_difference, but any two NaNs count as equal (a NaN's sign and payload are
/// unspecified in the GEMM's model).
inline std::ptrdiff_t first_difference_nan_equal(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(std::isnan(a[i]) && std::isnan(b[i])) && std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i]))
      return static_cast<std::ptrdiff_t>(i);
  return -1;
}

/// Runs f with the OpenMP default team set to `threads` (restored afterwards).
template <class F>
void with_threads(int threads, F f) {
#ifdef FPSIM_HAVE_OPENMP
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  f();
  omp_set_num_threads(saved);
#else
  (void)threads;
  f();
#endif
}

}  // namespace fpsim::test
