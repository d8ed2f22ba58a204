// fpsim.mx_quantize / mx_dequantize: OCP Microscaling blocks (one E8M0 scale per block of 32).
//
//   scales, codes = fpsim.mx_quantize(x, "mxfp8_e4m3", axis=1, scale_rule="floor")
//   y = fpsim.mx_dequantize(scales, codes, "mxfp8_e4m3", axis=1)
#include "numerics/quantize/block_scale.h"
#include "tools/python/bindings.h"

namespace fpsim::py {
namespace {

// rows x cols of a 1-D (one row) or 2-D array.
std::pair<int, int> matrix_shape(const pb::array& a, const std::string& what) {
  if (a.ndim() == 1) return {1, static_cast<int>(a.shape(0))};
  if (a.ndim() == 2) return {static_cast<int>(a.shape(0)), static_cast<int>(a.shape(1))};
  throw pb::value_error(what + " has " + std::to_string(a.ndim()) + " dimensions; expected a 1-D or 2-D array");
}

MxOptions mx_options(const std::string& element, int axis, const std::string& scale_rule, int block,
                     const std::string& rounding) {
  MxOptions o;
  o.element = parse_mx_element(element);
  o.axis = axis;
  o.block = block;
  if (scale_rule != "floor" && scale_rule != "ceil")
    throw pb::value_error("scale_rule=\"" + scale_rule + "\": expected \"floor\" (OCP spec) or \"ceil\" (no clipping)");
  o.rule = scale_rule == "ceil" ? MxScaleRule::Ceil : MxScaleRule::Floor;
  parse_rounding(rounding, o.rounding, o.sr_bits);
  return o;
}

// The scale array's shape: (rows, blocks per row) along rows, (blocks per column, cols) along columns.
std::vector<pb::ssize_t> scale_shape(int rows, int cols, const MxOptions& o) {
  if (o.axis == 1) return {rows, (cols + o.block - 1) / o.block};
  return {(rows + o.block - 1) / o.block, cols};
}

}  // namespace

void bind_block_scale(pb::module_& m) {
  using namespace pybind11::literals;
  m.def(
      "mx_quantize",
      [](const pb::array& x, const std::string& element, int axis, const std::string& scale_rule, int block,
         const std::string& rounding, uint64_t seed, const pb::object& stream) {
        if (!is_float32(x, "mx_quantize: x"))
          throw pb::type_error("mx_quantize: x must be float32 (MX reads binary32)");
        const auto in = CArray<float>::ensure(x);
        const auto [rows, cols] = matrix_shape(in, "mx_quantize: x");
        const MxOptions o = mx_options(element, axis, scale_rule, block, rounding);
        const RandomStream s = stream_or_seed(stream, seed);
        MxTensor q;
        {
          pb::gil_scoped_release nogil;
          q = mx_quantize(std::span<const float>(in.data(), static_cast<std::size_t>(in.size())), rows, cols, o, &s);
        }
        pb::array_t<uint8_t> scales(scale_shape(rows, cols, o)), codes(shape_of(in));
        std::copy(q.scales.begin(), q.scales.end(), scales.mutable_data());
        std::copy(q.elements.begin(), q.elements.end(), codes.mutable_data());
        return pb::make_tuple(scales, codes);
      },
      "x"_a, "element"_a = "mxfp8_e4m3", pb::kw_only(), "axis"_a = 1, "scale_rule"_a = "floor", "block"_a = 32,
      "rounding"_a = "rne", "seed"_a = 0, "stream"_a = pb::none(),
      "OCP MX block scaling of a 1-D or row-major 2-D float32 array: returns (scales, codes), uint8 E8M0 scale codes "
      "shaped (rows, ceil(cols/block)) for axis=1 or (ceil(rows/block), cols) for axis=0, and element codes shaped "
      "like x. element: mxfp8_e5m2 mxfp8_e4m3 mxfp6_e3m2 mxfp6_e2m3 mxfp4_e2m1 mxint8.\n"
      "Example: scales, codes = fpsim.mx_quantize(x, 'mxfp4_e2m1', axis=1, scale_rule='ceil')");
  m.def(
      "mx_dequantize",
      [](const pb::array& scales, const pb::array& codes, const std::string& element, int axis, int block) {
        const MxOptions o = mx_options(element, axis, "floor", block, "rne");
        const auto [rows, cols] = matrix_shape(codes, "mx_dequantize: codes");
        if (!scales.dtype().is(pb::dtype::of<uint8_t>()) || !codes.dtype().is(pb::dtype::of<uint8_t>()))
          throw pb::type_error("mx_dequantize: scales and codes must be uint8 arrays");
        const auto sc = CArray<uint8_t>::ensure(scales);
        const auto el = CArray<uint8_t>::ensure(codes);
        MxTensor q;
        q.rows = rows;
        q.cols = cols;
        q.options = o;
        const std::vector<pb::ssize_t> want = scale_shape(rows, cols, o);
        if (sc.size() != want[0] * want[1])
          throw pb::value_error("mx_dequantize: scales has " + std::to_string(sc.size()) + " entries; " +
                                std::to_string(want[0] * want[1]) + " blocks expected for this shape, axis and block");
        q.scales.assign(sc.data(), sc.data() + sc.size());
        q.elements.assign(el.data(), el.data() + el.size());
        pb::array_t<float> out(shape_of(codes));
        float* y = out.mutable_data();
        {
          pb::gil_scoped_release nogil;
          mx_dequantize(q, std::span<float>(y, static_cast<std::size_t>(rows) * cols));
        }
        return out;
      },
      "scales"_a, "codes"_a, "element"_a = "mxfp8_e4m3", pb::kw_only(), "axis"_a = 1, "block"_a = 32,
      "Values X * P_i of MX blocks (NaN for a block whose scale is NaN).");
}

}  // namespace fpsim::py
