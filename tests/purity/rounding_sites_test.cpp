// The rounding-sites index at the top of numerics/core/round_pack.cpp names every place that decides a
// rounding bit (or builds the exact value and sticky bit round_pack rounds). This test greps the code
// of numerics/, sim/ and tools/ (comments and strings blanked) for the rounding idioms and fails on a
// file that uses one without an entry; it also checks that every entry's functions and tests exist.
#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "source_tree.h"

namespace {

using fpsim::test::code_only;
using fpsim::test::line_of;
using fpsim::test::read_text;

struct Site {
  std::string kind, path;
  std::vector<std::string> functions, tests;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  static const std::regex item(R"([^,\s]+)");
  for (std::sregex_iterator it(text.begin(), text.end(), item), end; it != end; ++it) out.push_back(it->str());
  return out;
}

// Entries of the index: "//   [kind] path", then "//       fn: a, b" and "//       test: x, y".
std::vector<Site> parse_index(const std::string& text) {
  static const std::regex head(R"(^//\s+\[(\w+)\]\s+(\S+)\s*$)");
  static const std::regex field(R"(^//\s+(fn|test):\s*(.*)$)");
  std::vector<Site> sites;
  std::istringstream in(text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (!line.starts_with("//")) break;  // the index is the file's leading comment
    if (std::regex_match(line, m, head)) {
      sites.push_back(Site{m[1], m[2], {}, {}});
    } else if (!sites.empty() && std::regex_match(line, m, field)) {
      auto& list = m[1] == "fn" ? sites.back().functions : sites.back().tests;
      for (const std::string& s : split_list(m[2])) list.push_back(s);
    }
  }
  return sites;
}

// The idioms of a rounding decision, in code: a sticky bit, the per-mode rule round_up() or its
// header, round to odd (an identifier with "odd" in it: odd_sum, RoundOddMagnitude, plan.odd — but not
// the enumerator Rounding::Odd, which only names the mode), and rounding-table lookups.
const std::regex& idiom() {
  static const std::regex r(R"([Ss]ticky|\bround_up\s*\(|round_decision\.h|[a-z_]odd|\bodd|Odd\w|)"
                            R"(RoundingTable|rounding_table\s*\()");
  return r;
}

// First idiom in a file's code, as "path:line: match", or "" when there is none.
std::string first_idiom(const std::string& code, const std::string& path) {
  std::smatch m;
  if (!std::regex_search(code, m, idiom())) return "";
  return path + ":" + std::to_string(line_of(code, static_cast<std::size_t>(m.position(0)))) + ": " + m.str(0);
}

TEST_CASE("the idiom grep finds rounding decisions in code and ignores comments, strings and mode names",
          "[purity]") {
  CHECK(first_idiom(code_only("bool sticky = rest != 0;\n"), "a.cpp") == "a.cpp:1: sticky");
  CHECK(first_idiom(code_only("x\nif (detail::round_up(s, neg, mode, 0, r)) ++kept;\n"), "a.cpp") ==
        "a.cpp:2: round_up(");
  CHECK(!first_idiom(code_only("float f = odd_sum(u, v);"), "a.cpp").empty());
  CHECK(!first_idiom(code_only("V m = RoundOddMagnitude(w, sb, eb, s);"), "a.cpp").empty());
  CHECK(!first_idiom(code_only("if (const RoundingTable* t = rounding_table(target)) {}"), "a.cpp").empty());
  CHECK(first_idiom(code_only("// the sticky bit and round_up() in a comment\n"), "a.cpp").empty());
  CHECK(first_idiom(code_only("const char* s = \"sticky odd_sum\"; /* sticky */"), "a.cpp").empty());
  CHECK(first_idiom(code_only("case Rounding::Odd: return \"rodd\";"), "a.cpp").empty());
  CHECK(first_idiom(code_only("const uint32_t x = 0x7f'ff; const char c = 'o';"), "a.cpp").empty());
}

TEST_CASE("the rounding-sites index lists every file that decides a rounding bit", "[purity]") {
  const auto root = fpsim::test::source_root();
  REQUIRE(!root.empty());  // set by CTest
  const std::string index_path = "numerics/core/round_pack.cpp";
  const std::vector<Site> sites = parse_index(read_text(root / index_path));
  REQUIRE(sites.size() >= 10);

  std::set<std::string> listed;
  const std::set<std::string> kinds = {"decides", "table", "exact", "oracle", "names"};
  for (const Site& s : sites) {
    INFO("index entry [" << s.kind << "] " << s.path);
    CHECK(kinds.count(s.kind) == 1);
    CHECK(listed.insert(s.path).second);  // one entry per file
    REQUIRE(std::filesystem::is_regular_file(root / s.path));
    const std::string code = code_only(read_text(root / s.path));
    CHECK(!s.functions.empty());
    for (const std::string& fn : s.functions) {
      INFO("fn " << fn);
      CHECK(std::regex_search(code, std::regex("\\b" + fn + "\\b")));
    }
    REQUIRE(!s.tests.empty());
    if (s.tests == std::vector<std::string>{"none"}) {
      CHECK(s.kind == "names");  // only a file that decides nothing may go untested
    } else {
      for (const std::string& t : s.tests) {
        INFO("test " << t);
        CHECK(t.starts_with("tests/"));
        CHECK(std::filesystem::is_regular_file(root / t));
      }
    }
  }

  std::string unlisted;
  std::size_t files = 0;
  for (const std::string& path : fpsim::test::source_files(root, {"numerics", "sim", "tools"})) {
    ++files;
    if (listed.count(path)) continue;
    const std::string hit = first_idiom(code_only(read_text(root / path)), path);
    if (!hit.empty()) unlisted += hit + "\n";
  }
  INFO("files using a rounding idiom without an entry in " << index_path << "'s rounding-sites index:\n"
                                                            << unlisted);
  CHECK(files >= 50);
  CHECK(unlisted.empty());
}

}  // namespace
