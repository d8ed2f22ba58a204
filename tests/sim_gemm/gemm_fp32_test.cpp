// The fp32-accumulation GEMM: every micro-kernel and thread count gives the bits of the scalar
// reference (one fmaf per k, k increasing), over odd shapes, all transpose combinations, padded
// leading dimensions and accumulate on/off.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/gemm/gemm.h"
#include "sim/gemm/internal/fp32.h"
#include "test_data.h"

using fpsim::sim::GemmIsa;
using fpsim::sim::GemmProblem;
using fpsim::sim::Trans;
using fpsim::test::first_bit_difference;

namespace {

struct Case {
  int m, n, k;
  Trans ta, tb;
  bool accumulate;
  int pad;  // extra leading-dimension padding
};

std::string describe(const Case& c, const char* path) {
  return std::string(path) + " m=" + std::to_string(c.m) + " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) +
         " ta=" + (c.ta == Trans::Yes ? "T" : "N") + " tb=" + (c.tb == Trans::Yes ? "T" : "N") +
         " acc=" + std::to_string(c.accumulate) + " pad=" + std::to_string(c.pad);
}

// Runs `run` on a fresh copy of C and returns it.
template <class Run>
std::vector<float> result_of(const Case& c, const std::vector<float>& a, const std::vector<float>& b,
                             const std::vector<float>& c0, Run run) {
  std::vector<float> out = c0;
  const int lda = (c.ta == Trans::Yes ? c.m : c.k) + c.pad;
  const int ldb = (c.tb == Trans::Yes ? c.k : c.n) + c.pad;
  const int ldc = c.n + c.pad;
  run(GemmProblem{c.ta, c.tb, c.m, c.n, c.k, a.data(), lda, b.data(), ldb, out.data(), ldc, c.accumulate});
  return out;
}

void check_case(const Case& c, uint32_t seed) {
  const int lda = (c.ta == Trans::Yes ? c.m : c.k) + c.pad;
  const int ldb = (c.tb == Trans::Yes ? c.k : c.n) + c.pad;
  const std::size_t a_rows = c.ta == Trans::Yes ? c.k : c.m, b_rows = c.tb == Trans::Yes ? c.n : c.k;
  const auto a = fpsim::test::wide_range(a_rows * lda + 1, seed);
  const auto b = fpsim::test::wide_range(b_rows * ldb + 1, seed + 1);
  const auto c0 = fpsim::test::wide_range(static_cast<std::size_t>(c.m) * (c.n + c.pad) + 1, seed + 2);
  const auto expected = result_of(c, a, b, c0, [](const GemmProblem& p) { fpsim::sim::gemm_reference(p); });
  for (GemmIsa isa : {GemmIsa::Portable, GemmIsa::Avx2, GemmIsa::Avx512}) {
    if (!fpsim::sim::gemm_isa_supported(isa)) continue;
    for (int threads : {1, 2}) {
      std::vector<float> got;
      fpsim::test::with_threads(threads, [&] {
        got = result_of(c, a, b, c0, [isa](const GemmProblem& p) { fpsim::sim::gemm_fp32(p, isa); });
      });
      INFO(describe(c, fpsim::sim::to_string(isa)) << " threads=" << threads);
      CHECK(first_bit_difference(got, expected) == -1);
    }
  }
  // the public entry point (best micro-kernel) as well
  const auto best = result_of(c, a, b, c0, [](const GemmProblem& p) { fpsim::sim::gemm(p); });
  INFO(describe(c, "gemm()"));
  CHECK(first_bit_difference(best, expected) == -1);
}

}  // namespace

TEST_CASE("fp32 gemm: every micro-kernel and thread count gives the reference bits on odd shapes",
          "[gemm]") {
  const int sizes[] = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 47, 65};
  uint32_t seed = 1;
  for (Trans ta : {Trans::No, Trans::Yes})
    for (Trans tb : {Trans::No, Trans::Yes})
      for (bool accumulate : {false, true}) {
        int transposed_tiles = 0;  // how many cases the best micro-kernel tiles as Cᵀ
        for (int s = 0; s < 14; ++s) {
          // walk the size list with three different strides so m, n, k cover unlike combinations
          const Case c{sizes[s], sizes[(s * 5 + 3) % 14], sizes[(s * 3 + 7) % 14], ta, tb, accumulate, s % 3};
          check_case(c, seed += 3);
          const GemmProblem shape{ta, tb, c.m, c.n, c.k, nullptr, 1, nullptr, 1, nullptr, 1, accumulate};
          transposed_tiles += fpsim::sim::gemm_fp32_plan(shape, fpsim::sim::gemm_best_isa()).transposed_tiles;
        }
        // both orientations of the driver were exercised for this transpose combination
        CHECK(transposed_tiles > 0);
        CHECK(transposed_tiles < 14);
      }
}

TEST_CASE("fp32 gemm: the MLP's shapes give the reference bits with 1 and 2 threads", "[gemm]") {
  // forward NN, input-gradient NT and weight-gradient TN of the 784-512-512-10 MLP at batch 128
  // (the K = 784 ones trimmed to keep the scalar reference quick; the tiling depends on m and n only)
  const Case cases[] = {
      {128, 512, 200, Trans::No, Trans::No, false, 0},  {128, 10, 512, Trans::No, Trans::No, false, 0},
      {128, 512, 10, Trans::No, Trans::Yes, true, 0},   {128, 200, 512, Trans::No, Trans::Yes, true, 0},
      {200, 512, 128, Trans::Yes, Trans::No, true, 0},  {512, 10, 128, Trans::Yes, Trans::No, true, 0},
  };
  uint32_t seed = 1000;
  for (const Case& c : cases) check_case(c, seed += 3);
}

TEST_CASE("fp32 gemm: the large shapes give the reference bits", "[gemm][long]") {
  const Case cases[] = {
      {128, 512, 784, Trans::No, Trans::No, false, 0},  {128, 784, 512, Trans::No, Trans::Yes, true, 0},
      {784, 512, 128, Trans::Yes, Trans::No, true, 0},  {257, 511, 300, Trans::Yes, Trans::Yes, false, 5},
      {512, 512, 512, Trans::No, Trans::No, true, 0},
  };
  uint32_t seed = 2000;
  for (const Case& c : cases) check_case(c, seed += 3);
}

TEST_CASE("fp32 gemm: each step is one fused rounding (C = -1 plus a·a keeps the 2^-24 bit)", "[gemm]") {
  // a = 1 + 2^-12: a·a = 1 + 2^-11 + 2^-24 exactly. Fused: -1 + a·a = 2^-11 + 2^-24. Unfused, a·a would
  // round to 1 + 2^-11 (a tie at 2^-24, to even) and the sum would be 2^-11.
  const float a = 1.0f + std::ldexp(1.0f, -12);
  const float expected = std::ldexp(1.0f, -11) + std::ldexp(1.0f, -24);
  for (GemmIsa isa : {GemmIsa::Portable, GemmIsa::Avx2, GemmIsa::Avx512}) {
    if (!fpsim::sim::gemm_isa_supported(isa)) continue;
    float c = -1.0f;
    fpsim::sim::gemm_fp32({Trans::No, Trans::No, 1, 1, 1, &a, 1, &a, 1, &c, 1, true}, isa);
    INFO(fpsim::sim::to_string(isa));
    CHECK(c == expected);
  }
}

TEST_CASE("fp32 gemm: terms are added in increasing k (2^24 + 1 - 2^24 is 0, not 1)", "[gemm]") {
  // s = 2^24, then 2^24 + 1 is a tie that rounds to even (2^24), then - 2^24 gives 0. In decreasing k
  // order the sum would be 1.
  const float a[3] = {16777216.0f, 1.0f, -16777216.0f};
  const float b[3] = {1.0f, 1.0f, 1.0f};
  for (GemmIsa isa : {GemmIsa::Portable, GemmIsa::Avx2, GemmIsa::Avx512}) {
    if (!fpsim::sim::gemm_isa_supported(isa)) continue;
    float c = 5.0f;
    fpsim::sim::gemm_fp32({Trans::No, Trans::No, 1, 1, 3, a, 3, b, 1, &c, 1, false}, isa);
    INFO(fpsim::sim::to_string(isa));
    CHECK(c == 0.0f);
  }
}

TEST_CASE("fp32 gemm: k = 0 writes +0, or leaves C when accumulating", "[gemm]") {
  std::vector<float> c = {3.0f, -0.0f, 7.0f, 1.0f};
  fpsim::sim::gemm({Trans::No, Trans::No, 2, 2, 0, nullptr, 1, nullptr, 2, c.data(), 2, true});
  CHECK(c == std::vector<float>{3.0f, -0.0f, 7.0f, 1.0f});
  fpsim::sim::gemm({Trans::No, Trans::No, 2, 2, 0, nullptr, 1, nullptr, 2, c.data(), 2, false});
  for (float v : c) CHECK(std::bit_cast<uint32_t>(v) == 0u);
}

TEST_CASE("gemm: bad leading dimensions and sizes are rejected with the field named", "[gemm]") {
  std::vector<float> a(12), b(12), c(12);
  CHECK_THROWS_WITH(fpsim::sim::gemm({Trans::No, Trans::No, 3, 4, 3, a.data(), 2, b.data(), 4, c.data(), 4}),
                    Catch::Contains("lda=2 < 3"));
  CHECK_THROWS_WITH(fpsim::sim::gemm({Trans::No, Trans::Yes, 3, 4, 3, a.data(), 3, b.data(), 2, c.data(), 4}),
                    Catch::Contains("ldb=2 < 3"));
  CHECK_THROWS_WITH(fpsim::sim::gemm({Trans::No, Trans::No, 3, 4, 3, a.data(), 3, b.data(), 4, c.data(), 3}),
                    Catch::Contains("ldc=3 < 4"));
  CHECK_THROWS_WITH(fpsim::sim::gemm({Trans::No, Trans::No, -1, 4, 3, a.data(), 3, b.data(), 4, c.data(), 4}),
                    Catch::Contains("negative size"));
}
