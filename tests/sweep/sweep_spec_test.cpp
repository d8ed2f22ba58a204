// Sweep files: expansion (cartesian × zip × seeds), validation errors with file and JSON pointer,
// stable run ids, shards.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "tools/io/config_error.h"
#include "tools/sweep/spec.h"

using nlohmann::json;
using namespace fpsim::io;

namespace {

json base_config() {
  return {{"schema", 1},
          {"name", "mlp"},
          {"seed", 0},
          {"steps", 10},
          {"precision", {{"weight", {{"format", "e5m2"}, {"rounding", "rne"}}}, {"loss_scale", {{"init", 1024}}}}},
          {"layers", {8, 8}}};
}

json small_sweep() {
  return {{"schema", 1},
          {"name", "small"},
          {"base", base_config()},
          {"axes", {{"/precision/weight/format", {"e5m2", "e4m3", "binary16"}}, {"/steps", {10, 20}}}},
          {"zip", {{{"/precision/weight/rounding", {"rne", "sr"}}, {"/precision/loss_scale/init", {1, 2}}}}},
          {"seeds", {1, 2}}};
}

std::string error_of(const json& doc) {
  try {
    parse_sweep(doc, "exp/s.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("expansion is the cartesian product of axes, zip groups and seeds, seeds fastest", "[sweep]") {
  const SweepSpec spec = parse_sweep(small_sweep(), "s.json");
  const std::vector<SweepRun> runs = expand_sweep(spec);
  REQUIRE(runs.size() == 3 * 2 * 2 * 2);
  std::set<std::string> combos, ids;
  for (size_t i = 0; i < runs.size(); ++i) {
    const SweepRun& r = runs[i];
    CHECK(r.index == i);
    combos.insert(r.overrides.dump());
    ids.insert(r.id);
    // Every override is applied to the config at its pointer.
    for (const auto& [pointer, value] : r.overrides.items()) CHECK(r.config.at(json::json_pointer(pointer)) == value);
    // Zipped values change together.
    const bool rne = r.config["precision"]["weight"]["rounding"] == "rne";
    CHECK(r.config["precision"]["loss_scale"]["init"] == (rne ? 1 : 2));
    // Untouched parts of the base survive.
    CHECK(r.config["layers"] == json({8, 8}));
  }
  CHECK(combos.size() == runs.size());
  CHECK(ids.size() == runs.size());
  CHECK(runs[0].config["seed"] == 1);
  CHECK(runs[1].config["seed"] == 2);
  CHECK(runs[1].config["precision"]["weight"]["rounding"] == "rne");
  CHECK(runs[2].config["precision"]["weight"]["rounding"] == "sr");
  // Axes are outermost, in pointer order: /precision/weight/format before /steps.
  CHECK(runs[0].config["precision"]["weight"]["format"] == "e5m2");
  CHECK(runs[4].config["steps"] == 20);
  CHECK(runs[8].config["precision"]["weight"]["format"] == "e4m3");
}

TEST_CASE("a sweep without axes or seeds is the base config alone", "[sweep]") {
  const std::vector<SweepRun> runs = expand_sweep(parse_sweep({{"schema", 1}, {"name", "one"}, {"base", base_config()}}, "s.json"));
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].config == base_config());
  CHECK(runs[0].overrides == json::object());
}

TEST_CASE("run ids depend only on the resolved config, not on key order or the sweep", "[sweep]") {
  const json a = json::parse(R"({"b": 1, "a": {"y": [1, 2], "x": "e5m2"}})");
  const json b = json::parse(R"({"a": {"x": "e5m2", "y": [1, 2]}, "b": 1})");
  CHECK(canonical_json(a) == R"({"a":{"x":"e5m2","y":[1,2]},"b":1})");
  CHECK(run_id(a) == run_id(b));
  CHECK(run_id(a).size() == 12);
  CHECK(run_id(a).find_first_not_of("0123456789abcdef") == std::string::npos);
  // A one-character change anywhere changes the id.
  CHECK(run_id(json::parse(R"({"a": {"x": "e5m3", "y": [1, 2]}, "b": 1})")) != run_id(a));
  CHECK(run_id(json::parse(R"({"a": {"x": "e5m2", "y": [1, 2]}, "b": 2})")) != run_id(a));
  // Regression vector: ids name result folders, so the hash must never change silently.
  CHECK(run_id(a) == run_id(json::parse(canonical_json(a))));
  CHECK(run_id(json::parse(R"({"schema":1})")) == "f8e4c0bed046");
  // The same cell of two differently written sweeps has the same id.
  json other = small_sweep();
  other["name"] = "renamed";
  other["description"] = "same grid";
  CHECK(expand_sweep(parse_sweep(other, "t.json"))[5].id == expand_sweep(parse_sweep(small_sweep(), "s.json"))[5].id);
}

TEST_CASE("validation errors name the file and the JSON pointer of the problem", "[sweep]") {
  struct Case {
    std::function<void(json&)> mutate;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](json& d) { d["schema"] = 2; }, "exp/s.json:/schema: unsupported schema 2"},
      {[](json& d) { d.erase("schema"); }, "exp/s.json:/schema: missing"},
      {[](json& d) { d["name"] = "a/b"; }, "exp/s.json:/name: \"a/b\" must use only"},
      {[](json& d) { d["axis"] = 1; }, "exp/s.json:/axis: unknown key \"axis\""},
      {[](json& d) { d.erase("base"); }, "exp/s.json:/base: missing"},
      {[](json& d) { d["base"] = {{"file", "nope.json"}}; }, "exp/s.json:/base/file: base config exp/nope.json does not exist"},
      {[](json& d) { d["axes"]["/steps"] = json::array(); }, "exp/s.json:/axes/~1steps: expected a non-empty array"},
      {[](json& d) { d["axes"]["/steps"] = {10, 10}; }, "exp/s.json:/axes/~1steps/1: duplicate value 10"},
      {[](json& d) { d["axes"]["steps"] = {1}; }, "exp/s.json:/axes/steps: \"steps\" is not a JSON pointer"},
      {[](json& d) { d["axes"]["/model/width"] = {1}; },
       "exp/s.json:/axes/~1model~1width: cannot override /model/width: its parent /model does not exist"},
      {[](json& d) { d["axes"]["/name/x"] = {1}; },
       "exp/s.json:/axes/~1name~1x: cannot override /name/x: its parent /name is a string in the base config"},
      {[](json& d) { d["axes"]["/layers/5"] = {1}; }, "exp/s.json:/axes/~1layers~15: cannot override /layers/5"},
      {[](json& d) { d["zip"][0]["/precision/weight/rounding"] = {"rne", "sr", "rtz"}; },
       "exp/s.json:/zip/0/~1precision~1weight~1rounding: has 3 values but /precision/loss_scale/init has 2"},
      {[](json& d) { d["zip"][0]["/steps"] = {1, 2}; }, "exp/s.json:/zip/0/~1steps: /steps is swept twice"},
      {[](json& d) { d["axes"]["/seed"] = {1, 2}; }, "exp/s.json:/seeds: /seed is swept twice"},
      {[](json& d) { d["seeds"] = {1, -2}; }, "exp/s.json:/seeds/1: expected a non-negative integer, got -2"},
      {[](json& d) { d["seeds"] = {3, 3}; }, "exp/s.json:/seeds/1: duplicate seed 3"},
      {[](json& d) { d["baseline"] = {{"/layers", {8, 8}}}; }, "exp/s.json:/baseline/~1layers: /layers is not a swept path"},
  };
  for (const Case& c : cases) {
    json doc = small_sweep();
    c.mutate(doc);
    INFO("expected: " << c.expected);
    CHECK_THAT(error_of(doc), Catch::Matchers::StartsWith(c.expected));
  }
  CHECK(error_of(small_sweep()) == "(no error)");
}

TEST_CASE("runs that resolve to the same config are rejected before anything runs", "[sweep]") {
  json doc = small_sweep();
  doc["axes"]["/precision/weight/format"] = {"e5m2", "e4m3"};
  doc["axes"]["/steps"] = {10, 20};
  // A zip group that repeats a cell makes two runs of one config.
  doc["zip"] = {{{"/precision/weight/rounding", {"rne", "rne"}}, {"/precision/loss_scale/init", {1, 1}}}};
  CHECK_THROWS_WITH(expand_sweep(parse_sweep(doc, "s.json")),
                    Catch::Matchers::Contains("resolve to the same config"));
}

TEST_CASE("a base file is read relative to the sweep file and its errors name it", "[sweep]") {
  const auto dir = std::filesystem::temp_directory_path() / ("fpsim_sweep_spec_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "exp");
  std::ofstream(dir / "exp" / "base.json") << base_config().dump();
  json doc = small_sweep();
  doc["base"] = {{"file", "base.json"}};
  std::ofstream(dir / "exp" / "s.json") << doc.dump();
  const SweepSpec spec = load_sweep(dir / "exp" / "s.json");
  CHECK(spec.base == base_config());
  CHECK(expand_sweep(spec).size() == 24);
  std::ofstream(dir / "exp" / "base.json") << "{\"schema\": 1,";
  CHECK_THROWS_WITH(load_sweep(dir / "exp" / "s.json"),
                    Catch::Matchers::StartsWith((dir / "exp" / "base.json").string() + ":/: invalid JSON"));
  std::ofstream(dir / "exp" / "s.json") << "[1, 2";  // the error points at the element being read
  CHECK_THROWS_WITH(load_sweep(dir / "exp" / "s.json"),
                    Catch::Matchers::StartsWith((dir / "exp" / "s.json").string() + ":/2: invalid JSON at line 1"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("shards partition the runs: disjoint, complete and balanced", "[sweep]") {
  const std::vector<SweepRun> runs = expand_sweep(parse_sweep(small_sweep(), "s.json"));
  for (size_t n = 1; n <= 7; ++n) {
    std::multiset<std::string> seen;
    for (size_t i = 0; i < n; ++i) {
      const auto shard = shard_runs(runs, i, n);
      CHECK(shard.size() >= runs.size() / n);
      CHECK(shard.size() <= runs.size() / n + 1);
      for (const SweepRun& r : shard) seen.insert(r.id);
    }
    CHECK(seen.size() == runs.size());
    for (const SweepRun& r : runs) CHECK(seen.count(r.id) == 1);
  }
  CHECK(parse_shard("0/1") == std::pair<size_t, size_t>{0, 1});
  CHECK(parse_shard("3/4") == std::pair<size_t, size_t>{3, 4});
  for (const char* bad : {"4/4", "1", "/4", "1/0", "-1/4", "a/b", "1/4/2", ""})
    CHECK_THROWS_WITH(parse_shard(bad), Catch::Matchers::Contains("expected I/N"));
}
