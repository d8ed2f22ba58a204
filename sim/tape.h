#pragma once
// Reverse-mode automatic differentiation on a tape (a Wengert list).
//
// Every op appends one node holding its output value and a closure that, given the node's output
// gradient, accumulates (+=) into its inputs' gradients. Nodes are appended in evaluation order,
// so walking the tape backwards is a valid topological order: backward(loss) needs no graph sort.
// A Var is just an index into the tape; it is only meaningful with the tape that made it.
#include <functional>
#include <vector>

#include "sim/tensor.h"

namespace fpsim::sim {

struct Var {
  int id = -1;
  bool valid() const { return id >= 0; }
};

class Tape {
 public:
  /// Runs during backward: reads grad(self) and accumulates into the inputs' gradients.
  using Backward = std::function<void(Tape& tape, Var self)>;

  /// A leaf: an input (needs_grad = false) or a parameter (true).
  /// Example: Var w = tape.leaf(Tensor({4, 3}), true);
  Var leaf(Tensor value, bool needs_grad);
  /// The output of an op. `backward` may be empty when no input needs a gradient.
  /// Example: Var y = tape.record(std::move(out), tape.needs_grad(x), [x](Tape& t, Var self) {...});
  Var record(Tensor value, bool needs_grad, Backward backward);

  const Tensor& value(Var v) const { return nodes_.at(v.id).value; }
  /// Moves v's value out of the tape (v's value is then empty): how a lent parameter goes back to its owner.
  Tensor take_value(Var v) { return std::move(nodes_.at(v.id).value); }
  bool needs_grad(Var v) const { return nodes_.at(v.id).needs_grad; }
  /// The gradient of v, allocated (zeros, v's shape) on first use.
  Tensor& grad(Var v);
  bool has_grad(Var v) const { return !nodes_.at(v.id).grad.data.empty() || nodes_.at(v.id).value.data.empty(); }

  /// Seed d(loss)/d(loss) = seed (a loss scale, or 1) and run every recorded backward, newest first.
  /// Example: tape.backward(loss, 1024.0f); then tape.grad(w) holds 1024 * dloss/dw.
  void backward(Var loss, float seed = 1.0f);

  /// Forget every node (the next step records a fresh graph; storage of values is released).
  void clear() { nodes_.clear(); }
  size_t size() const { return nodes_.size(); }

 private:
  struct Node {
    Tensor value;
    Tensor grad;
    bool needs_grad = false;
    Backward backward;
  };
  std::vector<Node> nodes_;
};

}  // namespace fpsim::sim
