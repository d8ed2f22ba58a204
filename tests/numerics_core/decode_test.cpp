// Every code of every preset of 16 bits or fewer decodes to the oracle's value and class.
#include <catch2/catch.hpp>
#include <cmath>

#include "cases.h"
#include "compare.h"
#include "numerics/reference/oracle.h"

namespace fpsim {
namespace {

TEST_CASE("every code of every preset of at most 16 bits decodes to the oracle's value and class", "[decode]") {
  const std::vector<Format> formats = test::presets_up_to(16);
  REQUIRE(formats.size() == 17);  // binary16, bfloat16, the eleven 8-bit-or-smaller presets and four P3109 ones
  size_t cases = 0, mismatches = 0;
  std::string first;
  for (const Format& f : formats) {
    for (uint64_t code = 0; code <= f.code_mask(); ++code) {
      const reference::Decoded want = reference::oracle_decode(Bits{code}, f);
      const double got = decode(Bits{code}, f);
      const Class got_class = classify(Bits{code}, f);
      ++cases;
      const bool same_value = std::isnan(want.value) ? std::isnan(got) && std::signbit(got) == want.sign
                                                     : bits_of(got) == bits_of(want.value);
      if (same_value && got_class == want.cls) continue;
      if (++mismatches <= 10)
        first += f.to_string() + " " + test::hex(Bits{code}, f) + ": got " + std::to_string(got) + " " +
                 to_string(got_class) + ", oracle " + std::to_string(want.value) + " " + to_string(want.cls) + "\n";
    }
  }
  INFO(mismatches << " mismatches in " << cases << " codes:\n" << first);
  CHECK(cases == 2 * 65536 + 12 * 256 + 2 * 64 + 16);
  CHECK(mismatches == 0);
}

TEST_CASE("a preset's max_code decodes to max_value and min_positive_code to min_subnormal", "[decode]") {
  for (const Format& f : test::all_presets()) {
    INFO(f.to_string());
    CHECK(reference::oracle_decode(f.max_code(), f).value == f.max_value());
    CHECK(reference::oracle_decode(f.min_positive_code(), f).value == f.min_subnormal());
    if (f.has_nan()) CHECK(std::isnan(reference::oracle_decode(f.default_nan(true), f).value));
  }
}

}  // namespace
}  // namespace fpsim
