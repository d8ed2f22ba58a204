// A seeded, bounded fuzz run in the default suite: random mutations of the shipped experiment configs
// and of round / eval / quantize inputs. Whatever the input, fpsim never crashes (exit status 0 or 2,
// never a signal), never exits 0 on input that is certainly malformed, and never leaves a partial
// results folder (a failed `train` writes no config.json, metrics.jsonl or summary.json).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "numerics_core/cases.h"
#include "run_cli.h"

using fpsim::test::run_fpsim;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Rng = fpsim::test::SplitMix64;

// Every leaf pointer of a JSON document.
void leaves(const json& j, const std::string& at, std::vector<std::string>& out) {
  if (j.is_object() && !j.empty())
    for (const auto& [k, v] : j.items()) leaves(v, at + "/" + k, out);
  else if (j.is_array() && !j.empty())
    for (size_t i = 0; i < j.size(); ++i) leaves(j[i], at + "/" + std::to_string(i), out);
  else out.push_back(at);
}

// The shipped run configs, made quick to train (synthetic data, two steps) so valid mutations finish fast.
std::vector<json> shipped_configs() {
  std::vector<json> out;
  const char* source = std::getenv("FPSIM_SOURCE_DIR");
  REQUIRE(source != nullptr);
  const fs::path dir = fs::path(source) / "experiments";
  for (const auto& e : fs::directory_iterator(dir)) {
    const json j = json::parse(fpsim::test::slurp(e.path()), nullptr, false);
    if (e.path().extension() != ".json" || !j.is_object()) continue;
    json run = j.contains("base") ? j["base"] : j;
    if (!run.is_object() || run.contains("file")) continue;
    run["data"] = {{"dataset", "synthetic"}, {"train_size", 64}, {"test_size", 32}, {"batch_size", 32}};
    run.erase("epochs");
    run["steps"] = 2;
    run["threads"] = 1;
    if (run.contains("model") && run["model"].contains("widths")) run["model"]["widths"] = {784, 16, 10};
    out.push_back(run);
  }
  return out;
}

bool has_results_files(const fs::path& dir) {
  for (const char* f : {"config.json", "metrics.jsonl", "summary.json"})
    if (fs::exists(dir / f)) return true;
  return false;
}

// One mutation. Returns true when the result is certainly malformed (must be rejected).
bool mutate(std::string& text, json& j, Rng& rng) {
  std::vector<std::string> paths;
  leaves(j, "", paths);
  const json::json_pointer p(paths[rng.below(paths.size())]);
  static const std::vector<json> odd = {-1, 0, 1, 2.5, -1e300, 1e300, "x", true, nullptr, json::array(),
                                        json::object(), "e4m3,bias=-1", "sr:0", "sr:64", 9007199254740993ll};
  switch (rng.below(7)) {
    case 0:  // truncate the text
      text = j.dump(2);
      text.resize(rng.below(text.size()));
      return true;
    case 1:  // an unknown key
      j["unknown_" + std::to_string(rng.below(100))] = 1;
      text = j.dump(2);
      return true;
    case 2: {  // a key twice: the first key of the top object again
      text = j.dump(2);
      const size_t brace = text.find('{');
      text.insert(brace + 1, "\n  \"name\": \"dup\",");
      return true;
    }
    case 3:  // a number out of binary64's range
      text = j.dump(2);
      text.insert(text.rfind('}'), ", \"seed\": 1e400");
      return true;
    case 4:  // a byte replaced by garbage
      text = j.dump(2);
      text[rng.below(text.size())] = "#@\\\x01{]"[rng.below(6)];
      return false;  // may land in a string and stay valid
    default:  // an odd value at a leaf
      j[p] = odd[rng.below(odd.size())];
      text = j.dump(2);
      return false;
  }
}

}  // namespace

TEST_CASE("mutated experiment configs never crash, never pass when malformed, never leave partial results",
          "[cli][fuzz]") {
  Rng rng{20261206};
  const std::vector<json> configs = shipped_configs();
  REQUIRE(configs.size() >= 4);
  const fs::path dir = fs::temp_directory_path() / ("fpsim_fuzz_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  int malformed = 0, rejected = 0;
  for (int i = 0; i < 48; ++i) {
    json j = configs[rng.below(configs.size())];
    std::string text;
    const bool bad = mutate(text, j, rng);
    const fs::path file = dir / ("c" + std::to_string(i) + ".json"), out = dir / ("out" + std::to_string(i));
    std::ofstream(file) << text;
    const auto r = run_fpsim("train " + file.string() + " --out " + out.string() + " --progress none");
    INFO("case " << i << ": " << text.substr(0, 400) << "\nstderr: " << r.err);
    CHECK((r.status == 0 || r.status == 2));
    if (bad) CHECK(r.status == 2);
    if (r.status != 0) {
      CHECK(!has_results_files(out));
      CHECK(r.err.rfind("error: ", 0) == 0);
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
      ++rejected;
    } else {
      CHECK(fs::exists(out / "summary.json"));
    }
    malformed += bad;
  }
  CHECK(malformed > 10);
  CHECK(rejected >= malformed);
  fs::remove_all(dir);
}

TEST_CASE("random round, eval and quantize inputs never crash and malformed ones are errors", "[cli][fuzz]") {
  Rng rng{7};
  const char* formats[] = {"e5m2", "e4m3fn", "binary16", "e2m1fn", "e8m0fnu", "e4m3,bias=-1", "bfloat16"};
  const char* pieces[] = {"1", "0", "9", ".", "e", "-", "+", "x", "p", "inf", "nan", "0x1.8", "e-99999999999",
                          "e99999999999999999999", "00000000000000000001", "5", "z"};
  for (int i = 0; i < 40; ++i) {
    std::string value;
    for (size_t n = 1 + rng.below(6); n-- > 0;) value += pieces[rng.below(sizeof pieces / sizeof *pieces)];
    const std::string format = formats[rng.below(sizeof formats / sizeof *formats)];
    const bool garbage = value.find('z') != std::string::npos;
    const auto r = run_fpsim("round --format '" + format + "' --rounding " + (rng.below(2) ? "sr" : "rne") +
                             " -- '" + value + "'");
    INFO("round " << format << " " << value << ": " << r.err);
    CHECK((r.status == 0 || r.status == 2));
    if (garbage) CHECK(r.status == 2);
    if (r.status == 2) CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    const auto q = run_fpsim("quantize --format '" + format + "' --stats", "1\n" + value + "\n");
    CHECK((q.status == 0 || q.status == 2));
    if (garbage) CHECK(q.status == 2);
    if (q.status == 2) CHECK(q.out.empty());
  }
  for (int i = 0; i < 24; ++i) {
    std::string line;
    for (size_t n = rng.below(6); n-- > 0;) line += "0123456789ABCDEFxg "[rng.below(19)];
    const bool two_digits = line.size() == 2 && line.find_first_not_of("0123456789ABCDEF") == std::string::npos;
    const auto r = run_fpsim("eval add --format e5m2", line + "\n");
    INFO("eval add \"" << line << "\": " << r.err);
    CHECK((r.status == 0 || r.status == 2));
    if (line.find('g') != std::string::npos || (!two_digits && line.find(' ') == std::string::npos && !line.empty()))
      CHECK(r.status == 2);
  }
}
