// fpsim.quantize / encode / decode and the per-tensor scaling helpers.
//
//   y = fpsim.quantize(x, fpsim.Target("e4m3fn", rounding="sr"), seed=7)   # float32 in, float32 out
//   codes = fpsim.encode(x, "e5m2"); fpsim.decode(codes, "e5m2")
#include <pybind11/stl.h>

#include "numerics/core/convert.h"
#include "numerics/quantize/block_scale.h"
#include "numerics/quantize/quantize.h"
#include "tools/python/args.h"
#include "tools/python/bindings.h"

namespace fpsim::py {
namespace {

pb::dict stats_dict(const QuantStats& s) {
  pb::dict d;
  d["count"] = s.count;
  d["nonzero"] = s.nonzero;
  d["underflow"] = s.underflow;
  d["subnormal"] = s.subnormal;
  d["saturated"] = s.saturated;
  d["overflow"] = s.overflow;
  d["nan"] = s.nan;
  d["amax"] = s.amax;
  return d;
}

// `out` (optional) must be a writable C-contiguous array of x's dtype and size; it may be x itself.
template <class T>
T* output_of(const pb::object& out, const CArray<T>& in, CArray<T>& fresh) {
  if (out.is_none()) {
    fresh = CArray<T>(shape_of(in));
    return fresh.mutable_data();
  }
  if (!pb::isinstance<pb::array>(out)) throw pb::type_error("quantize: out must be a numpy array");
  auto o = out.cast<pb::array>();
  if (!o.dtype().is(pb::dtype::of<T>()))
    throw pb::type_error("quantize: out has dtype " + std::string(pb::str(o.dtype())) + "; expected " +
                         std::string(pb::str(pb::dtype::of<T>())) + " like x");
  if (!(o.flags() & pb::array::c_style) || !o.writeable())
    throw pb::value_error("quantize: out must be a writable C-contiguous array");
  if (o.size() != in.size())
    throw pb::value_error("quantize: out has " + std::to_string(o.size()) + " elements, x has " +
                          std::to_string(in.size()));
  fresh = pb::reinterpret_borrow<CArray<T>>(o);
  return static_cast<T*>(o.mutable_data());
}

template <class T>
pb::object quantize_as(const pb::array& x, const Target& t, const RandomStream& s, uint64_t offset, bool want_stats,
                       const pb::object& out, int threads) {
  const auto in = CArray<T>::ensure(x);  // no copy for a C-contiguous array of T
  CArray<T> result;
  T* y = output_of(out, in, result);
  const auto n = static_cast<std::size_t>(in.size());
  QuantStats stats;
  {
    pb::gil_scoped_release nogil;
    QuantStats* st = want_stats ? &stats : nullptr;
    if constexpr (std::is_same_v<T, float>)
      quantize(std::span<const float>(in.data(), n), std::span<float>(y, n), t, &s, offset, st,
               QuantizeOptions{.threads = threads});
    else
      quantize(std::span<const double>(in.data(), n), std::span<double>(y, n), t, &s, offset, st);
  }
  if (want_stats) return pb::make_tuple(result, stats_dict(stats));
  return pb::object(result);
}

template <class T>
pb::array encode_as(const pb::array& x, const Target& t, const RandomStream& s, uint64_t offset) {
  const auto in = CArray<T>::ensure(x);
  const auto n = static_cast<std::size_t>(in.size());
  pb::array codes = new_code_array(t.format, shape_of(in));
  const int bits = t.format.total_bits();
  if constexpr (std::is_same_v<T, float>) {
    if (bits <= 16) {  // the packed-code kernels: bit-identical to encode() per element
      void* out = codes.mutable_data();
      const std::span<const float> values(in.data(), n);
      {
        pb::gil_scoped_release nogil;
        if (bits <= 8) quantize_codes(values, std::span<uint8_t>(static_cast<uint8_t*>(out), n), t, &s, offset);
        else quantize_codes(values, std::span<uint16_t>(static_cast<uint16_t*>(out), n), t, &s, offset);
      }
      return codes;
    }
  }
  // Other widths and binary64 inputs: encode() per element, as `fpsim quantize --output codes` does.
  std::vector<uint64_t> v(n);
  {
    pb::gil_scoped_release nogil;
    const bool sr = t.rounding == Rounding::Stochastic;
    for (std::size_t i = 0; i < n; ++i) v[i] = encode(in.data()[i], t, sr ? s.bits(offset + i) : 0).bits.v;
  }
  for (std::size_t i = 0; i < n; ++i) store_code(codes, static_cast<pb::ssize_t>(i), v[i]);
  return codes;
}

}  // namespace

void bind_quantize(pb::module_& m) {
  using namespace pybind11::literals;
  m.def(
      "quantize",
      [](const pb::array& x, const TargetArg<"quantize: target">& t, uint64_t seed, bool stats,
         const pb::object& stream, uint64_t offset, const pb::object& out, int threads) {
        const RandomStream s = stream_or_seed(stream, seed);
        if (threads < 0) throw pb::value_error("quantize: threads " + std::to_string(threads) + " is negative");
        if (is_float32(x, "quantize: x")) return quantize_as<float>(x, t, s, offset, stats, out, threads);
        if (threads != 0) throw pb::value_error("quantize: threads= applies to float32 input only");
        return quantize_as<double>(x, t, s, offset, stats, out, 0);
      },
      "x"_a, "target"_a, pb::kw_only(), "seed"_a = 0, "stats"_a = false, "stream"_a = pb::none(), "offset"_a = 0,
      "out"_a = pb::none(), "threads"_a = 0,
      "Round every element of a float32/float64 array into `target`; returns values of x's dtype (and a stats dict "
      "with stats=True). Stochastic rounding: element i uses stream.bits(offset + i), stream = RandomStream(seed) "
      "by default. `out` (may be x) avoids allocating the result. threads (float32 only): 0 = OpenMP's default, "
      "1 = serial; the bits never depend on it.\n"
      "Example: fpsim.quantize(np.float32([0.1, 70000]), 'e5m2') -> [0.09375, 57344]");
  m.def(
      "encode",
      [](const pb::array& x, const TargetArg<"encode: target">& t, uint64_t seed, const pb::object& stream,
         uint64_t offset) {
        const RandomStream s = stream_or_seed(stream, seed);
        return is_float32(x, "encode: x") ? encode_as<float>(x, t, s, offset) : encode_as<double>(x, t, s, offset);
      },
      "x"_a, "target"_a, pb::kw_only(), "seed"_a = 0, "stream"_a = pb::none(), "offset"_a = 0,
      "Round into `target` and return the codes: uint8 for formats of <= 8 bits, uint16 <= 16, uint32 <= 32, "
      "else uint64.\nExample: fpsim.encode(np.float32([448]), 'e4m3fn') -> array([126], dtype=uint8)");
  m.def(
      "decode",
      [](const pb::array& codes, const FormatArg<"decode: format">& f) {
        const std::vector<uint64_t> c = codes_of(codes, f, "decode: codes");
        pb::array_t<double> out(shape_of(codes));
        double* y = out.mutable_data();
        {
          pb::gil_scoped_release nogil;
          for (std::size_t i = 0; i < c.size(); ++i) y[i] = decode(Bits{c[i]}, f);
        }
        return out;
      },
      "codes"_a, "format"_a,
      "Exact float64 values of codes (every format value is a binary64 value).\n"
      "Example: fpsim.decode(np.uint8([0x7e]), 'e4m3fn') -> [448.0]");

  m.def(
      "tensor_amax",
      [](const CArray<float>& x) {
        pb::gil_scoped_release nogil;
        return tensor_amax(std::span<const float>(x.data(), static_cast<std::size_t>(x.size())));
      },
      "x"_a, "Largest |x| over the finite elements (0 when there are none).\n"
      "Example: fpsim.tensor_amax(np.float32([1, -3, np.nan])) == 3.0");
  m.def(
      "per_tensor_scale",
      [](double amax, const FormatArg<"per_tensor_scale: format">& f, int margin, double previous) {
        return per_tensor_scale(amax, f, margin, previous);
      },
      "amax"_a, "format"_a, "margin"_a = 0, "previous"_a = 1.0,
      "format max / amax / 2^margin; `previous` when amax is 0 or not finite.\n"
      "Example: fpsim.per_tensor_scale(2.0, 'e4m3fn') == 224.0");
  m.def(
      "quantize_with_scale",
      [](const CArray<float>& x, double scale, const TargetArg<"quantize_with_scale: target">& t, uint64_t seed,
         const pb::object& stream) {
        const RandomStream s = stream_or_seed(stream, seed);
        CArray<float> out(shape_of(x));
        float* y = out.mutable_data();
        const auto n = static_cast<std::size_t>(x.size());
        {
          pb::gil_scoped_release nogil;
          quantize_with_scale(std::span<const float>(x.data(), n), std::span<float>(y, n), scale, t, &s);
        }
        return out;
      },
      "x"_a, "scale"_a, "target"_a, pb::kw_only(), "seed"_a = 0, "stream"_a = pb::none(),
      "quantize(x * scale) / scale in binary32 (Transformer Engine's per-tensor scaling).\n"
      "Example: fpsim.quantize_with_scale(x, 224.0, 'e4m3fn')");
}

}  // namespace fpsim::py
