#include "sim/models/layers.h"

#include "numerics/quantize/hadamard.h"

namespace fpsim::sim {

QuantSide StepContext::side(const RoleTargets& targets, const std::string& layer, const char* point, Role role) {
  QuantSide s;
  s.target = targets[role];
  if (!s.target) return s;
  const std::string key = layer + "/" + point;
  if (s.target->rounding == Rounding::Stochastic) s.stream.emplace(seed, step, stream_id(key), uint64_t(role));
  if (telemetry) {
    PointTelemetry& p = (*telemetry)[layer + "/" + to_string(role)];
    s.stats = &p.stats;
    s.log2_hist = &p.log2_hist;
  }
  return s;
}

Accumulation StepContext::accumulation(const RoleTargets& targets, const std::string& layer) {
  const std::optional<Target>& t = targets[Role::Accumulator];
  if (!t) return kFp32Accumulation;
  Accumulation acc;
  acc.fp32 = false;
  acc.target = *t;
  acc.chunk = targets.accumulator_chunk;
  acc.matrix_unit = targets.accumulator_matrix_unit;
  if (t->rounding == Rounding::Stochastic) {
    accumulator_streams_.emplace_back(seed, step, stream_id(layer + "/accumulator"), uint64_t(Role::Accumulator));
    acc.random = &accumulator_streams_.back();
  }
  return acc;
}

std::vector<Accumulation> StepContext::accumulations(const RoleTargets& targets, const std::string& layer,
                                                     int64_t groups) {
  const std::optional<Target>& t = targets[Role::Accumulator];
  if (!t || t->rounding != Rounding::Stochastic) return {accumulation(targets, layer)};
  std::vector<Accumulation> out;
  for (int64_t g = 0; g < groups; ++g)
    out.push_back(accumulation(targets, layer + "/accumulator/" + std::to_string(g)));
  return out;
}

LayerGemm StepContext::gemms(const RoleTargets& targets, const std::string& layer) {
  LayerGemm g(accumulation(targets, layer));
  if (!targets.scaled_gemms()) return g;
  auto s = std::make_shared<ScaledGemms>();
  for (GemmPass pass : {GemmPass::Fprop, GemmPass::Dgrad, GemmPass::Wgrad}) {
    const auto [ra, rb] = gemm_operand_roles(pass);
    for (const auto& [role, cast] : {std::pair{ra, &s->a[size_t(pass)]}, std::pair{rb, &s->b[size_t(pass)]}}) {
      std::tie(cast->target, cast->scaling) = targets.operand(pass, role);
      if (!cast->target) continue;
      const std::string key = layer + "/" + to_string(role);
      if (cast->target->rounding == Rounding::Stochastic)
        cast->stream.emplace(seed, step, stream_id(key + "/scaled"), uint64_t(role));
      // The role's own cast is shared between the two GEMMs that read the tensor; an override is its own.
      const bool overridden = targets.gemms[size_t(pass)].operands[size_t(role)].set;
      cast->cast_id = overridden ? -1 : int(role);
      if (telemetry) cast->telemetry = &(*telemetry)[key];
      cast->state = scaling;
      cast->state_key = key;
      cast->step = int64_t(step);
      cast->record = train;
    }
    s->hadamard[size_t(pass)] = targets.gemms[size_t(pass)].hadamard;
  }
  s->hadamard_signs = hadamard_signs(RandomStream(seed, step, stream_id(layer + "/hadamard")));
  g.scaled = std::move(s);
  return g;
}

void attach(Tape& tape, std::vector<Parameter>& params, bool needs_grad) {
  for (Parameter& p : params) p.var = tape.leaf(Tensor::copy_of(p.value), needs_grad);
}

void lend(Tape& tape, std::vector<Parameter>& params, bool needs_grad) {
  for (Parameter& p : params) p.var = tape.leaf(std::move(p.value), needs_grad);
}

void take_back(Tape& tape, std::vector<Parameter>& params) {
  for (Parameter& p : params) p.value = tape.take_value(p.var);
}

void collect_grads(Tape& tape, std::vector<Parameter>& params) {
  for (Parameter& p : params) {
    if (tape.has_grad(p.var)) {
      p.grad = std::move(tape.grad(p.var));
    } else {
      p.grad = Tensor(tape.value(p.var).shape);  // the tape's value: the parameter's may be lent to it
    }
  }
}

namespace {

// Inputs of a GEMM layer: Q_act(x) and Q_w(w), each with its backward rounding.
std::pair<Var, Var> gemm_inputs(Tape& tape, StepContext& ctx, const RoleTargets& t, const std::string& name, Var x,
                                const Parameter& w) {
  const Var xq = quantize_op(tape, x, ctx.side(t, name, "activation", Role::Activation),
                             ctx.side(t, name, "activation", Role::ActivationGrad));
  const Var wq = quantize_op(tape, w.var, ctx.side(t, name, "weight", Role::Weight),
                             ctx.side(t, name, "weight", Role::WeightGrad));
  return {xq, wq};
}

// Q_out(y + b) (no bias node when b is null).
Var layer_output(Tape& tape, StepContext& ctx, const RoleTargets& t, const std::string& name, Var y,
                 const Parameter* b) {
  if (b) y = add_bias(tape, y, b->var);
  return quantize_op(tape, y, ctx.side(t, name, "output", Role::Output),
                     ctx.side(t, name, "output", Role::ActivationGrad));
}

}  // namespace

// Scaled GEMMs cast their operands themselves (layer_gemm.h); what stays outside is the rounding of the
// weight gradient (WeightGrad) and of the layer output (Output, forward only: the gradient reaching the
// layer is cast inside its dgrad and wgrad GEMMs).
static Var scaled_layer(Tape& tape, StepContext& ctx, const RoleTargets& t, const std::string& name, Var x,
                        const Parameter& w, const Parameter* b, const std::optional<Conv2dShape>& conv) {
  const Var wq = quantize_op(tape, w.var, {}, ctx.side(t, name, "weight", Role::WeightGrad));
  const LayerGemm g = ctx.gemms(t, name);
  Var y = conv ? conv2d(tape, x, wq, *conv, g) : matmul_nt(tape, x, wq, g);
  if (b) y = add_bias(tape, y, b->var);
  return quantize_op(tape, y, ctx.side(t, name, "output", Role::Output), {});
}

Var linear_layer(Tape& tape, StepContext& ctx, const RoleTargets& t, const std::string& name, Var x,
                 const Parameter& w, const Parameter* b) {
  if (t.scaled_gemms()) return scaled_layer(tape, ctx, t, name, x, w, b, std::nullopt);
  const auto [xq, wq] = gemm_inputs(tape, ctx, t, name, x, w);
  return layer_output(tape, ctx, t, name, matmul_nt(tape, xq, wq, ctx.accumulation(t, name)), b);
}

Var conv_layer(Tape& tape, StepContext& ctx, const RoleTargets& t, const std::string& name, Var x,
               const Parameter& w, const Parameter* b, Conv2dShape shape) {
  if (t.scaled_gemms()) return scaled_layer(tape, ctx, t, name, x, w, b, shape);
  const auto [xq, wq] = gemm_inputs(tape, ctx, t, name, x, w);
  return layer_output(tape, ctx, t, name, conv2d(tape, xq, wq, shape, ctx.accumulation(t, name)), b);
}

Var activation_gemm_layer(Tape& tape, StepContext& ctx, const RoleTargets& t, const std::string& name, Var a, Var b,
                          Trans trans_b) {
  const Var aq = quantize_op(tape, a, ctx.side(t, name, "a", Role::Activation),
                             ctx.side(t, name, "a", Role::ActivationGrad));
  const Var bq = quantize_op(tape, b, ctx.side(t, name, "b", Role::Activation),
                             ctx.side(t, name, "b", Role::ActivationGrad));
  const std::vector<Accumulation> acc = ctx.accumulations(t, name, tape.value(a).dim(0));
  return layer_output(tape, ctx, t, name, batched_matmul(tape, aq, bq, trans_b, acc), nullptr);
}

}  // namespace fpsim::sim
