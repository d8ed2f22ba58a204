// Optimisers against steps computed by hand (values chosen so every intermediate is a short binary
// fraction, exact in binary32), the formats of the optimiser state and master weights, and the keys
// of stochastic-rounding updates: (seed, step, parameter name, role), never the order of parameters.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "numerics/core/convert.h"
#include "numerics/core/random.h"
#include "sim/optim/optim.h"

namespace fpsim::sim {
namespace {

Parameter param(const std::string& name, std::vector<float> w, const RoleTargets* targets = nullptr) {
  Parameter p;
  p.name = name;
  p.layer = name;
  p.targets = targets;
  p.value = Tensor({static_cast<int64_t>(w.size())});
  p.value.data.assign(w.begin(), w.end());
  p.grad = Tensor(p.value.shape);
  return p;
}

OptimizerSpec sgd(double momentum, bool nesterov, double weight_decay) {
  return OptimizerSpec{.type = OptimizerSpec::Type::Sgd, .momentum = momentum, .nesterov = nesterov,
                       .weight_decay = weight_decay};
}

// One step with gradient g (given as grad_scale · g, as a loss-scaled backward pass leaves it).
void step_with(std::vector<Parameter>& ps, const OptimizerSpec& spec, double lr, int64_t step, float g,
               double grad_scale = 1.0, uint64_t seed = 1) {
  for (Parameter& p : ps)
    for (float& x : p.grad.data) x = static_cast<float>(g * grad_scale);
  optimizer_step(ps, spec, lr, step, grad_scale, seed, nullptr);
}

TEST_CASE("SGD with momentum: buf = d on step 1, then momentum·buf + d; w -= lr·buf", "[optim]") {
  std::vector<Parameter> ps{param("w", {1.0f})};
  const OptimizerSpec spec = sgd(0.5, false, 0.0);
  step_with(ps, spec, 0.5, 1, 0.25, 4.0);  // g = 1 / 4 (loss scale 4): buf = 0.25, w = 1 - 0.125
  CHECK(ps[0].value.data[0] == 0.875f);
  CHECK(ps[0].state1.data[0] == 0.25f);
  step_with(ps, spec, 0.5, 2, 0.5);  // buf = 0.5·0.25 + 0.5 = 0.625, w = 0.875 - 0.3125
  CHECK(ps[0].state1.data[0] == 0.625f);
  CHECK(ps[0].value.data[0] == 0.5625f);
}

TEST_CASE("SGD Nesterov: update = d + momentum·buf", "[optim]") {
  std::vector<Parameter> ps{param("w", {1.0f})};
  const OptimizerSpec spec = sgd(0.5, true, 0.0);
  step_with(ps, spec, 0.5, 1, 0.25);  // buf = 0.25, update = 0.25 + 0.125, w = 1 - 0.1875
  CHECK(ps[0].value.data[0] == 0.8125f);
  step_with(ps, spec, 0.5, 2, 0.5);  // buf = 0.625, update = 0.5 + 0.3125, w = 0.8125 - 0.40625
  CHECK(ps[0].value.data[0] == 0.40625f);
}

TEST_CASE("SGD weight decay is added to the gradient (L2)", "[optim]") {
  std::vector<Parameter> ps{param("w", {1.0f, -2.0f})};
  step_with(ps, sgd(0.9, false, 0.5), 0.5, 1, 0.25);  // d = 0.25 + 0.5·w: 0.75 and -0.75
  CHECK(ps[0].value.data[0] == 0.625f);                // 1 - 0.5·0.75
  CHECK(ps[0].value.data[1] == -1.625f);               // -2 + 0.5·0.75
}

TEST_CASE("AdamW: bias-corrected moments and decoupled weight decay", "[optim]") {
  std::vector<Parameter> ps{param("w", {2.0f})};
  const OptimizerSpec spec{
      .type = OptimizerSpec::Type::AdamW, .weight_decay = 0.5, .beta1 = 0.5, .beta2 = 0.75, .eps = 0.0};
  // Step 1, g = 0.5: m = 0.25, v = 0.0625; m̂ = 0.25 / 0.5 = 0.5, v̂ = 0.0625 / 0.25 = 0.25;
  // w = 2·(1 - 0.1·0.5) - 0.1·0.5 / √0.25 = 1.9 - 0.1 = 1.8.
  step_with(ps, spec, 0.1, 1, 0.5);
  CHECK(ps[0].state1.data[0] == 0.25f);
  CHECK(ps[0].state2.data[0] == 0.0625f);
  CHECK(std::fabs(ps[0].value.data[0] - 1.8) < 1e-6);
  // Step 2, g = -0.5: m = -0.125, v = 0.109375; m̂ = -0.125 / 0.75, v̂ = 0.109375 / 0.4375 = 0.25;
  // w = 1.8·0.95 + 0.1·(1/6) / 0.5 = 1.71 + 1/30.
  step_with(ps, spec, 0.1, 2, -0.5);
  CHECK(ps[0].state1.data[0] == -0.125f);
  CHECK(ps[0].state2.data[0] == 0.109375f);
  CHECK(std::fabs(ps[0].value.data[0] - (1.71 + 1.0 / 30.0)) < 1e-6);
}

TEST_CASE("optimiser state and master weights are stored in their formats", "[optim]") {
  RoleTargets targets;
  targets[Role::OptimizerState] = Target{parse_format("bfloat16")};
  targets[Role::MasterWeight] = Target{parse_format("e5m2")};
  std::vector<Parameter> ps{param("w", {1.0f}, &targets)};
  // g = 0.1: buf = 0.1 -> bfloat16 0.10009765625 (0x3DCD); w = 1 - 0.1·0.1 = 0.99 -> e5m2 1.0 (rne).
  step_with(ps, sgd(0.9, false, 0.0), 0.1, 1, 0.1f);
  CHECK(ps[0].state1.data[0] == 0.10009765625f);
  CHECK(ps[0].value.data[0] == 1.0f);
}

TEST_CASE("stochastic master-weight updates draw from (seed, step, parameter name, role)", "[optim]") {
  RoleTargets targets;
  Target sr{parse_format("binary16")};
  sr.rounding = Rounding::Stochastic;
  targets[Role::MasterWeight] = sr;
  const int n = 64;
  const std::vector<float> w0(n, 1.0f);
  auto run = [&](std::vector<std::string> names, int64_t step, uint64_t seed) {
    std::vector<Parameter> ps;
    for (const std::string& name : names) ps.push_back(param(name, w0, &targets));
    step_with(ps, sgd(0.0, false, 0.0), 1.0, step, 0x1p-13f, 1.0, seed);  // 1 - 2^-13: between fp16 neighbours
    return ps;
  };
  const std::vector<Parameter> ab = run({"a.weight", "b.weight"}, 3, 7);
  // Hand-computed: element i of "a.weight" is 1 - 2^-13 rounded with RandomStream(7, 3, id("a.weight"),
  // MasterWeight).bits(i); the two neighbours are 1 - 2^-11 and 1.
  const RandomStream stream(7, 3, stream_id("a.weight"), uint64_t(Role::MasterWeight));
  int ups = 0;
  for (int i = 0; i < n; ++i) {
    const float want = static_cast<float>(decode(encode(1.0 - 0x1p-13, sr, stream.bits(uint64_t(i))).bits, sr.format));
    INFO("element " << i);
    CHECK(ab[0].value.data[i] == want);
    CHECK((want == 1.0f || want == 1.0f - 0x1p-11f));
    ups += want == 1.0f;
  }
  CHECK(ups > 0);
  CHECK(ups < n);  // both directions occur (P(up) = 3/4)
  // The order of the parameters does not matter; the name, the step and the seed do.
  const std::vector<Parameter> ba = run({"b.weight", "a.weight"}, 3, 7);
  CHECK(ba[1].value.data == ab[0].value.data);
  CHECK(ba[0].value.data == ab[1].value.data);
  CHECK(ab[1].value.data != ab[0].value.data);
  CHECK(run({"a.weight"}, 4, 7)[0].value.data != ab[0].value.data);
  CHECK(run({"a.weight"}, 3, 8)[0].value.data != ab[0].value.data);
}

}  // namespace
}  // namespace fpsim::sim
