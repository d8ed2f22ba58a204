#pragma once
// Tensor: a shape and contiguous row-major float32 storage. No strides, no views: ops that need a
// different layout copy. Values stored at a quantisation point are exactly representable in that
// point's format (the quantise op writes them through numerics/quantize/quantize.h).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fpsim::sim {

using Shape = std::vector<int64_t>;

struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  /// A tensor of the given shape filled with `fill`. Example: Tensor({2, 3}) is a 2x3 zero matrix.
  explicit Tensor(Shape s, float fill = 0.0f);

  int64_t numel() const { return static_cast<int64_t>(data.size()); }
  int64_t dim(size_t i) const { return shape.at(i); }
  size_t rank() const { return shape.size(); }
  std::span<float> span() { return data; }
  std::span<const float> span() const { return data; }
  float* ptr() { return data.data(); }
  const float* ptr() const { return data.data(); }
};

/// Number of elements of a shape. Example: shape_numel({2, 3, 4}) == 24.
int64_t shape_numel(const Shape& s);
/// "[2, 3, 4]". Example: shape_string({2, 3}) == "[2, 3]".
std::string shape_string(const Shape& s);

}  // namespace fpsim::sim
