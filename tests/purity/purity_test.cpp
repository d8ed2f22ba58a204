// numerics/ and sim/ stay pure (ARCHITECTURE.md): they include no tools/ headers, nlohmann, fmt,
// <iostream> or <fstream>; numerics/ includes nothing from sim/; and neither reads a clock, the
// environment or the thread count (I/O, JSON, formatting, clocks, environment and thread counts live
// in tools/ and tests/ only).
#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

#include "source_tree.h"

namespace {

using fpsim::test::code_only;
using fpsim::test::line_of;
using fpsim::test::read_text;

// The header named by an #include line, or "" for any other line.
std::string included(const std::string& line) {
  static const std::regex include(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  std::smatch m;
  return std::regex_search(line, m, include) ? m[1].str() : "";
}

// An #include line naming a forbidden header: "tools/...", nlohmann, fmt, <iostream>, <fstream>, and for
// files under numerics/ (numerics_file) anything from "sim/".
bool forbidden(const std::string& line, bool numerics_file = false) {
  const std::string header = included(line);
  if (header.empty()) return false;
  if (numerics_file && header.starts_with("sim/")) return true;
  return header.starts_with("tools/") || header.starts_with("nlohmann") || header.starts_with("fmt/") ||
         header == "fmt" || header == "iostream" || header == "fstream";
}

// A read of a clock, the environment or the machine's thread count, in code (comments and strings
// blanked): <chrono>/<ctime>, std::chrono, clock(), time(), clock_gettime, gettimeofday, getenv,
// omp_get_max_threads / omp_get_num_procs / omp_set_num_threads, hardware_concurrency, sysconf.
const std::regex& impure_read() {
  static const std::regex r(
      R"(<chrono>|<ctime>|<sys/time\.h>|\bchrono::|\bclock\s*\(|\btime\s*\(|\bclock_gettime\b|\bgettimeofday\b|)"
      R"(\b(secure_)?getenv\b|\bomp_get_max_threads\b|\bomp_get_num_procs\b|\bomp_set_num_threads\b|)"
      R"(\bhardware_concurrency\b|\bsysconf\b)");
  return r;
}

// "path:line: match" for every impure read in a file's code.
std::vector<std::string> impure_reads(const std::string& code, const std::string& path) {
  std::vector<std::string> out;
  for (std::sregex_iterator it(code.begin(), code.end(), impure_read()), end; it != end; ++it)
    out.push_back(path + ":" + std::to_string(line_of(code, static_cast<std::size_t>(it->position(0)))) + ": " +
                  it->str(0));
  return out;
}

TEST_CASE("the include check recognises forbidden and allowed headers", "[purity]") {
  CHECK(forbidden("#include <iostream>"));
  CHECK(forbidden("  #  include <fstream>"));
  CHECK(forbidden("#include \"tools/io/text.h\""));
  CHECK(forbidden("#include <nlohmann/json.hpp>"));
  CHECK(forbidden("#include <fmt/format.h>"));
  CHECK(forbidden("#include \"sim/tensor.h\"", true));
  CHECK_FALSE(forbidden("#include \"sim/tensor.h\""));  // sim may include sim
  CHECK_FALSE(forbidden("#include <sstream>"));
  CHECK_FALSE(forbidden("#include \"numerics/core/format.h\"", true));
  CHECK_FALSE(forbidden("// #include <iostream> is not allowed here"));
}

TEST_CASE("the clock/environment/thread-count check finds reads in code only", "[purity]") {
  CHECK(impure_reads(code_only("#include <chrono>\n"), "a.cpp") == std::vector<std::string>{"a.cpp:1: <chrono>"});
  CHECK(impure_reads(code_only("x;\nconst char* e = std::getenv(\"X\");"), "a.cpp") ==
        std::vector<std::string>{"a.cpp:2: getenv"});
  CHECK(impure_reads(code_only("int n = omp_get_max_threads();"), "a.cpp").size() == 1);
  CHECK(impure_reads(code_only("auto t = std::chrono::steady_clock::now();"), "a.cpp").size() == 1);
  CHECK(impure_reads(code_only("unsigned n = std::thread::hardware_concurrency();"), "a.cpp").size() == 1);
  CHECK(impure_reads(code_only("// never from the clock (); getenv is for tools\n"), "a.cpp").empty());
  CHECK(impure_reads(code_only("const char* s = \"time(0)\"; int runtime(int); int t = runtime(1);"), "a.cpp")
            .empty());
  // which thread this is, not how many there are:
  CHECK(impure_reads(code_only("int omp_thread = omp_get_thread_num();"), "a.cpp").empty());
}

TEST_CASE("numerics and sim include no tools, nlohmann, fmt, iostream or fstream headers; numerics no sim",
          "[purity]") {
  const auto root = fpsim::test::source_root();
  REQUIRE(!root.empty());  // set by CTest
  REQUIRE(std::filesystem::is_directory(root / "numerics"));
  const auto files = fpsim::test::source_files(root, {"numerics", "sim"});
  std::string bad;
  for (const std::string& path : files) {
    std::istringstream in(read_text(root / path));
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
      if (forbidden(line, path.starts_with("numerics/"))) bad += path + ":" + std::to_string(n) + ": " + line + "\n";
  }
  INFO("forbidden includes in " << files.size() << " files:\n" << bad);
  CHECK(files.size() >= 10);
  CHECK(bad.empty());
}

TEST_CASE("numerics and sim read no clock, environment or thread count", "[purity]") {
  const auto root = fpsim::test::source_root();
  REQUIRE(!root.empty());
  const auto files = fpsim::test::source_files(root, {"numerics", "sim"});
  std::string bad;
  for (const std::string& path : files)
    for (const std::string& hit : impure_reads(code_only(read_text(root / path)), path)) bad += hit + "\n";
  INFO("reads in " << files.size() << " files:\n" << bad);
  CHECK(files.size() >= 10);
  CHECK(bad.empty());
}

}  // namespace
