// OCP MX blocks on hand-worked examples, and the per-tensor scaling helpers.
#include "numerics/quantize/block_scale.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "numerics/core/convert.h"

namespace fpsim::test {
namespace {

MxOptions mx(MxElement e, MxScaleRule rule = MxScaleRule::Floor) {
  MxOptions o;
  o.element = e;
  o.rule = rule;
  return o;
}

TEST_CASE("an all-zero block gets scale 2^-127 (code 0x00) and zero elements", "[quantize]") {
  const std::vector<float> x(32, 0.0f);
  const MxTensor q = mx_quantize(x, 1, 32, mx(MxElement::Fp8E4M3));
  REQUIRE(q.scales == std::vector<uint8_t>{0x00});
  REQUIRE(q.elements == std::vector<uint8_t>(32, 0));
  std::vector<float> y(32, 1.0f);
  mx_dequantize(q, y);
  for (float v : y) REQUIRE(v == 0.0f);
}

TEST_CASE("a block holding a NaN or an inf gets the NaN scale 0xFF and decodes to NaN", "[quantize]") {
  for (float special : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                        -std::numeric_limits<float>::infinity()}) {
    std::vector<float> x(64, 1.0f);
    x[40] = special;  // second block only
    const MxTensor q = mx_quantize(x, 1, 64, mx(MxElement::Fp8E5M2));
    REQUIRE(q.scales[0] == 127 + 0 - 15);  // amax 1 = 2^0: e = 0 - 15
    REQUIRE(q.scales[1] == 0xFF);
    std::vector<float> y(64);
    mx_dequantize(q, y);
    REQUIRE(y[0] == 1.0f);
    for (int i = 32; i < 64; ++i) REQUIRE(std::isnan(y[i]));
  }
}

TEST_CASE("amax at a power of two: E4M3 block with amax 4 = 2^2 has e = 2 - 8 and 4 -> 256 = code 0x78", "[quantize]") {
  std::vector<float> x(32, 0.0f);
  x[0] = 4.0f;   // / 2^-6 = 256 = 1.000 * 2^8: exponent field 8 + 7 = 15 -> 0.1111.000 = 0x78
  x[1] = -1.0f;  // 64 = 2^6: field 13 -> 1.1101.000 = 0xE8
  x[2] = 0.1f;   // 6.4 -> 6.5 (spacing 0.5 in [4, 8)): 1.101 * 2^2 -> 0.1001.101 = 0x4D
  const MxTensor q = mx_quantize(x, 1, 32, mx(MxElement::Fp8E4M3));
  REQUIRE(q.scales[0] == 127 - 6);
  REQUIRE(q.elements[0] == 0x78);
  REQUIRE(q.elements[1] == 0xE8);
  REQUIRE(q.elements[2] == 0x4D);
  std::vector<float> y(32);
  mx_dequantize(q, y);
  REQUIRE(y[0] == 4.0f);
  REQUIRE(y[1] == -1.0f);
  REQUIRE(y[2] == 6.5f / 64);
}

TEST_CASE("the OCP rule clips: E4M3 amax 1.9 * 2^3 -> 486.4 -> 448; the rceil rule does not", "[quantize]") {
  std::vector<float> x(32, 0.5f);
  x[7] = 1.9f * 8;  // floor(log2 15.2) = 3, e = 3 - 8 = -5, 15.2 * 32 = 486.4 > 448 -> saturates to 0x7E
  const MxTensor floor = mx_quantize(x, 1, 32, mx(MxElement::Fp8E4M3));
  REQUIRE(floor.scales[0] == 127 - 5);
  REQUIRE(floor.elements[7] == 0x7E);
  std::vector<float> y(32);
  mx_dequantize(floor, y);
  REQUIRE(y[7] == 448.0f / 32);  // 14.0: clipped
  REQUIRE(mx_scale_code(1.9f * 8, MxElement::Fp8E4M3, MxScaleRule::Floor) == 127 - 5);
  // Rceil: e = -4, 15.2 * 16 = 243.2 -> 240 (spacing 16 in [128, 256)), 15.0 after scaling back.
  const MxTensor ceil = mx_quantize(x, 1, 32, mx(MxElement::Fp8E4M3, MxScaleRule::Rceil));
  REQUIRE(ceil.scales[0] == 127 - 4);
  mx_dequantize(ceil, y);
  REQUIRE(y[7] == 15.0f);
  REQUIRE(y[0] == 0.5f);
}

TEST_CASE("MXFP4 E2M1 block: amax 6 = 1.5 * 2^2 gives e = 0 and codes of 6, -3 and 0.4 -> 0.5", "[quantize]") {
  std::vector<float> x(32, 0.0f);
  x[0] = 6.0f;    // E2M1 codes 0..7 = 0, 0.5, 1, 1.5, 2, 3, 4, 6
  x[1] = -3.0f;   // 1.101 -> 0xD
  x[2] = 0.4f;    // nearest 0.5 -> 0x1
  x[3] = 5.0f;    // tie between 4 and 6 -> even mantissa (4 = 0x6)
  const MxTensor q = mx_quantize(x, 1, 32, mx(MxElement::Fp4E2M1));
  REQUIRE(q.scales[0] == 127);
  REQUIRE(q.elements[0] == 0x7);
  REQUIRE(q.elements[1] == 0xD);
  REQUIRE(q.elements[2] == 0x1);
  REQUIRE(q.elements[3] == 0x6);
}

TEST_CASE("MXFP6 and MXFP8 E5M2 scales follow floor(log2 amax) - emax", "[quantize]") {
  REQUIRE(mx_scale_code(28.0f, MxElement::Fp6E3M2, MxScaleRule::Floor) == 127 + 4 - 4);
  REQUIRE(mx_scale_code(7.5f, MxElement::Fp6E2M3, MxScaleRule::Floor) == 127 + 2 - 2);
  REQUIRE(mx_scale_code(7.5f, MxElement::Fp6E2M3, MxScaleRule::Rceil) == 127 + 2 - 2);  // 7.5 fits: no step
  REQUIRE(mx_scale_code(1e-3f, MxElement::Fp8E5M2, MxScaleRule::Floor) == 127 - 10 - 15);  // 2^-10 <= 1e-3 < 2^-9
  REQUIRE(mx_scale_code(1e-38f, MxElement::Fp8E4M3, MxScaleRule::Floor) == 0);  // -127 - 8 clamps to -127
}

TEST_CASE("P3109 k8p4se elements: amax 3 = 1.5 * 2^1 gives e = 1 - 7, 3 -> 192 = 0x7C; no −0; saturation below the inf code",
          "[quantize]") {
  std::vector<float> x(32, 0.0f);
  x[0] = 3.0f;     // / 2^-6 = 192 = 1.100 * 2^7: field 7 + 8 = 15 -> 0.1111.100 = 0x7C
  x[1] = -0.25f;   // 16 = 2^4: field 12 -> 1.1100.000 = 0xE0
  x[2] = -0.0f;    // no −0 in P3109: 0x00
  const MxTensor q = mx_quantize(x, 1, 32, mx(MxElement::P3109K8P4));
  REQUIRE(mx_emax(MxElement::P3109K8P4) == 7);
  REQUIRE(mx_element_format(MxElement::P3109K8P4).max_value() == 224.0);
  REQUIRE(q.scales[0] == 127 + 1 - 7);
  REQUIRE(q.elements[0] == 0x7C);
  REQUIRE(q.elements[1] == 0xE0);
  REQUIRE(q.elements[2] == 0x00);
  std::vector<float> y(32);
  mx_dequantize(q, y);
  REQUIRE(y[0] == 3.0f);
  REQUIRE(y[1] == -0.25f);
  // The OCP rule clips: amax 3.75 = 1.875 * 2^1 -> 240 > max 224 saturates to 0x7E (not the inf code 0x7F).
  x[0] = 3.75f;
  REQUIRE(mx_quantize(x, 1, 32, mx(MxElement::P3109K8P4)).elements[0] == 0x7E);
  REQUIRE(parse_mx_element("p3109_k8p3se") == MxElement::P3109K8P3);
}

TEST_CASE("MXINT8 stores two's complement k with value k * 2^-6 * scale, saturating at 127", "[quantize]") {
  std::vector<float> x(32, 0.0f);
  x[0] = 1.5f;       // amax 1.5: e = 0 - 0; k = 96
  x[1] = -0.25f;     // k = -16 = 0xF0
  x[2] = 0.0078125f; // 2^-7 = half of 2^-6: tie -> even k = 0
  const MxTensor q = mx_quantize(x, 1, 32, mx(MxElement::Int8));
  REQUIRE(q.scales[0] == 127);
  REQUIRE(q.elements[0] == 96);
  REQUIRE(q.elements[1] == 0xF0);
  REQUIRE(q.elements[2] == 0);
  std::vector<float> y(32);
  mx_dequantize(q, y);
  REQUIRE(y[0] == 1.5f);
  REQUIRE(y[1] == -0.25f);
  // amax 1.999 = 1.999 * 2^0: 127.9 quanta saturate at k = 127 (1.984375).
  x[0] = 1.999f;
  REQUIRE(mx_quantize(x, 1, 32, mx(MxElement::Int8)).elements[0] == 127);
}

TEST_CASE("blocks along axis 0 equal blocks along axis 1 of the transpose; short last blocks stand alone",
          "[quantize]") {
  const int rows = 40, cols = 3;
  std::vector<float> x(rows * cols), xt(rows * cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const float v = std::ldexp(1.0f + 0.37f * ((r * 7 + c * 3) % 11), (r * 5 + c) % 17 - 8) * ((r + c) % 3 ? 1 : -1);
      x[r * cols + c] = v;
      xt[c * rows + r] = v;
    }
  MxOptions o = mx(MxElement::Fp8E4M3);
  o.axis = 0;
  std::vector<float> y(x.size()), yt(x.size());
  mx_fake_quantize(x, y, rows, cols, o);
  o.axis = 1;
  mx_fake_quantize(xt, yt, cols, rows, o);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) REQUIRE(y[r * cols + c] == yt[c * rows + r]);
  // The 8-element block of rows 32..39 is scaled by its own amax: the OCP rule written out here, not
  // through mx_scale_code: amax = m·2^e with m in [0.5, 1), so floor(log2 amax) = e - 1, minus E4M3's
  // emax 8, biased by 127.
  float amax = 0;
  for (int r = 32; r < rows; ++r) amax = std::max(amax, std::fabs(x[r * cols]));
  int e = 0;
  std::frexp(amax, &e);
  o.axis = 0;
  REQUIRE(mx_quantize(x, rows, cols, o).scales[cols + 0] == (e - 1) - 8 + 127);
}

TEST_CASE("mx_quantize rejects shapes that do not match and unknown element names", "[quantize]") {
  std::vector<float> x(10);
  REQUIRE_THROWS_WITH(mx_quantize(x, 3, 3, MxOptions{}), Catch::Contains("not 3x3"));
  REQUIRE_THROWS_WITH(parse_mx_element("mxfp5"), Catch::Contains("expected one of"));
  REQUIRE(parse_mx_element("mxfp4_e2m1") == MxElement::Fp4E2M1);
}

TEST_CASE("per-tensor scale = format max / amax / 2^margin, keeping the previous scale for 0 or non-finite amax",
          "[quantize]") {
  const Format e4m3 = parse_format("e4m3fn");
  REQUIRE(per_tensor_scale(2.0, e4m3, 0, 1.0) == 224.0);
  REQUIRE(per_tensor_scale(2.0, e4m3, 1, 1.0) == 112.0);
  REQUIRE(per_tensor_scale(0.0, e4m3, 0, 3.0) == 3.0);
  REQUIRE(per_tensor_scale(std::numeric_limits<double>::infinity(), e4m3, 0, 3.0) == 3.0);
  REQUIRE(per_tensor_scale(std::numeric_limits<double>::quiet_NaN(), e4m3, 0, 3.0) == 3.0);
  REQUIRE(power_of_two_scale(224.0) == 128.0);
  REQUIRE(power_of_two_scale(0.75) == 0.5);
  const std::vector<float> x{1.0f, -3.0f, std::numeric_limits<float>::quiet_NaN(), 0.5f,
                             std::numeric_limits<float>::infinity()};
  REQUIRE(tensor_amax(x) == 3.0);
}

TEST_CASE("quantize_with_scale rounds x * scale into the format and scales back", "[quantize]") {
  Target t{parse_format("e4m3fn")};
  t.overflow = Overflow::Saturate;
  const std::vector<float> x{0.01f, -2.0f, 1e-6f, 500.0f};
  std::vector<float> y(x.size());
  quantize_with_scale(x, y, 224.0, t, nullptr);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float expected = static_cast<float>(decode(encode(x[i] * 224.0f, t).bits, t.format)) / 224.0f;
    REQUIRE(y[i] == expected);
  }
  REQUIRE(y[3] == 448.0f / 224.0f);  // 500 * 224 = 112000 saturates to 448
  REQUIRE_THROWS_WITH(quantize_with_scale(x, y, 0.0, t, nullptr), Catch::Contains("not finite and positive"));
}

}  // namespace
}  // namespace fpsim::test
