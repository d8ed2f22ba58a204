#pragma once
// Test inputs: preset lists, random custom formats, and edge-pattern inputs built from a target
// format's own values (ties, just above/below ties, overflow and underflow boundaries, specials).
#include <cstdint>
#include <vector>

#include "numerics/core/format.h"
#include "numerics/core/hash.h"

namespace fpsim::test {

/// SplitMix64 (Vigna): a small seeded generator for reproducible test inputs.
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    const uint64_t z = splitmix64(state);
    state += 0x9E3779B97F4A7C15ull;
    return z;
  }
  uint64_t below(uint64_t n) { return next() % n; }
};

std::vector<Format> presets_up_to(int max_bits);  ///< presets of at most max_bits bits
std::vector<Format> all_presets();

/// At least `count` random custom formats (random exp/man bits, odd biases, nosub, unsigned, every
/// specials kind), after a fixed list that guarantees each of those features appears.
std::vector<Format> custom_formats(int count, uint64_t seed);

/// Edge-pattern binary64 inputs for target format f: its values and their neighbours, midpoints and
/// their neighbours, max and the overflow tie region, the underflow tie region, ±0, ±inf, NaNs.
/// At most `max_values` of f's values are used (evenly spread over the codes, always with the ends).
std::vector<double> edge_doubles(const Format& f, size_t max_values);
/// The same for binary32 inputs (patterns that are not binary32 values are dropped, neighbours taken
/// in binary32).
std::vector<float> edge_floats(const Format& f, size_t max_values);

/// NaN bit patterns worth trying: quiet/signaling, both signs, payload at the top and bottom.
std::vector<uint64_t> nan_patterns_f64();
std::vector<uint32_t> nan_patterns_f32();

/// Random binary64 inside roughly f's range: sign, an exponent from emin - m - 3 to emax + 2, 52 random bits.
double random_in_range(const Format& f, SplitMix64& rng);

}  // namespace fpsim::test
