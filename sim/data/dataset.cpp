#include "sim/data/dataset.h"

#include <algorithm>
#include <cstring>

#include "numerics/core/random.h"

namespace fpsim::sim {

Dataset make_synthetic(uint64_t seed, int64_t first, int64_t count, int classes, double noise, int height,
                       int width) {
  Dataset d;
  d.count = count;
  d.height = height;
  d.width = width;
  d.classes = classes;
  const int64_t size = d.sample_size();
  const auto unit = [](uint64_t word) { return double(word >> 11) * 0x1p-53; };  // [0, 1)
  std::vector<float> prototypes(static_cast<size_t>(classes * size));
  const RandomStream proto(seed, stream_id("synthetic/prototype"));
  for (size_t i = 0; i < prototypes.size(); ++i) prototypes[i] = float(unit(proto.bits(i)));
  const RandomStream label_rs(seed, stream_id("synthetic/label"));
  const RandomStream noise_rs(seed, stream_id("synthetic/noise"));
  d.images.resize(size_t(count * size));
  d.labels.resize(size_t(count));
  for (int64_t s = 0; s < count; ++s) {
    const uint64_t id = uint64_t(first + s);
    const int32_t label = int32_t(label_rs.bits(id) % uint64_t(classes));
    d.labels[size_t(s)] = label;
    for (int64_t j = 0; j < size; ++j) {
      const double v = prototypes[size_t(label * size + j)] + noise * (2.0 * unit(noise_rs.bits(id * uint64_t(size) + uint64_t(j))) - 1.0);
      d.images[size_t(s * size + j)] = float(std::clamp(v, 0.0, 1.0));
    }
  }
  return d;
}

std::vector<int64_t> epoch_order(int64_t count, uint64_t seed, int64_t epoch, bool shuffle) {
  std::vector<int64_t> order(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) order[size_t(i)] = i;
  if (!shuffle) return order;
  const RandomStream rs(seed, uint64_t(epoch), stream_id("shuffle"));
  // Fisher–Yates: position i swaps with j uniform in [0, i] (modulo bias < 2^-40 for 64-bit words).
  for (int64_t i = count - 1; i > 0; --i) {
    const int64_t j = int64_t(rs.bits(uint64_t(i)) % uint64_t(i + 1));
    std::swap(order[size_t(i)], order[size_t(j)]);
  }
  return order;
}

void gather_batch(const Dataset& d, std::span<const int64_t> indices, Tensor& x, std::vector<int32_t>& y) {
  const int64_t size = d.sample_size(), n = int64_t(indices.size());
  if (x.shape != Shape{n, size}) x = Tensor({n, size});
  y.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t s = indices[size_t(i)];
    std::memcpy(x.ptr() + i * size, d.images.data() + s * size, size_t(size) * sizeof(float));
    y[size_t(i)] = d.labels[size_t(s)];
  }
}

}  // namespace fpsim::sim
