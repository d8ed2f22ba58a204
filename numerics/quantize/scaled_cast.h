#pragma once
// Scaled casts: the quantisation step of the scaled low-precision training recipes of 2022–2026
// (../shared/RECIPES.md §4). A GEMM operand is cut into tiles, each tile gets a scale, and its elements
// are rounded after scaling:
//     q = Q(fp32(x · enc_tile))          (the product in binary32, as Transformer Engine computes it,
//                                         then rounded into the element Target, saturating)
//     x ≈ q · factor_tile · tensor_factor   (the decode factors the GEMM folds back, see sim/gemm/scaled_gemm.h)
//
// Orientation. A matrix is stored row-major rows×cols; `k_axis` names the contraction axis of the GEMM
// it feeds (1: along a row, 0: along a column). Tiles are `tile_other` × `tile_k`: tile_k elements
// along K, tile_other across it; a tile at the end of an axis may be short.
//
// Modes and their scales (amax = the largest |x| of the tile, not finite when the tile holds a NaN or inf;
// fmt_max = the element format's max):
//   none            enc = 1, factor = 1 (a plain cast)
//   tensor          one tile; enc = fp32(fmt_max / amax), then / 2^margin, optionally rounded down to a power
//                   of two; amax 0 or not finite: enc = 1 (TE compute_scale_from_amax); factor = fp32(1 / enc)
//   tensor_delayed  as tensor, but enc is given by the caller (from an amax history, sim/quant/scaling_state.h)
//   row             tile 1 × K, enc as tensor per row (torchao rowwise; power_of_two there)
//   block           tile rows × cols (DeepSeek-V3: 1×128 activations and gradients, 128×128 weights), enc as tensor
//   mx              tile 1 × 32, E8M0 scale 2^e by the MxScaleRule (block_scale.h); enc = 2^-e, factor = 2^e;
//                   a tile with a NaN or inf gets factor NaN (its elements decode to NaN)
//   nvfp4           E2M1 elements, tile 1 × 16 (16 × 16 with two_d, for weights), two levels (NVFP4 report,
//                   TE NVFP4BlockScaling):
//                     S_enc   = fp32(448 · 6 / amax_tensor)  (1 when amax_tensor is 0 or not finite)
//                     s_tile  = E4M3(min(fp32(fp32(amax_tile / 6) · S_enc), 448))   (rne; the stored block scale)
//                     enc     = s_tile == 0 ? 0 : fp32(S_enc / s_tile)
//                     factor  = s_tile,  tensor_factor = fp32(1 / S_enc)
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "numerics/quantize/block_scale.h"

namespace fpsim {

enum class ScaleMode : uint8_t { None, Tensor, TensorDelayed, Row, Block, Mx, Nvfp4 };

inline constexpr int kMxBlock = 32;     ///< OCP MX v1.0: 32 elements share a scale
inline constexpr int kNvfp4Block = 16;  ///< NVFP4: 16 elements share an E4M3 scale

/// "none" "tensor" "tensor_delayed" "row" "block" "mx" "nvfp4"; throws std::invalid_argument listing them.
ScaleMode parse_scale_mode(std::string_view text);
const char* to_string(ScaleMode m);

/// How a tensor delayed-scaling history becomes an amax (Transformer Engine amax_compute_algo).
enum class AmaxAlgo : uint8_t { Max, MostRecent };

struct ScalingSpec {
  ScaleMode mode = ScaleMode::None;
  int margin = 0;             ///< tensor/tensor_delayed/row/block: enc divided by 2^margin
  bool power_of_two = false;  ///< tensor/tensor_delayed/row/block: enc rounded down to a power of two
  int history = 1024;         ///< tensor_delayed: amax history length (steps)
  AmaxAlgo algo = AmaxAlgo::Max;
  int block_rows = 1, block_cols = 128;  ///< block: tile extent across K (rows) and along K (cols)
  MxScaleRule rule = MxScaleRule::Floor;  ///< mx
  bool two_d = false;         ///< nvfp4: 16×16 tiles (weights)
  friend bool operator==(const ScalingSpec&, const ScalingSpec&) = default;
};

/// A scaled cast of one GEMM operand. q holds element values (exact in the element format), row-major as
/// the input; factor[t] is the decode factor of tile t, tiles numbered (other-tile, k-tile) row-major.
struct ScaledMatrix {
  int rows = 0, cols = 0, k_axis = 1;
  int tile_other = 1, tile_k = 1;
  std::vector<float> q;
  std::vector<float> factor;
  float tensor_factor = 1.0f;
  float amax = 0.0f;       ///< largest |x| of the input (inf when it holds a NaN or inf)
  std::vector<float> enc;  ///< the encode scale of each tile (telemetry)
  std::vector<float> tile_amax;  ///< the amax of each tile (inf: it holds a NaN or inf)

  int k() const { return k_axis == 1 ? cols : rows; }
  int other() const { return k_axis == 1 ? rows : cols; }
  int k_tiles() const { return (k() + tile_k - 1) / tile_k; }
  /// Decode factor of element (o, kk) in operand coordinates (o across K, kk along K), tensor factor excluded.
  float factor_at(int o, int kk) const { return factor[size_t(o / tile_other) * size_t(k_tiles()) + size_t(kk / tile_k)]; }
};

/// The tile extents of `spec` for a matrix with `other` × `k` elements (none/tensor/delayed: the whole matrix).
/// Example: scaling_tile({.mode = ScaleMode::Mx}, 128, 784) == {1, 32}.
std::pair<int, int> scaling_tile(const ScalingSpec& spec, int other, int k);

/// The per-tensor encode scale of TE: fp32(fmt_max / amax) / 2^margin, power of two when asked; 1 when amax is
/// 0 or not finite; FLT_MAX when the quotient overflows. Example: tensor_encode_scale(2.0, 448, 0, false) == 224.
float tensor_encode_scale(double amax, double fmt_max, int margin, bool power_of_two);

/// Scaled cast of rows×cols `x` into t (rounding and SR from t; overflow forced to saturate). For
/// tensor_delayed, `delayed_enc` is the scale to use. Stochastic rounding draws stream->bits(offset + i) for
/// element i (row-major index). stats (optional) counts as quantize() does, over the scaled values.
/// Example: ScaledMatrix a = scaled_cast(x, 128, 784, 1, e4m3, {.mode = ScaleMode::Row}, nullptr);
ScaledMatrix scaled_cast(std::span<const float> x, int rows, int cols, int k_axis, const Target& t,
                         const ScalingSpec& spec, const RandomStream* stream, uint64_t offset = 0,
                         QuantStats* stats = nullptr, std::optional<float> delayed_enc = std::nullopt);

/// The same definition element by element with encode() and plain loops: the slow reference.
/// Example: scaled_cast_reference(x, 4, 64, 1, t, spec, nullptr).q == scaled_cast(x, 4, 64, 1, t, spec, nullptr).q.
ScaledMatrix scaled_cast_reference(std::span<const float> x, int rows, int cols, int k_axis, const Target& t,
                                   const ScalingSpec& spec, const RandomStream* stream, uint64_t offset = 0,
                                   std::optional<float> delayed_enc = std::nullopt);

/// out[i] = q[i] · factor(tile of i) · tensor_factor (two binary32 multiplies, in that order).
/// Example: dequantize_scaled(a, y) gives the values the cast represents.
void dequantize_scaled(const ScaledMatrix& a, std::span<float> out);

}  // namespace fpsim
