// experiments/README.md's schema block is a config that spells out every default: parsed (comments
// stripped), it must resolve exactly as {"schema": 1, "name": …} does, so the document and the code
// cannot drift apart (seed 0, 1 epoch, fp32, telemetry off).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tools/io/config.h"

using nlohmann::json;
using namespace fpsim;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first ```jsonc block after "## Schema", with // comments removed (outside strings).
std::string schema_block(const std::string& readme) {
  const size_t schema = readme.find("## Schema");
  const size_t open = readme.find("```jsonc\n", schema);
  const size_t close = readme.find("```", open + 9);
  REQUIRE(schema != std::string::npos);
  REQUIRE(open != std::string::npos);
  REQUIRE(close != std::string::npos);
  const std::string block = readme.substr(open + 9, close - open - 9);
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < block.size(); ++i) {
    const char c = block[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < block.size()) out += block[++i];
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c == '/' && i + 1 < block.size() && block[i + 1] == '/') {
      while (i < block.size() && block[i] != '\n') ++i;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the documented defaults block resolves as the code's defaults", "[config][docs]") {
  const char* source = std::getenv("FPSIM_SOURCE_DIR");
  REQUIRE(source != nullptr);
  const json documented = json::parse(schema_block(read(std::string(source) + "/experiments/README.md")));
  REQUIRE(documented.contains("name"));
  const json bare = {{"schema", 1}, {"name", documented["name"]}};
  const json want = io::parse_run_config(bare, "bare.json").resolved;
  const json got = io::parse_run_config(documented, "README.md").resolved;
  CHECK(got.dump(2) == want.dump(2));
  // The block documents every top-level key the resolved config has.
  for (const auto& [key, value] : want.items()) CHECK(documented.contains(key));
}
