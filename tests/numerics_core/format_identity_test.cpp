// Format::identity() (the compare behind Format ==): equal exactly when every validated spec field is equal,
// whatever the name, over every preset and custom formats that differ in one field at a time.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "numerics/core/format.h"

namespace fpsim {
namespace {

bool same_fields(const Format& a, const Format& b) {
  return a.exp_bits() == b.exp_bits() && a.man_bits() == b.man_bits() && a.bias() == b.bias() &&
         a.is_signed() == b.is_signed() && a.subnormals() == b.subnormals() && a.has_zero() == b.has_zero() &&
         a.specials() == b.specials();
}

TEST_CASE("Format == holds exactly for equal spec fields", "[format]") {
  std::vector<Format> formats;
  for (const Preset& p : presets()) formats.push_back(Format(p.spec));
  for (const char* text : {"e5m10", "e5m10,bias=14", "e5m10,bias=-1", "e5m10,bias=1000", "e5m10,nosub", "e5m10,fn",
                           "e5m10,fnuz", "e5m10,finite", "e5m10,unsigned", "e4m3", "e4m3,bias=-1", "e4m3,fn,unsigned",
                           "e5m0,fn,unsigned,nozero", "e11m52", "e11m52,nosub", "p3109_k8p3se", "p3109_k8p3sf",
                           "p3109_k8p3ue", "p3109_k8p3uf"})
    formats.push_back(parse_format(text));
  size_t equal_pairs = 0;
  for (const Format& a : formats)
    for (const Format& b : formats) {
      INFO(a.to_string() << " vs " << b.to_string());
      CHECK((a == b) == same_fields(a, b));
      CHECK((a.identity() == b.identity()) == same_fields(a, b));
      equal_pairs += a == b;
    }
  CHECK(equal_pairs > formats.size());  // aliases such as e5m10 and binary16 compare equal
}

TEST_CASE("Format::identity packs the fields as its comment says", "[format]") {
  CHECK(parse_format("binary16").identity() == 0x0000000F00001CA5ull);
  CHECK(parse_format("e5m10").identity() == parse_format("binary16").identity());  // the name plays no part
  // A negative bias keeps its 32-bit two's complement: e4m3 (ieee 0, 4 | 3 << 4 | signed, subnormals, zero).
  CHECK(parse_format("e4m3,bias=-1").identity() == (0xFFFFFFFF00000000ull | 0x1C34));
}

}  // namespace
}  // namespace fpsim
