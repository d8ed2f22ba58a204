#include "numerics/quantize/hadamard.h"

#include <stdexcept>
#include <string>

#include "numerics/fast/internal/fp_environment.h"

namespace fpsim {
namespace {

// One block: v[j·stride] for j < 16.
void transform_block(float* v, std::size_t stride, uint16_t signs) {
  double t[kHadamardBlock];
  for (int j = 0; j < kHadamardBlock; ++j) t[j] = ((signs >> j) & 1) ? -double(v[j * stride]) : double(v[j * stride]);
  for (int h = 1; h < kHadamardBlock; h *= 2)
    for (int i = 0; i < kHadamardBlock; i += 2 * h)
      for (int j = i; j < i + h; ++j) {
        const double a = t[j], b = t[j + h];
        t[j] = a + b;
        t[j + h] = a - b;
      }
  for (int j = 0; j < kHadamardBlock; ++j) v[j * stride] = static_cast<float>(0.25 * t[j]);
}

}  // namespace

uint16_t hadamard_signs(const RandomStream& stream) { return static_cast<uint16_t>(stream.bits(0)); }

void hadamard_transform(std::span<float> x, int rows, int cols, int k_axis, uint16_t signs) {
  const IeeeDefaultFp fp;
  if (rows < 0 || cols < 0 || std::size_t(rows) * std::size_t(cols) != x.size() || (k_axis != 0 && k_axis != 1))
    throw std::invalid_argument("hadamard_transform: " + std::to_string(x.size()) + " elements are not " +
                                std::to_string(rows) + "x" + std::to_string(cols) + " or k_axis is not 0/1");
  const int k = k_axis == 1 ? cols : rows, other = k_axis == 1 ? rows : cols;
  const std::size_t step = k_axis == 1 ? 1 : std::size_t(cols), across = k_axis == 1 ? std::size_t(cols) : 1;
#if defined(FPSIM_HAVE_OPENMP)
#pragma omp parallel for schedule(static) if (x.size() >= (std::size_t{1} << 16))
#endif
  for (int o = 0; o < other; ++o) {
    const IeeeDefaultFp thread_fp;
    for (int k0 = 0; k0 + kHadamardBlock <= k; k0 += kHadamardBlock)
      transform_block(x.data() + std::size_t(o) * across + std::size_t(k0) * step, step, signs);
  }
}

}  // namespace fpsim
