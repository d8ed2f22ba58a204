// Scalar array quantisation: the reference the vectorised kernels must match bit for bit.
#include "numerics/quantize.h"

#include <cmath>
#include <stdexcept>

#include "numerics/convert.h"

namespace fpsim {
namespace {

template <class T>
void count(T x, Bits code, const Format& f, QuantStats& s) {
  ++s.count;
  if (!std::isfinite(x)) {
    if (std::isnan(x)) {
      const Class c = classify(code, f);
      if (c == Class::QuietNaN || c == Class::SignalingNaN) ++s.nan;
    }
    return;
  }
  const double a = std::fabs(static_cast<double>(x));
  if (a > s.amax) s.amax = a;
  if (x == 0) return;
  ++s.nonzero;
  const Unpacked u = unpack(code, f);
  switch (u.cls) {
    case Class::Zero: ++s.underflow; break;
    case Class::Subnormal: ++s.subnormal; break;
    case Class::Infinite: ++s.overflow; break;
    case Class::QuietNaN:
    case Class::SignalingNaN: ++s.overflow; ++s.nan; break;
    case Class::Normal:
      if ((code.v & ~f.sign_mask()) == f.max_code().v && a > f.max_value()) ++s.saturated;
      break;
  }
}

template <class T, class Out, class Store>
void run(std::span<const T> in, std::span<Out> out, const Target& t, const RandomStream* stream, uint64_t offset,
         QuantStats* stats, Store store) {
  if (out.size() < in.size()) throw std::invalid_argument("quantize: output span is shorter than input");
  if (t.rounding == Rounding::Stochastic && !stream)
    throw std::invalid_argument("quantize: stochastic rounding needs a random stream");
  QuantStats local;
  for (size_t i = 0; i < in.size(); ++i) {
    const uint64_t r = t.rounding == Rounding::Stochastic ? stream->bits(offset + i) : 0;
    const T x = in[i];
    const Rounded q = encode(x, t, r);
    if (stats) count(x, q.bits, t.format, local);
    out[i] = store(q.bits);
  }
  if (stats) stats->merge(local);
}

}  // namespace

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

void quantize(std::span<const float> in, std::span<float> out, const Target& t, const RandomStream* stream,
              uint64_t offset, QuantStats* stats) {
  if (t.format.precision() > 24 || t.format.emax() > 127 || t.format.emin() - t.format.man_bits() < -149)
    throw std::invalid_argument("quantize: format " + t.format.to_string() + " has values that are not binary32 values");
  run(in, out, t, stream, offset, stats, [&](Bits b) { return static_cast<float>(decode(b, t.format)); });
}

void quantize(std::span<const double> in, std::span<double> out, const Target& t, const RandomStream* stream,
              uint64_t offset, QuantStats* stats) {
  run(in, out, t, stream, offset, stats, [&](Bits b) { return decode(b, t.format); });
}

void quantize_codes(std::span<const float> in, std::span<uint8_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset, QuantStats* stats) {
  if (t.format.total_bits() > 8) throw std::invalid_argument("quantize_codes: format needs more than 8 bits");
  run(in, out, t, stream, offset, stats, [](Bits b) { return static_cast<uint8_t>(b.v); });
}

void quantize_codes(std::span<const float> in, std::span<uint16_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset, QuantStats* stats) {
  if (t.format.total_bits() > 16) throw std::invalid_argument("quantize_codes: format needs more than 16 bits");
  run(in, out, t, stream, offset, stats, [](Bits b) { return static_cast<uint16_t>(b.v); });
}

void decode_codes(std::span<const uint8_t> in, std::span<float> out, const Format& f) {
  for (size_t i = 0; i < in.size(); ++i) out[i] = static_cast<float>(decode(Bits{in[i]}, f));
}

void decode_codes(std::span<const uint16_t> in, std::span<float> out, const Format& f) {
  for (size_t i = 0; i < in.size(); ++i) out[i] = static_cast<float>(decode(Bits{in[i]}, f));
}

}  // namespace fpsim
