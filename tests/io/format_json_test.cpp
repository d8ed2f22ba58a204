#include <catch2/catch.hpp>

#include "tools/io/config_error.h"
#include "tools/io/format_json.h"

using fpsim::parse_format;
using fpsim::io::format_from_json;
using nlohmann::json;

TEST_CASE("the JSON object form equals the string grammar", "[io]") {
  CHECK(format_from_json(json("e4m3b11fnuz"), "x.json", "/f") ==
        format_from_json(json{{"exp_bits", 4}, {"man_bits", 3}, {"bias", 11}, {"specials", "fnuz"}}, "x.json", "/f"));
  CHECK(format_from_json(json{{"preset", "e5m2"}, {"subnormals", false}}, "x.json", "/f") == parse_format("e5m2,nosub"));
  for (const auto& p : fpsim::presets()) {
    const fpsim::Format f(p.spec);
    CHECK(format_from_json(fpsim::io::format_to_json(f), "x.json", "/f") == f);
    CHECK(parse_format(f.to_string()) == f);
  }
}

TEST_CASE("format errors name the file and the JSON pointer", "[io]") {
  try {
    format_from_json(json{{"exp_bits", 4}, {"man_bit", 3}}, "exp.json", "/precision/weight/format");
    FAIL("no error");
  } catch (const fpsim::io::ConfigError& e) {
    CHECK(std::string(e.what()).rfind("exp.json:/precision/weight/format/man_bit: unknown key", 0) == 0);
  }
  try {
    format_from_json(json("e9m3x"), "exp.json", "/f");
    FAIL("no error");
  } catch (const fpsim::io::ConfigError& e) {
    CHECK(std::string(e.what()).rfind("exp.json:/f: unknown format \"e9m3x\"", 0) == 0);
  }
  CHECK_THROWS_AS(format_from_json(json{{"exp_bits", 12}, {"man_bits", 3}}, "a", "/f"), fpsim::io::ConfigError);
}
