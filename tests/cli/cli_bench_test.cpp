// `fpsim bench train` with the precision names README documents: PRESET:unscaled (the preset's casts without
// its scales) next to scaled presets, each timed against the first. Whole commands, two updates each.
#include <catch2/catch.hpp>

#include "run_cli.h"

using fpsim::test::run_fpsim;

TEST_CASE("bench train times PRESET:unscaled against scaled presets, as README's command runs it", "[cli]") {
  const auto r = run_fpsim("bench train --runs 1 --steps 2 --threads 1 --precision tensorwise_e4m3:unscaled mxfp8 nvfp4");
  INFO(r.err);
  REQUIRE(r.status == 0);
  for (const char* line : {"tensorwise_e4m3:unscaled  1 thread(s):", "mxfp8         1 thread(s):", "nvfp4         1 thread(s):"})
    CHECK(r.out.find(line) != std::string::npos);
  CHECK(r.out.find("x tensorwise_e4m3:unscaled 1.00") != std::string::npos);
}

TEST_CASE("bench train names an unknown precision preset", "[cli]") {
  const auto r = run_fpsim("bench train --runs 1 --steps 2 --threads 1 --precision mxfp9:unscaled");
  CHECK(r.status != 0);
  CHECK(r.err == "error: bench train: unknown precision preset \"mxfp9\"\n");
}
