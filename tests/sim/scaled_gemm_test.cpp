// Scaled GEMMs: folding of per-tensor, per-row and per-K-block scales on hand-worked examples, the fast path
// against the plain-loop reference bit for bit (1 and 2 threads), and a scaled matmul op end to end.
#include "sim/gemm/scaled_gemm.h"

#include <catch2/catch.hpp>
#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "numerics/core/format.h"
#include "numerics/simd/isa.h"
#include "sim_gemm/test_data.h"  // with_threads
#include "sim/ops/ops.h"

using namespace fpsim;
using namespace fpsim::sim;

namespace {

Target target(const char* f, Rounding r = Rounding::NearestEven) {
  Target t{parse_format(f)};
  t.rounding = r;
  return t;
}

ScalingSpec spec(ScaleMode m, int block_cols = 128) {
  ScalingSpec s;
  s.mode = m;
  s.block_cols = block_cols;
  return s;
}

}  // namespace

TEST_CASE("per-tensor folding: C = fp32(P · fp32(fa·fb)) with P the fp32 GEMM of the codes", "[scaled_gemm]") {
  const std::vector<float> x = {1, -2, 0.5f, 4, 0.25f, 3, -1, 0};  // 2×4, amax 4 -> enc 112
  const std::vector<float> w = {1, 1, 1, 1};                       // 1×4 (N = 1), amax 1 -> enc 448
  const ScaledMatrix a = scaled_cast(x, 2, 4, 1, target("e4m3fn"), spec(ScaleMode::Tensor), nullptr);
  const ScaledMatrix b = scaled_cast(w, 1, 4, 1, target("e4m3fn"), spec(ScaleMode::Tensor), nullptr);
  std::vector<float> c(2);
  scaled_gemm(a, b, c.data(), 1, false);
  // codes: row 0 = 112 -224 56 448, row 1 = 28 320 -112 0 (3·112 = 336 ties to 320); w = 448 each
  const float f = (1.0f / 112.0f) * (1.0f / 448.0f);
  CHECK(c[0] == 175616.0f * f);  // 448·392: 3.5 up to the rounding of the scale inverses
  CHECK(c[1] == 105728.0f * f);  // 448·236: 2.107, the cast lost 3 -> 2.857
  CHECK(std::fabs(c[0] - 3.5f) < 1e-6f);
  CHECK(std::fabs(c[1] - 236.0f / 112.0f) < 1e-6f);
}

TEST_CASE("per-K-block folding: each block's partial sum is scaled before it is added", "[scaled_gemm]") {
  // A = 1×64: block 0 all 1 (MX e = -8, codes 256), block 1 all 4 (e = -6, codes 256); B = 64×1 of ones.
  std::vector<float> x(64, 1.0f), w(64, 1.0f);
  for (int i = 32; i < 64; ++i) x[size_t(i)] = 4.0f;
  const ScaledMatrix a = scaled_cast(x, 1, 64, 1, target("e4m3fn"), spec(ScaleMode::Mx), nullptr);
  const ScaledMatrix b = scaled_cast(w, 64, 1, 0, target("e4m3fn"), spec(ScaleMode::Mx), nullptr);
  REQUIRE(a.factor == std::vector<float>{0x1p-8f, 0x1p-6f});
  REQUIRE(a.q[0] == 256.0f);
  REQUIRE(a.q[40] == 256.0f);
  float c = 0;
  scaled_gemm(a, b, &c, 1, false);
  // P0 = P1 = 32·256·256 = 2^21; s = 2^21·2^-16 = 32, then s = fma(2^21, 2^-14, 32) = 160 = 32·1 + 32·4
  CHECK(c == 160.0f);
  // accumulate: C += r
  scaled_gemm(a, b, &c, 1, true);
  CHECK(c == 320.0f);
}

TEST_CASE("per-row folding uses each row's and each column's own scale", "[scaled_gemm]") {
  ScalingSpec row = spec(ScaleMode::Row);
  row.power_of_two = true;
  const std::vector<float> x = {1, 2, 3, 4, 0.5f, 0.25f, 0.125f, 0.0625f};  // rows with amax 4 and 0.5
  const std::vector<float> w = {1, 0, 0, 0, 0, 0, 0, 8};                    // 2×4 (N = 2)
  const ScaledMatrix a = scaled_cast(x, 2, 4, 1, target("e4m3fn"), row, nullptr);
  const ScaledMatrix b = scaled_cast(w, 2, 4, 1, target("e4m3fn"), row, nullptr);
  std::vector<float> c(4);
  scaled_gemm(a, b, c.data(), 2, false);
  // every value is exact in E4M3 after power-of-two scaling: C = x·wᵀ exactly
  CHECK(c == std::vector<float>{1, 32, 0.5f, 0.5f});
}

TEST_CASE("scaled_gemm equals the plain-loop reference bit for bit: every ISA, 1 and 2 threads, both tilings",
          "[scaled_gemm]") {
  std::mt19937 gen(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  struct Case {
    ScaleMode ma, mb;
    int ka, kb;
    const char* fa;
    const char* fb;
  };
  const Case cases[] = {{ScaleMode::Tensor, ScaleMode::Tensor, 128, 128, "e4m3fn", "e5m2"},
                        {ScaleMode::Row, ScaleMode::Row, 128, 128, "e4m3fn", "e4m3fn"},
                        {ScaleMode::Block, ScaleMode::Block, 128, 32, "e4m3fn", "e4m3fn"},
                        {ScaleMode::Block, ScaleMode::Tensor, 64, 128, "e4m3fn", "e4m3fn"},
                        {ScaleMode::Mx, ScaleMode::Mx, 32, 32, "e2m1fn", "e3m2fn"},
                        {ScaleMode::Nvfp4, ScaleMode::Nvfp4, 16, 16, "e2m1fn", "e2m1fn"},
                        {ScaleMode::None, ScaleMode::Mx, 128, 32, "e5m2", "e4m3fn"}};
  // (m, n, k): edge tiles in both directions and a partial last K-block; N = 10 and N = 2 make the fp32 tiles run
  // on Cᵀ (the narrow-output orientation of sim/gemm/fp32.cpp; N = 2 also when accumulating); 130×50×100 is
  // above the size where the tiles are shared out among threads (kParallelMinFmas = 2^18 multiply-adds);
  // 130×200×128 packs a contiguous right operand (GemmPlan::packs_right) and 1100×80×128 also runs its tiles
  // row by row (GemmPlan::row_panel_major), in the layouts whose fp32 GEMM reads that operand's columns in place;
  // 64×400×256's packed panels outweigh its left operand and C, so the threads share out its columns, each packing
  // its own panels (GemmPlan::threads_split_columns).
  const int shapes[][3] = {{33, 47, 150}, {128, 10, 96}, {5, 70, 64}, {128, 2, 100}, {130, 50, 100}, {130, 200, 128},
                           {1100, 80, 128}, {64, 400, 256}};
  for (const auto& shape : shapes)
    for (const Case& cs : cases)
      for (int layout = 0; layout < 4; ++layout) {
        const int m = shape[0], n = shape[1], k = shape[2];
        const int a_axis = layout & 1, b_axis = (layout >> 1) & 1;
        std::vector<float> x(size_t(m) * k), w(size_t(n) * k), c0(size_t(m) * n);
        for (float& v : x) v = nd(gen) * 3;
        for (float& v : w) v = nd(gen) * 0.01f;
        for (float& v : c0) v = nd(gen);
        const ScaledMatrix a = a_axis ? scaled_cast(x, m, k, 1, target(cs.fa), spec(cs.ma, cs.ka), nullptr)
                                      : scaled_cast(x, k, m, 0, target(cs.fa), spec(cs.ma, cs.ka), nullptr);
        const ScaledMatrix b = b_axis ? scaled_cast(w, n, k, 1, target(cs.fb), spec(cs.mb, cs.kb), nullptr)
                                      : scaled_cast(w, k, n, 0, target(cs.fb), spec(cs.mb, cs.kb), nullptr);
        for (bool accumulate : {false, true}) {
          std::vector<float> ref = c0;
          scaled_gemm_reference(a, b, ref.data(), n, accumulate);
          for (simd::Isa isa : simd::kIsas) {
            if (!simd::cpu_supports(isa)) continue;
            for (int threads : {1, 2})
              test::with_threads(threads, [&] {
                std::vector<float> fast = c0;
                scaled_gemm(a, b, fast.data(), n, accumulate, kFp32Accumulation, isa);
                INFO(to_string(cs.ma) << "/" << to_string(cs.mb) << " " << m << "x" << n << "x" << k << " layout "
                                      << layout << " " << simd::to_string(isa) << " threads " << threads);
                bool same = true;
                for (size_t i = 0; i < ref.size(); ++i)
                  same = same && std::bit_cast<uint32_t>(ref[i]) == std::bit_cast<uint32_t>(fast[i]);
                CHECK(same);
              });
          }
        }
      }
}

TEST_CASE("an empty K gives fp32(+0 · tensor factor), added to C when accumulating", "[scaled_gemm]") {
  const std::vector<float> none;
  const ScaledMatrix a = scaled_cast(none, 2, 0, 1, target("e4m3fn"), spec(ScaleMode::Tensor), nullptr);
  const ScaledMatrix b = scaled_cast(none, 3, 0, 1, target("e4m3fn"), spec(ScaleMode::Tensor), nullptr);
  std::vector<float> c(6, -0.0f), ref = c;
  scaled_gemm_reference(a, b, ref.data(), 3, true);
  scaled_gemm(a, b, c.data(), 3, true);
  for (size_t i = 0; i < c.size(); ++i) CHECK(std::bit_cast<uint32_t>(c[i]) == std::bit_cast<uint32_t>(ref[i]));
  CHECK(std::bit_cast<uint32_t>(c[0]) == 0u);  // -0 + +0 = +0
}

TEST_CASE("K tilings that do not nest are rejected", "[scaled_gemm]") {
  std::vector<float> x(96, 1.0f), w(96, 1.0f);
  const ScaledMatrix a = scaled_cast(x, 1, 96, 1, target("e4m3fn"), spec(ScaleMode::Block, 48), nullptr);
  const ScaledMatrix b = scaled_cast(w, 1, 96, 1, target("e4m3fn"), spec(ScaleMode::Block, 32), nullptr);
  float c = 0;
  CHECK_THROWS_AS(scaled_gemm(a, b, &c, 1, false), std::invalid_argument);
}

TEST_CASE("a scaled matmul with binary32 operands and a Hadamard transform on every GEMM matches the plain one",
          "[scaled_gemm]") {
  // The RHT is orthogonal: with the same signs on both operands only rounding in the transform separates the
  // results (tolerance), and gradients flow through all three GEMMs.
  Tape tape;
  Tensor xv({8, 32}), wv({5, 32});
  for (size_t i = 0; i < xv.data.size(); ++i) xv.data[i] = float(int(i % 13) - 6) * 0.5f;
  for (size_t i = 0; i < wv.data.size(); ++i) wv.data[i] = float(int(i % 7) - 3) * 0.25f;
  auto s = std::make_shared<ScaledGemms>();
  s->hadamard = {true, true, true};
  s->hadamard_signs = 0x3C5A;
  LayerGemm g;
  g.scaled = s;
  const Var x = tape.leaf(xv, true), w = tape.leaf(wv, true);
  const Var y = matmul_nt(tape, x, w, g);
  const Var y_plain = matmul_nt(tape, x, w);
  for (size_t i = 0; i < tape.value(y).data.size(); ++i)
    CHECK(tape.value(y).data[i] == Approx(tape.value(y_plain).data[i]).margin(1e-5));
  const Var loss = tape.record(Tensor({1}), true, [y](Tape& t, Var) {
    for (float& d : t.grad(y).data) d += 1.0f;
  });
  tape.backward(loss);
  // dL/dx[i][k] = Σ_j w[j][k]; dL/dw[j][k] = Σ_i x[i][k]
  for (int k = 0; k < 32; ++k) {
    float sw = 0, sx = 0;
    for (int j = 0; j < 5; ++j) sw += wv.data[size_t(j * 32 + k)];
    for (int i = 0; i < 8; ++i) sx += xv.data[size_t(i * 32 + k)];
    CHECK(tape.grad(x).data[size_t(k)] == Approx(sw).margin(1e-5));
    CHECK(tape.grad(w).data[size_t(k)] == Approx(sx).margin(1e-5));
  }
}
