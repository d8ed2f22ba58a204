#pragma once
// Counter-based random streams for stochastic rounding: Philox4x32-10 (Salmon et al., SC'11,
// "Parallel random numbers: as easy as 1, 2, 3"), through Random123, the authors' reference code.
//
// bits(i) is a pure function of (key, i): element i of a tensor always gets the same random word,
// whatever the thread count or chunking. Keys derive from a seed and stream identifiers (in
// training: step, parameter name, quantisation point), never from creation order or the clock.
//
// One Philox block (128 bits) serves two elements. Elements are taken in groups of 32; group g
// uses the 16 blocks with counters 16g .. 16g+15, element r of the group the block 16g + (r mod 16),
// its words 0-1 for r < 16 and words 2-3 for r >= 16:
//     index i = ...gggg g rrrrr  ->  counter = (i >> 5) << 4 | (i & 15),  half = (i >> 4) & 1
// so a 16-lane (or two 8-lane) vector of consecutive counters feeds 32 consecutive elements with
// no shuffles, and half the blocks of one-block-per-element are computed.
#include <cstdint>
#include <span>
#include <string_view>

namespace fpsim {

class RandomStream {
 public:
  /// A stream keyed by a seed and up to three identifiers.
  /// Example: RandomStream(42).bits(0) is the same 64-bit word on every machine and run.
  explicit RandomStream(uint64_t seed, uint64_t id0 = 0, uint64_t id1 = 0, uint64_t id2 = 0);

  /// The 64-bit random word for element `index` (two 32-bit words of block(counter_of(index))).
  uint64_t bits(uint64_t index) const;
  /// out[i] = bits(first + i) for every i, computed with the vector Philox kernel (quantize_simd.cpp).
  /// Example: s.fill(100, words) fills words[0] with s.bits(100), words[1] with s.bits(101), ...
  void fill(uint64_t first, std::span<uint64_t> out) const;
  /// Several runs of consecutive words, interleaved: out[kk·ld + j] = bits(firsts[j] + kk) for every
  /// j < firsts.size() and kk < count (ld ≥ firsts.size()), each run computed as fill computes it.
  /// Example: s.fill_interleaved({0, 1000}, 3, 2, out) gives out = bits(0), bits(1000), bits(1), bits(1001), ...
  void fill_interleaved(std::span<const uint64_t> firsts, std::size_t count, std::size_t ld, uint64_t* out) const;
  /// The Philox4x32-10 block for counter `counter`: {counter lo, counter hi, ids...} under the key.
  void block(uint64_t counter, uint32_t out[4]) const;
  /// The block counter of element `index` and which half of the block it uses (see above).
  /// Example: counter_of(37) = 16 + 5 = 21, half_of(37) = 0; counter_of(53) = 21, half_of(53) = 1.
  static uint64_t counter_of(uint64_t index) { return (index >> 5) << 4 | (index & 15); }
  static int half_of(uint64_t index) { return static_cast<int>((index >> 4) & 1); }

  uint64_t key() const { return (uint64_t{key_[1]} << 32) | key_[0]; }
  /// Philox key words and counter words 2-3, for vectorised generators that must reproduce block().
  /// Example: s.philox_state(k, c); block(n) runs Philox on {uint32(n), uint32(n >> 32), c[0], c[1]}.
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
