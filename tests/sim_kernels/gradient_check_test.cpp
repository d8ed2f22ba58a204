// A finite-difference gradient check for every kernel's backward (tolerances in gradient_check.h).
// Each check also proves accumulation: gradient buffers start at kPrefill and backward must add.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>

#include "gradient_check.h"
#include "sim/kernels/kernels.h"
#include "test_data.h"

using namespace fpsim::sim;
using fpsim::test::check_gradient;
using fpsim::test::dot;
using fpsim::test::prefilled;
using fpsim::test::uniform;

TEST_CASE("gradient check: linear (dx, dw, dbias)", "[gradcheck]") {
  const int batch = 4, in = 5, out = 3;
  auto x = uniform(batch * in, 1), w = uniform(in * out, 2), b = uniform(out, 3);
  const auto r = uniform(batch * out, 4);
  std::vector<float> y(batch * out);
  auto loss = [&] {
    linear_forward(y.data(), x.data(), w.data(), b.data(), batch, in, out);
    return dot(r, y);
  };
  auto dx = prefilled(x.size()), dw = prefilled(w.size()), db = prefilled(b.size());
  linear_backward(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), batch, in, out);
  check_gradient("linear dx", x, dx, loss);
  check_gradient("linear dw", w, dw, loss);
  check_gradient("linear dbias", b, db, loss);
}

TEST_CASE("gradient check: relu, gelu, tanh", "[gradcheck]") {
  const std::size_t n = 64;
  auto x = uniform(n, 5, -3.0f, 3.0f);
  for (auto& v : x)  // keep relu's kink at 0 away from the ±h probes
    if (std::fabs(v) < 0.05f) v = 0.5f;
  const auto r = uniform(n, 6);
  std::vector<float> y(n);

  auto relu_loss = [&] { relu_forward(y.data(), x.data(), n); return dot(r, y); };
  auto dx = prefilled(n);
  relu_backward(dx.data(), r.data(), x.data(), n);
  check_gradient("relu dx", x, dx, relu_loss);

  auto gelu_loss = [&] { gelu_forward(y.data(), x.data(), n); return dot(r, y); };
  dx = prefilled(n);
  gelu_backward(dx.data(), r.data(), x.data(), n);
  check_gradient("gelu dx", x, dx, gelu_loss);

  auto tanh_loss = [&] { tanh_forward(y.data(), x.data(), n); return dot(r, y); };
  tanh_forward(y.data(), x.data(), n);
  const auto y_saved = y;
  dx = prefilled(n);
  tanh_backward(dx.data(), r.data(), y_saved.data(), n);
  check_gradient("tanh dx", x, dx, tanh_loss);
}

TEST_CASE("gradient check: softmax + cross-entropy (dlogits, with an upstream factor)", "[gradcheck]") {
  const int batch = 5, classes = 7;
  auto logits = uniform(batch * classes, 7, -3.0f, 3.0f);
  const std::vector<int32_t> labels = {0, 6, 3, 3, 1};
  const float dloss = 3.0f;
  std::vector<float> probs(logits.size());
  auto loss = [&] { return dloss * softmax_cross_entropy_forward(probs.data(), logits.data(), labels.data(), batch, classes); };
  loss();
  auto dlogits = prefilled(logits.size());
  softmax_cross_entropy_backward(dlogits.data(), probs.data(), labels.data(), batch, classes, dloss);
  check_gradient("softmax_cross_entropy dlogits", logits, dlogits, loss);
}

TEST_CASE("gradient check: conv2d with stride 2 and padding 1 (dx, dw, dbias)", "[gradcheck]") {
  const Conv2dShape s{2, 3, 6, 5, 4, 3, 2, 2, 1};
  auto x = uniform(static_cast<std::size_t>(s.batch) * s.in_channels * s.height * s.width, 8);
  auto w = uniform(static_cast<std::size_t>(s.out_channels) * s.in_channels * s.kernel_h * s.kernel_w, 9);
  auto b = uniform(s.out_channels, 10);
  const std::size_t out = static_cast<std::size_t>(s.batch) * s.out_channels * s.out_h() * s.out_w();
  const auto r = uniform(out, 11);
  std::vector<float> y(out);
  auto loss = [&] {
    conv2d_forward(y.data(), x.data(), w.data(), b.data(), s);
    return dot(r, y);
  };
  auto dx = prefilled(x.size()), dw = prefilled(w.size()), db = prefilled(b.size());
  conv2d_backward(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), s);
  check_gradient("conv2d dx", x, dx, loss);
  check_gradient("conv2d dw", w, dw, loss);
  check_gradient("conv2d dbias", b, db, loss);
}

TEST_CASE("gradient check: max and average pooling, overlapping windows and padding", "[gradcheck]") {
  const Pool2dShape s{2, 2, 5, 6, 3, 2, 1};
  const std::size_t n = static_cast<std::size_t>(s.batch) * s.channels * s.height * s.width;
  // distinct values 0.05 apart: the ±h probes never change a window's maximum
  std::vector<float> x(n);
  std::iota(x.begin(), x.end(), 0.0f);
  std::shuffle(x.begin(), x.end(), std::mt19937(12));
  for (auto& v : x) v = v * 0.05f - 1.0f;
  const std::size_t out = static_cast<std::size_t>(s.batch) * s.channels * s.out_h() * s.out_w();
  const auto r = uniform(out, 13);
  std::vector<float> y(out);

  auto max_loss = [&] { max_pool2d_forward(y.data(), x.data(), s); return dot(r, y); };
  auto dx = prefilled(n);
  max_pool2d_backward(dx.data(), r.data(), x.data(), s);
  check_gradient("max_pool2d dx", x, dx, max_loss);

  auto avg_loss = [&] { avg_pool2d_forward(y.data(), x.data(), s); return dot(r, y); };
  dx = prefilled(n);
  avg_pool2d_backward(dx.data(), r.data(), s);
  check_gradient("avg_pool2d dx", x, dx, avg_loss);
}

TEST_CASE("gradient check: batch norm in train mode (dx through the batch statistics, dgamma, dbeta)",
          "[gradcheck]") {
  const BatchNormShape s{4, 3, 5};
  const std::size_t n = static_cast<std::size_t>(s.batch) * s.channels * s.spatial;
  auto x = uniform(n, 14, -2.0f, 2.0f), gamma = uniform(s.channels, 15, 0.5f, 1.5f), beta = uniform(s.channels, 16);
  const auto r = uniform(n, 17);
  std::vector<float> y(n), mean(s.channels), rstd(s.channels), rmean(s.channels), rvar(s.channels, 1.0f);
  auto loss = [&] {
    batch_norm_forward_train(y.data(), mean.data(), rstd.data(), rmean.data(), rvar.data(), x.data(), gamma.data(),
                             beta.data(), s, 0.1f, 1e-5f);
    return dot(r, y);
  };
  loss();
  auto dx = prefilled(n), dg = prefilled(s.channels), db = prefilled(s.channels);
  batch_norm_backward(dx.data(), dg.data(), db.data(), r.data(), x.data(), mean.data(), rstd.data(), gamma.data(), s);
  check_gradient("batch_norm dx", x, dx, loss);
  check_gradient("batch_norm dgamma", gamma, dg, loss);
  check_gradient("batch_norm dbeta", beta, db, loss);
}

TEST_CASE("gradient check: layer norm (dx, dgamma, dbeta)", "[gradcheck]") {
  const int rows = 3, dim = 8;
  auto x = uniform(rows * dim, 18, -2.0f, 2.0f), gamma = uniform(dim, 19, 0.5f, 1.5f), beta = uniform(dim, 20);
  const auto r = uniform(rows * dim, 21);
  std::vector<float> y(rows * dim), mean(rows), rstd(rows);
  auto loss = [&] {
    layer_norm_forward(y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(), rows, dim, 1e-5f);
    return dot(r, y);
  };
  loss();
  auto dx = prefilled(x.size()), dg = prefilled(dim), db = prefilled(dim);
  layer_norm_backward(dx.data(), dg.data(), db.data(), r.data(), x.data(), mean.data(), rstd.data(), gamma.data(), rows,
                      dim);
  check_gradient("layer_norm dx", x, dx, loss);
  check_gradient("layer_norm dgamma", gamma, dg, loss);
  check_gradient("layer_norm dbeta", beta, db, loss);
}

TEST_CASE("gradient check: dropout with a fixed stream", "[gradcheck]") {
  const std::size_t n = 64;
  const float p = 0.3f;
  const fpsim::RandomStream stream(5, 2);
  auto x = uniform(n, 22);
  const auto r = uniform(n, 23);
  std::vector<float> y(n);
  auto loss = [&] { dropout_forward(y.data(), x.data(), n, p, stream, 100); return dot(r, y); };
  auto dx = prefilled(n);
  dropout_backward(dx.data(), r.data(), n, p, stream, 100);
  check_gradient("dropout dx", x, dx, loss);
}
