// encode_decimal rounds the exact decimal once: checked against the oracle (MPFR reads the string)
// on hand-picked strings (ties, just off ties, overflow and underflow boundaries, long digit strings)
// and random digit strings, into every preset and custom format.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "cases.h"
#include "compare.h"
#include "numerics/reference/oracle.h"

namespace fpsim {
namespace {

const char* const kStrings[] = {
    "0.1", "-0.1", "1e-7", "65520", "65519.99999999999999999", "65504", "57344.0000001", "57343.9999999",
    "61440", "61439.999999999999999999", "61440.000000000000000001", "448", "464", "464.0000000000001",
    "463.99999999999999999", "480", "240", "1.00048828125",  // 1 + 2^-11, a binary16 tie
    "1.000488281250000000000000000001", "1.000488281249999999999999999999",
    "5.9604644775390625e-8",   // 2^-24, binary16's smallest subnormal
    "2.98023223876953125e-8",  // 2^-25, the tie with zero
    "2.98023223876953125000000001e-8", "2.98023223876953124999999999e-8",
    "6.103515625e-5", "6.1035156249999999999e-5",  // 2^-14 and just below
    "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899",
    "0.333333333333333333333333333333333333333333333333333333333333333333333333333333",
    "1e-400", "-1e-400", "1e400", "-1e400", "0", "-0", "0.000", "inf", "-inf", "nan", "-nan", "snan",
    "0x1.8p3", "-0x1.fffp-20", "1.5", "2.5", "-2.5", "0.75", "3.4028235677973366e38", "1.1754943508222875e-38",
    "4.9406564584124654e-324", "2.4703282292062327e-324", "1.7976931348623157e308", "6", "7", "7.5", "28", "30",
    "1.7014118346046923e38", "5.877471754111438e-39", "2.9387358770557188e-39",
};

std::string random_decimal(test::SplitMix64& rng, const Format& f) {
  std::string s = (rng.next() & 1) ? "-" : "";
  const int digits = 1 + static_cast<int>(rng.below(40));
  for (int i = 0; i < digits; ++i) {
    s += static_cast<char>('0' + rng.below(10));
    if (i == 0) s += '.';
  }
  // Exponent spread over the format's range and a little beyond (log10 2 ~ 0.30103).
  const int lo = static_cast<int>(std::floor((f.emin() - f.man_bits() - 2) * 0.30103));
  const int hi = static_cast<int>(std::ceil((f.emax() + 2) * 0.30103));
  return s + "e" + std::to_string(lo + static_cast<int>(rng.below(static_cast<uint64_t>(hi - lo + 1))));
}

TEST_CASE("encode_decimal rounds the exact decimal once, as the oracle does", "[decimal]") {
  test::MismatchLog log;
  test::SplitMix64 rng{99};
  std::vector<Format> formats = test::all_presets();
  for (const Format& f : test::custom_formats(24, 20240607)) formats.push_back(f);
  for (const Format& f : formats) {
    std::vector<std::string> strings(std::begin(kStrings), std::end(kStrings));
    for (int i = 0; i < 40; ++i) strings.push_back(random_decimal(rng, f));
    for (Rounding r : test::kDeterministicModes)
      for (Overflow o : test::kOverflowPolicies)
        for (Tininess tn : {Tininess::AfterRounding, Tininess::BeforeRounding}) {
          Target t{f};
          t.rounding = r;
          t.overflow = o;
          t.tininess = tn;
          for (const std::string& s : strings)
            log.check_lazy(encode_decimal(s, t), reference::oracle_decimal(s, t), f,
                           [&] { return "\"" + s + "\" -> " + test::describe(t); });
        }
  }
  test::require_no_mismatches(log, 100000);
}

TEST_CASE("decimal strings that are not binary64 values round differently from their nearest double",
          "[decimal]") {
  // A case that would fail if the string went through double: 65519.99999999999999999 is below the
  // binary16 overflow tie 65520, but its nearest double is 65520.0 exactly.
  const Target t{parse_format("binary16")};
  CHECK(reference::oracle_decimal("65519.99999999999999999", t) == Rounded{Bits{0x7bff}, flag::inexact});
  CHECK(encode_decimal("65519.99999999999999999", t) == Rounded{Bits{0x7bff}, flag::inexact});
  CHECK(encode(65519.99999999999999999, t) == Rounded{Bits{0x7c00}, 0x05});
  CHECK(reference::oracle_decimal("0.1", Target{parse_format("bfloat16")}) == Rounded{Bits{0x3dcd}, flag::inexact});
}

}  // namespace
}  // namespace fpsim
