#pragma once
// Runs one configuration through a vector kernel and through the scalar reference and reports the
// first element whose bits differ (input, both outputs in hex), or statistics that differ.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "inputs.h"
#include "numerics/quantize/quantize.h"

namespace fpsim::test {

inline std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

inline std::string describe(const Target& t) {
  return t.format.to_string() + " " + to_string(t.rounding, t.sr_bits) + " overflow=" + to_string(t.overflow) +
         (t.daz ? " daz" : "") + (t.sr_subnormal_nearest ? " sr-sub-nearest" : "") +
         " tininess=" + to_string(t.tininess) + " nan=" + to_string(t.nan);
}

inline std::string stats_text(const QuantStats& s) {
  return "count " + std::to_string(s.count) + " nonzero " + std::to_string(s.nonzero) + " underflow " +
         std::to_string(s.underflow) + " subnormal " + std::to_string(s.subnormal) + " saturated " +
         std::to_string(s.saturated) + " overflow " + std::to_string(s.overflow) + " nan " + std::to_string(s.nan) +
         " amax " + std::to_string(s.amax);
}

/// Values (if f fits binary32) and codes (if f fits 16 bits) from the vector kernel for `isa` (nullopt:
/// the best) equal the reference's
/// (`scalar_threads` parallelises the reference for the long sweeps); statistics too.
inline void check_identical(const Target& t, std::span<const float> in, std::optional<simd::Isa> isa,
                            const RandomStream& stream,
                            uint64_t offset, int scalar_threads = 1) {
  const QuantizeOptions fast{.threads = 1, .chunk = in.size() + 1, .isa = isa};
  const QuantizeOptions ref{.threads = scalar_threads, .chunk = std::size_t{1} << 16, .scalar = true};
  INFO(describe(t) << " isa=" << (isa ? simd::to_string(*isa) : "best"));
  auto first_difference = [&](auto& a, auto& b) -> long {
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i]) return static_cast<long>(i);
    return -1;
  };
  if (t.format.fits_binary32()) {
    std::vector<float> b(in.size());
    QuantStats sb;
    quantize(in, b, t, &stream, offset, &sb, ref);
    std::vector<uint32_t> ub(b.size());
    std::memcpy(ub.data(), b.data(), b.size() * 4);
    // Ordinary stores with statistics, then without statistics (the kernels' other variants, and the integer
    // rounding of bfloat16-like formats) with streaming asked for (QuantizeOptions::stream_min_bytes = 0) into an
    // output 16-byte aligned (malloc's alignment: a head of up to 12 floats before the streamed 64-byte-aligned
    // chunks) and one 4 bytes off it (no head: vectors at unaligned addresses fall back to ordinary stores), and
    // streamed again with statistics (the head's and the chunks' counts merged).
    struct Case {
      std::size_t shift;
      bool stream_out, with_stats;
    };
    for (const Case k : {Case{0, false, true}, Case{4, true, false}, Case{1, true, false}, Case{4, true, true}}) {
      const std::size_t shift = k.shift;
      QuantizeOptions o = fast;
      if (k.stream_out) o.stream_min_bytes = 0;
      std::vector<float> storage(in.size() + 4);
      const std::span<float> a(storage.data() + shift, in.size());
      QuantStats sa;
      quantize(in, a, t, &stream, offset, k.with_stats ? &sa : nullptr, o);
      std::vector<uint32_t> ua(a.size());
      std::memcpy(ua.data(), a.data(), a.size() * 4);
      const long i = first_difference(ua, ub);
      if (i >= 0) FAIL("values differ at " << i << " (output shifted by " << shift << " floats, streaming asked "
                                           << k.stream_out << "): input " << hex32(bits_of(in[i])) << " kernel "
                                           << hex32(ua[i]) << " scalar " << hex32(ub[i]));
      if (k.with_stats && !(sa == sb))
        FAIL("stats differ (streaming asked " << k.stream_out << "): kernel " << stats_text(sa) << " / scalar "
                                              << stats_text(sb));
    }
  }
  auto codes = [&](auto tag) {
    using C = decltype(tag);
    std::vector<C> a(in.size()), b(in.size());
    QuantStats sa, sb;
    quantize_codes(in, std::span<C>(a), t, &stream, offset, &sa, fast);
    quantize_codes(in, std::span<C>(b), t, &stream, offset, &sb, ref);
    const long i = first_difference(a, b);
    if (i >= 0) FAIL("codes differ at " << i << ": input " << hex32(bits_of(in[i])) << " kernel " << hex32(a[i])
                                        << " scalar " << hex32(b[i]));
    if (!(sa == sb)) FAIL("code stats differ: kernel " << stats_text(sa) << " / scalar " << stats_text(sb));
  };
  if (t.format.total_bits() <= 8) codes(uint8_t{});
  else if (t.format.total_bits() <= 16) codes(uint16_t{});
}

inline Target make_target(const std::string& format, const std::string& rounding, Overflow o) {
  Target t{parse_format(format)};
  parse_rounding(rounding, t.rounding, t.sr_bits);
  t.overflow = o;
  return t;
}

}  // namespace fpsim::test
