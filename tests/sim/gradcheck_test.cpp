// Finite-difference gradient checks of every op through the tape.
//
// Each op output y is reduced to L = Σ r_i·y_i with fixed random weights r (so every output element
// contributes a different amount). The tape's dL/dx is compared with the central difference
// (L(x + h) - L(x - h)) / 2h, evaluated in double from float32 forward passes. With h = 1e-2 the
// truncation error is O(h²·f''') ≈ 1e-4 and the float32 rounding error ≈ 2^-24·|L|/h ≈ 1e-4 for
// |L| ~ 10, so agreement within 3e-3·max(1, |g|) can only fail for a wrong derivative.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>

#include "numerics/core/random.h"
#include "sim/ops/ops.h"

using namespace fpsim;
using namespace fpsim::sim;

namespace {

Tensor random_tensor(Shape shape, uint64_t seed, double lo = -1.0, double hi = 1.0) {
  Tensor t(std::move(shape));
  const RandomStream rs(seed, 11);
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = float(lo + (hi - lo) * double(rs.bits(i) >> 11) * 0x1p-53);
  return t;
}

// Push values away from 0 (kinks of relu) by at least `gap`: x -> x ± gap.
Tensor away_from_zero(Tensor t, float gap) {
  for (float& v : t.data) v += v >= 0 ? gap : -gap;
  return t;
}

using OpFn = std::function<Var(Tape&, const std::vector<Var>&)>;

double weighted_sum(const Tensor& y, const Tensor& r) {
  double s = 0;
  for (size_t i = 0; i < y.data.size(); ++i) s += double(y.data[i]) * r.data[i];
  return s;
}

// Checks d(Σ r·op(inputs))/d inputs[k] for every input with needs_grad at up to `samples` elements.
void check_gradients(const OpFn& op, std::vector<Tensor> inputs, double h = 1e-2, double tol = 3e-3) {
  Tape tape;
  std::vector<Var> vars;
  for (const Tensor& t : inputs) vars.push_back(tape.leaf(t, true));
  const Var y = op(tape, vars);
  const Tensor r = random_tensor(tape.value(y).shape, 99);
  const Var loss = tape.record(Tensor({1}, float(weighted_sum(tape.value(y), r))), true, [y, r](Tape& t, Var self) {
    const float g = t.grad(self).data[0];
    Tensor& dy = t.grad(y);
    for (size_t i = 0; i < dy.data.size(); ++i) dy.data[i] += g * r.data[i];
  });
  tape.backward(loss);
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor analytic = tape.grad(vars[k]);
    const size_t n = inputs[k].data.size();
    const size_t stride = std::max<size_t>(1, n / 24);
    for (size_t i = 0; i < n; i += stride) {
      auto eval = [&](float delta) {
        std::vector<Tensor> shifted = inputs;
        shifted[k].data[i] += delta;
        Tape t2;
        std::vector<Var> v2;
        for (const Tensor& s : shifted) v2.push_back(t2.leaf(s, false));
        return weighted_sum(t2.value(op(t2, v2)), r);
      };
      const double numeric = (eval(float(h)) - eval(float(-h))) / (2 * h);
      INFO("input " << k << " element " << i << ": analytic " << analytic.data[i] << " numeric " << numeric);
      CHECK(std::fabs(numeric - analytic.data[i]) <= tol * std::max(1.0, std::fabs(numeric)));
    }
  }
}

}  // namespace

TEST_CASE("matmul_nt gradients match finite differences", "[sim][gradcheck]") {
  check_gradients([](Tape& t, const std::vector<Var>& v) { return matmul_nt(t, v[0], v[1]); },
                  {random_tensor({5, 7}, 1), random_tensor({4, 7}, 2)});
}

TEST_CASE("add_bias gradients match finite differences (2-D and NCHW)", "[sim][gradcheck]") {
  check_gradients([](Tape& t, const std::vector<Var>& v) { return add_bias(t, v[0], v[1]); },
                  {random_tensor({3, 4}, 3), random_tensor({4}, 4)});
  check_gradients([](Tape& t, const std::vector<Var>& v) { return add_bias(t, v[0], v[1]); },
                  {random_tensor({2, 3, 2, 2}, 5), random_tensor({3}, 6)});
}

TEST_CASE("add gradients match finite differences", "[sim][gradcheck]") {
  check_gradients([](Tape& t, const std::vector<Var>& v) { return add(t, v[0], v[1]); },
                  {random_tensor({3, 4}, 7), random_tensor({3, 4}, 8)});
}

TEST_CASE("relu, gelu and tanh gradients match finite differences", "[sim][gradcheck]") {
  check_gradients([](Tape& t, const std::vector<Var>& v) { return relu(t, v[0]); },
                  {away_from_zero(random_tensor({4, 6}, 9), 0.05f)});
  check_gradients([](Tape& t, const std::vector<Var>& v) { return gelu(t, v[0]); }, {random_tensor({4, 6}, 10, -3, 3)});
  check_gradients([](Tape& t, const std::vector<Var>& v) { return tanh_op(t, v[0]); }, {random_tensor({4, 6}, 11, -2, 2)});
}

TEST_CASE("dropout gradients match finite differences with its fixed mask", "[sim][gradcheck]") {
  const RandomStream rs(5, 1);
  check_gradients([&](Tape& t, const std::vector<Var>& v) { return dropout(t, v[0], 0.3, rs, true); },
                  {random_tensor({6, 8}, 12)});
}

TEST_CASE("reshape and flatten gradients match finite differences", "[sim][gradcheck]") {
  check_gradients([](Tape& t, const std::vector<Var>& v) { return flatten(t, reshape(t, v[0], {2, 3, 2, 2})); },
                  {random_tensor({6, 4}, 13)});
}

TEST_CASE("softmax cross-entropy gradients match finite differences", "[sim][gradcheck]") {
  const std::vector<int32_t> labels{2, 0, 4};
  check_gradients([&](Tape& t, const std::vector<Var>& v) { return softmax_cross_entropy(t, v[0], labels); },
                  {random_tensor({3, 5}, 14, -4, 4)});
}

TEST_CASE("conv2d gradients match finite differences (stride 1 pad 2, stride 2 pad 1)", "[sim][gradcheck]") {
  check_gradients([](Tape& t, const std::vector<Var>& v) { return conv2d(t, v[0], v[1], {1, 2}); },
                  {random_tensor({2, 2, 5, 5}, 15), random_tensor({3, 2, 3, 3}, 16)});
  check_gradients([](Tape& t, const std::vector<Var>& v) { return conv2d(t, v[0], v[1], {2, 1}); },
                  {random_tensor({1, 2, 6, 6}, 17), random_tensor({2, 2, 3, 3}, 18)});
}

TEST_CASE("max and average pooling gradients match finite differences", "[sim][gradcheck]") {
  // Distinct values spaced 0.1 apart, so h = 1e-2 never changes which element is the maximum.
  Tensor x({1, 2, 4, 4});
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = float((i * 7) % 32) * 0.1f;
  check_gradients([](Tape& t, const std::vector<Var>& v) { return max_pool2d(t, v[0], 2, 2); }, {x});
  check_gradients([](Tape& t, const std::vector<Var>& v) { return avg_pool2d(t, v[0], 2, 2); },
                  {random_tensor({2, 1, 4, 4}, 19)});
}

TEST_CASE("batch norm gradients match finite differences in training and evaluation mode", "[sim][gradcheck]") {
  for (bool train : {true, false}) {
    check_gradients(
        [train](Tape& t, const std::vector<Var>& v) {
          BatchNormState s;
          s.mean = {0.1f, -0.2f, 0.3f};
          s.var = {1.5f, 0.7f, 1.1f};
          return batch_norm(t, v[0], v[1], v[2], s, train);
        },
        {random_tensor({4, 3, 2, 2}, 20), random_tensor({3}, 21, 0.5, 1.5), random_tensor({3}, 22)});
  }
}

TEST_CASE("layer norm gradients match finite differences", "[sim][gradcheck]") {
  check_gradients([](Tape& t, const std::vector<Var>& v) { return layer_norm(t, v[0], v[1], v[2]); },
                  {random_tensor({3, 6}, 23), random_tensor({6}, 24, 0.5, 1.5), random_tensor({6}, 25)});
  // 7 rows: one group of four rows normalised side by side, then a partial group of three
  check_gradients([](Tape& t, const std::vector<Var>& v) { return layer_norm(t, v[0], v[1], v[2]); },
                  {random_tensor({7, 5}, 26), random_tensor({5}, 27, 0.5, 1.5), random_tensor({5}, 28)});
}

TEST_CASE("layer norm's output is its definition bit for bit, rows normalised four at a time or not",
          "[sim][gradcheck]") {
  const int64_t rows = 9, d = 37;
  const Tensor x = random_tensor({rows, d}, 29, -3.0, 5.0), g = random_tensor({d}, 30, 0.5, 1.5),
               b = random_tensor({d}, 31);
  Tape tape;
  const Var y = layer_norm(tape, tape.leaf(x, false), tape.leaf(g, false), tape.leaf(b, false), 1e-5);
  int64_t wrong = 0;
  for (int64_t r = 0; r < rows; ++r) {  // norm.cpp: mean and variance in binary64, summed in column order
    double s = 0, s2 = 0;
    for (int64_t j = 0; j < d; ++j) s += x.data[size_t(r * d + j)];
    const double mean = s / double(d);
    for (int64_t j = 0; j < d; ++j) {
      const double dev = x.data[size_t(r * d + j)] - mean;
      s2 += dev * dev;
    }
    const double is = 1.0 / std::sqrt(s2 / double(d) + 1e-5);
    for (int64_t j = 0; j < d; ++j) {
      const float expect = float(g.data[size_t(j)] * ((x.data[size_t(r * d + j)] - mean) * is) + b.data[size_t(j)]);
      wrong += tape.value(y).data[size_t(r * d + j)] != expect;
    }
  }
  CHECK(wrong == 0);
}

TEST_CASE("quantize op without targets is the identity, forward and backward", "[sim][gradcheck]") {
  check_gradients([](Tape& t, const std::vector<Var>& v) { return quantize_op(t, relu(t, v[0]), {}, {}); },
                  {away_from_zero(random_tensor({3, 3}, 26), 0.05f)});
}

TEST_CASE("batched matmul gradients match finite differences (a·bᵀ and a·b per group)", "[sim][gradcheck]") {
  const std::vector<Accumulation> fp32{kFp32Accumulation};
  check_gradients([&](Tape& t, const std::vector<Var>& v) { return batched_matmul(t, v[0], v[1], Trans::Yes, fp32); },
                  {random_tensor({3, 4, 5}, 30), random_tensor({3, 6, 5}, 31)});
  check_gradients([&](Tape& t, const std::vector<Var>& v) { return batched_matmul(t, v[0], v[1], Trans::No, fp32); },
                  {random_tensor({2, 4, 5}, 32), random_tensor({2, 5, 3}, 33)});
}

TEST_CASE("split_heads and merge_heads gradients match finite differences", "[sim][gradcheck]") {
  // qkv [N·T = 2·3, 3·D = 12] with 2 heads of width 2; each part is checked through a merge.
  for (int part = 0; part < 3; ++part)
    check_gradients(
        [part](Tape& t, const std::vector<Var>& v) { return merge_heads(t, split_heads(t, v[0], 2, 2, part), 2); },
        {random_tensor({6, 12}, 34 + uint64_t(part))});
}

TEST_CASE("causal softmax gradients match finite differences", "[sim][gradcheck]") {
  check_gradients([](Tape& t, const std::vector<Var>& v) { return causal_softmax(t, v[0], 0.7); },
                  {random_tensor({2, 4, 4}, 37, -2, 2)});
}

TEST_CASE("embedding and position gradients match finite differences", "[sim][gradcheck]") {
  Tensor ids({2, 3});
  const float tokens[] = {1, 4, 1, 0, 4, 2};  // repeated tokens: their table rows sum two gradients
  std::copy(std::begin(tokens), std::end(tokens), ids.data.begin());
  check_gradients(
      [&](Tape& t, const std::vector<Var>& v) { return embedding(t, t.leaf(ids, false), v[0]); },
      {random_tensor({5, 4}, 38)});
  check_gradients([](Tape& t, const std::vector<Var>& v) { return add_positions(t, v[0], v[1], 3); },
                  {random_tensor({6, 4}, 39), random_tensor({5, 4}, 40)});
}

TEST_CASE("causal softmax gives zero weight to later positions and rows that sum to 1", "[sim]") {
  Tape tape;
  const Var p = causal_softmax(tape, tape.leaf(random_tensor({2, 5, 5}, 41, -3, 3), false), 1.0);
  const Tensor& pv = tape.value(p);
  for (int64_t g = 0; g < 2; ++g)
    for (int64_t i = 0; i < 5; ++i) {
      double sum = 0;
      for (int64_t j = 0; j < 5; ++j) {
        const float w = pv.data[size_t((g * 5 + i) * 5 + j)];
        if (j > i) CHECK(w == 0.0f);
        sum += w;
      }
      CHECK(sum == Approx(1.0).epsilon(1e-6));
    }
}
