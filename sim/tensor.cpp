#include "sim/tensor.h"

#include <algorithm>
#include <stdexcept>

#include "sim/parallel.h"

namespace fpsim::sim {

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) {
    if (d < 0) throw std::invalid_argument("tensor: negative dimension in shape " + shape_string(s));
    n *= d;
  }
  return n;
}

std::string shape_string(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

Tensor Tensor::uninitialized(Shape s) {
  Tensor t;
  t.data.resize(static_cast<size_t>(shape_numel(s)));
  t.shape = std::move(s);
  return t;
}

Tensor::Tensor(Shape s, float fill) : Tensor(uninitialized(std::move(s))) {
  float* p = data.data();
  parallel_elements(numel(), [&](int64_t b, int64_t e) { std::fill(p + b, p + e, fill); });
}

Tensor Tensor::copy_of(const Tensor& x) {
  Tensor t = uninitialized(x.shape);
  const float* in = x.ptr();
  float* out = t.ptr();
  parallel_elements(x.numel(), [&](int64_t b, int64_t e) { std::copy(in + b, in + e, out + b); });
  return t;
}

void add_into(std::span<float> out, std::span<const float> in) {
  if (out.size() != in.size())
    throw std::invalid_argument("add_into: " + std::to_string(in.size()) + " values into " +
                                std::to_string(out.size()));
  float* o = out.data();
  const float* x = in.data();
  parallel_elements(int64_t(out.size()), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) o[i] += x[i];
  });
}

}  // namespace fpsim::sim
