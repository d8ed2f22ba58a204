// The fp32-accumulation GEMM: every micro-kernel and thread count gives the bits of the scalar
// reference (one fmaf per k, k increasing), over odd shapes, all transpose combinations, padded
// leading dimensions and accumulate on/off.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "sim/gemm/gemm.h"
#include "sim/gemm/internal/fp32.h"
#include "test_data.h"

using fpsim::simd::Isa;
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
  for (Isa isa : fpsim::simd::kIsas) {
    if (!fpsim::simd::cpu_supports(isa)) continue;
    for (int threads : {1, 2, 3}) {  // 3: uneven shares of the tiles (owned_tiles)
      std::vector<float> got;
      fpsim::test::with_threads(threads, [&] {
        got = result_of(c, a, b, c0, [isa](const GemmProblem& p) { fpsim::sim::gemm_fp32(p, isa); });
      });
      INFO(describe(c, fpsim::simd::to_string(isa)) << " threads=" << threads);
      CHECK(first_bit_difference(got, expected) == -1);
    }
  }
  // the public entry point (best micro-kernel) as well
  const auto best = result_of(c, a, b, c0, [](const GemmProblem& p) { fpsim::sim::gemm(p); });
  INFO(describe(c, "gemm()"));
  CHECK(first_bit_difference(best, expected) == -1);
}

// The sizes the shape tests draw m, n and k from: below, at and above the tile sizes (AVX2 6×16,
// AVX-512 8×32, portable 4×16).
constexpr int kSizes[] = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 47, 65};
constexpr int kSizeCount = static_cast<int>(std::size(kSizes));

// The largest shape (m, n, k from kSizes, by m·n·k) that gemm_fp32's plan for `isa` tiles as Cᵀ
// (transposed) or as C, for one transpose combination; nullopt when no shape of the list does.
std::optional<Case> shape_tiled_as(Isa isa, Trans ta, Trans tb, bool accumulate, bool transposed) {
  std::optional<Case> best;
  for (int m : kSizes)
    for (int n : kSizes)
      for (int k : kSizes) {
        const GemmProblem shape{ta, tb, m, n, k, nullptr, 1, nullptr, 1, nullptr, 1, accumulate};
        if (fpsim::sim::gemm_fp32_plan(shape, isa).transposed_tiles != transposed) continue;
        if (!best || m * n * k > best->m * best->n * best->k) best = Case{m, n, k, ta, tb, accumulate, (m + n) % 3};
      }
  return best;
}

}  // namespace

TEST_CASE("fp32 gemm: every micro-kernel and thread count gives the reference bits on odd shapes",
          "[gemm]") {
  uint32_t seed = 1;
  for (Trans ta : {Trans::No, Trans::Yes})
    for (Trans tb : {Trans::No, Trans::Yes})
      for (bool accumulate : {false, true})
        for (int s = 0; s < kSizeCount; ++s) {
          // walk the size list with three different strides so m, n, k cover unlike combinations
          const Case c{kSizes[s], kSizes[(s * 5 + 3) % kSizeCount], kSizes[(s * 3 + 7) % kSizeCount],
                       ta, tb, accumulate, s % 3};
          check_case(c, seed += 3);
        }
}

TEST_CASE("fp32 gemm: both orientations of the driver (C and Cᵀ tiles) give the reference bits on every ISA",
          "[gemm]") {
  // Which orientation the driver picks is a cost heuristic per micro-kernel (tile sizes differ), so
  // for each ISA this CPU runs, the shapes are chosen from that ISA's own plan: one tiled as C and one
  // tiled as Cᵀ for every transpose combination. check_case runs each through every micro-kernel.
  uint32_t seed = 500;
  for (Isa isa : fpsim::simd::kIsas) {
    if (!fpsim::simd::cpu_supports(isa)) continue;
    for (Trans ta : {Trans::No, Trans::Yes})
      for (Trans tb : {Trans::No, Trans::Yes})
        for (bool accumulate : {false, true})
          for (bool transposed : {false, true}) {
            const std::optional<Case> c = shape_tiled_as(isa, ta, tb, accumulate, transposed);
            INFO(fpsim::simd::to_string(isa) << (transposed ? " Cᵀ tiles" : " C tiles")
                                             << " ta=" << (ta == Trans::Yes ? "T" : "N")
                                             << " tb=" << (tb == Trans::Yes ? "T" : "N") << " acc=" << accumulate);
            REQUIRE(c.has_value());
            check_case(*c, seed += 3);
          }
  }
}

TEST_CASE("fp32 gemm: every tile plan (right operand packed or in place, tiles by column or by row) gives the "
          "reference bits on every ISA",
          "[gemm]") {
  // The driver packs a contiguous right operand once its panels serve several tiles and it exceeds L1, and runs
  // tiles row by row when the left operand's K block is too large to stay cached (GemmPlan), also with Cᵀ tiles
  // and with K cut into blocks (K > 512). Threads share out a packed product's rows, or its columns (each
  // thread packing its own panels): check_case runs 1, 2 and 3 threads. For each ISA and transpose combination,
  // one shape per plan the candidates reach; every plan kind must be reached.
  // ({24, 170, 600} reaches Cᵀ tiles by row with the AVX-512 kernel's 8 × 32 tiles; {9, 170, 600} with 6 × 16.)
  constexpr int kShapes[][3] = {{40, 24, 9},   {40, 170, 70},   {1100, 170, 70}, {1100, 24, 9},  {9, 170, 600},
                                {1100, 24, 600}, {9, 24, 70},   {24, 170, 600}, {40, 400, 600}};
  uint32_t seed = 4000;
  for (Isa isa : fpsim::simd::kIsas) {
    if (!fpsim::simd::cpu_supports(isa)) continue;
    bool contiguous_packed = false, contiguous_in_place = false, by_columns = false, by_rows = false;
    bool by_rows_transposed = false, by_rows_k_blocks = false;
    bool packed_split_rows = false, packed_split_columns = false;  // C tiles: threads share out rows or columns
    bool split_columns_k_blocks = false;
    for (Trans ta : {Trans::No, Trans::Yes})
      for (Trans tb : {Trans::No, Trans::Yes}) {
        std::vector<std::tuple<bool, bool, bool, bool, bool>> seen;
        for (const auto& [m, n, k] : kShapes) {
          const bool accumulate = (m + n + k) % 2 == 1;
          const GemmProblem shape{ta, tb, m, n, k, nullptr, 1, nullptr, 1, nullptr, 1, accumulate};
          const fpsim::sim::GemmPlan plan = fpsim::sim::gemm_fp32_plan(shape, isa);
          const bool k_blocks = plan.k_block < k;
          const auto kind = std::tuple{plan.transposed_tiles, plan.packs_right, plan.row_panel_major, k_blocks,
                                       plan.threads_split_columns};
          if (std::find(seen.begin(), seen.end(), kind) != seen.end()) continue;
          seen.push_back(kind);
          // the right operand's columns are contiguous: op(B) for C tiles, op(A)ᵀ for Cᵀ tiles
          const bool contiguous = plan.transposed_tiles ? ta == Trans::Yes : tb == Trans::No;
          contiguous_packed |= contiguous && plan.packs_right;
          contiguous_in_place |= contiguous && !plan.packs_right;
          (plan.row_panel_major ? by_rows : by_columns) = true;
          by_rows_transposed |= plan.row_panel_major && plan.transposed_tiles;
          by_rows_k_blocks |= plan.row_panel_major && k_blocks;
          if (!plan.transposed_tiles && plan.packs_right)
            (plan.threads_split_columns ? packed_split_columns : packed_split_rows) = true;
          split_columns_k_blocks |= !plan.transposed_tiles && plan.threads_split_columns && k_blocks;
          INFO(fpsim::simd::to_string(isa) << " Cᵀ tiles " << plan.transposed_tiles << " packed " << plan.packs_right
                                           << " by rows " << plan.row_panel_major << " threads split columns "
                                           << plan.threads_split_columns);
          check_case({m, n, k, ta, tb, accumulate, k % 3}, seed += 3);
        }
      }
    INFO(fpsim::simd::to_string(isa));
    CHECK(contiguous_packed);
    CHECK(contiguous_in_place);
    CHECK(by_columns);
    CHECK(by_rows);
    CHECK(by_rows_transposed);
    CHECK(by_rows_k_blocks);
    CHECK(packed_split_rows);
    CHECK(packed_split_columns);
    CHECK(split_columns_k_blocks);
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

TEST_CASE("fp32 gemm: a long K cut into blocks continues each output's chain (Transformer weight gradients)",
          "[gemm]") {
  // K > 512 with K·(rows + cols) > 2^17 floats: the driver runs K in blocks of 256, each tile resuming from the
  // float it stored in C. Both orientations (n = 9 is tiled as Cᵀ), every transpose combination, C = and +=.
  uint32_t seed = 3000;
  for (const auto& [m, n] : {std::pair{45, 200}, std::pair{230, 9}})
    for (Trans ta : {Trans::No, Trans::Yes})
      for (Trans tb : {Trans::No, Trans::Yes})
        for (bool accumulate : {false, true}) check_case({m, n, 700, ta, tb, accumulate, m % 3}, seed += 3);
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
  for (Isa isa : fpsim::simd::kIsas) {
    if (!fpsim::simd::cpu_supports(isa)) continue;
    float c = -1.0f;
    fpsim::sim::gemm_fp32({Trans::No, Trans::No, 1, 1, 1, &a, 1, &a, 1, &c, 1, true}, isa);
    INFO(fpsim::simd::to_string(isa));
    CHECK(c == expected);
  }
}

TEST_CASE("fp32 gemm: terms are added in increasing k (2^24 + 1 - 2^24 is 0, not 1)", "[gemm]") {
  // s = 2^24, then 2^24 + 1 is a tie that rounds to even (2^24), then - 2^24 gives 0. In decreasing k
  // order the sum would be 1.
  const float a[3] = {16777216.0f, 1.0f, -16777216.0f};
  const float b[3] = {1.0f, 1.0f, 1.0f};
  for (Isa isa : fpsim::simd::kIsas) {
    if (!fpsim::simd::cpu_supports(isa)) continue;
    float c = 5.0f;
    fpsim::sim::gemm_fp32({Trans::No, Trans::No, 1, 1, 3, a, 3, b, 1, &c, 1, false}, isa);
    INFO(fpsim::simd::to_string(isa));
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
