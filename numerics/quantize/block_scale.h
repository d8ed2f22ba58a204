#pragma once
// Shared-scale quantisation: OCP Microscaling (MX v1.0) blocks and per-tensor scaling helpers.
//
// MX: a row-major rows×cols tensor is cut into blocks of `block` (32) consecutive elements along an
// axis; each block stores one E8M0 scale X = 2^e (codes 0..254 = 2^-127..2^127, 0xFF = NaN) and
// `block` elements P_i of the element format, with value X * P_i. The scale follows the spec's
// reference code (microxcaling):
//     e = floor(log2(amax)) - emax_elem,  clamped to [-127, 127];  P_i = quantise(V_i / 2^e) saturating
// so the block maximum can clip (E4M3: amax = 1.9 * 2^k -> 1.9 * 2^8 = 486.4 -> 448). Other rules (MxScaleRule):
// "ceil" (torchao CEIL) = ceil(log2 amax) - emax_elem; "rceil" (cuBLAS/Transformer Engine) = the smallest e with
// amax / 2^e <= max_elem, so nothing clips; "even" (torchao EVEN) rounds amax to the element's precision first.
// Special blocks: all zeros -> e = -127 (code 0x00), elements 0; any NaN or inf -> scale NaN (0xFF),
// and the whole block decodes to NaN.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "numerics/quantize/quantize.h"

namespace fpsim {

/// MX element types (OCP MX v1.0, section 5).
enum class MxElement : uint8_t {
  Fp8E5M2,  ///< MXFP8 E5M2, emax 15, max 57344
  Fp8E4M3,  ///< MXFP8 E4M3 (fn), emax 8, max 448
  Fp6E3M2,  ///< MXFP6 E3M2, emax 4, max 28
  Fp6E2M3,  ///< MXFP6 E2M3, emax 2, max 7.5
  Fp4E2M1,  ///< MXFP4 E2M1, emax 2, max 6
  Int8,     ///< MXINT8: two's complement k * 2^-6, |k| <= 127 (max 1.984375), emax 0
  P3109K8P3,  ///< IEEE P3109 p3109_k8p3se elements (not in OCP MX v1.0): emax 15, max 49152, NaN 0x80
  P3109K8P4,  ///< IEEE P3109 p3109_k8p4se elements: emax 7, max 224, NaN 0x80
};

/// "mxfp8_e5m2" "mxfp8_e4m3" "mxfp6_e3m2" "mxfp6_e2m3" "mxfp4_e2m1" "mxint8" "mx_p3109_k8p3se"
/// "mx_p3109_k8p4se" (also "e5m2", "e4m3", "e3m2", "e2m3", "e2m1", "int8", "p3109_k8p3se", "p3109_k8p4se");
/// throws std::invalid_argument listing them.
MxElement parse_mx_element(std::string_view text);
const char* to_string(MxElement e);

/// The element grid as a Format: MXINT8 is "e1m6,bias=1,finite" (k * 2^-6, spacing 2^-6 from 0 to 127/64).
/// Example: mx_element_format(MxElement::Fp8E4M3).max_value() == 448.
const Format& mx_element_format(MxElement e);
/// emax of the element type: the exponent of its largest power of two. Example: mx_emax(MxElement::Fp4E2M1) == 2.
int mx_emax(MxElement e);

/// How the shared exponent is chosen.
/// E4M3 (emax 8, max 448) examples, e as a function of amax:
///   amax        floor   ceil    rceil   even
///   1.5·2^k     k-8     k-7     k-8     k-8
///   1.9·2^k     k-8     k-7     k-7     k-8   (floor and even clip: 1.9·2^8 = 486.4 -> 448)
///   1.97·2^k    k-8     k-7     k-7     k-7   (1.97 rounds to 2.0 at 3 mantissa bits)
///   2^k         k-8     k-8     k-8     k-8
enum class MxScaleRule : uint8_t {
  Floor,  ///< OCP spec: floor(log2 amax) - emax_elem (elements may clip to ±max)
  Ceil,   ///< torchao CEIL: ceil(log2 amax) - emax_elem (never clips, may waste a binade)
  Rceil,  ///< cuBLAS / TE: amax / max_elem rounded up to a power of two = smallest e with amax / 2^e <= max_elem
  Even,   ///< torchao EVEN: amax rounded half-up to the element's mantissa bits (exponent kept), then floor
};
/// "floor" "ceil" "rceil" "even"; throws std::invalid_argument listing them.
MxScaleRule parse_mx_scale_rule(std::string_view text);
const char* to_string(MxScaleRule r);

struct MxOptions {
  MxElement element = MxElement::Fp8E4M3;
  int block = 32;
  int axis = 1;  ///< 1: blocks run along a row (consecutive columns); 0: along a column
  MxScaleRule rule = MxScaleRule::Floor;
  Rounding rounding = Rounding::NearestEven;  ///< element rounding (sr needs a stream)
  int sr_bits = 0;
};

/// A quantised tensor: one E8M0 scale code per block, one element code per element (MXINT8: the
/// two's complement byte). Blocks are numbered row-major over (row, column-block) for axis 1 and
/// (row-block, column) for axis 0; elements keep the tensor's row-major order.
struct MxTensor {
  int rows = 0, cols = 0;
  MxOptions options;
  std::vector<uint8_t> scales;
  std::vector<uint8_t> elements;
};

/// The E8M0 scale code of a block with largest magnitude `amax` (NaN or inf: 0xFF; 0: 0x00).
/// Example: mx_scale_code(1.9f * 4, MxElement::Fp8E4M3, MxScaleRule::Floor) == 127 + 2 - 8 (2^-6).
uint8_t mx_scale_code(float amax, MxElement e, MxScaleRule rule);

/// Quantise a row-major rows×cols tensor into MX blocks (a short last block is allowed).
/// Element i uses stream->bits(offset + i) when rounding is stochastic.
/// Example: MxTensor q = mx_quantize(x, 4, 64, {.element = MxElement::Fp4E2M1});
MxTensor mx_quantize(std::span<const float> x, int rows, int cols, const MxOptions& options,
                     const RandomStream* stream = nullptr, uint64_t offset = 0);

/// Values X * P_i of every element (NaN for a block whose scale is NaN).
/// Example: mx_dequantize(q, y) with y.size() == rows * cols.
void mx_dequantize(const MxTensor& q, std::span<float> out);

/// mx_dequantize(mx_quantize(in)) in one call ("fake quantisation" for training emulation); out may alias in.
/// Example: mx_fake_quantize(w, w, 512, 784, {.element = MxElement::Fp8E4M3, .axis = 1});
void mx_fake_quantize(std::span<const float> in, std::span<float> out, int rows, int cols, const MxOptions& options,
                      const RandomStream* stream = nullptr, uint64_t offset = 0);

// ---- per-tensor scaling (Transformer Engine style) ----

/// Largest |x| over the finite elements (0 when there are none). Example: tensor_amax({1, -3, NaN}) == 3.
double tensor_amax(std::span<const float> x);

/// scale = format max / amax / 2^margin; returns `previous` when amax is 0 or not finite.
/// Example: per_tensor_scale(2.0, parse_format("e4m3fn"), 0, 1.0) == 224.
double per_tensor_scale(double amax, const Format& f, int margin, double previous);

/// The largest power of two <= scale (exact scaling: x * 2^k never rounds in binary32 ranges).
/// Example: power_of_two_scale(224.0) == 128.
double power_of_two_scale(double scale);

/// out = quantize(in * scale) / scale: the binary32 product (as Transformer Engine computes it),
/// rounded into t by quantize(), then divided back. `scale` must be finite and positive.
/// Example: quantize_with_scale(x, y, 224.0, Target{parse_format("e4m3fn")}, nullptr);
void quantize_with_scale(std::span<const float> in, std::span<float> out, double scale, const Target& t,
                         const RandomStream* stream, uint64_t offset = 0, QuantStats* stats = nullptr);

}  // namespace fpsim
