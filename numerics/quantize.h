#pragma once
// Array quantisation: round every element of a span into a Target, bit-identical to the scalar
// encode() of convert.h, vectorised and parallel. Stochastic rounding draws element i's random
// word from stream.bits(offset + i), so results never depend on thread count or chunking.
#include <cstdint>
#include <span>

#include "numerics/random.h"
#include "numerics/rounding.h"

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
};

/// Round `in` into t, writing values. `stream` is required for stochastic rounding (else may be null).
/// out may alias in. Values of formats wider than the carrier (binary64 into float) are an error.
/// Example: quantize(x, x, Target{parse_format("e5m2")}, nullptr) rounds x in place to E5M2 values.
void quantize(std::span<const float> in, std::span<float> out, const Target& t, const RandomStream* stream,
              uint64_t offset = 0, QuantStats* stats = nullptr);
void quantize(std::span<const double> in, std::span<double> out, const Target& t, const RandomStream* stream,
              uint64_t offset = 0, QuantStats* stats = nullptr);

/// Round into packed codes: uint8 for formats of <= 8 bits, uint16 for <= 16 bits.
void quantize_codes(std::span<const float> in, std::span<uint8_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset = 0, QuantStats* stats = nullptr);
void quantize_codes(std::span<const float> in, std::span<uint16_t> out, const Target& t, const RandomStream* stream,
                    uint64_t offset = 0, QuantStats* stats = nullptr);

/// Decode packed codes to float values.
void decode_codes(std::span<const uint8_t> in, std::span<float> out, const Format& f);
void decode_codes(std::span<const uint16_t> in, std::span<float> out, const Format& f);

}  // namespace fpsim
