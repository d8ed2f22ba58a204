#pragma once
// Counter-based random streams for stochastic rounding: Philox4x32-10 (Salmon et al., SC'11,
// "Parallel random numbers: as easy as 1, 2, 3"), through Random123, the authors' reference code.
//
// bits(i) is a pure function of (key, i): element i of a tensor always gets the same random word,
// whatever the thread count or chunking. Keys derive from a seed and stream identifiers (in
// training: step, parameter name, quantisation point), never from creation order or the clock.
#include <cstdint>
#include <string_view>

namespace fpsim {

class RandomStream {
 public:
  /// A stream keyed by a seed and up to three identifiers.
  /// Example: RandomStream(42).bits(0) is the same 64-bit word on every machine and run.
  explicit RandomStream(uint64_t seed, uint64_t id0 = 0, uint64_t id1 = 0, uint64_t id2 = 0);

  /// The 64-bit random word for element `index` (two 32-bit Philox outputs).
  uint64_t bits(uint64_t index) const;
  /// Four 32-bit words for element `index` (one Philox block); bits(i) = words[0] | words[1] << 32.
  void block(uint64_t index, uint32_t out[4]) const;

  uint64_t key() const { return (uint64_t{key_[1]} << 32) | key_[0]; }
  /// Philox key words and counter words 2-3, for vectorised generators that must reproduce block().
  /// Example: s.philox_state(k, c); the counter of element i is {uint32(i), uint32(i >> 32), c[0], c[1]}.
  void philox_state(uint32_t key[2], uint32_t counter_hi[2]) const {
    key[0] = key_[0];
    key[1] = key_[1];
    counter_hi[0] = ctr_hi_[0];
    counter_hi[1] = ctr_hi_[1];
  }

 private:
  uint32_t key_[2];   // Philox key
  uint32_t ctr_hi_[2];  // counter words 2-3: the stream identifiers, mixed
};

/// A stable 64-bit identifier for a name (FNV-1a), for keying streams by parameter name.
/// Example: stream_id("fc1.weight") never changes between runs or machines.
uint64_t stream_id(std::string_view name);

}  // namespace fpsim
