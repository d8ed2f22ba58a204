// Tensor storage: fills, copies and element-wise accumulation, below and above the size at which they run in
// parallel (sim/parallel.h), with the same bits for any thread count.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "sim/tensor.h"

#ifdef FPSIM_HAVE_OPENMP
#include <omp.h>
#endif

using namespace fpsim::sim;

namespace {

// Values over many binades, with signed zeros: x_i = ±(i mod 97)·2^((i mod 41) - 20).
float value_at(int64_t i) {
  const float v = std::ldexp(float(i % 97), int(i % 41) - 20);
  return i % 3 == 0 ? -v : v;
}

// Runs f with OpenMP's thread count set to n, then restores it.
template <class F>
void with_threads([[maybe_unused]] int n, F&& f) {
#ifdef FPSIM_HAVE_OPENMP
  const int saved = omp_get_max_threads();
  omp_set_num_threads(n);
  f();
  omp_set_num_threads(saved);
#else
  f();
#endif
}

}  // namespace

TEST_CASE("Tensor(shape, fill) writes every element, small and large", "[tensor]") {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{1000}, int64_t{100003}}) {
    const Tensor zeros({n});
    const Tensor sevens({n, 1}, 7.5f);
    REQUIRE(zeros.numel() == n);
    REQUIRE(sevens.numel() == n);
    int64_t bad = 0;
    for (int64_t i = 0; i < n; ++i) bad += zeros.data[size_t(i)] != 0.0f || std::signbit(zeros.data[size_t(i)]) ||
                                          sevens.data[size_t(i)] != 7.5f;
    CHECK(bad == 0);
  }
}

TEST_CASE("Tensor::uninitialized has the shape's size; copy_of copies every bit", "[tensor]") {
  for (int threads : {1, 2}) with_threads(threads, [] {
    for (int64_t n : {int64_t{5}, int64_t{70001}}) {
      Tensor x = Tensor::uninitialized({n, 2});
      REQUIRE(x.numel() == 2 * n);
      REQUIRE(x.shape == Shape{n, 2});
      for (int64_t i = 0; i < x.numel(); ++i) x.data[size_t(i)] = value_at(i);
      const Tensor y = Tensor::copy_of(x);
      CHECK(y.shape == x.shape);
      CHECK(y.data == x.data);  // -0.0f == 0.0f: check the signs too
      int64_t sign_differs = 0;
      for (int64_t i = 0; i < x.numel(); ++i)
        sign_differs += std::signbit(y.data[size_t(i)]) != std::signbit(x.data[size_t(i)]);
      CHECK(sign_differs == 0);
    }
  });
}

TEST_CASE("add_into adds element by element, the same bits as a serial loop for 1 and 2 threads", "[tensor]") {
  const int64_t n = 3 * 16384 + 11;  // several parallel blocks and a partial one
  std::vector<float> in(static_cast<size_t>(n)), expect(static_cast<size_t>(n));
  Tensor base({n});
  for (int64_t i = 0; i < n; ++i) {
    base.data[size_t(i)] = value_at(i);
    in[size_t(i)] = value_at(7 * i + 3);
    expect[size_t(i)] = base.data[size_t(i)] + in[size_t(i)];
  }
  for (int threads : {1, 2}) with_threads(threads, [&] {
    Tensor out = Tensor::copy_of(base);
    add_into(out.span(), in);
    int64_t wrong = 0;
    for (int64_t i = 0; i < n; ++i) wrong += out.data[size_t(i)] != expect[size_t(i)];
    CHECK(wrong == 0);
  });
  Tensor out({4});
  const std::vector<float> three(3, 1.0f);
  CHECK_THROWS_WITH(add_into(out.span(), three), "add_into: 3 values into 4");
}
