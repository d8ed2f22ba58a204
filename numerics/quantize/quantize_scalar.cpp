// Scalar array quantisation: encode() per element. The reference every vector kernel must match
// bit for bit, and the path for elements and configurations the kernels hand back.
#include <cmath>

#include "numerics/core/convert.h"
#include "numerics/quantize/internal/quantize_kernel.h"

namespace fpsim {
namespace {

template <class Out, class Store>
void range(const float* in, Out* out, std::size_t n, const Target& t, const RandomStream* stream,
           uint64_t first_index, QuantStats* stats, Store store) {
  const bool sr = t.rounding == Rounding::Stochastic;
  QuantStats local;
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t r = sr ? stream->bits(first_index + i) : 0;
    const float x = in[i];
    const Rounded q = encode(x, t, r);
    if (stats) local.add(x, q.bits, t.format);
    out[i] = store(q.bits);
  }
  if (stats) stats->merge(local);
}

}  // namespace

void QuantStats::add(double x, Bits code, const Format& f) {
  ++count;
  if (!std::isfinite(x)) {  // NaN, and ±inf into a format without inf (e4m3fn), give NaN results
    const Class c = classify(code, f);
    if (c == Class::QuietNaN || c == Class::SignalingNaN) ++nan;
    return;
  }
  const double a = std::fabs(x);
  if (a > amax) amax = a;
  if (x == 0) return;
  ++nonzero;
  const Unpacked u = unpack(code, f);
  switch (u.cls) {
    case Class::Zero: ++underflow; break;
    case Class::Subnormal: ++subnormal; break;
    case Class::Infinite: ++overflow; break;
    case Class::QuietNaN:
    case Class::SignalingNaN: ++overflow; ++nan; break;
    case Class::Normal:
      if ((code.v & ~f.sign_mask()) == f.max_code().v && a > f.max_value()) ++saturated;
      break;
  }
}

void QuantStats::merge(const QuantStats& o) {
  count += o.count;
  nonzero += o.nonzero;
  underflow += o.underflow;
  subnormal += o.subnormal;
  saturated += o.saturated;
  overflow += o.overflow;
  nan += o.nan;
  amax = std::fmax(amax, o.amax);
}

namespace detail {

void scalar_range(const float* in, float* out, std::size_t n, const Target& t, const RandomStream* stream,
                  uint64_t first_index, QuantStats* stats) {
  range(in, out, n, t, stream, first_index, stats,
        [&](Bits b) { return static_cast<float>(decode(b, t.format)); });
}
void scalar_range(const float* in, uint8_t* out, std::size_t n, const Target& t, const RandomStream* stream,
                  uint64_t first_index, QuantStats* stats) {
  range(in, out, n, t, stream, first_index, stats, [](Bits b) { return static_cast<uint8_t>(b.v); });
}
void scalar_range(const float* in, uint16_t* out, std::size_t n, const Target& t, const RandomStream* stream,
                  uint64_t first_index, QuantStats* stats) {
  range(in, out, n, t, stream, first_index, stats, [](Bits b) { return static_cast<uint16_t>(b.v); });
}

}  // namespace detail

}  // namespace fpsim
