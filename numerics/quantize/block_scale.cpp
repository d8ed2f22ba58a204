// OCP MX block quantisation and per-tensor scaling. Elements are rounded by encode() (so every
// rounding mode and the saturation policy come from round_pack); V / 2^e is formed exactly in
// binary64 (a power-of-two scaling of a binary32 value never rounds there).
#include "numerics/quantize/block_scale.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "numerics/core/convert.h"
#include "numerics/fast/internal/fp_environment.h"

namespace fpsim {
namespace {

struct ElementInfo {
  MxElement element;
  const char* name;
  const char* short_name;
  const char* format;
  int emax;
};

// emax = exponent of the largest power of two of the element type (OCP MX v1.0, table 1):
// E5M2 2^15, E4M3 2^8, E3M2 2^4, E2M3 2^2, E2M1 2^2, INT8 2^0 (1.xxxxxx, 127/64 = 1.984375); P3109
// elements the same way: k8p3se max 0x7E = 1.10 * 2^15 (emax 15), k8p4se 0x7E = 1.110 * 2^7 (emax 7).
constexpr ElementInfo kElements[] = {
    {MxElement::Fp8E5M2, "mxfp8_e5m2", "e5m2", "e5m2", 15},
    {MxElement::Fp8E4M3, "mxfp8_e4m3", "e4m3", "e4m3fn", 8},
    {MxElement::Fp6E3M2, "mxfp6_e3m2", "e3m2", "e3m2fn", 4},
    {MxElement::Fp6E2M3, "mxfp6_e2m3", "e2m3", "e2m3fn", 2},
    {MxElement::Fp4E2M1, "mxfp4_e2m1", "e2m1", "e2m1fn", 2},
    {MxElement::Int8, "mxint8", "int8", "e1m6,bias=1,finite", 0},
    {MxElement::P3109K8P3, "mx_p3109_k8p3se", "p3109_k8p3se", "p3109_k8p3se", 15},
    {MxElement::P3109K8P4, "mx_p3109_k8p4se", "p3109_k8p4se", "p3109_k8p4se", 7},
};

const ElementInfo& info(MxElement e) {
  for (const ElementInfo& i : kElements)
    if (i.element == e) return i;
  throw std::invalid_argument("unknown MX element type");
}

constexpr uint8_t kScaleNaN = 0xFF;

// MXINT8 codes of the e1m6,bias=1,finite grid -> two's complement k (value k * 2^-6), and back.
// Code S.E.MMMMMM: E = 0 gives k = MMMMMM, E = 1 gives k = 64 + MMMMMM; e.g. 0.1.000000 = 64 (1.0).
uint8_t int8_from_code(uint64_t code) {
  const int magnitude = static_cast<int>(code & 0x7F);
  const int k = (code & 0x80) ? -magnitude : magnitude;
  return static_cast<uint8_t>(static_cast<int8_t>(k));
}
double int8_value(uint8_t byte) { return static_cast<int8_t>(byte) / 64.0; }

// Calls f(element_index) for each element of block (outer, inner) in block order.
template <class F>
void for_block(int rows, int cols, int block, int axis, int outer, int inner, F f) {
  if (axis == 1) {  // row `outer`, columns inner*block ...
    const int c0 = inner * block, c1 = std::min(cols, c0 + block);
    for (int c = c0; c < c1; ++c) f(static_cast<std::size_t>(outer) * cols + c);
  } else {  // rows outer*block ..., column `inner`
    const int r0 = outer * block, r1 = std::min(rows, r0 + block);
    for (int r = r0; r < r1; ++r) f(static_cast<std::size_t>(r) * cols + inner);
  }
}

void check_shape(std::size_t size, int rows, int cols, const MxOptions& o, const char* where) {
  if (rows < 0 || cols < 0 || static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols) != size)
    throw std::invalid_argument(std::string(where) + ": tensor of " + std::to_string(size) + " elements is not " +
                                std::to_string(rows) + "x" + std::to_string(cols));
  if (o.block < 1) throw std::invalid_argument(std::string(where) + ": block size must be at least 1");
  if (o.axis != 0 && o.axis != 1) throw std::invalid_argument(std::string(where) + ": axis must be 0 or 1");
}

}  // namespace

MxElement parse_mx_element(std::string_view text) {
  // An element type is named by its MX name or by its format, with the format's one meaning: "e4m3" is the
  // IEEE-like E4M3 (max 240), so it is not MXFP8's E4M3, which is e4m3fn (max 448).
  for (const ElementInfo& i : kElements)
    if (text == i.name || (i.element == MxElement::Int8 && text == i.short_name)) return i.element;
  std::string why;
  try {
    const Format f = parse_format(text);
    for (const ElementInfo& i : kElements)
      if (i.element != MxElement::Int8 && f == parse_format(i.format)) return i.element;
    why = ": format " + f.to_string() + " is not an MX element type";
  } catch (const FormatError&) {
  }
  throw std::invalid_argument("unknown MX element type \"" + std::string(text) + "\"" + why +
                              " (expected one of mxfp8_e5m2 = e5m2, mxfp8_e4m3 = e4m3fn, mxfp6_e3m2 = e3m2fn, "
                              "mxfp6_e2m3 = e2m3fn, mxfp4_e2m1 = e2m1fn, mxint8, mx_p3109_k8p3se, mx_p3109_k8p4se)");
}

const char* to_string(MxElement e) { return info(e).name; }

MxScaleRule parse_mx_scale_rule(std::string_view text) {
  for (MxScaleRule r : {MxScaleRule::Floor, MxScaleRule::Ceil, MxScaleRule::Rceil, MxScaleRule::Even})
    if (text == to_string(r)) return r;
  throw std::invalid_argument("unknown MX scale rule \"" + std::string(text) + "\" (expected one of floor, ceil, rceil, even)");
}

const char* to_string(MxScaleRule r) {
  switch (r) {
    case MxScaleRule::Floor: return "floor";
    case MxScaleRule::Ceil: return "ceil";
    case MxScaleRule::Rceil: return "rceil";
    case MxScaleRule::Even: return "even";
  }
  return "?";
}
const Format& mx_element_format(MxElement e) {
  // Parsed once: scale rules ask for the element grid once per block.
  static const std::vector<Format> formats = [] {
    std::vector<Format> f;
    for (const ElementInfo& i : kElements) f.push_back(parse_format(i.format));
    return f;
  }();
  return formats[static_cast<std::size_t>(&info(e) - kElements)];
}
int mx_emax(MxElement e) { return info(e).emax; }

uint8_t mx_scale_code(float amax, MxElement e, MxScaleRule rule) {
  // 1. A NaN or inf anywhere in the block makes the scale NaN.
  if (!std::isfinite(amax)) return kScaleNaN;
  const double a = std::fabs(static_cast<double>(amax));
  // 2. All zeros: the reference code takes log2(FP32_MIN_NORMAL) and clamps to -127.
  if (a == 0) return 0;
  // 3. e = floor(log2 amax) - emax_elem; frexp gives amax = f * 2^x with f in [0.5, 1), so floor(log2) = x - 1.
  int x = 0;
  std::frexp(a, &x);
  int shared = x - 1 - mx_emax(e);
  switch (rule) {
    case MxScaleRule::Floor: break;
    case MxScaleRule::Ceil:  // 4a. ceil(log2 amax) = floor(log2 amax) + 1 unless amax is a power of two
      if (a != std::ldexp(1.0, x - 1)) shared += 1;
      break;
    case MxScaleRule::Rceil:  // 4b. one step up when the block maximum would exceed the element maximum
      if (std::ldexp(a, -shared) > mx_element_format(e).max_value()) shared += 1;
      break;
    case MxScaleRule::Even: {
      // 4c. torchao's bit trick on the binary32 amax: add half an ulp of the element's precision, then
      // clear the mantissa. E4M3 (3 bits), 1.97 = 0x3FFC28F6: + 0x00080000 = 0x40042... -> 0x40000000 = 2.0,
      // so floor(log2) moves up one; 1.9 = 0x3FF33333 + 0x80000 = 0x3FFB3333 -> 0x3F800000 = 1.0 stays.
      const int man = mx_element_format(e).man_bits();
      const uint32_t bits = std::bit_cast<uint32_t>(static_cast<float>(a));
      const uint32_t rounded = (bits + (uint32_t{1} << (23 - man - 1))) & 0x7F800000u;
      shared = static_cast<int>(rounded >> 23) - 127 - mx_emax(e);
      break;
    }
  }
  shared = std::clamp(shared, -127, 127);
  return static_cast<uint8_t>(shared + 127);
}

MxTensor mx_quantize(std::span<const float> x, int rows, int cols, const MxOptions& o, const RandomStream* stream,
                     uint64_t offset) {
  const IeeeDefaultFp fp;  // binary32/binary64 arithmetic on possibly subnormal values
  check_shape(x.size(), rows, cols, o, "mx_quantize");
  if (o.rounding == Rounding::Stochastic && !stream)
    throw std::invalid_argument("mx_quantize: stochastic rounding needs a random stream");
  Target t{mx_element_format(o.element)};
  t.rounding = o.rounding;
  t.sr_bits = o.sr_bits;
  t.overflow = Overflow::Saturate;  // the spec clamps elements to ±max
  const bool is_int8 = o.element == MxElement::Int8;
  MxTensor q;
  q.rows = rows;
  q.cols = cols;
  q.options = o;
  q.elements.assign(x.size(), 0);
  const int outer = o.axis == 1 ? rows : (rows + o.block - 1) / o.block;
  const int inner = o.axis == 1 ? (cols + o.block - 1) / o.block : cols;
  q.scales.assign(static_cast<std::size_t>(outer) * inner, 0);
  const uint8_t nan_code = is_int8 ? 0 : static_cast<uint8_t>(encode(std::numeric_limits<float>::quiet_NaN(), t).bits.v);
#if defined(FPSIM_HAVE_OPENMP)
#pragma omp parallel for schedule(static)
#endif
  for (int b = 0; b < outer; ++b) {
    const IeeeDefaultFp thread_fp;  // per worker thread: each has its own control register
    for (int in = 0; in < inner; ++in) {
      float amax = 0;
      bool special = false;
      for_block(rows, cols, o.block, o.axis, b, in, [&](std::size_t i) {
        if (!std::isfinite(x[i])) special = true;
        amax = std::max(amax, std::fabs(x[i]));
      });
      const uint8_t scale = special ? kScaleNaN : mx_scale_code(amax, o.element, o.rule);
      q.scales[static_cast<std::size_t>(b) * inner + in] = scale;
      const int shared = static_cast<int>(scale) - 127;
      for_block(rows, cols, o.block, o.axis, b, in, [&](std::size_t i) {
        if (scale == kScaleNaN) {
          q.elements[i] = nan_code;
          return;
        }
        const double y = std::ldexp(static_cast<double>(x[i]), -shared);  // exact
        const uint64_t r = o.rounding == Rounding::Stochastic ? stream->bits(offset + i) : 0;
        const uint64_t code = encode(y, t, r).bits.v;
        q.elements[i] = is_int8 ? int8_from_code(code) : static_cast<uint8_t>(code);
      });
    }
  }
  return q;
}

void mx_dequantize(const MxTensor& q, std::span<float> out) {
  const IeeeDefaultFp fp;  // binary32/binary64 arithmetic on possibly subnormal values
  const MxOptions& o = q.options;
  check_shape(out.size(), q.rows, q.cols, o, "mx_dequantize");
  const Format f = mx_element_format(o.element);
  const int outer = o.axis == 1 ? q.rows : (q.rows + o.block - 1) / o.block;
  const int inner = o.axis == 1 ? (q.cols + o.block - 1) / o.block : q.cols;
  for (int b = 0; b < outer; ++b)
    for (int in = 0; in < inner; ++in) {
      const uint8_t scale = q.scales[static_cast<std::size_t>(b) * inner + in];
      for_block(q.rows, q.cols, o.block, o.axis, b, in, [&](std::size_t i) {
        if (scale == kScaleNaN) {
          out[i] = std::numeric_limits<float>::quiet_NaN();
          return;
        }
        const double p = o.element == MxElement::Int8 ? int8_value(q.elements[i]) : decode(Bits{q.elements[i]}, f);
        out[i] = static_cast<float>(std::ldexp(p, static_cast<int>(scale) - 127));
      });
    }
}

void mx_fake_quantize(std::span<const float> in, std::span<float> out, int rows, int cols, const MxOptions& options,
                      const RandomStream* stream, uint64_t offset) {
  const MxTensor q = mx_quantize(in, rows, cols, options, stream, offset);
  mx_dequantize(q, out);
}

double tensor_amax(std::span<const float> x) {
  const IeeeDefaultFp fp;  // binary32/binary64 arithmetic on possibly subnormal values
  float m = 0;
  for (float v : x)
    if (std::isfinite(v)) m = std::max(m, std::fabs(v));
  return m;
}

double per_tensor_scale(double amax, const Format& f, int margin, double previous) {
  const IeeeDefaultFp fp;  // binary32/binary64 arithmetic on possibly subnormal values
  if (!(amax > 0) || !std::isfinite(amax)) return previous;
  return f.max_value() / amax / std::ldexp(1.0, margin);
}

double power_of_two_scale(double scale) {
  const IeeeDefaultFp fp;  // binary32/binary64 arithmetic on possibly subnormal values
  if (!(scale > 0) || !std::isfinite(scale)) throw std::invalid_argument("power_of_two_scale: scale must be finite and positive");
  int x = 0;
  std::frexp(scale, &x);
  return std::ldexp(1.0, x - 1);
}

void quantize_with_scale(std::span<const float> in, std::span<float> out, double scale, const Target& t,
                         const RandomStream* stream, uint64_t offset, QuantStats* stats) {
  const IeeeDefaultFp fp;  // binary32/binary64 arithmetic on possibly subnormal values
  const float s = static_cast<float>(scale);
  if (!(s > 0) || !std::isfinite(s))
    throw std::invalid_argument("quantize_with_scale: scale " + std::to_string(scale) + " is not finite and positive in binary32");
  if (out.size() < in.size()) throw std::invalid_argument("quantize_with_scale: output span is shorter than input");
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = in[i] * s;
  quantize(out.first(in.size()), out, t, stream, offset, stats);
  for (std::size_t i = 0; i < in.size(); ++i) out[i] /= s;
}

}  // namespace fpsim
