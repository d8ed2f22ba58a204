#pragma once
// Tensor: a shape and contiguous row-major float32 storage. No strides, no views: ops that need a
// different layout copy. Values stored at a quantisation point are exactly representable in that
// point's format (the quantise op writes them through numerics/quantize/quantize.h).
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace fpsim::sim {

using Shape = std::vector<int64_t>;

/// std::allocator, except that an element made without a value (vector(n), resize(n)) is left uninitialised.
/// A step makes every tensor afresh and most ops overwrite all of their output, so value-initialising it first
/// would be a serial zero-fill on the calling thread (about a sixth of the main thread's time in a Transformer
/// step on 2 threads). Elements given a value (vector(n, v), push_back, copies) are constructed as usual.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-initialisation: no store for float or double
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// Storage whose resize(n) leaves the new elements unwritten (see UninitializedAllocator).
template <class T>
using UninitializedVector = std::vector<T, UninitializedAllocator<T>>;

struct Tensor {
  Shape shape;
  UninitializedVector<float> data;

  Tensor() = default;
  /// A tensor of the given shape filled with `fill` (in parallel when it is large: parallel.h).
  /// Example: Tensor({2, 3}) is a 2x3 zero matrix.
  explicit Tensor(Shape s, float fill = 0.0f);

  /// A tensor of the given shape whose elements are not written: for an op that writes every one of them.
  /// Example: Tensor y = Tensor::uninitialized(x.shape); then y.data[i] = f(x.data[i]) for every i.
  static Tensor uninitialized(Shape s);
  /// A copy of x, copied in parallel when it is large (a plain copy runs on the calling thread).
  static Tensor copy_of(const Tensor& x);

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

/// out[i] += in[i] for every i (in parallel when large; each element is one addition, so the bits do not depend
/// on the thread count). Example: the backward of y = x, or of y = a + b, for each input.
void add_into(std::span<float> out, std::span<const float> in);

}  // namespace fpsim::sim
