// Element-wise ops: relu, gelu, tanh, dropout. Each backward reads the saved input or output.
#include <bit>
#include <cmath>
#include <cstdint>
#include <algorithm>
#include <memory>
#include <stdexcept>

#include "sim/ops/internal/gelu_math.h"
#include "sim/ops/ops.h"
#include "sim/parallel.h"

namespace fpsim::sim {
namespace {

// dx[i] += dy[i] · dfdx(x[i], y[i]) over one block: four distinct tensors (__restrict), so the loop vectorises
// without run-time overlap checks; each element's operations are the scalar ones.
template <class D>
void accumulate_slope(float* __restrict dx, const float* __restrict dy, const float* __restrict x,
                      const float* __restrict y, int64_t n, D dfdx) {
  for (int64_t i = 0; i < n; ++i) dx[i] += dy[i] * dfdx(x[i], y[i]);
}

// y = f(x) element-wise; backward dx += dy · dfdx(x, y).
template <class F, class D>
Var unary(Tape& tape, Var x, F f, D dfdx) {
  const Tensor& xv = tape.value(x);
  Tensor y = Tensor::uninitialized(xv.shape);
  const int64_t n = xv.numel();
  const float* in = xv.ptr();
  float* out = y.ptr();
  parallel_elements(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = f(in[i]);
  });
  return tape.record(std::move(y), tape.needs_grad(x), [x, dfdx](Tape& t, Var self) {
    const Tensor& xs = t.value(x);
    const Tensor& ys = t.value(self);
    const Tensor& dy = t.grad(self);
    Tensor& dx = t.grad(x);
    const float *xp = xs.ptr(), *yp = ys.ptr(), *dyp = dy.ptr();
    float* dxp = dx.ptr();
    parallel_elements(xs.numel(), [&](int64_t b, int64_t e) {
      accumulate_slope(dxp + b, dyp + b, xp + b, yp + b, e - b, dfdx);
    });
  });
}

}  // namespace

// NaN propagates (as in PyTorch), so a diverged layer cannot hide behind a relu.
Var relu(Tape& tape, Var x) {
  return unary(
      tape, x, [](float v) { return v > 0.0f || v != v ? v : 0.0f; },
      // 1.0f (0x3F800000) or 0.0f by a mask, not a select: GCC rewrites dy · (c ? 1 : 0) as c ? dy : dy · 0 and, as
      // dy · 0 may raise an exception, keeps the branch, so the backward would not vectorise. Same values.
      [](float v, float) { return std::bit_cast<float>(0x3F800000u & (0u - uint32_t{v > 0.0f})); });
}

// gelu(x) = x·Φ(x);  gelu'(x) = Φ(x) + x·φ(x) (sim/ops/internal/gelu_math.h: vectorised, within 1 ulp).
// The forward keeps gelu'(x) rounded to float for the backward: dx += dy · gelu'(x).
Var gelu(Tape& tape, Var x) {
  const Tensor& xv = tape.value(x);
  const bool needs_grad = tape.needs_grad(x);
  Tensor y = Tensor::uninitialized(xv.shape);
  auto slope = std::make_shared<UninitializedVector<float>>(needs_grad ? size_t(xv.numel()) : 0);
  const float* in = xv.ptr();
  float* out = y.ptr();
  float* dydx = needs_grad ? slope->data() : nullptr;
  parallel_elements(xv.numel(), [&](int64_t b, int64_t e) {
    detail::gelu_span(in + b, out + b, dydx ? dydx + b : nullptr, e - b);
  });
  return tape.record(std::move(y), needs_grad, [x, slope](Tape& t, Var self) {
    const float* dyp = t.grad(self).ptr();
    float* dxp = t.grad(x).ptr();
    const float* sp = slope->data();
    parallel_elements(int64_t(slope->size()), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) dxp[i] += dyp[i] * sp[i];
    });
  });
}

// tanh'(x) = 1 - tanh(x)², from the saved output.
Var tanh_op(Tape& tape, Var x) {
  return unary(
      tape, x, [](float v) { return std::tanh(v); }, [](float, float y) { return 1.0f - y * y; });
}

Var dropout(Tape& tape, Var x, double p, const RandomStream& stream, bool train) {
  if (!train || p <= 0.0) return x;
  // Element i is dropped iff its 64-bit word < p·2^64 (probability p up to 2^-64).
  const double threshold_d = p * 18446744073709551616.0;
  const uint64_t threshold = threshold_d >= 18446744073709551615.0 ? ~uint64_t{0} : uint64_t(threshold_d);
  const float keep_scale = float(1.0 / (1.0 - p));
  const Tensor& xv = tape.value(x);
  auto mask = std::make_shared<UninitializedVector<float>>(size_t(xv.numel()));
  Tensor y = Tensor::uninitialized(xv.shape);
  parallel_for(xv.numel(), kParallelMinElements, [&](int64_t i) {
    const float m = (p >= 1.0 || stream.bits(uint64_t(i)) < threshold) ? 0.0f : keep_scale;
    (*mask)[size_t(i)] = m;
    y.data[size_t(i)] = xv.data[size_t(i)] * m;
  });
  return tape.record(std::move(y), tape.needs_grad(x), [x, mask](Tape& t, Var self) {
    const Tensor& dy = t.grad(self);
    float* dx = t.grad(x).ptr();
    const float *g = dy.ptr(), *m = mask->data();
    parallel_elements(dy.numel(), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) dx[i] += g[i] * m[i];
    });
  });
}

Var reshape(Tape& tape, Var x, Shape shape) {
  const Tensor& xv = tape.value(x);
  if (shape_numel(shape) != xv.numel())
    throw std::invalid_argument("reshape: " + shape_string(xv.shape) + " has " + std::to_string(xv.numel()) +
                                " elements, not the " + std::to_string(shape_numel(shape)) + " of " +
                                shape_string(shape));
  Tensor y = Tensor::copy_of(xv);
  y.shape = std::move(shape);
  return tape.record(std::move(y), tape.needs_grad(x), [x](Tape& t, Var self) {
    const Tensor& dy = t.grad(self);
    add_into(t.grad(x).span(), dy.span());
  });
}

Var flatten(Tape& tape, Var x) {
  const Tensor& xv = tape.value(x);
  return reshape(tape, x, {xv.dim(0), xv.numel() / std::max<int64_t>(xv.dim(0), 1)});
}

}  // namespace fpsim::sim
