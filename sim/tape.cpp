#include "sim/tape.h"

#include <stdexcept>

namespace fpsim::sim {

Var Tape::leaf(Tensor value, bool needs_grad) {
  nodes_.push_back(Node{std::move(value), Tensor{}, needs_grad, {}});
  return Var{static_cast<int>(nodes_.size()) - 1};
}

Var Tape::record(Tensor value, bool needs_grad, Backward backward) {
  nodes_.push_back(Node{std::move(value), Tensor{}, needs_grad, needs_grad ? std::move(backward) : Backward{}});
  return Var{static_cast<int>(nodes_.size()) - 1};
}

Tensor& Tape::grad(Var v) {
  Node& n = nodes_.at(v.id);
  if (n.grad.data.size() != n.value.data.size()) n.grad = Tensor(n.value.shape);
  return n.grad;
}

void Tape::backward(Var loss, float seed) {
  if (value(loss).numel() != 1)
    throw std::invalid_argument("tape: backward needs a scalar loss, got shape " + shape_string(value(loss).shape));
  grad(loss).data[0] = seed;
  // Reverse creation order is a topological order of the graph (see the header).
  for (int id = loss.id; id >= 0; --id) {
    Node& n = nodes_[id];
    if (!n.backward || n.grad.data.empty()) continue;
    n.backward(*this, Var{id});
  }
}

}  // namespace fpsim::sim
