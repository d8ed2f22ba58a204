// Scaled casts (numerics/quantize/scaled_cast.h): each mode on a hand-worked example (the tensor, its scales
// and codes), the MX scale rules where they differ, and the fast cast against the element-by-element reference
// on random tensors, bit for bit, for 1 and 2 threads.
#include "numerics/quantize/scaled_cast.h"

#include <catch2/catch.hpp>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "numerics/core/convert.h"
#include "numerics/core/format.h"
#include "sim_gemm/test_data.h"  // with_threads

namespace fpsim::test {
namespace {

Target target(const char* f, Rounding r = Rounding::NearestEven) {
  Target t{parse_format(f)};
  t.rounding = r;
  return t;
}

ScalingSpec spec(ScaleMode m) {
  ScalingSpec s;
  s.mode = m;
  return s;
}

// The E4M3 code of a value (as the cast's q holds values).
uint64_t code(float v) { return encode(double(v), target("e4m3fn")).bits.v; }

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i]) && !(std::isnan(a[i]) && std::isnan(b[i])))
      return false;
  return true;
}

// x = [[1, -2, 0.5, 4], [0.25, 3, -1, 0]] (2×4, K along rows)
const std::vector<float> kX = {1, -2, 0.5f, 4, 0.25f, 3, -1, 0};

TEST_CASE("tensor scaling: enc = 448 / amax, q = E4M3(x·enc), factor = 1/enc", "[scaling]") {
  const ScaledMatrix a = scaled_cast(kX, 2, 4, 1, target("e4m3fn"), spec(ScaleMode::Tensor), nullptr);
  REQUIRE(a.factor.size() == 1);
  REQUIRE(a.enc[0] == 112.0f);  // 448 / 4
  REQUIRE(a.factor[0] == 1.0f / 112.0f);
  REQUIRE(a.amax == 4.0f);
  // 3·112 = 336 = 1.0101·2^8 is a tie between 320 (1.010) and 352 (1.011): even -> 320 (code 0x7A).
  REQUIRE(a.q == std::vector<float>{112, -224, 56, 448, 28, 320, -112, 0});
  REQUIRE(code(320) == 0x7A);
  REQUIRE(code(448) == 0x7E);
}

TEST_CASE("tensor scaling: margin halves the scale per step, power_of_two rounds it down", "[scaling]") {
  ScalingSpec s = spec(ScaleMode::Tensor);
  s.margin = 1;
  REQUIRE(scaled_cast(kX, 2, 4, 1, target("e4m3fn"), s, nullptr).enc[0] == 56.0f);
  s.margin = 0;
  s.power_of_two = true;
  REQUIRE(scaled_cast(kX, 2, 4, 1, target("e4m3fn"), s, nullptr).enc[0] == 64.0f);
  REQUIRE(tensor_encode_scale(0.0, 448, 0, false) == 1.0f);  // zero tensor: scale 1 (TE)
  REQUIRE(tensor_encode_scale(std::numeric_limits<double>::infinity(), 448, 0, false) == 1.0f);
}

TEST_CASE("tensor_delayed scaling uses the scale it is given", "[scaling]") {
  const ScaledMatrix a = scaled_cast(kX, 2, 4, 1, target("e4m3fn"), spec(ScaleMode::TensorDelayed), nullptr, 0,
                                     nullptr, 200.0f);
  REQUIRE(a.enc[0] == 200.0f);
  // 800 and 600 saturate to 448 (the cast saturates); 200, 400, 100 and 50 are ties (halfway between two
  // E4M3 values 1.100·2^e and 1.101·2^e) and go to the even mantissa: 192, 384, 96, 48.
  REQUIRE(a.q == std::vector<float>{192, -384, 96, 448, 48, 448, -192, 0});
}

TEST_CASE("row scaling: one power-of-two scale per row along K; along columns for k_axis 0", "[scaling]") {
  ScalingSpec s = spec(ScaleMode::Row);
  s.power_of_two = true;
  const ScaledMatrix a = scaled_cast(kX, 2, 4, 1, target("e4m3fn"), s, nullptr);
  // row 0: 448/4 = 112 -> 64; row 1: 448/3 = 149.3 -> 128
  REQUIRE(a.enc == std::vector<float>{64, 128});
  REQUIRE(a.q == std::vector<float>{64, -128, 32, 256, 32, 384, -128, 0});
  std::vector<float> y(8);
  dequantize_scaled(a, y);
  REQUIRE(y == kX);  // power-of-two scales and representable scaled values: exact round trip
  // k_axis 0: K runs down the columns, so each column gets a scale: amaxes 1, 3, 1, 4
  const ScaledMatrix c = scaled_cast(kX, 2, 4, 0, target("e4m3fn"), s, nullptr);
  REQUIRE(c.enc == std::vector<float>{256, 128, 256, 64});
}

TEST_CASE("block scaling 1x2: one scale per pair along K", "[scaling]") {
  ScalingSpec s = spec(ScaleMode::Block);
  s.block_rows = 1;
  s.block_cols = 2;
  const ScaledMatrix a = scaled_cast(kX, 2, 4, 1, target("e4m3fn"), s, nullptr);
  // tiles [1, -2] amax 2, [0.5, 4] amax 4, [0.25, 3] amax 3, [-1, 0] amax 1
  REQUIRE(a.enc == std::vector<float>{224, 112, 448.0f / 3.0f, 448});
  // 0.25·149.33 = 37.33 -> 36 (spacing 4 in [32, 64)); 3·149.33 = 448.0000076 -> 448 in binary32
  REQUIRE(a.q == std::vector<float>{224, -448, 56, 448, 36, 448, -448, 0});
  REQUIRE(a.factor_at(1, 3) == 1.0f / 448.0f);
}

TEST_CASE("block scaling 2x2 tiles span rows", "[scaling]") {
  ScalingSpec s = spec(ScaleMode::Block);
  s.block_rows = 2;
  s.block_cols = 2;
  const ScaledMatrix a = scaled_cast(kX, 2, 4, 1, target("e4m3fn"), s, nullptr);
  // tiles {1, -2, 0.25, 3} amax 3, {0.5, 4, -1, 0} amax 4
  REQUIRE(a.enc == std::vector<float>{448.0f / 3.0f, 112});
}

TEST_CASE("MX scale rules differ where the issue says: amax 1.5, 1.9, 1.97 times 2^k and powers of two", "[scaling]") {
  using R = MxScaleRule;
  const MxElement e4 = MxElement::Fp8E4M3;
  struct Case {
    float amax;
    int floor, ceil, rceil, even;  // e relative to k = 3
  } cases[] = {{1.5f * 8, -8, -7, -8, -8}, {1.9f * 8, -8, -7, -7, -8}, {1.97f * 8, -8, -7, -7, -7}, {8.0f, -8, -8, -8, -8},
               {1.75f * 8, -8, -7, -8, -8}};  // 1.75·2^8 = 448 fits exactly: rceil keeps floor
  for (const Case& c : cases) {
    INFO("amax " << c.amax);
    CHECK(int(mx_scale_code(c.amax, e4, R::Floor)) - 127 == 3 + c.floor);
    CHECK(int(mx_scale_code(c.amax, e4, R::Ceil)) - 127 == 3 + c.ceil);
    CHECK(int(mx_scale_code(c.amax, e4, R::Rceil)) - 127 == 3 + c.rceil);
    CHECK(int(mx_scale_code(c.amax, e4, R::Even)) - 127 == 3 + c.even);
  }
  // E2M1 (max 6 = 1.5·2^2, 1 mantissa bit): amax 7 -> floor e = 0 clips to 6; rceil e = 1; even: 7 = 1.11b·2^2
  // rounds at 1 bit to 2.0·2^2 -> e = 1
  CHECK(mx_scale_code(7.0f, MxElement::Fp4E2M1, R::Floor) == 127);
  CHECK(mx_scale_code(7.0f, MxElement::Fp4E2M1, R::Rceil) == 128);
  CHECK(mx_scale_code(7.0f, MxElement::Fp4E2M1, R::Even) == 128);
  CHECK(mx_scale_code(7.0f, MxElement::Fp4E2M1, R::Ceil) == 128);
  for (R r : {R::Floor, R::Ceil, R::Rceil, R::Even}) {
    CHECK(mx_scale_code(0.0f, e4, r) == 0);  // all zeros: 2^-127
    CHECK(mx_scale_code(std::numeric_limits<float>::quiet_NaN(), e4, r) == 0xFF);
    CHECK(mx_scale_code(std::numeric_limits<float>::infinity(), e4, r) == 0xFF);
  }
}

TEST_CASE("mx scaling: 1x32 tiles with E8M0 factors; a NaN tile decodes to NaN; zeros to zero", "[scaling]") {
  std::vector<float> x(96, 0.0f);
  for (int i = 0; i < 32; ++i) x[size_t(i)] = 1.9f * 8 * float(i + 1) / 32;  // amax 15.2 = 1.9·2^3
  x[64] = std::numeric_limits<float>::quiet_NaN();                        // third block
  ScalingSpec s = spec(ScaleMode::Mx);
  const ScaledMatrix a = scaled_cast(x, 1, 96, 1, target("e4m3fn"), s, nullptr);
  REQUIRE(a.factor[0] == 0x1p-5f);  // floor: e = 3 - 8
  REQUIRE(a.q[31] == 448.0f);       // 15.2·32 = 486.4 clips
  REQUIRE(a.factor[1] == 0x1p-127f);  // zeros
  REQUIRE(std::isnan(a.factor[2]));
  s.rule = MxScaleRule::Rceil;
  const ScaledMatrix b = scaled_cast(x, 1, 96, 1, target("e4m3fn"), s, nullptr);
  REQUIRE(b.factor[0] == 0x1p-4f);
  REQUIRE(b.q[31] == 240.0f);  // 243.2 -> 240
  std::vector<float> y(96);
  dequantize_scaled(b, y);
  REQUIRE(y[31] == 15.0f);
  REQUIRE(y[40] == 0.0f);
  REQUIRE(std::isnan(y[70]));
}

TEST_CASE("nvfp4: FP32 tensor scale 448·6/amax, E4M3 block scales, E2M1 elements", "[scaling]") {
  std::vector<float> x(32, 0.0f);
  x[0] = 6.0f, x[1] = -3.0f, x[2] = 0.5f;         // block 0: amax 6
  x[16] = 1.5f, x[17] = 0.3f, x[18] = -0.75f;     // block 1: amax 1.5
  const ScaledMatrix a = scaled_cast(x, 1, 32, 1, target("e2m1fn"), spec(ScaleMode::Nvfp4), nullptr);
  // S_enc = 448·6/6 = 448; block 0: s = E4M3(6/6·448) = 448, enc = 1; block 1: s = E4M3(1.5/6·448 = 112) = 112, enc = 4
  REQUIRE(a.tensor_factor == 1.0f / 448.0f);
  REQUIRE(a.factor == std::vector<float>{448, 112});
  REQUIRE(a.enc == std::vector<float>{1, 4});
  // block 1: 1.5·4 = 6, 0.3·4 = 1.2 -> 1, -0.75·4 = -3
  REQUIRE(a.q[0] == 6.0f);
  REQUIRE(a.q[1] == -3.0f);
  REQUIRE(a.q[2] == 0.5f);
  REQUIRE(a.q[16] == 6.0f);
  REQUIRE(a.q[17] == 1.0f);
  REQUIRE(a.q[18] == -3.0f);
  REQUIRE(encode(-3.0, target("e2m1fn")).bits.v == 0xD);
  // 2-D: one 16×16 tile for a 16×16 matrix
  ScalingSpec two_d = spec(ScaleMode::Nvfp4);
  two_d.two_d = true;
  std::vector<float> w(256, 1.0f);
  w[255] = 3.0f;
  const ScaledMatrix b = scaled_cast(w, 16, 16, 1, target("e2m1fn"), two_d, nullptr);
  REQUIRE(b.factor.size() == 1);
  REQUIRE_THROWS(scaled_cast(x, 1, 32, 1, target("e4m3fn"), spec(ScaleMode::Nvfp4), nullptr));
}

// Random inputs over many binades, with zeros, negatives and (optionally) a NaN and an inf.
std::vector<float> random_tensor(size_t n, uint32_t seed, bool specials) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> mant(-1.0f, 1.0f);
  std::uniform_int_distribution<int> ex(-12, 6);
  std::vector<float> x(n);
  for (float& v : x) v = std::ldexp(mant(gen), ex(gen));
  for (size_t i = 0; i < n; i += 37) x[i] = 0.0f;
  if (specials && n > 100) {
    x[50] = std::numeric_limits<float>::quiet_NaN();
    x[n - 3] = -std::numeric_limits<float>::infinity();
  }
  return x;
}

TEST_CASE("scaled_cast equals the element-by-element reference on random tensors, 1 and 2 threads", "[scaling]") {
  struct ModeCase {
    ScaleMode mode;
    const char* format;
  };
  const ModeCase modes[] = {{ScaleMode::None, "e5m2"},   {ScaleMode::Tensor, "e4m3fn"}, {ScaleMode::TensorDelayed, "e5m2"},
                            {ScaleMode::Row, "e4m3fn"},  {ScaleMode::Block, "e4m3fn"},  {ScaleMode::Mx, "e2m1fn"},
                            {ScaleMode::Mx, "e3m2fn"},   {ScaleMode::Nvfp4, "e2m1fn"}};
  const RandomStream stream(7, 1, 2, 3);
  for (const ModeCase& mc : modes)
    for (int k_axis : {0, 1})
      for (Rounding r : {Rounding::NearestEven, Rounding::Stochastic})
        for (bool specials : {false, true})
          for (MxScaleRule rule : {MxScaleRule::Floor, MxScaleRule::Ceil, MxScaleRule::Rceil, MxScaleRule::Even}) {
            if (mc.mode != ScaleMode::Mx && rule != MxScaleRule::Floor) continue;
            ScalingSpec s = spec(mc.mode);
            s.rule = rule;
            s.block_rows = 3, s.block_cols = 40;  // short edge tiles on 37×70
            s.two_d = k_axis == 0;
            s.margin = r == Rounding::Stochastic ? 1 : 0;
            const int rows = 37, cols = 70;
            const std::vector<float> x = random_tensor(size_t(rows) * cols, 11 + unsigned(k_axis), specials);
            const Target t = target(mc.format, r);
            INFO(to_string(mc.mode) << " " << mc.format << " k_axis " << k_axis << " sr " << (r == Rounding::Stochastic)
                                    << " rule " << to_string(rule) << " specials " << specials);
            const ScaledMatrix ref = scaled_cast_reference(x, rows, cols, k_axis, t, s, &stream, 5, 3.0f);
            for (int threads : {1, 2})
              with_threads(threads, [&] {
                const ScaledMatrix fast = scaled_cast(x, rows, cols, k_axis, t, s, &stream, 5, nullptr, 3.0f);
                CHECK(same_bits(fast.q, ref.q));
                CHECK(same_bits(fast.factor, ref.factor));
                CHECK(same_bits(fast.enc, ref.enc));
                CHECK(same_bits(fast.tile_amax, ref.tile_amax));
                CHECK(std::bit_cast<uint32_t>(fast.amax) == std::bit_cast<uint32_t>(ref.amax));
                CHECK(fast.tensor_factor == ref.tensor_factor);
                CHECK(fast.tile_k == ref.tile_k);
              });
          }
}

TEST_CASE("the scaled cast never overflows: values beyond the element max saturate", "[scaling]") {
  const std::vector<float> x = {1000.0f, 1.0f};
  const ScaledMatrix a = scaled_cast(x, 1, 2, 1, target("e4m3fn"), spec(ScaleMode::TensorDelayed), nullptr, 0,
                                     nullptr, 1.0f);
  REQUIRE(a.q[0] == 448.0f);
  QuantStats st;
  (void)scaled_cast(x, 1, 2, 1, target("e4m3fn"), spec(ScaleMode::TensorDelayed), nullptr, 0, &st, 1.0f);
  REQUIRE(st.saturated == 1);  // the "fraction clipped" of telemetry
}

}  // namespace
}  // namespace fpsim::test
