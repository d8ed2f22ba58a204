// Quantisation points: values stored at a point are representable in its format, and stochastic
// rounding streams are keyed by (seed, step, name, role), never by call order.
#include <catch2/catch.hpp>
#include <cmath>

#include "numerics/core/convert.h"
#include "numerics/core/format.h"
#include "sim/models/layers.h"

using namespace fpsim;
using namespace fpsim::sim;

namespace {

bool representable(float v, const Format& f) {
  const Rounded r = encode(v, Target{f}, 0);
  return (r.flags & flag::inexact) == 0;
}

Tensor ramp(Shape shape, float scale) {
  Tensor t(std::move(shape));
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = scale * (float(i) * 0.37f - 3.1f);
  return t;
}

}  // namespace

TEST_CASE("quantize op stores forward values and passes gradients exactly representable in E5M2", "[sim]") {
  const Format e5m2 = parse_format("e5m2");
  Target sr{e5m2};
  sr.rounding = Rounding::Stochastic;
  Tape tape;
  const Var x = tape.leaf(ramp({4, 5}, 1.0f), true);
  QuantSide bwd{sr, RandomStream(1, 2, 3, 4), nullptr, nullptr};
  QuantSide fwd;
  fwd.target = Target{e5m2};
  const Var y = quantize_op(tape, x, fwd, bwd);
  for (float v : tape.value(y).data) CHECK(representable(v, e5m2));
  // L = Σ r·y with r = 1e-3·ramp: dL/dy = r, which the backward side rounds (SR) before passing on.
  const Tensor r = ramp({4, 5}, 1e-3f);
  const Var loss = tape.record(Tensor({1}), true, [y, r](Tape& t, Var) {
    for (size_t i = 0; i < r.data.size(); ++i) t.grad(y).data[i] += r.data[i];
  });
  tape.backward(loss);
  int changed = 0;
  for (size_t i = 0; i < r.data.size(); ++i) {
    const float g = tape.grad(x).data[i];
    CHECK(representable(g, e5m2));
    CHECK(std::fabs(g - r.data[i]) <= std::fabs(r.data[i]) * 0.25f + 1.6e-5f);  // within one E5M2 step
    changed += g != r.data[i];
  }
  CHECK(changed > 0);
}

TEST_CASE("stochastic rounding at a point depends on (seed, step, name, role) only", "[sim]") {
  Target sr{parse_format("e5m2")};
  sr.rounding = Rounding::Stochastic;
  RoleTargets targets;
  targets[Role::ActivationGrad] = sr;
  auto round_with = [&](uint64_t step, const char* point) {
    StepContext ctx;
    ctx.seed = 7;
    ctx.step = step;
    Tensor t = ramp({64}, 1e-3f);
    quantize_in_place(t.span(), ctx.side(targets, "fc2", point, Role::ActivationGrad));
    return t.data;
  };
  const auto a = round_with(5, "output");
  CHECK(round_with(5, "output") == a);  // same key, same bits, whatever was drawn before
  CHECK(round_with(6, "output") != a);  // another step draws other bits
  CHECK(round_with(5, "activation") != a);
}

TEST_CASE("a linear layer's telemetry counts every quantisation point", "[sim]") {
  QuantPlan plan;
  const Target e5m2{parse_format("e5m2")};
  for (Role r : {Role::Weight, Role::Activation, Role::Output}) plan.quantised[r] = e5m2;
  Parameter w, b;
  w.value = ramp({3, 4}, 0.1f);
  b.value = Tensor({3});
  Tape tape;
  std::vector<Parameter> params{w, b};
  attach(tape, params);
  TelemetryWindow window;
  StepContext ctx;
  ctx.plan = &plan;
  ctx.telemetry = &window;
  const Var x = tape.leaf(ramp({2, 4}, 1e-6f), false);
  linear_layer(tape, ctx, plan.quantised, "fc1", x, params[0], &params[1]);
  REQUIRE(window.count("fc1/weight") == 1);
  CHECK(window["fc1/weight"].stats.count == 12);
  CHECK(window["fc1/activation"].stats.count == 8);
  CHECK(window["fc1/output"].stats.count == 6);
  // 1e-6·(0.37 i - 3.1) is below half of E5M2's smallest subnormal 2^-16 ≈ 1.5e-5: all flush to zero.
  CHECK(window["fc1/activation"].zero_frac() == 1.0);
}

TEST_CASE("an attention GEMM with a stochastic accumulator draws one stream per group", "[sim]") {
  // Two identical groups: with a nearest-even binary16 accumulator their products are equal; with
  // stochastic rounding each group has its own stream ("<layer>/accumulator/<g>"), so they differ.
  for (Rounding rounding : {Rounding::NearestEven, Rounding::Stochastic}) {
    Target acc{parse_format("binary16")};
    acc.rounding = rounding;
    RoleTargets targets;
    targets[Role::Accumulator] = acc;
    Tensor a({2, 3, 40}), b({2, 4, 40});
    for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = 0.01f * float(1 + (i % 120) * 7 % 13);
    for (size_t i = 0; i < b.data.size(); ++i) b.data[i] = 0.3f + 0.01f * float((i % 160) % 11);
    Tape tape;
    StepContext ctx;
    ctx.seed = 3;
    const Var y = activation_gemm_layer(tape, ctx, targets, "block1.attn.scores", tape.leaf(a, false),
                                        tape.leaf(b, false), Trans::Yes);
    const auto& v = tape.value(y).data;
    const bool groups_equal = std::equal(v.begin(), v.begin() + 12, v.begin() + 12);
    CHECK(groups_equal == (rounding == Rounding::NearestEven));
  }
}
