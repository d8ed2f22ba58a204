// numerics/ and sim/ must not include tools/ headers, nlohmann, fmt, <iostream> or <fstream>
// (ARCHITECTURE.md: I/O, JSON and formatting live in tools/ and tests/ only).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Violation {
  std::string where;  // "numerics/x.cpp:12: #include <iostream>"
};

// An #include line naming a forbidden header: "tools/...", nlohmann, fmt, <iostream>, <fstream>.
bool forbidden(const std::string& line) {
  static const std::regex include(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  std::smatch m;
  if (!std::regex_search(line, m, include)) return false;
  const std::string header = m[1];
  return header.starts_with("tools/") || header.starts_with("nlohmann") || header.starts_with("fmt/") ||
         header == "fmt" || header == "iostream" || header == "fstream";
}

std::vector<Violation> scan(const fs::path& root, const std::vector<std::string>& dirs, size_t& files) {
  std::vector<Violation> out;
  for (const std::string& dir : dirs) {
    if (!fs::is_directory(root / dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".hpp")) continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      for (size_t n = 1; std::getline(in, line); ++n)
        if (forbidden(line))
          out.push_back({fs::relative(entry.path(), root).string() + ":" + std::to_string(n) + ": " + line});
    }
  }
  return out;
}

TEST_CASE("the include check recognises forbidden and allowed headers", "[purity]") {
  CHECK(forbidden("#include <iostream>"));
  CHECK(forbidden("  #  include <fstream>"));
  CHECK(forbidden("#include \"tools/io/text.h\""));
  CHECK(forbidden("#include <nlohmann/json.hpp>"));
  CHECK(forbidden("#include <fmt/format.h>"));
  CHECK_FALSE(forbidden("#include <sstream>"));
  CHECK_FALSE(forbidden("#include \"numerics/core/format.h\""));
  CHECK_FALSE(forbidden("// #include <iostream> is not allowed here"));
}

TEST_CASE("numerics and sim include no tools, nlohmann, fmt, iostream or fstream headers", "[purity]") {
  const char* env = std::getenv("FPSIM_SOURCE_DIR");
  REQUIRE(env != nullptr);  // set by CTest
  const fs::path root = env;
  REQUIRE(fs::is_directory(root / "numerics"));
  size_t files = 0;
  const std::vector<Violation> bad = scan(root, {"numerics", "sim"}, files);
  std::string list;
  for (const Violation& v : bad) list += v.where + "\n";
  INFO(bad.size() << " forbidden includes in " << files << " files:\n" << list);
  CHECK(files >= 10);
  CHECK(bad.empty());
}

}  // namespace
