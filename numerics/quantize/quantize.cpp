// Array quantisation front end: argument checks, the kernel plan, and OpenMP over chunks.
//
// Steps of a call:
//   1. check spans, stream and format against the carrier;
//   2. build a KernelPlan (or decide that every element goes through the scalar reference);
//   3. cut [0, n) into chunks of options.chunk elements and run them on OpenMP threads; element i
//      always uses stream index offset + i, so the split never changes a result;
//   4. merge the per-chunk statistics in chunk order.
#include "numerics/quantize/quantize.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/core/convert.h"
#include "numerics/fast/internal/fp_environment.h"
#include "numerics/quantize/internal/quantize_kernel.h"

namespace fpsim {
namespace {

using detail::KernelCall;
using detail::KernelPlan;
using detail::OutKind;

void check_call(std::size_t in, std::size_t out, const Target& t, const RandomStream* stream) {
  if (out < in) throw std::invalid_argument("quantize: output span is shorter than input");
  if (t.rounding == Rounding::Stochastic && !stream)
    throw std::invalid_argument("quantize: stochastic rounding needs a random stream");
}

void check_float_values(const Format& f) {
  if (!f.fits_binary32())
    throw std::invalid_argument("quantize: format " + f.to_string() + " has values that are not binary32 values");
}

void check_code_width(const Format& f, int bits) {
  if (f.total_bits() > bits)
    throw std::invalid_argument("quantize_codes: format " + f.to_string() + " needs " +
                                std::to_string(f.total_bits()) + " bits, more than the " + std::to_string(bits) +
                                "-bit code type");
}

}  // namespace

// The ISA a vector call runs: the requested one (an error when this machine lacks it), else the best.
simd::Isa resolve_isa(const QuantizeOptions& o) {
  if (!o.isa) return simd::best_isa();
  if (!detail::simd_kernel_available(*o.isa))
    throw std::invalid_argument(std::string("quantize: ISA ") + simd::to_string(*o.isa) +
                                " is not available on this machine");
  return *o.isa;
}

namespace {

// Run body(begin, end, stats_or_null) over chunks, in parallel when there is more than one chunk.
template <class Body>
void over_chunks(std::size_t n, const QuantizeOptions& o, QuantStats* stats, Body body) {
  const std::size_t chunk = std::max<std::size_t>(o.chunk, 1);
  const std::size_t chunks = (n + chunk - 1) / chunk;
  if (chunks == 0) return;
  if (chunks == 1 || o.threads == 1) {
    for (std::size_t c = 0; c < chunks; ++c) body(c * chunk, std::min(n, (c + 1) * chunk), stats);
    return;
  }
  std::vector<QuantStats> per(stats ? chunks : 0);
  const long long count = static_cast<long long>(chunks);
  auto run_chunk = [&](long long c) {
    const IeeeDefaultFp thread_fp;  // per worker thread: each has its own control register
    const std::size_t b = static_cast<std::size_t>(c) * chunk;
    body(b, std::min(n, b + chunk), stats ? &per[static_cast<std::size_t>(c)] : nullptr);
  };
  // threads = 0: OpenMP's own default team (numerics never reads the thread count itself).
  if (o.threads > 0) {
#pragma omp parallel for schedule(static) num_threads(o.threads)
    for (long long c = 0; c < count; ++c) run_chunk(c);
  } else {
#pragma omp parallel for schedule(static)
    for (long long c = 0; c < count; ++c) run_chunk(c);
  }
  if (stats)
    for (const QuantStats& s : per) stats->merge(s);
}

template <class Out>
void run_float(const float* in, Out* out, std::size_t n, const Target& t, const RandomStream* stream,
               uint64_t offset, QuantStats* stats, const QuantizeOptions& o, OutKind kind) {
  // The plan's constants and the kernels use binary32 arithmetic (worker threads set their own).
  const IeeeDefaultFp fp;
  KernelPlan plan;
  const bool vector = !o.scalar && detail::make_kernel_plan(t, kind, plan);
  KernelCall base;
  base.plan = &plan;
  base.target = &t;
  base.stream = stream;
  if (stream) stream->philox_state(base.philox.key, base.philox.ctr_hi);
  // Streaming pays only where the output's lines are not already in cache: not in place (each line was just
  // loaded), and not for outputs small enough to stay cached for whoever reads them next.
  const auto in_begin = reinterpret_cast<std::uintptr_t>(in), in_end = in_begin + n * sizeof(float);
  const auto out_begin = reinterpret_cast<std::uintptr_t>(out), out_end = out_begin + n * sizeof(Out);
  const bool disjoint = in_end <= out_begin || out_end <= in_begin;
  // Measured on an AVX-512 EPYC, 2^24 wide-range floats, the same calls alternated with and without streaming (eight
  // runs on one thread, four on two, medians of paired ratios to memcpy): one thread, e4m3fn rne 0.71x streamed
  // against 0.87x with ordinary stores, bfloat16 0.81x against 0.95x (streaming ahead only in the fastest runs), e4m3fn
  // sr 0.26x against 0.30x; two threads, e4m3fn rne 0.78x against 0.70x, e4m3fn sr 0.28x against 0.32x.
  // threads = 1 is a serial call; 0 (OpenMP's default team, which numerics does not query) counts as parallel.
  const bool worth_streaming = o.stream_min_bytes == 0 || (t.rounding != Rounding::Stochastic && o.threads != 1);
  base.stream_out = kind == OutKind::Values && disjoint && n * sizeof(Out) >= o.stream_min_bytes && worth_streaming;
  const simd::Isa isa = vector ? resolve_isa(o) : simd::Isa::Portable;
  const auto run_range = [&](std::size_t b, std::size_t e, QuantStats* st, bool stream_out) {
    if (vector) {
      KernelCall call = base;
      call.first_index = offset + b;
      call.stats = st;
      call.stream_out = stream_out;
      detail::run_kernel(isa, in + b, out + b, e - b, call);
    } else {
      detail::scalar_range(in + b, out + b, e - b, t, stream, offset + b, st);
    }
  };
  // A streamed output starts its chunks at a 64-byte boundary, so that the kernels' full vectors are aligned and
  // stream whole lines: the head before it (out from malloc is 16-byte aligned: up to 12 floats) is written
  // first with ordinary stores. out = 0x...10: head (64 − 16) / 4 = 12 elements, chunks from 0x...40.
  std::size_t head = 0;
  if (base.stream_out && out_begin % sizeof(Out) == 0) head = std::min(n, (64 - out_begin % 64) % 64 / sizeof(Out));
  if (head > 0) run_range(0, head, stats, false);
  over_chunks(n - head, o, stats, [&](std::size_t b, std::size_t e, QuantStats* st) {
    run_range(head + b, head + e, st, base.stream_out);
  });
}

}  // namespace

bool vector_kernel_available(simd::Isa isa) { return detail::simd_kernel_available(isa); }

namespace detail {

bool make_kernel_plan(const Target& t, OutKind kind, KernelPlan& p) {
  const Format& f = t.format;
  const int m = f.man_bits();
  // The kernels work on binary32 bit patterns: every format value must be a binary32 value, with
  // at least one mantissa bit (so the last kept bit is never the hidden bit), signed, with a zero.
  if (!f.is_signed() || !f.has_zero() || m < 1 || m > 23 || f.emin() < -126 || f.emax() > 127) return false;
  if (t.rounding == Rounding::Truncate) return false;
  if (t.rounding == Rounding::Stochastic && t.sr_bits > 32 && t.sr_bits < 64) return false;

  p.mode = t.rounding;
  p.sr_bits = (t.rounding == Rounding::Stochastic && t.sr_bits > 0 && t.sr_bits <= 32) ? t.sr_bits : 0;
  p.sr_subnormal_nearest = t.sr_subnormal_nearest;
  p.subnormals = f.subnormals();
  p.tiny_before = t.tininess == Tininess::BeforeRounding;
  p.daz = t.daz;
  p.man_bits = static_cast<uint32_t>(m);
  p.d_normal = static_cast<uint32_t>(23 - m);
  p.emin_field = static_cast<uint32_t>(f.emin() + 127);
  p.max_bits = bits_of(static_cast<float>(f.max_value()));
  p.sub_scale = static_cast<float>(std::ldexp(1.0, f.emin() - m));
  p.rebias = static_cast<uint32_t>(127 - f.bias()) << m;

  // Special results come from encode() itself on probe inputs, in the output domain.
  const auto out_of = [&](Bits code) -> uint32_t {
    if (kind == OutKind::Values) return bits_of(static_cast<float>(decode(code, f)));
    return static_cast<uint32_t>(code.v);
  };
  p.sign_out = kind == OutKind::Values ? 0x80000000u : static_cast<uint32_t>(f.sign_mask());
  for (int s = 0; s < 2; ++s) {
    const uint32_t sign = s ? 0x80000000u : 0u;
    p.zero_out[s] = out_of(encode(float_from_bits(sign), t).bits);
    const Bits inf = encode(float_from_bits(sign | 0x7F800000u), t).bits;
    p.inf_out[s] = out_of(inf);
    p.inf_is_nan[s] = classify(inf, f) == Class::QuietNaN || classify(inf, f) == Class::SignalingNaN;
    p.nan_out[s] = out_of(encode(float_from_bits(sign | 0x7FC00000u), t).bits);
    // ±FLT_MAX overflows whenever any finite binary32 input can overflow in this mode (its
    // discarded bits are all ones; the random word 0 makes sr round up whenever inexact, all ones
    // makes sr:K carry), and overflow_result does not depend on the value.
    const bool sr_k = t.rounding == Rounding::Stochastic && t.sr_bits > 0 && t.sr_bits < 64;
    const Bits ovf = encode(float_from_bits(sign | 0x7F7FFFFFu), t, sr_k ? ~uint64_t{0} : 0).bits;
    p.ovf_out[s] = out_of(ovf);
    p.ovf_is_max[s] = (ovf.v & ~f.sign_mask()) == f.max_code().v;
    const Class c = classify(ovf, f);
    p.ovf_is_nan[s] = c == Class::QuietNaN || c == Class::SignalingNaN;
  }
  const Class nan_class = classify(encode(float_from_bits(0x7FC00000u), t).bits, f);
  p.nan_is_nan = nan_class == Class::QuietNaN || nan_class == Class::SignalingNaN;
  p.zero_is_signed = p.zero_out[0] == 0 && p.zero_out[1] == p.sign_out;
  // NaN payloads survive only into codes (values decode to the default NaN): the mantissa bits that
  // change between the payload-free quiet NaN and the all-ones payload are the carried ones.
  // Integer rounding applies when the format differs from binary32 only in its mantissa: the same exponent range
  // and subnormals, ±inf and NaN, and rne overflowing to ±inf (the probes above confirm what encode() does).
  p.integer_rne = kind == OutKind::Values && t.rounding == Rounding::NearestEven && !t.daz && f.emin() == -126 &&
                  f.emax() == 127 && f.subnormals() && f.has_inf() && f.has_nan() && p.zero_is_signed &&
                  p.inf_out[0] == 0x7F800000u && p.inf_out[1] == 0xFF800000u && p.ovf_out[0] == 0x7F800000u &&
                  p.ovf_out[1] == 0xFF800000u;
  const bool rne_or_sr = t.rounding == Rounding::NearestEven ||
                         (t.rounding == Rounding::Stochastic && p.sr_bits == 0 && !t.sr_subnormal_nearest);
  // (f.emin() - m + 23 <= 127: rne's subnormal rounding adds 2^(emin - m + 23), which must be a finite binary32.)
  p.lane_select = kind == OutKind::Values && rne_or_sr && !t.daz && f.subnormals() && f.emin() > -126 &&
                  f.emin() - m + 23 <= 127 &&
                  p.zero_is_signed && (p.ovf_out[0] & 0x80000000u) == 0 && p.ovf_out[1] == (p.ovf_out[0] | 0x80000000u);
  p.nan_payload_mask = 0;
  if (kind != OutKind::Values)
    p.nan_payload_mask = static_cast<uint32_t>((encode(float_from_bits(0x7FFFFFFFu), t).bits.v ^
                                                encode(float_from_bits(0x7FC00000u), t).bits.v) &
                                               f.man_mask());
  return true;
}

}  // namespace detail

void quantize(std::span<const float> in, std::span<float> out, const Target& t, const RandomStream* stream,
              uint64_t offset, QuantStats* stats, const QuantizeOptions& options) {
  check_call(in.size(), out.size(), t, stream);
  check_float_values(t.format);
  run_float(in.data(), out.data(), in.size(), t, stream, offset, stats, options, OutKind::Values);
}

void quantize(std::span<const float> in, std::span<float> out, const Target& t, const RandomStream* stream,
              uint64_t offset, QuantStats* stats) {
  quantize(in, out, t, stream, offset, stats, QuantizeOptions{});
}

void quantize(std::span<const double> in, std::span<double> out, const Target& t, const RandomStream* stream,
              uint64_t offset, QuantStats* stats) {
  // binary64 inputs go through encode() per element (the scalar reference), in parallel chunks.
  check_call(in.size(), out.size(), t, stream);
  const IeeeDefaultFp fp;
  const bool sr = t.rounding == Rounding::Stochastic;
  over_chunks(in.size(), QuantizeOptions{}, stats, [&](std::size_t b, std::size_t e, QuantStats* st) {
    QuantStats local;
    for (std::size_t i = b; i < e; ++i) {
      const double x = in[i];
      const Rounded q = encode(x, t, sr ? stream->bits(offset + i) : 0);
      out[i] = decode(q.bits, t.format);
      if (st) local.add(x, q.bits, t.format);
    }
    if (st) st->merge(local);
  });
}

void quantize_codes(std::span<const float> in, std::span<uint8_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset, QuantStats* stats, const QuantizeOptions& options) {
  check_call(in.size(), out.size(), t, stream);
  check_code_width(t.format, 8);
  run_float(in.data(), out.data(), in.size(), t, stream, offset, stats, options, OutKind::Codes8);
}

void quantize_codes(std::span<const float> in, std::span<uint16_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset, QuantStats* stats, const QuantizeOptions& options) {
  check_call(in.size(), out.size(), t, stream);
  check_code_width(t.format, 16);
  run_float(in.data(), out.data(), in.size(), t, stream, offset, stats, options, OutKind::Codes16);
}

void quantize_codes(std::span<const float> in, std::span<uint8_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset, QuantStats* stats) {
  quantize_codes(in, out, t, stream, offset, stats, QuantizeOptions{});
}

void quantize_codes(std::span<const float> in, std::span<uint16_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset, QuantStats* stats) {
  quantize_codes(in, out, t, stream, offset, stats, QuantizeOptions{});
}

void quantize_scalar(std::span<const float> in, std::span<float> out, const Target& t, const RandomStream* stream,
                     uint64_t offset, QuantStats* stats) {
  check_call(in.size(), out.size(), t, stream);
  check_float_values(t.format);
  const IeeeDefaultFp fp;
  detail::scalar_range(in.data(), out.data(), in.size(), t, stream, offset, stats);
}

void quantize_codes_scalar(std::span<const float> in, std::span<uint8_t> out, const Target& t,
                           const RandomStream* stream, uint64_t offset, QuantStats* stats) {
  check_call(in.size(), out.size(), t, stream);
  check_code_width(t.format, 8);
  const IeeeDefaultFp fp;
  detail::scalar_range(in.data(), out.data(), in.size(), t, stream, offset, stats);
}

void quantize_codes_scalar(std::span<const float> in, std::span<uint16_t> out, const Target& t,
                           const RandomStream* stream, uint64_t offset, QuantStats* stats) {
  check_call(in.size(), out.size(), t, stream);
  check_code_width(t.format, 16);
  const IeeeDefaultFp fp;
  detail::scalar_range(in.data(), out.data(), in.size(), t, stream, offset, stats);
}

void decode_codes(std::span<const uint8_t> in, std::span<float> out, const Format& f) {
  if (out.size() < in.size()) throw std::invalid_argument("decode_codes: output span is shorter than input");
  const IeeeDefaultFp fp;  // a subnormal binary32 result must not be flushed
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = static_cast<float>(decode(Bits{in[i]}, f));
}

void decode_codes(std::span<const uint16_t> in, std::span<float> out, const Format& f) {
  if (out.size() < in.size()) throw std::invalid_argument("decode_codes: output span is shorter than input");
  const IeeeDefaultFp fp;  // a subnormal binary32 result must not be flushed
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = static_cast<float>(decode(Bits{in[i]}, f));
}

}  // namespace fpsim
