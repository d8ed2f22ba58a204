// The quantise op: one Target forward, another backward, both through numerics/quantize/quantize.h.
#include "sim/ops/ops.h"
#include "sim/telemetry.h"

namespace fpsim::sim {
namespace {

// Round `in` into side.target, writing out (which may be in), recording the histogram of the values before
// rounding and the stats. side.target must be set.
void quantize_into(std::span<const float> in, std::span<float> out, const QuantSide& side) {
  if (side.log2_hist) add_log2_histogram(in, *side.log2_hist);
  quantize(in, out, *side.target, side.stream ? &*side.stream : nullptr, 0, side.stats);
}

}  // namespace

void quantize_in_place(std::span<float> values, const QuantSide& side) {
  if (side.target) quantize_into(values, values, side);
}

Var quantize_op(Tape& tape, Var x, QuantSide fwd, QuantSide bwd) {
  if (!fwd.target && !bwd.target) return x;
  // Rounded straight from x into y (one pass), or copied when only the backward rounds.
  const Tensor& xv = tape.value(x);
  Tensor y = fwd.target ? Tensor::uninitialized(xv.shape) : Tensor::copy_of(xv);
  if (fwd.target) quantize_into(xv.span(), y.span(), fwd);
  return tape.record(std::move(y), tape.needs_grad(x), [x, bwd = std::move(bwd)](Tape& t, Var self) {
    Tensor& dy = t.grad(self);
    if (!t.needs_grad(x)) return;
    quantize_in_place(dy.span(), bwd);  // this node's gradient is consumed only here
    add_into(t.grad(x).span(), dy.span());
  });
}

}  // namespace fpsim::sim
