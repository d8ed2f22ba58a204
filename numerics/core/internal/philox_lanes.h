#pragma once
// Internal to random.cpp and the quantize kernels: the vectorised Philox4x32-10 that
// RandomStream::fill and stochastic quantisation share. It is compiled with the Highway kernels in
// numerics/quantize/quantize_simd.cpp (one copy per ISA); tests check every word against
// RandomStream::bits and Random123's known-answer vectors.
#include <cstddef>
#include <cstdint>

#include "numerics/simd/isa.h"

namespace fpsim::detail {

/// Philox4x32-10 state a vector generator needs: key words and counter words 2-3 (see RandomStream).
struct PhiloxKey {
  uint32_t key[2] = {0, 0};
  uint32_t ctr_hi[2] = {0, 0};
};

/// The 64-bit element words of `groups` whole groups of 32 elements (RandomStream's layout), in element
/// order: out[32g + r] = RandomStream::bits(32·(first_group + g) + r) for the stream of `key`, computed
/// with the vector code for `isa` (must be available: numerics/simd/isa.h).
/// Example: philox_group_words(simd::Isa::Avx512, key, 0, 2, out);  // out[0..63] = bits(0..63)
void philox_group_words(simd::Isa isa, const PhiloxKey& key, uint64_t first_group, std::size_t groups,
                        uint64_t* out);

/// Runs of consecutive element words, interleaved: out[kk·ld + j] = RandomStream::bits(firsts[j] + kk) for
/// j < runs and kk < count, with the vector code for `isa` (RandomStream::fill_interleaved).
/// Example: philox_interleaved_words(simd::Isa::Avx2, key, firsts, 8, 256, 8, out);
void philox_interleaved_words(simd::Isa isa, const PhiloxKey& key, const uint64_t* firsts, std::size_t runs,
                              std::size_t count, std::size_t ld, uint64_t* out);

}  // namespace fpsim::detail
