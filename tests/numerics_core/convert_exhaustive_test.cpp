// Every binary16 and every bfloat16 code converted to every preset of at most 8 bits, in the six
// deterministic modes, the three overflow policies and both tininess settings, against the oracle
// (results and flags). The default run takes a strided sample of the codes; [long] takes all.
#include <catch2/catch.hpp>

#include "cases.h"
#include "compare.h"
#include "numerics/reference/oracle.h"

namespace fpsim {
namespace {

// Converts codes 0, stride, 2*stride, ... of `from` into every small preset; returns the log.
test::MismatchLog sweep(const Format& from, uint64_t stride, Tininess tininess) {
  test::MismatchLog log;
  for (const Format& to : test::presets_up_to(8)) {
    for (Rounding r : test::kDeterministicModes) {
      for (Overflow o : test::kOverflowPolicies) {
        Target t{to};
        t.rounding = r;
        t.overflow = o;
        t.tininess = tininess;
        for (uint64_t code = 0; code <= from.code_mask(); code += stride) {
          const Bits in{code};
          log.check_lazy(convert(in, from, t), reference::oracle_convert(in, from, t), to, [&] {
            return from.to_string() + " " + test::hex(in, from) + " -> " + test::describe(t);
          });
        }
      }
    }
  }
  return log;
}

// 97 is prime and odd, so the sample walks every exponent field and every low-mantissa residue.
constexpr uint64_t kSampleStride = 97;

TEST_CASE("binary16 codes (sampled) convert to every small preset as the oracle does", "[convert]") {
  const Format f16 = parse_format("binary16");
  test::require_no_mismatches(sweep(f16, kSampleStride, Tininess::AfterRounding), 100000);
  test::require_no_mismatches(sweep(f16, kSampleStride * 5, Tininess::BeforeRounding), 20000);
}

TEST_CASE("bfloat16 codes (sampled) convert to every small preset as the oracle does", "[convert]") {
  const Format bf16 = parse_format("bfloat16");
  test::require_no_mismatches(sweep(bf16, kSampleStride, Tininess::AfterRounding), 100000);
  test::require_no_mismatches(sweep(bf16, kSampleStride * 5, Tininess::BeforeRounding), 20000);
}

TEST_CASE("every binary16 code converts to every small preset as the oracle does", "[convert][long]") {
  const Format f16 = parse_format("binary16");
  for (Tininess tn : {Tininess::AfterRounding, Tininess::BeforeRounding})
    test::require_no_mismatches(sweep(f16, 1, tn), 65536 * 11 * 18);
}

TEST_CASE("every bfloat16 code converts to every small preset as the oracle does", "[convert][long]") {
  const Format bf16 = parse_format("bfloat16");
  for (Tininess tn : {Tininess::AfterRounding, Tininess::BeforeRounding})
    test::require_no_mismatches(sweep(bf16, 1, tn), 65536 * 11 * 18);
}

}  // namespace
}  // namespace fpsim
