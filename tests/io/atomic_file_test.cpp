#include <catch2/catch.hpp>
#include <filesystem>

#include "tools/io/atomic_file.h"

TEST_CASE("an atomic write replaces the file whole and leaves no temporary behind", "[io]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "fpsim_atomic_test" / "nested";
  fs::remove_all(dir.parent_path());
  fpsim::io::write_file_atomic(dir / "a.json", "{\"schema\": 1}\n");
  CHECK(fpsim::io::read_file(dir / "a.json") == "{\"schema\": 1}\n");
  fpsim::io::write_file_atomic(dir / "a.json", "x");
  CHECK(fpsim::io::read_file(dir / "a.json") == "x");
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) entries += e.is_regular_file();
  CHECK(entries == 1);
  CHECK_THROWS_WITH(fpsim::io::read_file(dir / "missing.json"), Catch::Contains("missing.json"));
  fs::remove_all(dir.parent_path());
}
