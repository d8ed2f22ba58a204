// A corrupt or unreadable summary.json is named and counted, never averaged as if the seed were missing;
// run folders that sweep.json does not list are reported as belonging to an older version of the sweep.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tools/report/data.h"

using nlohmann::json;
using namespace fpsim;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

json summary(json accuracy) {
  return {{"schema", 1}, {"status", "completed"}, {"final_test_accuracy", accuracy}, {"steps", 10}};
}

}  // namespace

TEST_CASE("a malformed summary is counted as corrupt and an unindexed run as an older sweep version", "[report]") {
  const fs::path dir = fs::temp_directory_path() / ("fpsim_report_corrupt_" + std::to_string(::getpid())) / "s";
  fs::remove_all(dir);
  json runs = json::array();
  for (const char* id : {"aaaaaaaaaaa1", "aaaaaaaaaaa2", "aaaaaaaaaaa3"}) {
    runs.push_back({{"id", id}, {"index", runs.size()}, {"overrides", {{"/seed", runs.size()}}}});
    write(dir / id / "run.json", json{{"schema", 1}, {"id", id}, {"overrides", {{"/seed", runs.size() - 1}}}}.dump());
  }
  write(dir / "sweep.json", json{{"schema", 1}, {"name", "s"}, {"axes", {"/seed"}}, {"runs", runs}}.dump());
  write(dir / "aaaaaaaaaaa1" / "summary.json", summary(0.8).dump());
  write(dir / "aaaaaaaaaaa2" / "summary.json", summary("high").dump());
  write(dir / "aaaaaaaaaaa3" / "summary.json", "{\"schema\": 1, \"status\": \"compl");
  const json older = {{"schema", 1}, {"id", "bbbbbbbbbbbb"}, {"overrides", {{"/seed", 9}}}};
  write(dir / "bbbbbbbbbbbb" / "run.json", older.dump());
  write(dir / "bbbbbbbbbbbb" / "summary.json", summary(0.7).dump());

  const io::ReportData d = io::load_report_data(dir);
  REQUIRE(d.runs.size() == 4);
  CHECK(d.runs[0].status == "completed");
  CHECK(d.runs[1].status == "corrupt");
  CHECK(d.runs[1].problem == "\"final_test_accuracy\" is \"high\", not a number");
  CHECK(d.runs[1].summary.is_null());
  CHECK(d.runs[2].status == "corrupt");
  CHECK(d.corrupt == 2);
  CHECK(d.older_sweep == std::vector<std::string>{"bbbbbbbbbbbb"});
  CHECK(d.runs[3].older_sweep);
  CHECK_FALSE(d.runs[0].older_sweep);
  fs::remove_all(dir.parent_path());
}
