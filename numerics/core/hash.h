#pragma once
// The two hash steps fpsim uses wherever it needs a stable 64-bit value from text or from an integer:
// FNV-1a over bytes (stream identifiers of parameter names, sweep run ids) and SplitMix64's finaliser
// (seeds and identifiers spread over Philox's key, run ids, test generators). Both are fixed
// forever: run ids name result folders and stream keys decide stochastic rounding.
#include <cstdint>
#include <string_view>

namespace fpsim {

/// FNV-1a 64: h = (h ^ byte) · 0x100000001b3 from the offset basis 0xcbf29ce484222325.
/// Example: fnv1a64("") == 0xcbf29ce484222325; fnv1a64("a") == 0xaf63dc4c8601ec8c.
constexpr uint64_t fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

/// SplitMix64's finaliser (Vigna; Stafford's Mix13): two xor-shift-multiply rounds spread every
/// input bit over all 64 output bits. Example: splitmix64_finalize(0) == 0.
constexpr uint64_t splitmix64_finalize(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// One SplitMix64 step: the finaliser of state + the golden-ratio increment 0x9E3779B97F4A7C15.
/// Example: splitmix64(0) == 0xE220A8397B1DCDAF (the first output of a generator seeded with 0).
constexpr uint64_t splitmix64(uint64_t state) { return splitmix64_finalize(state + 0x9E3779B97F4A7C15ull); }

}  // namespace fpsim
