// Philox4x32-10: Random123's known-answer vectors, the vectorised generator against Random123,
// and pinned outputs of RandomStream (a change to key derivation must be deliberate).
#include <Random123/philox.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <vector>

#include "compare.h"
#include "numerics/core/internal/philox_lanes.h"

namespace fpsim::test {
namespace {

struct Kat { uint32_t ctr[4]; uint32_t key[2]; uint32_t out[4]; };
// From Random123's kat_vectors (philox4x32 10): zeros, all-ones, and digits of pi.
const Kat kKats[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

// Block `counter`'s four words from the vector generator: group counter / 16 holds it, its words 0-1 as
// element counter % 16 and its words 2-3 as element counter % 16 + 16 (see random.h).
void vector_block(simd::Isa isa, const detail::PhiloxKey& key, uint64_t counter, uint32_t out[4]) {
  uint64_t words[32];
  detail::philox_group_words(isa, key, counter >> 4, 1, words);
  const uint64_t low = words[counter & 15], high = words[(counter & 15) + 16];
  out[0] = static_cast<uint32_t>(low);
  out[1] = static_cast<uint32_t>(low >> 32);
  out[2] = static_cast<uint32_t>(high);
  out[3] = static_cast<uint32_t>(high >> 32);
}

TEST_CASE("Random123's Philox4x32-10 reproduces the published known-answer vectors", "[quantize]") {
  for (const Kat& k : kKats) {
    r123::Philox4x32 rng;
    const r123::Philox4x32::ctr_type r = rng({{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}}, {{k.key[0], k.key[1]}});
    for (int i = 0; i < 4; ++i) REQUIRE(r[i] == k.out[i]);
  }
}

TEST_CASE("the vectorised Philox reproduces the known-answer vectors on every kernel", "[quantize]") {
  for (simd::Isa isa : vector_kernels())
    for (const Kat& k : kKats) {
      detail::PhiloxKey key;
      key.key[0] = k.key[0];
      key.key[1] = k.key[1];
      key.ctr_hi[0] = k.ctr[2];
      key.ctr_hi[1] = k.ctr[3];
      uint32_t words[4];
      vector_block(isa, key, uint64_t{k.ctr[0]} | uint64_t{k.ctr[1]} << 32, words);
      INFO(simd::to_string(isa));
      for (int i = 0; i < 4; ++i) REQUIRE(words[i] == k.out[i]);
    }
}

TEST_CASE("the vectorised Philox equals RandomStream::block across the 2^32 counter boundary", "[quantize]") {
  const RandomStream stream(17, 4, 5, 6);
  detail::PhiloxKey key;
  stream.philox_state(key.key, key.ctr_hi);
  for (simd::Isa isa : vector_kernels())
    for (uint64_t first : {uint64_t{0}, (uint64_t{1} << 32) - 45, uint64_t{0x123456789abc}}) {
      for (std::size_t i = 0; i < 300; ++i) {
        uint32_t got[4], expected[4];
        vector_block(isa, key, first + i, got);
        stream.block(first + i, expected);
        INFO(simd::to_string(isa) << " counter " << first + i);
        for (int k = 0; k < 4; ++k) REQUIRE(got[k] == expected[k]);
      }
    }
}

TEST_CASE("bits(i) is half of block 16*(i/32) + i%16: words 0-1 for i%32 < 16, words 2-3 above", "[quantize]") {
  const RandomStream stream(8);
  for (uint64_t i : {uint64_t{0}, uint64_t{15}, uint64_t{16}, uint64_t{31}, uint64_t{37}, uint64_t{53},
                     (uint64_t{1} << 36) + 20}) {
    uint32_t w[4];
    stream.block((i / 32) * 16 + i % 16, w);
    const int h = i % 32 < 16 ? 0 : 2;
    REQUIRE(stream.bits(i) == (uint64_t{w[h]} | uint64_t{w[h + 1]} << 32));
  }
}

TEST_CASE("element words of whole groups and RandomStream::fill equal bits(i)", "[quantize]") {
  const RandomStream stream(23, 7, 8, 9);
  detail::PhiloxKey key;
  stream.philox_state(key.key, key.ctr_hi);
  for (simd::Isa isa : vector_kernels()) {
    std::vector<uint64_t> words(32 * 3);
    const uint64_t first_group = (uint64_t{1} << 28) - 1;  // counters 2^32 - 16 .. 2^32 + 31: across the high word
    detail::philox_group_words(isa, key, first_group, 3, words.data());
    for (std::size_t i = 0; i < words.size(); ++i) {
      INFO(simd::to_string(isa) << " element " << i);
      REQUIRE(words[i] == stream.bits(32 * first_group + i));
    }
  }
  // fill: unaligned starts, lengths across batch ends, and the 2^32 counter boundary (index 2^37).
  for (uint64_t first : {uint64_t{0}, uint64_t{5}, uint64_t{31}, (uint64_t{1} << 37) - 77}) {
    std::vector<uint64_t> out(5000);
    stream.fill(first, out);
    for (std::size_t i = 0; i < out.size(); ++i) {
      INFO("index " << first + i);
      REQUIRE(out[i] == stream.bits(first + i));
    }
  }
}

TEST_CASE("RandomStream::fill_interleaved: out[kk·ld + j] equals bits(firsts[j] + kk)", "[quantize]") {
  // Runs that start anywhere in a group, end in the same or a later one, more groups than one batch, and
  // one across the 2^32 counter boundary (index 2^37); ld larger than the run count leaves gaps untouched.
  const RandomStream stream(23, 7, 8, 9);
  const std::vector<uint64_t> firsts = {0, 5, 31, 32, 1000, 513 * 7 + 3, (uint64_t{1} << 37) - 77};
  for (std::size_t count : {std::size_t{1}, std::size_t{17}, std::size_t{300}}) {
    const std::size_t ld = firsts.size() + 2;
    std::vector<uint64_t> out(count * ld, 0xAAAAAAAAAAAAAAAAull);
    auto check = [&](const char* what) {
      for (std::size_t kk = 0; kk < count; ++kk)
        for (std::size_t j = 0; j < ld; ++j) {
          INFO(what << " count " << count << " kk " << kk << " j " << j);
          REQUIRE(out[kk * ld + j] == (j < firsts.size() ? stream.bits(firsts[j] + kk) : 0xAAAAAAAAAAAAAAAAull));
        }
    };
    stream.fill_interleaved(firsts, count, ld, out.data());
    check("fill_interleaved");
    detail::PhiloxKey key;
    stream.philox_state(key.key, key.ctr_hi);
    for (simd::Isa isa : vector_kernels()) {
      std::fill(out.begin(), out.end(), 0xAAAAAAAAAAAAAAAAull);
      detail::philox_interleaved_words(isa, key, firsts.data(), firsts.size(), count, ld, out.data());
      check(simd::to_string(isa));
    }
  }
}

TEST_CASE("RandomStream outputs are pinned (golden values)", "[quantize]") {
  REQUIRE(RandomStream(0).bits(0) == 0xffec62daec53de17ull);
  REQUIRE(RandomStream(42).bits(1) == 0x4af489dd8110e19eull);
  REQUIRE(RandomStream(42).bits(20) == 0xe61b5ba247e6bb22ull);  // words 2-3 of block 4
  REQUIRE(RandomStream(42, 1, 2, 3).bits(uint64_t{1} << 40) == 0x26e006de44a9d579ull);
  REQUIRE(RandomStream(42, stream_id("fc1.weight")).bits(7) == 0xdf9d4e4b75d0bbebull);
  REQUIRE(stream_id("fc1.weight") == 0x0fc5ab63896269edull);
}

}  // namespace
}  // namespace fpsim::test
