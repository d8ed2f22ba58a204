// encode(float) takes a bit-operation path for rne into narrower signed formats (normal-range results):
// every binary32 pattern in steps of 4099, and every pattern within 2^14 of 2^emin, of max and of the
// overflow midpoint, equals convert() through round_pack — both signs, bits and flags.
#include <catch2/catch.hpp>

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

}  // namespace
}  // namespace fpsim
