// fpsim.scaled_cast / dequantize_scaled: the scaled casts of the training recipes (per-tensor, row-wise,
// DeepSeek-V3 blocks, MX, NVFP4), numerics/quantize/scaled_cast.h; the bits of `fpsim quantize --scaling`.
//
//   s = fpsim.scaled_cast(w, "e2m1fn", "nvfp4", two_d=True)   # s.q, s.factors, s.tensor_factor, s.amax, s.tile
//   y = fpsim.dequantize_scaled(s)                            # q * factor(tile) * tensor_factor, float32
#include <pybind11/stl.h>

#include <cmath>
#include <optional>

#include "numerics/quantize/block_scale.h"
#include "numerics/quantize/scaled_cast.h"
#include "tools/python/args.h"
#include "tools/python/bindings.h"

namespace fpsim::py {
namespace {

// The spec of the keyword arguments; ValueError for one that does not apply to the mode.
ScalingSpec spec_of(const std::string& scaling, const Target& t, const std::optional<std::pair<int, int>>& tile,
                    int margin, bool power_of_two, const std::string& scale_rule, bool two_d,
                    const std::optional<double>& scale) {
  ScalingSpec spec;
  spec.mode = parse_scale_mode(scaling);  // std::invalid_argument -> ValueError
  const std::string mode = "scaling=\"" + scaling + "\"";
  const bool enc_by_amax = spec.mode == ScaleMode::Tensor || spec.mode == ScaleMode::Row || spec.mode == ScaleMode::Block;
  if (tile && spec.mode != ScaleMode::Block) throw pb::value_error("scaled_cast: tile= applies to scaling=\"block\" only, not " + mode);
  if (two_d && spec.mode != ScaleMode::Nvfp4) throw pb::value_error("scaled_cast: two_d= applies to scaling=\"nvfp4\" only, not " + mode);
  if (scale_rule != "floor" && spec.mode != ScaleMode::Mx)
    throw pb::value_error("scaled_cast: scale_rule= applies to scaling=\"mx\" only, not " + mode);
  if ((margin != 0 || power_of_two) && !enc_by_amax)
    throw pb::value_error(std::string("scaled_cast: ") + (margin != 0 ? "margin=" : "power_of_two=") +
                          " applies to scaling=\"tensor\", \"row\" or \"block\" only, not " + mode);
  if (scale.has_value() != (spec.mode == ScaleMode::TensorDelayed))
    throw pb::value_error(scale ? "scaled_cast: scale= applies to scaling=\"tensor_delayed\" only, not " + mode
                                : std::string("scaled_cast: scaling=\"tensor_delayed\" needs scale= (the encode scale)"));
  if (scale && !(std::isfinite(*scale) && *scale > 0))
    throw pb::value_error("scaled_cast: scale=" + std::to_string(*scale) + " is not a positive finite encode scale");
  if (margin < 0 || margin > 1000) throw pb::value_error("scaled_cast: margin=" + std::to_string(margin) + " is not 0 to 1000");
  if (!t.format.fits_binary32())
    throw pb::value_error("scaled_cast: target " + t.format.to_string() + " has values that are not binary32 values");
  if (spec.mode == ScaleMode::Mx) spec.rule = parse_mx_scale_rule(scale_rule);
  if (tile) {
    if (tile->first < 1 || tile->second < 1)
      throw pb::value_error("scaled_cast: tile=(" + std::to_string(tile->first) + ", " + std::to_string(tile->second) +
                            ") needs positive extents (rows across K, cols along K)");
    std::tie(spec.block_rows, spec.block_cols) = *tile;
  }
  spec.margin = margin;
  spec.power_of_two = power_of_two;
  spec.two_d = two_d;
  return spec;
}

template <class T>
pb::array_t<T> to_array(const std::vector<T>& v, std::vector<pb::ssize_t> shape) {
  pb::array_t<T> a(std::move(shape));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

pb::ssize_t other_tiles(const ScaledMatrix& s) { return (s.other() + s.tile_other - 1) / s.tile_other; }

pb::array_t<float> dequantized(const ScaledMatrix& s) {
  pb::array_t<float> out(std::vector<pb::ssize_t>{s.rows, s.cols});
  float* y = out.mutable_data();
  {
    pb::gil_scoped_release nogil;
    dequantize_scaled(s, std::span<float>(y, s.q.size()));
  }
  return out;
}

}  // namespace

void bind_scaled_cast(pb::module_& m) {
  using namespace pybind11::literals;
  pb::class_<ScaledMatrix>(m, "ScaledMatrix",
                           "A scaled cast of a row-major matrix: element values q, one decode factor per tile "
                           "(tiles numbered (other-tile, k-tile) row-major), a tensor factor; x ~ q * factor * tensor_factor.")
      .def_property_readonly("q", [](const ScaledMatrix& s) { return to_array(s.q, {s.rows, s.cols}); },
                             "element values (exact in the element format), float32, x's shape")
      .def_property_readonly("factors",
                             [](const ScaledMatrix& s) { return to_array(s.factor, {other_tiles(s), s.k_tiles()}); },
                             "decode factor of each tile, float32, shape (other_tiles, k_tiles)")
      .def_property_readonly("encode_scales",
                             [](const ScaledMatrix& s) { return to_array(s.enc, {other_tiles(s), s.k_tiles()}); },
                             "encode scale of each tile (x is multiplied by it before rounding)")
      .def_property_readonly("tile_amax",
                             [](const ScaledMatrix& s) { return to_array(s.tile_amax, {other_tiles(s), s.k_tiles()}); },
                             "largest |x| of each tile (inf: the tile holds a NaN or inf)")
      .def_property_readonly("tensor_factor", [](const ScaledMatrix& s) { return s.tensor_factor; })
      .def_property_readonly("amax", [](const ScaledMatrix& s) { return s.amax; }, "largest |x| (inf with a NaN or inf)")
      .def_property_readonly("tile", [](const ScaledMatrix& s) { return pb::make_tuple(s.tile_other, s.tile_k); },
                             "(tile_other, tile_k): extent across K and along K")
      .def_property_readonly("k_axis", [](const ScaledMatrix& s) { return s.k_axis; })
      .def_property_readonly("shape", [](const ScaledMatrix& s) { return pb::make_tuple(s.rows, s.cols); })
      .def("dequantize", &dequantized, "the values the cast represents (as fpsim.dequantize_scaled)")
      .def("__repr__", [](const ScaledMatrix& s) {
        return "<fpsim.ScaledMatrix " + std::to_string(s.rows) + "x" + std::to_string(s.cols) + " k_axis=" +
               std::to_string(s.k_axis) + " tile=(" + std::to_string(s.tile_other) + ", " + std::to_string(s.tile_k) + ")>";
      });
  m.def(
      "scaled_cast",
      [](const pb::array& x, const TargetArg<"scaled_cast: target">& t, const std::string& scaling, int k_axis,
         const std::optional<std::pair<int, int>>& tile, int margin, bool power_of_two, const std::string& scale_rule,
         bool two_d, const std::optional<double>& scale, uint64_t seed, const pb::object& stream) {
        if (!is_float32(x, "scaled_cast: x")) throw pb::type_error("scaled_cast: x must be float32 (scaled casts read binary32)");
        if (x.ndim() != 2)
          throw pb::value_error("scaled_cast: x has " + std::to_string(x.ndim()) + " dimensions; expected a 2-D array");
        if (k_axis != 0 && k_axis != 1)
          throw pb::value_error("scaled_cast: k_axis=" + std::to_string(k_axis) + " is not 1 (K along rows) or 0 (K down columns)");
        const ScalingSpec spec = spec_of(scaling, t, tile, margin, power_of_two, scale_rule, two_d, scale);
        const auto in = CArray<float>::ensure(x);
        const int rows = static_cast<int>(in.shape(0)), cols = static_cast<int>(in.shape(1));
        const RandomStream s = stream_or_seed(stream, seed);
        std::optional<float> delayed;
        if (scale) delayed = static_cast<float>(*scale);
        ScaledMatrix a;
        {
          pb::gil_scoped_release nogil;
          a = scaled_cast(std::span<const float>(in.data(), static_cast<std::size_t>(in.size())), rows, cols, k_axis, t,
                          spec, &s, 0, nullptr, delayed);
        }
        return a;
      },
      "x"_a, "target"_a, "scaling"_a = "nvfp4", pb::kw_only(), "k_axis"_a = 1, "tile"_a = pb::none(), "margin"_a = 0,
      "power_of_two"_a = false, "scale_rule"_a = "floor", "two_d"_a = false, "scale"_a = pb::none(), "seed"_a = 0,
      "stream"_a = pb::none(),
      "Scaled cast of a 2-D float32 array into the element target: scaling tensor | tensor_delayed (scale= is the "
      "encode scale) | row | block (tile=(rows across K, cols along K), default (1, 128)) | mx (scale_rule floor | "
      "ceil | rceil | even) | nvfp4 (e2m1fn; two_d: 16x16 tiles) | none. k_axis: 1 = K along rows, 0 = down columns. "
      "margin/power_of_two: tensor, row, block. Element i of a stochastic target draws stream.bits(i). Returns a "
      "ScaledMatrix (.q .factors .tensor_factor .amax .tile), the bits of `fpsim quantize --scaling`.\n"
      "Example: s = fpsim.scaled_cast(np.float32([[1, 2, -4, 0.5]]), 'e4m3fn', 'tensor'); s.factors -> [[1/112]]");
  m.def("dequantize_scaled", &dequantized, "s"_a,
        "The values a ScaledMatrix represents, q * factor(tile) * tensor_factor in binary32, float32 of x's shape.\n"
        "Example: fpsim.dequantize_scaled(fpsim.scaled_cast(x, 'e4m3fn', 'row'))");
}

}  // namespace fpsim::py
