// encode(float) runs the target's cached EncodePlan (bit operations for rne into narrower signed formats):
// every binary32 pattern in steps of 4099, and every pattern within 2^14 of 2^emin, of max and of the
// overflow midpoint, equals convert() through round_pack — both signs, bits and flags, for targets the plan
// rounds by bits and ones it hands to convert() (sr, rtz, daz).
#include <catch2/catch.hpp>
#include <vector>

#include "numerics/core/convert.h"

namespace fpsim {
namespace {

TEST_CASE("encode(float) in rne equals round_pack's result for every probed binary32 pattern", "[convert]") {
  static const Format binary32 = parse_format("binary32");
  size_t cases = 0, mismatches = 0;
  for (const char* name : {"binary16", "bfloat16", "tf32", "e5m2", "e4m3fn", "e4m3fnuz", "e4m3", "e3m4", "e2m1fn",
                           "p3109_k8p3se", "p3109_k8p4sf", "e5m2,nosub", "e8m3,bias=60", "e6m9,bias=40,fn"}) {
    Target t{parse_format(name)};
    const Format& f = t.format;
    std::vector<uint32_t> patterns;
    for (uint64_t b = 0; b < (uint64_t{1} << 31); b += 4099) patterns.push_back(static_cast<uint32_t>(b));
    const double max = f.max_value();
    const double mid = max + std::ldexp(1.0, f.emax() - f.man_bits() - 1);  // the overflow midpoint
    for (double edge : {std::ldexp(1.0, f.emin()), max, mid}) {
      const uint32_t c = bits_of(static_cast<float>(edge));
      for (uint32_t k = 0; k < (1u << 15); ++k) patterns.push_back(c - (1u << 14) + k);
    }
    for (uint32_t p : patterns)
      for (uint32_t sign : {0u, 0x80000000u}) {
        const uint32_t x = p | sign;
        ++cases;
        const Rounded fast = encode(float_from_bits(x), t);
        const Rounded exact = convert(Bits{x}, binary32, t);
        if (fast == exact) continue;
        if (mismatches++ < 5)
          UNSCOPED_INFO(name << " " << std::hex << x << ": fast " << fast.bits.v << "/" << int(fast.flags)
                             << ", round_pack " << exact.bits.v << "/" << int(exact.flags));
      }
  }
  INFO(cases << " cases");
  CHECK(mismatches == 0);
}

// encode(float)'s plans are cached per target: targets that differ in one field each, called round-robin so
// the per-thread memo churns, must each give their own round_pack result.
TEST_CASE("encode(float) alternating between targets equals round_pack's result for each", "[convert]") {
  static const Format binary32 = parse_format("binary32");
  std::vector<Target> targets;
  for (const char* name : {"binary16", "e4m3fn", "e5m2", "bfloat16"}) {
    Target base{parse_format(name)};
    targets.push_back(base);
    for (Rounding r : {Rounding::TowardZero, Rounding::Up, Rounding::Stochastic, Rounding::Truncate}) {
      Target t = base;
      t.rounding = r;
      targets.push_back(t);
    }
    Target t = base;
    t.rounding = Rounding::Stochastic;
    t.sr_bits = 2;
    targets.push_back(t);
    t.sr_subnormal_nearest = true;
    targets.push_back(t);
    for (Overflow o : {Overflow::Saturate, Overflow::NonSaturating}) {
      t = base;
      t.overflow = o;
      targets.push_back(t);
    }
    t = base;
    t.tininess = Tininess::BeforeRounding;
    targets.push_back(t);
    t = base;
    t.daz = true;
    targets.push_back(t);
    t = base;
    t.compat = Compat::MlDtypes;
    targets.push_back(t);
    t = base;
    t.nan = NanPolicy::RiscV;
    targets.push_back(t);
  }
  size_t cases = 0, mismatches = 0;
  uint64_t state = 0x243F6A8885A308D3ull;
  for (int i = 0; i < 20000; ++i)
    for (const Target& t : targets) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      // Half the patterns near the format's smallest normal (subnormal results, tininess), half anywhere.
      const uint32_t near = bits_of(static_cast<float>(t.format.min_normal())) - (1u << 16) +
                            static_cast<uint32_t>(state >> 47);
      const uint32_t x = ((state >> 20) & 1 ? near : static_cast<uint32_t>(state >> 32) & 0x7FFFFFFFu) |
                         static_cast<uint32_t>(state & 0x80000000u);
      const uint64_t r = state * 0x9E3779B97F4A7C15ull;
      ++cases;
      const Rounded got = encode(float_from_bits(x), t, r), want = convert(Bits{x}, binary32, t, r);
      if (got == want) continue;
      if (mismatches++ < 5)
        UNSCOPED_INFO(t.format.to_string() << " mode " << int(t.rounding) << " " << std::hex << x << ": encode "
                                           << got.bits.v << "/" << int(got.flags) << ", round_pack " << want.bits.v
                                           << "/" << int(want.flags));
    }
  INFO(cases << " cases");
  CHECK(mismatches == 0);
}

}  // namespace
}  // namespace fpsim
