// Run ids hash the canonical resolved config: an axis value that spells out a default is the same run as
// one that omits it, and folders named by the older scheme (the hash of the unresolved config) are
// renamed to the new ids with their results intact.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tools/io/atomic_file.h"
#include "tools/io/config.h"
#include "tools/sweep/spec.h"
#include "tools/sweep/state.h"

using nlohmann::json;
using namespace fpsim::io;
namespace fs = std::filesystem;

namespace {

json sweep_doc(const json& optimizer_values) {
  return {{"schema", 1},
          {"name", "ids"},
          {"base",
           {{"schema", 1},
            {"name", "ids"},
            {"data", {{"dataset", "synthetic"}, {"shuffle", true}}},  // a spelled-out default
            {"steps", 2},
            {"optimizer", json::object()}}},
          {"axes", {{"/optimizer", optimizer_values}}},
          {"seeds", {1, 2}}};
}

ConfigResolver resolver() {
  return [](const json& c) { return canonical_run_config(c, "s.json"); };
}

}  // namespace

TEST_CASE("a spelled-out default gives the same run id as leaving it out", "[sweep][id]") {
  const SweepSpec both = parse_sweep(sweep_doc({json::object(), {{"nesterov", false}}}), "s.json");
  CHECK(expand_sweep(both).size() == 4);  // the unresolved configs differ
  CHECK_THROWS_WITH(expand_sweep(both, resolver()), Catch::Contains("resolve to the same config"));
  const SweepSpec a = parse_sweep(sweep_doc({json::object(), {{"nesterov", true}}}), "s.json");
  const SweepSpec b =
      parse_sweep(sweep_doc({{{"nesterov", false}, {"momentum", 0.9}}, {{"nesterov", true}}}), "s.json");
  const auto ra = expand_sweep(a, resolver()), rb = expand_sweep(b, resolver());
  REQUIRE(ra.size() == rb.size());
  for (size_t i = 0; i < ra.size(); ++i) CHECK(ra[i].id == rb[i].id);
}

TEST_CASE("folders named by the older id scheme are renamed to the resolved-config ids", "[sweep][id]") {
  const fs::path results = fs::temp_directory_path() / ("fpsim_sweep_ids_" + std::to_string(::getpid()));
  fs::remove_all(results);
  const SweepSpec spec = parse_sweep(sweep_doc({json::object(), {{"nesterov", true}}}), "s.json");
  const auto runs = expand_sweep(spec, resolver());
  for (const SweepRun& r : runs) {
    const fs::path legacy = results / "ids" / run_id(r.config);
    REQUIRE(legacy.filename() != r.id);
    fs::create_directories(legacy);
    write_file_atomic(legacy / "run.json", json{{"schema", 1}, {"id", run_id(r.config)}}.dump());
    write_file_atomic(legacy / "summary.json", R"({"schema": 1, "status": "completed"})");
  }
  CHECK(adopt_legacy_run_dirs(results, spec, runs) == runs.size());
  CHECK(adopt_legacy_run_dirs(results, spec, runs) == 0);
  for (const SweepRun& r : runs) {
    CHECK(run_state(run_dir(results, spec.name, r)) == RunState::Completed);
    CHECK(json::parse(read_file(run_dir(results, spec.name, r) / "run.json"))["id"] == r.id);
    CHECK_FALSE(fs::exists(results / "ids" / run_id(r.config)));
  }
  fs::remove_all(results);
}
