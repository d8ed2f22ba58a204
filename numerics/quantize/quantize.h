#pragma once
// Array quantisation: round every element of a span into a Target, bit-identical to the scalar
// encode() of convert.h, vectorised and parallel. Stochastic rounding draws element i's random
// word from stream.bits(offset + i), so results never depend on thread count or chunking.
//
// Two implementations are kept and checked against each other: quantize_scalar (encode() per
// element, the reference) and the vector kernels of quantize_simd.cpp (Google Highway, run-time
// choice between AVX-512, AVX2 and a portable baseline). Elements a kernel cannot decide exactly
// (rare configurations, e.g. formats wider than binary32) go through the scalar path.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "numerics/core/random.h"
#include "numerics/core/rounding.h"
#include "numerics/simd/isa.h"

namespace fpsim {

/// Counts from one quantisation pass (all optional; merge() adds two passes).
struct QuantStats {
  uint64_t count = 0;       ///< elements seen
  uint64_t nonzero = 0;     ///< finite non-zero inputs
  uint64_t underflow = 0;   ///< non-zero inputs that became zero (flushed)
  uint64_t subnormal = 0;   ///< results in the subnormal range
  uint64_t saturated = 0;   ///< finite inputs clamped to ±max
  uint64_t overflow = 0;    ///< finite inputs that became inf or NaN
  uint64_t nan = 0;         ///< NaN results
  double amax = 0.0;        ///< max |input| over finite inputs
  void merge(const QuantStats& o);
  /// Count one element: x the input, code its rounded code in f. Example: add(INFINITY, e4m3fn NaN, e4m3fn) counts nan.
  void add(double x, Bits code, const Format& f);
  friend bool operator==(const QuantStats&, const QuantStats&) = default;
};

/// Whether the vector kernel for `isa` is compiled in and this CPU runs it (Portable always).
/// Example: if (vector_kernel_available(simd::Isa::Avx512)) opts.isa = simd::Isa::Avx512;
bool vector_kernel_available(simd::Isa isa);

/// How a call is split and which implementation runs it (results never depend on either).
struct QuantizeOptions {
  int threads = 0;                           ///< OpenMP threads over chunks; 0 = OpenMP's default, 1 = serial
  std::size_t chunk = std::size_t{1} << 16;  ///< elements per parallel work item (>= 1)
  std::optional<simd::Isa> isa{};            ///< the vector kernel's ISA; nullopt = simd::best_isa()
  bool scalar = false;                       ///< true: encode() per element, the reference (no vector kernel)
  /// Values outputs of at least this many bytes, not overlapping the input, are written with non-temporal
  /// (streaming) stores when the rounding is deterministic and the call is not serial (threads != 1): an output
  /// that large leaves the caches anyway, and streaming skips reading each destination line before writing it,
  /// which pays when the cores share the memory bandwidth. On one thread, and in sr (bound by its random words),
  /// ordinary stores measured faster (quantize.cpp). 0 = always (any rounding and thread count), SIZE_MAX = never;
  /// the values are the same either way.
  std::size_t stream_min_bytes = std::size_t{8} << 20;
};

/// Round `in` into t, writing values. `stream` is required for stochastic rounding (else may be null).
/// out may alias in. Values of formats wider than the carrier (binary64 into float) are an error.
/// Example: quantize(x, x, Target{parse_format("e5m2")}, nullptr) rounds x in place to E5M2 values.
void quantize(std::span<const float> in, std::span<float> out, const Target& t, const RandomStream* stream,
              uint64_t offset = 0, QuantStats* stats = nullptr);
void quantize(std::span<const double> in, std::span<double> out, const Target& t, const RandomStream* stream,
              uint64_t offset = 0, QuantStats* stats = nullptr);
/// As above with explicit threads / chunk size / kernel.
/// Example: quantize(x, y, t, &s, 0, nullptr, QuantizeOptions{.threads = 8, .chunk = 4096});
void quantize(std::span<const float> in, std::span<float> out, const Target& t, const RandomStream* stream,
              uint64_t offset, QuantStats* stats, const QuantizeOptions& options);

/// Round into packed codes: uint8 for formats of <= 8 bits, uint16 for <= 16 bits.
/// Example: quantize_codes(x, codes8, Target{parse_format("e4m3fn")}, nullptr); // 448.0f -> 0x7e
void quantize_codes(std::span<const float> in, std::span<uint8_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset = 0, QuantStats* stats = nullptr);
void quantize_codes(std::span<const float> in, std::span<uint16_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset = 0, QuantStats* stats = nullptr);
/// Example: quantize_codes(x, codes16, bf16, nullptr, 0, nullptr, QuantizeOptions{.threads = 1});
void quantize_codes(std::span<const float> in, std::span<uint8_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset, QuantStats* stats, const QuantizeOptions& options);
void quantize_codes(std::span<const float> in, std::span<uint16_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset, QuantStats* stats, const QuantizeOptions& options);

/// The scalar reference: encode() per element, one thread, same checks and statistics.
/// Example: quantize_scalar(x, y, t, &stream, 0, &stats) gives the bits quantize() must reproduce.
void quantize_scalar(std::span<const float> in, std::span<float> out, const Target& t, const RandomStream* stream,
                     uint64_t offset = 0, QuantStats* stats = nullptr);
void quantize_codes_scalar(std::span<const float> in, std::span<uint8_t> out, const Target& t,
                           const RandomStream* stream, uint64_t offset = 0, QuantStats* stats = nullptr);
void quantize_codes_scalar(std::span<const float> in, std::span<uint16_t> out, const Target& t,
                           const RandomStream* stream, uint64_t offset = 0, QuantStats* stats = nullptr);

/// Decode packed codes to float values.
/// Example: decode_codes(codes8, values, parse_format("e4m3fn")); // 0x7e -> 448.0f
void decode_codes(std::span<const uint8_t> in, std::span<float> out, const Format& f);
void decode_codes(std::span<const uint16_t> in, std::span<float> out, const Format& f);

}  // namespace fpsim
