// Scaled casts (scaled_cast.h): tile amaxes, encode scales and decode factors, then one vectorised
// quantize() over the scaled values. The reference below recomputes everything per element with encode().
#include "numerics/quantize/scaled_cast.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cfloat>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>

#include "numerics/core/convert.h"
#include "numerics/fast/internal/fp_environment.h"

namespace fpsim {
namespace {

constexpr const char* kModeNames[] = {"none", "tensor", "tensor_delayed", "row", "block", "mx", "nvfp4"};

// NVFP4 constants: E4M3 max 448 = (1 + 0b110·2^-3)·2^8, E2M1 max 6 = 1.5·2^2.
constexpr float kE4m3Max = 448.0f, kE2m1Max = 6.0f;

Target saturating(Target t) {
  t.overflow = Overflow::Saturate;
  return t;
}

// The MX element type whose grid is t's format (MX scale rules need its emax).
MxElement mx_element_of(const Target& t) {
  for (MxElement m : {MxElement::Fp8E4M3, MxElement::Fp8E5M2, MxElement::Fp6E3M2, MxElement::Fp6E2M3, MxElement::Fp4E2M1})
    if (mx_element_format(m) == t.format) return m;
  throw std::invalid_argument("scaled_cast: mx scaling needs an MX element format (e4m3fn e5m2 e3m2fn e2m3fn e2m1fn)");
}

void check(std::size_t size, int rows, int cols, int k_axis, const Target& t, const ScalingSpec& spec) {
  if (rows < 0 || cols < 0 || std::size_t(rows) * std::size_t(cols) != size)
    throw std::invalid_argument("scaled_cast: " + std::to_string(size) + " elements are not " + std::to_string(rows) +
                                "x" + std::to_string(cols));
  if (k_axis != 0 && k_axis != 1) throw std::invalid_argument("scaled_cast: k_axis must be 0 or 1");
  if (spec.mode == ScaleMode::Nvfp4 && !(t.format == parse_format("e2m1fn")))
    throw std::invalid_argument("scaled_cast: nvfp4 scaling needs e2m1fn elements");
  if (spec.block_rows < 1 || spec.block_cols < 1)
    throw std::invalid_argument("scaled_cast: block sizes must be at least 1");
}

const Target& e4m3_saturating() {
  static const Target t = saturating(Target{parse_format("e4m3fn")});
  return t;
}

// A cast with its shape and tiling set (after checking the arguments), no values yet.
ScaledMatrix empty_cast(std::size_t size, int rows, int cols, int k_axis, const Target& t, const ScalingSpec& spec) {
  check(size, rows, cols, k_axis, t, spec);
  ScaledMatrix a;
  a.rows = rows;
  a.cols = cols;
  a.k_axis = k_axis;
  std::tie(a.tile_other, a.tile_k) = scaling_tile(spec, a.other(), a.k());
  return a;
}

// NVFP4's block scale before its rounding to E4M3: min(fp32(fp32(amax_tile / 6) · S_enc), 448).
float nvfp4_raw_scale(float amax_tile, float s_enc) { return std::min(amax_tile / kE2m1Max * s_enc, kE4m3Max); }

// The stored E4M3 block scale of NVFP4 (rne, saturating at 448) as a float, by the scalar encode().
float nvfp4_block_scale(float amax_tile, float s_enc) {
  const Target& e4m3 = e4m3_saturating();
  return static_cast<float>(decode(encode(static_cast<double>(nvfp4_raw_scale(amax_tile, s_enc)), e4m3).bits, e4m3.format));
}

// |v| as the bits of a binary32 with the sign cleared. Non-negative binary32 values order like their bit
// patterns as unsigned integers, and every NaN pattern is above +inf (0x7F800000), so an integer max over
// these finds the largest magnitude and flags a NaN anywhere; integer max vectorises where a float max with
// NaN semantics does not. Example: -1.5 = 0xBFC00000 -> 0x3FC00000; a quiet NaN 0x7FC00000 > inf 0x7F800000.
inline uint32_t magnitude_bits(float v) { return std::bit_cast<uint32_t>(v) & 0x7FFFFFFFu; }
constexpr uint32_t kInfBits = 0x7F800000u;
// The amax of magnitude bits m: a NaN pattern (m > +inf) becomes +inf, "not finite" for the tile.
inline float amax_of_bits(uint32_t m) { return m > kInfBits ? std::numeric_limits<float>::infinity() : std::bit_cast<float>(m); }

// Per-tile amax (NaN -> +inf), one pass over the storage order.
// K along rows (k_axis 1): a storage row splits into runs of tile_k consecutive elements of one tile.
// K down columns (k_axis 0): a storage row holds one element of each column, and the rows r that share
// r / tile_k share tiles; a running maximum per column over those rows (contiguous, so vectorised) is
// folded into the tiles once per block of rows.
std::vector<float> tile_amaxes(std::span<const float> x, const ScaledMatrix& a) {
  const std::size_t kt = std::size_t(a.k_tiles()), cols = std::size_t(a.cols);
  const std::size_t other_tiles = std::size_t((a.other() + a.tile_other - 1) / a.tile_other);
  std::vector<uint32_t> bits(other_tiles * kt, 0u);
  if (a.k_axis == 1) {
    for (int r = 0; r < a.rows; ++r) {
      const float* row = x.data() + std::size_t(r) * cols;
      uint32_t* tiles = bits.data() + std::size_t(r / a.tile_other) * kt;
      for (int c0 = 0, t = 0; c0 < a.cols; c0 += a.tile_k, ++t) {
        const int c1 = std::min(c0 + a.tile_k, a.cols);
        uint32_t m = tiles[t];
        for (int c = c0; c < c1; ++c) m = std::max(m, magnitude_bits(row[c]));
        tiles[t] = m;
      }
    }
  } else {
    std::vector<uint32_t> column_max(cols);
    for (int r0 = 0; r0 < a.rows; r0 += a.tile_k) {
      std::fill(column_max.begin(), column_max.end(), 0u);
      for (int r = r0; r < std::min(r0 + a.tile_k, a.rows); ++r) {
        const float* row = x.data() + std::size_t(r) * cols;
        for (std::size_t c = 0; c < cols; ++c) column_max[c] = std::max(column_max[c], magnitude_bits(row[c]));
      }
      const std::size_t kblock = std::size_t(r0 / a.tile_k);
      for (std::size_t c = 0; c < cols; ++c) {
        uint32_t& tile = bits[(c / std::size_t(a.tile_other)) * kt + kblock];
        tile = std::max(tile, column_max[c]);
      }
    }
  }
  std::vector<float> amax(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) amax[i] = amax_of_bits(bits[i]);
  return amax;
}

// q = x · enc of each element's tile, in the storage order (the layouts of tile_amaxes).
void scale_by_tiles(std::span<const float> x, const ScaledMatrix& a, std::vector<float>& q) {
  const std::size_t kt = std::size_t(a.k_tiles()), cols = std::size_t(a.cols);
  if (a.k_axis == 1) {
    for (int r = 0; r < a.rows; ++r) {
      const std::size_t row = std::size_t(r) * cols;
      const float* enc = a.enc.data() + std::size_t(r / a.tile_other) * kt;
      for (int c0 = 0, t = 0; c0 < a.cols; c0 += a.tile_k, ++t) {
        const float e = enc[t];
        for (std::size_t i = row + std::size_t(c0); i < row + std::size_t(std::min(c0 + a.tile_k, a.cols)); ++i)
          q[i] = x[i] * e;
      }
    }
    return;
  }
  std::vector<float> enc_of_column(cols);
  for (int r = 0; r < a.rows; ++r) {
    if (r % a.tile_k == 0)
      for (std::size_t c = 0; c < cols; ++c)
        enc_of_column[c] = a.enc[(c / std::size_t(a.tile_other)) * kt + std::size_t(r / a.tile_k)];
    const std::size_t row = std::size_t(r) * cols;
    for (std::size_t c = 0; c < cols; ++c) q[row + c] = x[row + c] * enc_of_column[c];
  }
}

float nvfp4_tensor_scale(float amax) {
  if (!(amax > 0) || !std::isfinite(amax)) return 1.0f;
  const float s = kE4m3Max * kE2m1Max / amax;
  return std::isfinite(s) ? s : FLT_MAX;
}

// Encode scale and decode factor of one tile from its amax (NaN or inf -> amax not finite).
struct TileScale {
  float enc = 1.0f, factor = 1.0f;
};

TileScale tile_scale(float amax, const Target& t, const ScalingSpec& spec, MxElement e, float s_enc,
                     std::optional<float> delayed_enc) {
  const double fmt_max = t.format.max_value();
  switch (spec.mode) {
    case ScaleMode::None: return {};
    case ScaleMode::TensorDelayed: {
      const float enc = delayed_enc.value_or(1.0f);
      return {enc, 1.0f / enc};
    }
    case ScaleMode::Tensor:
    case ScaleMode::Row:
    case ScaleMode::Block: {
      const float enc = tensor_encode_scale(amax, fmt_max, spec.margin, spec.power_of_two);
      return {enc, 1.0f / enc};
    }
    case ScaleMode::Mx: {
      const uint8_t code = mx_scale_code(amax, e, spec.rule);
      if (code == 0xFF) return {1.0f, std::numeric_limits<float>::quiet_NaN()};
      const int shared = int(code) - 127;
      return {std::ldexp(1.0f, -shared), std::ldexp(1.0f, shared)};
    }
    case ScaleMode::Nvfp4: {
      if (!std::isfinite(amax)) return {1.0f, std::numeric_limits<float>::quiet_NaN()};
      const float s = nvfp4_block_scale(amax, s_enc);
      return {s == 0 ? 0.0f : s_enc / s, s};
    }
  }
  return {};
}

// |x| with NaN mapped to +inf, so one max() finds "not finite".
float magnitude(float v) { return std::isnan(v) ? std::numeric_limits<float>::infinity() : std::fabs(v); }

}  // namespace

ScaleMode parse_scale_mode(std::string_view text) {
  for (int m = 0; m < 7; ++m)
    if (text == kModeNames[m]) return ScaleMode(m);
  throw std::invalid_argument("unknown scaling \"" + std::string(text) +
                              "\" (expected one of none, tensor, tensor_delayed, row, block, mx, nvfp4)");
}

const char* to_string(ScaleMode m) { return kModeNames[int(m)]; }

std::pair<int, int> scaling_tile(const ScalingSpec& spec, int other, int k) {
  const int o = std::max(other, 1), kk = std::max(k, 1);
  switch (spec.mode) {
    case ScaleMode::None:
    case ScaleMode::Tensor:
    case ScaleMode::TensorDelayed: return {o, kk};
    case ScaleMode::Row: return {1, kk};
    case ScaleMode::Block: return {std::min(spec.block_rows, o), std::min(spec.block_cols, kk)};
    case ScaleMode::Mx: return {1, std::min(kMxBlock, kk)};
    case ScaleMode::Nvfp4: return {spec.two_d ? std::min(kNvfp4Block, o) : 1, std::min(kNvfp4Block, kk)};
  }
  return {o, kk};
}

float tensor_encode_scale(double amax, double fmt_max, int margin, bool power_of_two) {
  const IeeeDefaultFp fp;
  const float a = static_cast<float>(amax);
  if (!(a > 0) || !std::isfinite(a)) return 1.0f;
  float s = static_cast<float>(fmt_max) / a;
  if (!std::isfinite(s)) s = FLT_MAX;
  s = std::ldexp(s, -margin);
  if (!(s > 0)) s = std::numeric_limits<float>::denorm_min();
  if (power_of_two) {
    int x = 0;
    std::frexp(s, &x);
    s = std::ldexp(1.0f, x - 1);
  }
  return s;
}

ScaledMatrix scaled_cast(std::span<const float> x, int rows, int cols, int k_axis, const Target& t,
                         const ScalingSpec& spec, const RandomStream* stream, uint64_t offset, QuantStats* stats,
                         std::optional<float> delayed_enc) {
  const IeeeDefaultFp fp;
  ScaledMatrix a = empty_cast(x.size(), rows, cols, k_axis, t, spec);
  const int ot = (a.other() + a.tile_other - 1) / a.tile_other, kt = a.k_tiles();
  const std::size_t tiles = std::size_t(ot) * std::size_t(kt);
  // 1. Tile amaxes in one pass over the storage order.
  std::vector<float> amax = tile_amaxes(x, a);
  float tensor_amax_value = 0.0f;
  for (float m : amax) tensor_amax_value = std::max(tensor_amax_value, m);
  a.amax = tensor_amax_value;
  // 2. Scales per tile (NVFP4's E4M3 block scales rounded in one vectorised quantize() call).
  const float s_enc = spec.mode == ScaleMode::Nvfp4 ? nvfp4_tensor_scale(tensor_amax_value) : 1.0f;
  const MxElement e = spec.mode == ScaleMode::Mx ? mx_element_of(t) : MxElement::Fp8E4M3;
  a.tensor_factor = spec.mode == ScaleMode::Nvfp4 ? 1.0f / s_enc : 1.0f;
  a.factor.resize(tiles);
  a.enc.resize(tiles);
  if (spec.mode == ScaleMode::Nvfp4) {
    std::vector<float> block_scale(tiles);
    for (std::size_t i = 0; i < tiles; ++i) block_scale[i] = std::isfinite(amax[i]) ? nvfp4_raw_scale(amax[i], s_enc) : 0.0f;
    quantize(block_scale, block_scale, e4m3_saturating(), nullptr);
    for (std::size_t i = 0; i < tiles; ++i) {
      const bool finite = std::isfinite(amax[i]);
      a.factor[i] = finite ? block_scale[i] : std::numeric_limits<float>::quiet_NaN();
      a.enc[i] = !finite ? 1.0f : block_scale[i] == 0 ? 0.0f : s_enc / block_scale[i];
    }
  } else {
    for (std::size_t i = 0; i < tiles; ++i) {
      const TileScale ts = tile_scale(amax[i], t, spec, e, s_enc, delayed_enc);
      a.enc[i] = ts.enc;
      a.factor[i] = ts.factor;
    }
  }
  a.tile_amax = std::move(amax);
  // 3. Scaled values in binary32, then one quantize() call (vectorised, threaded, SR by element index).
  a.q.resize(x.size());
  if (spec.mode == ScaleMode::None) {
    std::copy(x.begin(), x.end(), a.q.begin());
  } else {
    scale_by_tiles(x, a, a.q);
  }
  quantize(a.q, a.q, saturating(t), stream, offset, stats);
  return a;
}

ScaledMatrix scaled_cast_reference(std::span<const float> x, int rows, int cols, int k_axis, const Target& t,
                                   const ScalingSpec& spec, const RandomStream* stream, uint64_t offset,
                                   std::optional<float> delayed_enc) {
  const IeeeDefaultFp fp;
  ScaledMatrix a = empty_cast(x.size(), rows, cols, k_axis, t, spec);
  auto value = [&](int o, int kk) { return k_axis == 1 ? x[std::size_t(o) * cols + kk] : x[std::size_t(kk) * cols + o]; };
  // amax of the tile holding (o, kk), by scanning that tile.
  auto tile_amax = [&](int o, int kk) {
    const int o0 = o / a.tile_other * a.tile_other, k0 = kk / a.tile_k * a.tile_k;
    float m = 0.0f;
    for (int i = o0; i < std::min(o0 + a.tile_other, a.other()); ++i)
      for (int j = k0; j < std::min(k0 + a.tile_k, a.k()); ++j) m = std::max(m, magnitude(value(i, j)));
    return m;
  };
  float tensor_amax_value = 0.0f;
  for (float v : x) tensor_amax_value = std::max(tensor_amax_value, magnitude(v));
  a.amax = tensor_amax_value;
  const float s_enc = spec.mode == ScaleMode::Nvfp4 ? nvfp4_tensor_scale(tensor_amax_value) : 1.0f;
  const MxElement e = spec.mode == ScaleMode::Mx ? mx_element_of(t) : MxElement::Fp8E4M3;
  a.tensor_factor = spec.mode == ScaleMode::Nvfp4 ? 1.0f / s_enc : 1.0f;
  const int ot = (a.other() + a.tile_other - 1) / a.tile_other, kt = a.k_tiles();
  a.factor.assign(std::size_t(ot) * kt, 0.0f);
  a.enc.assign(std::size_t(ot) * kt, 0.0f);
  a.q.assign(x.size(), 0.0f);
  const Target ts = saturating(t);
  for (int o = 0; o < a.other(); ++o)
    for (int kk = 0; kk < a.k(); ++kk) {
      const TileScale s = tile_scale(tile_amax(o, kk), t, spec, e, s_enc, delayed_enc);
      const std::size_t tile = std::size_t(o / a.tile_other) * kt + std::size_t(kk / a.tile_k);
      a.factor[tile] = s.factor;
      a.enc[tile] = s.enc;
      if (a.tile_amax.empty()) a.tile_amax.assign(a.enc.size(), 0.0f);
      a.tile_amax[tile] = tile_amax(o, kk);
      const std::size_t i = k_axis == 1 ? std::size_t(o) * cols + kk : std::size_t(kk) * cols + o;
      const float scaled = spec.mode == ScaleMode::None ? x[i] : x[i] * s.enc;
      const uint64_t random = t.rounding == Rounding::Stochastic ? stream->bits(offset + i) : 0;
      a.q[i] = static_cast<float>(decode(encode(static_cast<double>(scaled), ts, random).bits, t.format));
    }
  return a;
}

void dequantize_scaled(const ScaledMatrix& a, std::span<float> out) {
  const IeeeDefaultFp fp;
  if (out.size() != a.q.size()) throw std::invalid_argument("dequantize_scaled: output size differs");
  for (int r = 0; r < a.rows; ++r)
    for (int c = 0; c < a.cols; ++c) {
      const std::size_t i = std::size_t(r) * a.cols + c;
      const float f = a.k_axis == 1 ? a.factor_at(r, c) : a.factor_at(c, r);
      out[i] = a.q[i] * f * a.tensor_factor;
    }
}

}  // namespace fpsim
