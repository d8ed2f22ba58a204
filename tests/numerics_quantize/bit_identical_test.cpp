// The vector kernels give encode()'s bits for every format, rounding mode and overflow policy.
#include <catch2/catch.hpp>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

#include "compare.h"

namespace fpsim::test {
namespace {

const Overflow kOverflows[] = {Overflow::Ieee, Overflow::Saturate, Overflow::NonSaturating};

TEST_CASE("every kernel matches the scalar reference for every format, mode and overflow policy", "[quantize]") {
  const RandomStream stream(7, 1, 2, 3);
  uint64_t seed = 1;
  for (const std::string& name : quantize_formats()) {
    const std::vector<float> in = quantize_inputs(parse_format(name), 600, seed++);
    for (const std::string& r : rounding_names())
      for (Overflow o : kOverflows)
        for (simd::Isa k : vector_kernels()) check_identical(make_target(name, r, o), in, k, stream, 1000 + seed);
  }
}

TEST_CASE("every kernel matches the scalar reference under daz, tininess, NaN policies and sr-subnormal-nearest",
          "[quantize]") {
  const RandomStream stream(11);
  uint64_t seed = 100;
  for (const std::string& name : quantize_formats()) {
    const std::vector<float> in = quantize_inputs(parse_format(name), 400, seed++);
    for (const char* r : {"rne", "rup", "sr", "sr:4"}) {
      Target base = make_target(name, r, Overflow::Ieee);
      std::vector<Target> variants;
      Target v = base; v.daz = true; variants.push_back(v);
      v = base; v.tininess = Tininess::BeforeRounding; variants.push_back(v);
      v = base; v.sr_subnormal_nearest = true; variants.push_back(v);
      v = base; v.nan = NanPolicy::ArmDefault; variants.push_back(v);
      v = base; v.nan = NanPolicy::RiscV; v.overflow = Overflow::NonSaturating; variants.push_back(v);
      v = base; v.compat = Compat::MlDtypes; variants.push_back(v);
      for (const Target& t : variants)
        for (simd::Isa k : vector_kernels()) check_identical(t, in, k, stream, 0);
    }
  }
}

TEST_CASE("wide-range data (N(0,1)*10^U(-3,3)) alternating with narrow stretches matches the scalar reference",
          "[quantize]") {
  // The kernels switch to a branch-free variant after a stretch of 64 vectors where many lanes needed the
  // subnormal or special-result work, and back after a quiet one: 4096-element runs of each kind cover
  // both variants and every switch, for 1-, 8- and 16-lane vectors.
  std::mt19937_64 gen(42);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> decades(-3.0, 3.0);
  std::vector<float> in(6 * 4096 + 13);
  for (std::size_t i = 0; i < in.size(); ++i) {
    const bool wide = (i / 4096) % 2 == 0;
    in[i] = static_cast<float>(wide ? normal(gen) * std::pow(10.0, decades(gen)) : 1.0 + 0.01 * normal(gen));
  }
  const RandomStream stream(13);
  for (const std::string& name : quantize_formats())
    for (const char* r : {"rne", "rtz", "rodd", "sr"})
      for (Overflow o : {Overflow::Ieee, Overflow::Saturate})
        for (simd::Isa k : vector_kernels()) check_identical(make_target(name, r, o), in, k, stream, 0);
}

TEST_CASE("stream offsets near 2^33 (Philox counter 2^32) carry into the counter high word identically", "[quantize]") {
  const RandomStream stream(3);
  const std::vector<float> in = quantize_inputs(parse_format("e5m2"), 500, 9);
  for (simd::Isa k : vector_kernels())
    check_identical(make_target("e5m2", "sr", Overflow::Ieee), in, k, stream, (uint64_t{1} << 33) - 37);
}

TEST_CASE("sr decides by the random word's low half where the high half equals the fraction's top bits",
          "[quantize]") {
  // e4m3fn sr, |x| in [2^-19, 2^-18): 33 discarded bits (too many for the kernels' 32-bit lane rounding, so
  // its vector takes the general path), fraction = sig << 31 as a 0.64 number: high word sig >> 1, low word
  // 2^31 (sig odd). Where the element's w1 equals that high word, w0 >= 2^31 rounds down, w0 < 2^31 up: find
  // an index whose w1 can be such a high word (2^22 <= w1 < 2^23) and whose w0 rounds down.
  const RandomStream stream(17);
  std::size_t at = 0;
  uint32_t w1 = 0;
  for (;; ++at) {
    const uint64_t r = stream.bits(at);
    w1 = static_cast<uint32_t>(r >> 32);
    if (w1 >= (1u << 22) && w1 < (1u << 23) && static_cast<uint32_t>(r) >= 0x80000000u) break;
  }
  std::vector<float> in(at + 64, 1.0f);
  // sig = 2 * w1 + 1 with the hidden bit 2^23, biased exponent 108 (2^-19): high word sig >> 1 = w1.
  in[at] = std::bit_cast<float>((108u << 23) | (2 * w1 + 1 - (1u << 23)));
  for (simd::Isa k : vector_kernels()) check_identical(make_target("e4m3fn", "sr", Overflow::Ieee), in, k, stream, 0);
}

// Ten million inputs per preset in rne and sr (IEEE overflow), and their first million in every other mode and
// overflow policy: 720 targets of ten million each took hours; this takes about a tenth of that.
TEST_CASE("ten million random and edge inputs per preset in rne and sr, a million in every other mode and policy",
          "[long]") {
  const RandomStream stream(5, 9);
  uint64_t seed = 500;
  for (const Preset& p : presets()) {
    const Format f = parse_format(p.name);
    if (!f.fits_binary32() && f.total_bits() > 16) continue;
    const std::vector<float> in = quantize_inputs(f, 10'000'000, seed++);
    const std::span<const float> first_million(in.data(), 1'000'000);
    for (const std::string& r : rounding_names())
      for (Overflow o : kOverflows) {
        const bool all = (r == "rne" || r == "sr") && o == Overflow::Ieee;
        check_identical(make_target(p.name, r, o), all ? std::span<const float>(in) : first_million, std::nullopt,
                        stream, 0, 0);
      }
  }
}

}  // namespace
}  // namespace fpsim::test
