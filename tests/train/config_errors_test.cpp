// Run configs mean what they say: formats as strings or objects (any legal bias), one JSON reading with
// duplicate keys and out-of-range numbers rejected at their pointer, presets applied or rejected, ids of
// the canonical resolved config, exempt layer names checked against the model.
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <fstream>

#include "tools/io/config.h"
#include "tools/io/strict_json.h"
#include "tools/io/train_run.h"

using nlohmann::json;
using namespace fpsim;

namespace {

json minimal() {
  return json::parse(R"({"schema": 1, "name": "t", "data": {"dataset": "synthetic"}, "steps": 4})");
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("fpsim_config_errors_" + name);
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("a run config accepts a format object wherever it accepts a format string", "[config][format]") {
  json a = minimal(), b = minimal();
  a["precision"]["weight"]["format"] = "e4m3,bias=-1";
  b["precision"]["weight"]["format"] = json::parse(R"({"exp_bits": 4, "man_bits": 3, "bias": -1})");
  const io::RunConfig ra = io::parse_run_config(a, "a.json"), rb = io::parse_run_config(b, "b.json");
  CHECK(ra.resolved == rb.resolved);
  CHECK(ra.train.plan.quantised.targets[0]->format.bias() == -1);
  CHECK(ra.train.plan.quantised.targets[0]->format.max_value() == 61440.0);  // 1.875 * 2^15
  CHECK(io::canonical_run_config(a, "a.json") == io::canonical_run_config(b, "b.json"));
  json bad = minimal();
  bad["precision"]["weight"]["format"] = json::parse(R"({"exp_bits": 4})");
  CHECK(error_of([&] { io::parse_run_config(bad, "x.json"); }) ==
        "x.json:/precision/weight/format: a format object needs exp_bits and man_bits (or a preset)");
  bad["precision"]["weight"]["format"] = "e4m3,fn,fnuz";
  CHECK(error_of([&] { io::parse_run_config(bad, "x.json"); }) ==
        "x.json:/precision/weight/format: conflicting options in format \"e4m3,fn,fnuz\": "
        "specials is both fn and fnuz");
}

TEST_CASE("JSON files are read strictly: duplicate keys and overflowing numbers name file and pointer", "[config]") {
  const std::string dup = write_temp("dup.json", R"({"schema": 1, "name": "t",
    "optimizer": {"lr": 0.05, "lr": 0.5}})");
  CHECK(error_of([&] { io::load_run_config(dup, {}); }) ==
        dup + ":/optimizer/lr: duplicate key \"lr\" (a key may appear once in an object)");
  const std::string big = write_temp("big.json", R"({"schema": 1, "name": "t", "optimizer": {"lr": 1e400}})");
  CHECK(error_of([&] { io::load_run_config(big, {}); }) ==
        big + ":/optimizer/lr: invalid JSON at line 1, column 52: number overflow parsing '1e400'");
  CHECK(error_of([] { io::parse_json_strict(R"({"a": [1, 2, {"b": 1, "b": 2}]})", "s.json"); }) ==
        "s.json:/a/2/b: duplicate key \"b\" (a key may appear once in an object)");
  CHECK(error_of([] { io::parse_json_strict("{\"a\": [1,\n 2,, 3]}", "s.json"); })
            .rfind("s.json:/a/2: invalid JSON at line 2, column", 0) == 0);
  CHECK(io::parse_json_strict(R"({"a": {"b": [1, {"c": null}]}, "d": "x"})", "s.json") ==
        json::parse(R"({"a": {"b": [1, {"c": null}]}, "d": "x"})"));
}

TEST_CASE("a precision that claims a preset applies it or is rejected", "[config][preset]") {
  json c = minimal();
  c["precision"] = {{"preset", "fp8_paper"}};
  const io::RunConfig r = io::parse_run_config(c, "x.json");
  REQUIRE(r.train.plan.quantised.targets[0].has_value());
  CHECK(r.train.plan.quantised.targets[0]->format.to_string() == "e5m2");
  json by_name = minimal();
  by_name["precision"] = "fp8_paper";
  CHECK(io::parse_run_config(by_name, "x.json").resolved == r.resolved);
  c["precision"]["weight"] = nullptr;
  CHECK(error_of([&] { io::parse_run_config(c, "x.json"); }) ==
        "x.json:/precision/weight: differs from precision preset \"fp8_paper\", which \"preset\" claims (drop "
        "\"preset\" for a custom precision)");
  c["precision"]["preset"] = "fp9";
  CHECK(error_of([&] { io::parse_run_config(c, "x.json"); })
            .rfind("x.json:/precision/preset: unknown precision preset \"fp9\"", 0) == 0);
  // A --set into a preset's field makes a custom precision without the label.
  json s = minimal();
  s["precision"] = "fp8_paper";
  io::apply_set(s, "/precision/weight/format=e4m3fn", "x.json");
  const io::RunConfig custom = io::parse_run_config(s, "x.json");
  CHECK_FALSE(custom.resolved["precision"].contains("preset"));
  CHECK(custom.train.plan.quantised.targets[0]->format.to_string() == "e4m3fn");
}

TEST_CASE("the canonical config drops spelled-out defaults, so they do not change a run id", "[config][id]") {
  json spelled = minimal();
  spelled["optimizer"] = {{"nesterov", false}, {"type", "sgd"}, {"lr", 0.05}};
  spelled["seed"] = 0;
  spelled["precision"] = "fp32";
  CHECK(io::canonical_run_config(spelled, "x.json") == io::canonical_run_config(minimal(), "x.json"));
  CHECK(io::canonical_run_config(minimal(), "x.json") == minimal());
  json other = minimal();
  other["optimizer"] = {{"nesterov", true}};
  CHECK(io::canonical_run_config(other, "x.json") != io::canonical_run_config(minimal(), "x.json"));
  json adam = minimal();
  adam["optimizer"] = {{"type", "adamw"}, {"lr", 0.001}};  // adamw's own default lr
  CHECK(io::canonical_run_config(adam, "x.json") ==
        json::parse(R"({"schema": 1, "name": "t", "data": {"dataset": "synthetic"}, "steps": 4,
                        "optimizer": {"type": "adamw"}})"));
}

TEST_CASE("optional numbers are not in-band sentinels", "[config][sentinel]") {
  // steps 0 is not "not given": it is rejected; epochs and steps together are rejected.
  json c = minimal();
  c["steps"] = 0;
  CHECK(error_of([&] { io::parse_run_config(c, "x.json"); }) == "x.json:/steps: value 0 is outside [1, 1099511627776]");
  c["steps"] = 4;
  c["precision"]["weight"]["format"] = json::parse(R"({"preset": "e4m3fnuz", "bias": -1})");
  CHECK(io::parse_run_config(c, "x.json").train.plan.quantised.targets[0]->format.bias() == -1);
}

TEST_CASE("an exempt layer name must name a layer of the model", "[config]") {
  json c = minimal();
  c["precision"] = {{"exempt", {{"layers", {"fc2", "fc9"}}}}};
  CHECK(error_of([&] { io::parse_run_config(c, "x.json"); }) ==
        "x.json:/precision/exempt/layers/1: unknown layer \"fc9\" (this model has fc1, fc2, fc3)");
  c["precision"]["exempt"]["layers"] = {"fc2"};
  CHECK(error_of([&] { io::parse_run_config(c, "x.json"); }) == "no error");
}
