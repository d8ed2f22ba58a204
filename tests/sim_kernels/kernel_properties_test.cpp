// Kernel properties beyond gradients: the same bits for 1 and 2 threads, forward values against
// direct formulas, numerical stability, running statistics, dropout masks, argument errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/kernels/kernels.h"
#include "test_data.h"

using namespace fpsim::sim;
using fpsim::test::first_bit_difference;
using fpsim::test::uniform;
using fpsim::test::with_threads;

namespace {

// Runs f (which fills and returns outputs) with 1 and 2 threads and compares bits.
template <class F>
void same_bits_for_1_and_2_threads(const char* what, F f) {
  std::vector<float> one, two;
  with_threads(1, [&] { one = f(); });
  with_threads(2, [&] { two = f(); });
  INFO(what);
  CHECK(first_bit_difference(one, two) == -1);
}

}  // namespace

TEST_CASE("kernels give the same bits with 1 and 2 threads (sizes above the parallel thresholds)", "[kernels]") {
  const std::size_t n = 100000;
  const auto x = uniform(n, 1, -3.0f, 3.0f), dy = uniform(n, 2);
  same_bits_for_1_and_2_threads("activations", [&] {
    std::vector<float> out(6 * n, 0.5f);
    relu_forward(out.data(), x.data(), n);
    gelu_forward(out.data() + n, x.data(), n);
    tanh_forward(out.data() + 2 * n, x.data(), n);
    relu_backward(out.data() + 3 * n, dy.data(), x.data(), n);
    gelu_backward(out.data() + 4 * n, dy.data(), x.data(), n);
    tanh_backward(out.data() + 5 * n, dy.data(), x.data(), n);
    return out;
  });
  same_bits_for_1_and_2_threads("dropout", [&] {
    std::vector<float> out(2 * n, 0.5f);
    const fpsim::RandomStream stream(3, 4);
    dropout_forward(out.data(), x.data(), n, 0.2f, stream, 7);
    dropout_backward(out.data() + n, dy.data(), n, 0.2f, stream, 7);
    return out;
  });
  same_bits_for_1_and_2_threads("linear", [&] {
    const int batch = 64, in = 100, out = 70;
    const auto xs = uniform(batch * in, 3), w = uniform(in * out, 4), b = uniform(out, 5), d = uniform(batch * out, 6);
    std::vector<float> res(batch * out + batch * in + in * out + out, 0.5f);
    float* y = res.data();
    linear_forward(y, xs.data(), w.data(), b.data(), batch, in, out);
    linear_backward(y + batch * out, y + batch * out + batch * in, y + batch * out + batch * in + in * out, d.data(),
                    xs.data(), w.data(), batch, in, out);
    return res;
  });
  same_bits_for_1_and_2_threads("softmax_cross_entropy", [&] {
    const int batch = 128, classes = 10;
    const auto logits = uniform(batch * classes, 7, -5.0f, 5.0f);
    std::vector<int32_t> labels(batch);
    for (int b = 0; b < batch; ++b) labels[b] = (b * 7) % classes;
    std::vector<float> res(2 * batch * classes + 1, 0.5f);
    res.back() = static_cast<float>(
        softmax_cross_entropy_forward(res.data(), logits.data(), labels.data(), batch, classes));
    softmax_cross_entropy_backward(res.data() + batch * classes, res.data(), labels.data(), batch, classes);
    return res;
  });
  same_bits_for_1_and_2_threads("conv2d + pooling", [&] {
    const Conv2dShape s{8, 3, 12, 12, 5, 3, 3, 1, 1};
    const std::size_t nx = 8 * 3 * 144, ny = 8 * 5 * 144, nw = 5 * 27;
    const auto xs = uniform(nx, 8), w = uniform(nw, 9), b = uniform(5, 10), d = uniform(ny, 11);
    std::vector<float> res(ny + nx + nw + 5 + 2 * (ny / 4) + 2 * ny, 0.5f);
    float* p = res.data();
    conv2d_forward(p, xs.data(), w.data(), b.data(), s);
    conv2d_backward(p + ny, p + ny + nx, p + ny + nx + nw, d.data(), xs.data(), w.data(), s);
    float* q = p + ny + nx + nw + 5;
    const Pool2dShape ps{8, 5, 12, 12, 2, 2, 0};
    max_pool2d_forward(q, p, ps);
    avg_pool2d_forward(q + ny / 4, p, ps);
    max_pool2d_backward(q + ny / 2, d.data(), p, ps);
    avg_pool2d_backward(q + ny / 2 + ny, d.data(), ps);
    return res;
  });
  same_bits_for_1_and_2_threads("batch norm + layer norm", [&] {
    const BatchNormShape s{16, 8, 49};
    const std::size_t m = 16 * 8 * 49;
    const auto xs = uniform(m, 12), g = uniform(8, 13), b = uniform(8, 14), d = uniform(m, 15);
    std::vector<float> res(4 * m + 64 + 8 * 8, 0.5f);
    float* y = res.data();
    float* stats = y + 4 * m;  // mean, rstd, running mean, running var, dgamma, dbeta: 8 each
    batch_norm_forward_train(y, stats, stats + 8, stats + 16, stats + 24, xs.data(), g.data(), b.data(), s, 0.1f, 1e-5f);
    batch_norm_backward(y + m, stats + 32, stats + 40, d.data(), xs.data(), stats, stats + 8, g.data(), s);
    const int rows = 64, dim = static_cast<int>(m / 64);
    std::vector<float> lg(dim, 1.1f), lb(dim, 0.1f), mean(rows), rstd(rows), dg(dim), db(dim);
    layer_norm_forward(y + 2 * m, mean.data(), rstd.data(), xs.data(), lg.data(), lb.data(), rows, dim, 1e-5f);
    layer_norm_backward(y + 3 * m, dg.data(), db.data(), d.data(), xs.data(), mean.data(), rstd.data(), lg.data(), rows,
                        dim);
    res.insert(res.end(), dg.begin(), dg.end());
    res.insert(res.end(), db.begin(), db.end());
    return res;
  });
}

TEST_CASE("softmax cross-entropy stays finite for logits of ±1000 and matches log-sum-exp", "[kernels]") {
  const std::vector<float> logits = {1000.0f, -1000.0f, 999.0f, 0.0f, 0.0f, 0.0f};
  const std::vector<int32_t> labels = {2, 1};
  std::vector<float> probs(6);
  const double loss = softmax_cross_entropy_forward(probs.data(), logits.data(), labels.data(), 2, 3);
  // row 0: −log softmax[2] = log(1 + e^-1 + e^-2000) + 1;  row 1: log 3
  const double want = (std::log1p(std::exp(-1.0)) + 1.0 + std::log(3.0)) / 2.0;
  CHECK(loss == Approx(want).epsilon(1e-12));
  for (float p : probs) CHECK(std::isfinite(p));
  CHECK(probs[3] == Approx(1.0 / 3.0));
  const std::vector<int32_t> bad = {0, 3};
  CHECK_THROWS_WITH(softmax_cross_entropy_forward(probs.data(), logits.data(), bad.data(), 2, 3),
                    Catch::Contains("label 3 of row 1"));
}

TEST_CASE("batch norm: running statistics follow the momentum rule; eval mode uses them", "[kernels]") {
  // one channel, values {1, 2, 3, 6}: mean 3, biased var 3.5, unbiased var 14/3
  const BatchNormShape s{4, 1, 1};
  const std::vector<float> x = {1.0f, 2.0f, 3.0f, 6.0f}, gamma = {2.0f}, beta = {0.5f};
  std::vector<float> y(4), mean(1), rstd(1), rmean = {1.0f}, rvar = {2.0f};
  batch_norm_forward_train(y.data(), mean.data(), rstd.data(), rmean.data(), rvar.data(), x.data(), gamma.data(),
                           beta.data(), s, 0.1f, 0.0f);
  CHECK(mean[0] == 3.0f);
  CHECK(rstd[0] == Approx(1.0 / std::sqrt(3.5)));
  CHECK(y[3] == Approx(2.0 * 3.0 / std::sqrt(3.5) + 0.5));
  CHECK(rmean[0] == Approx(0.9 * 1.0 + 0.1 * 3.0));
  CHECK(rvar[0] == Approx(0.9 * 2.0 + 0.1 * 14.0 / 3.0));
  batch_norm_forward_eval(y.data(), x.data(), gamma.data(), beta.data(), rmean.data(), rvar.data(), s, 0.0f);
  CHECK(y[0] == Approx(2.0 * (1.0 - rmean[0]) / std::sqrt(rvar[0]) + 0.5));
}

TEST_CASE("dropout keeps about 1 − p, scales kept values, and forward and backward share the mask", "[kernels]") {
  const std::size_t n = 20000;
  const float p = 0.25f;
  const fpsim::RandomStream stream(9, 1);
  const std::vector<float> x(n, 1.0f);
  std::vector<float> y(n), dx(n, 0.0f);
  dropout_forward(y.data(), x.data(), n, p, stream, 0);
  dropout_backward(dx.data(), x.data(), n, p, stream, 0);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE(y[i] == dx[i]);
    REQUIRE((y[i] == 0.0f || y[i] == 1.0f / 0.75f));
    REQUIRE((y[i] != 0.0f) == dropout_keeps(stream, p, i));
    kept += y[i] != 0.0f;
  }
  // binomial(20000, 0.75): standard deviation ≈ 61; 5 sigma ≈ 306
  CHECK(std::fabs(static_cast<double>(kept) - 15000.0) < 306.0);
  // another offset gives another mask
  std::vector<float> y2(n);
  dropout_forward(y2.data(), x.data(), n, p, stream, n);
  CHECK(first_bit_difference(y, y2) != -1);
  CHECK_THROWS_WITH(dropout_forward(y.data(), x.data(), n, 1.0f, stream, 0), Catch::Contains("outside [0, 1)"));
}

TEST_CASE("conv2d and pooling forward match direct loops; bad shapes name the field", "[kernels]") {
  const Conv2dShape s{2, 2, 5, 4, 3, 3, 2, 2, 1};
  const auto x = uniform(2 * 2 * 5 * 4, 30), w = uniform(3 * 2 * 3 * 2, 31), b = uniform(3, 32);
  std::vector<float> y(static_cast<std::size_t>(2) * 3 * s.out_h() * s.out_w());
  conv2d_forward(y.data(), x.data(), w.data(), b.data(), s);
  for (int n = 0; n < 2; ++n)
    for (int co = 0; co < 3; ++co)
      for (int oy = 0; oy < s.out_h(); ++oy)
        for (int ox = 0; ox < s.out_w(); ++ox) {
          double want = b[co];
          for (int c = 0; c < 2; ++c)
            for (int ky = 0; ky < 3; ++ky)
              for (int kx = 0; kx < 2; ++kx) {
                const int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                if (iy >= 0 && iy < 5 && ix >= 0 && ix < 4)
                  want += static_cast<double>(x[((n * 2 + c) * 5 + iy) * 4 + ix]) * w[((co * 2 + c) * 3 + ky) * 2 + kx];
              }
          CHECK(y[((n * 3 + co) * s.out_h() + oy) * s.out_w() + ox] == Approx(want).margin(1e-5));
        }
  const std::vector<float> img = {1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 0, 0, 9, 0, 0, 7};  // 4×4
  std::vector<float> out(4);
  max_pool2d_forward(out.data(), img.data(), Pool2dShape{1, 1, 4, 4, 2, 2, 0});
  CHECK(out == std::vector<float>{5, 8, 9, 7});
  avg_pool2d_forward(out.data(), img.data(), Pool2dShape{1, 1, 4, 4, 2, 2, 0});
  CHECK(out == std::vector<float>{13.0f / 4, 11.0f / 4, 9.0f / 4, 7.0f / 4});
  Conv2dShape bad = s;
  bad.stride = 0;
  CHECK_THROWS_WITH(bad.validate(), Catch::Contains("stride = 0"));
  CHECK_THROWS_WITH(Pool2dShape({1, 1, 2, 2, 3, 1, 0}).validate(), Catch::Contains("does not fit"));
}
