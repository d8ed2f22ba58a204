// The quantise op: one Target forward, another backward, both through numerics/quantize/quantize.h.
#include "sim/ops/ops.h"
#include "sim/parallel.h"
#include "sim/telemetry.h"

namespace fpsim::sim {

void quantize_in_place(std::span<float> values, const QuantSide& side) {
  if (!side.target) return;
  if (side.log2_hist) add_log2_histogram(values, *side.log2_hist);
  quantize(values, values, *side.target, side.stream ? &*side.stream : nullptr, 0, side.stats);
}

Var quantize_op(Tape& tape, Var x, QuantSide fwd, QuantSide bwd) {
  if (!fwd.target && !bwd.target) return x;
  const Tensor& xv = tape.value(x);
  Tensor y = Tensor::uninitialized(xv.shape);
  if (fwd.target) {  // as quantize_in_place, rounding x straight into y (one pass, no copy first)
    if (fwd.log2_hist) add_log2_histogram(xv.span(), *fwd.log2_hist);
    quantize(xv.span(), y.span(), *fwd.target, fwd.stream ? &*fwd.stream : nullptr, 0, fwd.stats);
  } else {
    y = Tensor::copy_of(xv);
  }
  return tape.record(std::move(y), tape.needs_grad(x), [x, bwd = std::move(bwd)](Tape& t, Var self) {
    Tensor& dy = t.grad(self);
    if (!t.needs_grad(x)) return;
    quantize_in_place(dy.span(), bwd);  // this node's gradient is consumed only here
    float* dx = t.grad(x).ptr();
    const float* d = dy.ptr();
    parallel_elements(dy.numel(), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) dx[i] += d[i];
    });
  });
}

}  // namespace fpsim::sim
