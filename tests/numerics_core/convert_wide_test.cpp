// binary32 and binary64 inputs (edge patterns built from each target's own values, plus random bit
// patterns and random in-range values) into every preset and into random custom formats, in every
// deterministic mode (and trunc), every overflow policy and both tininess settings, against the oracle.
#include <catch2/catch.hpp>

#include "cases.h"
#include "compare.h"
#include "numerics/reference/oracle.h"

namespace fpsim {
namespace {

struct Budget {
  size_t values_per_format;  // target values the edge patterns are built from
  size_t random_inputs;      // random bit patterns + random in-range values, each
};
constexpr Budget kDefault{48, 200};
constexpr Budget kLong{4096, 20000};

constexpr Rounding kModesWithTrunc[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero,
                                        Rounding::Up,          Rounding::Down,        Rounding::Odd,
                                        Rounding::Truncate};

// Input codes of `from` (binary32 or binary64) for target format `to`.
std::vector<uint64_t> inputs_for(const Format& from, const Format& to, const Budget& budget, uint64_t seed) {
  std::vector<uint64_t> codes;
  test::SplitMix64 rng{seed};
  if (from.total_bits() == 64) {
    for (double x : test::edge_doubles(to, budget.values_per_format)) codes.push_back(bits_of(x));
    for (size_t i = 0; i < budget.random_inputs; ++i) {
      codes.push_back(rng.next());
      codes.push_back(bits_of(test::random_in_range(to, rng)));
    }
  } else {
    for (float x : test::edge_floats(to, budget.values_per_format)) codes.push_back(bits_of(x));
    for (size_t i = 0; i < budget.random_inputs; ++i) {
      codes.push_back(rng.next() >> 32);
      codes.push_back(bits_of(static_cast<float>(test::random_in_range(to, rng))));
    }
  }
  return codes;
}

void check_format(test::MismatchLog& log, const Format& from, const Format& to, const Budget& budget, uint64_t seed) {
  const std::vector<uint64_t> codes = inputs_for(from, to, budget, seed);
  for (Rounding r : kModesWithTrunc)
    for (Overflow o : test::kOverflowPolicies)
      for (Tininess tn : {Tininess::AfterRounding, Tininess::BeforeRounding})
        for (bool daz : {false, true}) {
          if (daz && (r != Rounding::NearestEven || o != Overflow::Ieee)) continue;  // DAZ is mode-independent
          Target t{to};
          t.rounding = r;
          t.overflow = o;
          t.tininess = tn;
          t.daz = daz;
          for (uint64_t code : codes) {
            const Bits in{code};
            log.check_lazy(convert(in, from, t), reference::oracle_convert(in, from, t), to, [&] {
              return from.to_string() + " " + test::hex(in, from) + " -> " + test::describe(t);
            });
          }
        }
}

void check_all(const Format& from, const Budget& budget, size_t min_cases) {
  test::MismatchLog presets_log, custom_log;
  uint64_t seed = 1;
  for (const Format& to : test::all_presets()) check_format(presets_log, from, to, budget, seed++);
  const std::vector<Format> custom = test::custom_formats(24, 20240607);
  REQUIRE(custom.size() >= 20);
  for (const Format& to : custom) check_format(custom_log, from, to, budget, seed++);
  test::require_no_mismatches(presets_log, min_cases);
  test::require_no_mismatches(custom_log, min_cases);
}

TEST_CASE("custom formats cover odd biases, no subnormals, unsigned and every specials kind", "[convert]") {
  const std::vector<Format> custom = test::custom_formats(24, 20240607);
  int odd_bias = 0, nosub = 0, unsigned_ = 0, kinds[4] = {};
  for (const Format& f : custom) {
    odd_bias += f.bias() != (1 << (f.exp_bits() - 1)) - 1 + (f.specials() == Specials::Fnuz ? 1 : 0);
    nosub += !f.subnormals();
    unsigned_ += !f.is_signed();
    kinds[static_cast<int>(f.specials())]++;
  }
  CHECK(custom.size() >= 20);
  CHECK(odd_bias >= 3);
  CHECK(nosub >= 3);
  CHECK(unsigned_ >= 3);
  for (int k : kinds) CHECK(k >= 2);
}

TEST_CASE("binary32 edge and random inputs convert to every preset and custom format as the oracle does",
          "[convert]") {
  check_all(parse_format("binary32"), kDefault, 50000);
}

TEST_CASE("binary64 edge and random inputs convert to every preset and custom format as the oracle does",
          "[convert]") {
  check_all(parse_format("binary64"), kDefault, 50000);
}

TEST_CASE("binary32 inputs, large sample, agree with the oracle", "[convert][long]") {
  check_all(parse_format("binary32"), kLong, 1000000);
}

TEST_CASE("binary64 inputs, large sample, agree with the oracle", "[convert][long]") {
  check_all(parse_format("binary64"), kLong, 1000000);
}

TEST_CASE("NaN inputs follow each NaN policy as the oracle does", "[convert]") {
  test::MismatchLog log;
  const Format f32 = parse_format("binary32"), f64 = parse_format("binary64");
  std::vector<Format> targets = test::all_presets();
  for (const Format& f : test::custom_formats(24, 20240607)) targets.push_back(f);
  for (const Format& to : targets)
    for (NanPolicy nan : {NanPolicy::X86, NanPolicy::ArmDefault, NanPolicy::RiscV}) {
      Target t{to};
      t.nan = nan;
      for (uint32_t code : test::nan_patterns_f32())
        log.check_lazy(convert(Bits{code}, f32, t), reference::oracle_convert(Bits{code}, f32, t), to,
                       [&] { return "binary32 " + test::hex(Bits{code}, f32) + " -> " + test::describe(t); });
      for (uint64_t code : test::nan_patterns_f64())
        log.check_lazy(convert(Bits{code}, f64, t), reference::oracle_convert(Bits{code}, f64, t), to,
                       [&] { return "binary64 " + test::hex(Bits{code}, f64) + " -> " + test::describe(t); });
    }
  test::require_no_mismatches(log, 1000);
}

}  // namespace
}  // namespace fpsim
