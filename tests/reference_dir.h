#pragma once
// Locates ../shared/reference for tests. Absent directory: the test is skipped with a message,
// unless FPSIM_REQUIRE_REFERENCE=1 (CI), where it fails.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace fpsim::test {

inline std::optional<std::filesystem::path> reference_dir(const std::string& family) {
  const char* env = std::getenv("FPSIM_REFERENCE_DIR");
  std::filesystem::path dir = env && *env ? env : "../shared/reference";
  dir /= family;
  if (std::filesystem::is_directory(dir)) return dir;
  const char* require = std::getenv("FPSIM_REQUIRE_REFERENCE");
  if (require && std::string(require) == "1")
    FAIL("reference directory " << dir << " is missing and FPSIM_REQUIRE_REFERENCE=1");
  WARN("skipped: reference directory " << dir << " not found (set FPSIM_REFERENCE_DIR)");
  return std::nullopt;
}

}  // namespace fpsim::test
