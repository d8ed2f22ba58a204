#pragma once
// Layers: parameters with names, and forward functions that record ops on a tape with the
// quantisation points of the QuantPlan inserted (see quant_plan.h for where each role applies).
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "sim/ops/ops.h"
#include "sim/quant/quant_plan.h"
#include "sim/telemetry.h"

namespace fpsim::sim {

/// A trainable tensor. `value` is the master copy (exactly representable in the MasterWeight
/// format of its layer); `grad` is filled after backward (already rounded to WeightGrad).
struct Parameter {
  std::string name;   ///< "fc1.weight"
  std::string layer;  ///< "fc1"
  bool is_gemm_weight = false;  ///< quantised by Weight/WeightGrad (biases and norms are not)
  const RoleTargets* targets = nullptr;  ///< its layer's targets (MasterWeight, OptimizerState)
  Tensor value;
  Tensor grad;
  Tensor state1, state2;  ///< optimiser state (momentum; AdamW m, v)
  Var var;                ///< this step's tape leaf
};

/// What one forward pass needs besides the tape: RNG keys, mode, plan, and the telemetry sink.
struct StepContext {
  uint64_t seed = 0;
  uint64_t step = 0;  ///< keys the SR streams; evaluation passes use a separate range
  bool train = true;
  const QuantPlan* plan = nullptr;
  TelemetryWindow* telemetry = nullptr;  ///< non-null on telemetry steps
  ScalingState* scaling = nullptr;        ///< the run's delayed-scaling state (null: scales start at 1 each step)

  /// The QuantSide for a point: `role`'s Target from `targets`, stream (seed, step, "<layer>/<point>", role).
  /// Example: ctx.side(t, "fc2", "activation", Role::ActivationGrad).
  QuantSide side(const RoleTargets& targets, const std::string& layer, const char* point, Role role);
  /// The GEMM accumulation model of a layer (kFp32Accumulation when Accumulator is none).
  Accumulation accumulation(const RoleTargets& targets, const std::string& layer);
  /// One accumulation per group of a batched GEMM: the same model, with group g's stochastic-rounding
  /// stream keyed "<layer>/accumulator/<g>" (one shared entry when the accumulator is not stochastic).
  std::vector<Accumulation> accumulations(const RoleTargets& targets, const std::string& layer, int64_t groups);
  /// How layer `layer` runs its GEMMs: plain with accumulation(), or scaled when targets.scaled_gemms().
  /// SR streams of scaled casts: (seed, step, stream_id("<layer>/<role>/scaled"), role); Hadamard signs:
  /// (seed, step, stream_id("<layer>/hadamard")). Example: matmul_nt(tape, x, w, ctx.gemms(t, "fc2")).
  LayerGemm gemms(const RoleTargets& targets, const std::string& layer);

 private:
  std::deque<RandomStream> accumulator_streams_;  // stable addresses until the step ends
};

/// Put each parameter's master value on the tape as a leaf that needs a gradient.
/// Example: attach(tape, params) before the forward pass.
void attach(Tape& tape, std::vector<Parameter>& params, bool needs_grad = true);
/// Copy tape gradients into Parameter::grad (zeros when a parameter got none).
void collect_grads(Tape& tape, std::vector<Parameter>& params);
/// attach() without the copy, for a training step or an evaluation batch that gives the values back: each
/// value moves onto the tape (Parameter::value is empty meanwhile, so nothing may read it) until take_back()
/// moves it back. A training step copied 2.7 MB of MLP weights per update before.
/// Example: lend(tape, params); forward; backward; collect_grads(tape, params); take_back(tape, params).
void lend(Tape& tape, std::vector<Parameter>& params, bool needs_grad = true);
void take_back(Tape& tape, std::vector<Parameter>& params);

/// y = Q_out(Q_act(x)·Q_w(w)ᵀ + b): a linear layer with its quantisation points; x[N,in], w[out,in],
/// b[out] or null (no bias). Example: linear_layer(tape, ctx, targets, "fc2", x, w, &b).
Var linear_layer(Tape& tape, StepContext& ctx, const RoleTargets& targets, const std::string& name, Var x,
                 const Parameter& w, const Parameter* b);
/// The same for conv2d: x[N,C,H,W], w[O,C,K,K], b[O] or null.
Var conv_layer(Tape& tape, StepContext& ctx, const RoleTargets& targets, const std::string& name, Var x,
               const Parameter& w, const Parameter* b, Conv2dShape shape);
/// y = Q_out(Q_act(a)·op(Q_act(b))) per group: a GEMM of two activations (attention scores Q·Kᵀ with
/// trans_b Yes, values P·V with No). Both operands take the Activation target forward and ActivationGrad
/// backward (points "<name>/a" and "<name>/b"), the product the layer's Accumulator, the result Output.
/// a[G,M,K], b[G,N,K] or [G,K,N]. Example: activation_gemm_layer(tape, ctx, t, "block1.attn.scores", q, k, Trans::Yes).
Var activation_gemm_layer(Tape& tape, StepContext& ctx, const RoleTargets& targets, const std::string& name, Var a,
                          Var b, Trans trans_b);

}  // namespace fpsim::sim
