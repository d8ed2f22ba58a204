// EncodePlan equals convert() from binary32 (round_pack's result) in bits and flags: every binary32 pattern in steps of
// 4099; every pattern within 2^13 of 2^emin, of the tininess threshold, of max and of the overflow midpoint;
// every pattern in steps of 61 below 2^emin (the integer subnormal path) and within 64 of each subnormal tie
// of the 8-bit formats — both signs, tininess after and before rounding, and formats the plan leaves to
// convert(); for the table path (formats of <= 5 fraction bits), both ends of every (exponent, top bits, sticky)
// class. [long]: every binary32 pattern for binary16, e4m3fn and e5m2.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "numerics/core/convert.h"
#include "numerics/core/encode_plan.h"

namespace fpsim {
namespace {

struct Mismatches {
  size_t cases = 0, bad = 0;
  void check(const EncodePlan& plan, uint32_t x) {
    ++cases;
    const Rounded got = plan(float_from_bits(x));
    static const Format binary32 = parse_format("binary32");
    const Rounded want = convert(Bits{x}, binary32, plan.target());  // not encode(): it runs a plan too
    if (got == want) return;
    if (bad++ < 5)
      UNSCOPED_INFO(plan.target().format.to_string() << " " << std::hex << x << ": plan " << got.bits.v << "/"
                                                     << int(got.flags) << ", round_pack " << want.bits.v << "/"
                                                     << int(want.flags));
  }
};

std::vector<uint32_t> probes(const Format& f) {
  std::vector<uint32_t> p;
  for (uint64_t b = 0; b < (uint64_t{1} << 31); b += 4099) p.push_back(static_cast<uint32_t>(b));
  const double min_normal = std::ldexp(1.0, f.emin());
  const double tiny_threshold = min_normal - std::ldexp(1.0, f.emin() - f.man_bits() - 2);
  const double max = f.max_value(), mid = max + std::ldexp(1.0, f.emax() - f.man_bits() - 1);
  for (double edge : {min_normal, tiny_threshold, max, mid}) {
    if (!(edge < 0x1p127)) continue;
    const uint32_t c = bits_of(static_cast<float>(edge));
    for (uint32_t k = 0; k < (1u << 14); ++k) p.push_back(c - (1u << 13) + k);
  }
  const uint32_t normal_min = bits_of(static_cast<float>(min_normal));
  for (uint32_t b = 0; b < normal_min; b += 61) p.push_back(b);
  if (f.total_bits() <= 8)
    for (uint64_t k = 0; k < (uint64_t{1} << f.man_bits()) * 2; ++k) {
      const double tie = std::ldexp(double(k) + 0.5, f.emin() - f.man_bits());
      const uint32_t c = bits_of(static_cast<float>(tie));
      for (uint32_t d = 0; d < 128; ++d) p.push_back(c - 64 + d);
    }
  return p;
}

// The plan of `name` under both tininess settings and every overflow policy.
template <class Fn>
void for_each_policy(const char* name, Fn&& fn) {
  for (Tininess tininess : {Tininess::AfterRounding, Tininess::BeforeRounding})
    for (Overflow overflow : {Overflow::Ieee, Overflow::Saturate, Overflow::NonSaturating}) {
      Target t{parse_format(name)};
      t.tininess = tininess;
      t.overflow = overflow;
      fn(EncodePlan(t));
    }
}

TEST_CASE("EncodePlan equals round_pack on probed binary32 patterns", "[convert][plan]") {
  Mismatches m;
  size_t bit_paths = 0;
  for (const char* name : {"binary16", "bfloat16", "tf32", "e5m2", "e4m3fn", "e4m3fnuz", "e4m3", "e3m4", "e2m1fn",
                           "e2m3fn", "p3109_k8p3se", "p3109_k8p4sf", "e5m2,nosub", "e8m3,bias=60", "e6m9,bias=40,fn",
                           "e8m0fnu", "binary32"}) {
    for_each_policy(name, [&](const EncodePlan& plan) {
      bit_paths += std::string(plan.path()) == "bits" || std::string(plan.path()) == "table";
      for (uint32_t p : probes(plan.target().format))
        for (uint32_t sign : {0u, 0x80000000u}) m.check(plan, p | sign);
    });
  }
  Target sr{parse_format("e4m3fn")};
  sr.rounding = Rounding::Stochastic;
  CHECK(std::string(EncodePlan(sr).path()) == "exact");
  INFO(m.cases << " cases");
  CHECK(bit_paths == 15 * 6);  // every format above but e8m0fnu (no fraction bits) and binary32 (nothing to drop)
  CHECK(m.bad == 0);
}

// tabled() reads one entry per (sign, exponent, top m + 1 fraction bits, sticky): for every binary32 exponent field
// and every value of the top bits, the class's exact pattern and both ends of its sticky run (one above it, and all
// lower fraction bits set), both signs, with ±0, the binary32 subnormals' ends and ±inf / NaN beside them.
TEST_CASE("EncodePlan's table equals round_pack at both ends of every class", "[convert][plan]") {
  Mismatches m;
  size_t tables = 0;
  for (const char* name : {"e5m2", "e4m3fn", "e4m3fnuz", "e5m2fnuz", "e4m3", "e3m4", "e3m2fn", "e2m3fn", "e2m1fn",
                           "p3109_k8p3se", "p3109_k8p4sf", "p3109_k8p6se", "p3109_k6p3sf", "p3109_k4p2se",
                           "e5m2,nosub", "e4m3,bias=3", "e5m2,bias=25", "e3m2,bias=-4,fn", "e6m2,bias=40", "e8m2"}) {
    for_each_policy(name, [&](const EncodePlan& plan) {
      if (std::string(plan.path()) != "table") return;
      ++tables;
      const int shift = 22 - plan.target().format.man_bits();
      std::vector<uint32_t> p = {0, 1, 0x7FFFFF, 0x800000, 0x7F7FFFFF, 0x7F800000, 0x7FC00000, 0x7F800001};
      for (uint32_t top = 0x800000u >> shift; top < 0x7F800000u >> shift; ++top) {
        const uint32_t exact = top << shift;
        p.insert(p.end(), {exact, exact + 1, exact + (1u << shift) - 1});
      }
      for (uint32_t x : p)
        for (uint32_t sign : {0u, 0x80000000u}) m.check(plan, x | sign);
    });
  }
  INFO(m.cases << " cases");
  CHECK(tables == 19 * 6);  // every format above but e8m2 (2^(emin − m − 2) is below binary32's normals)
  CHECK(m.bad == 0);
}

TEST_CASE("EncodePlan equals round_pack on every binary32 pattern", "[convert][plan][long]") {
  Mismatches m;
  for (const char* name : {"binary16", "e4m3fn", "e5m2"}) {
    const EncodePlan plan(Target{parse_format(name)});
    for (uint64_t b = 0; b < (uint64_t{1} << 32); ++b) m.check(plan, static_cast<uint32_t>(b));
  }
  INFO(m.cases << " cases");
  CHECK(m.bad == 0);
}

}  // namespace
}  // namespace fpsim
