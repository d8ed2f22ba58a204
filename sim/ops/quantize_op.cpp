// The quantise op: one Target forward, another backward, both through numerics/quantize/quantize.h.
#include "sim/ops/ops.h"
#include "sim/telemetry.h"

namespace fpsim::sim {

void quantize_in_place(std::span<float> values, const QuantSide& side) {
  if (!side.target) return;
  if (side.log2_hist) add_log2_histogram(values, *side.log2_hist);
  quantize(values, values, *side.target, side.stream ? &*side.stream : nullptr, 0, side.stats);
}

Var quantize_op(Tape& tape, Var x, QuantSide fwd, QuantSide bwd) {
  if (!fwd.target && !bwd.target) return x;
  Tensor y = tape.value(x);
  quantize_in_place(y.span(), fwd);
  return tape.record(std::move(y), tape.needs_grad(x), [x, bwd = std::move(bwd)](Tape& t, Var self) {
    Tensor& dy = t.grad(self);
    if (!t.needs_grad(x)) return;
    quantize_in_place(dy.span(), bwd);  // this node's gradient is consumed only here
    Tensor& dx = t.grad(x);
    for (size_t i = 0; i < dy.data.size(); ++i) dx.data[i] += dy.data[i];
  });
}

}  // namespace fpsim::sim
