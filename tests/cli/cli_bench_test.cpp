// `fpsim bench train` with the precision names README documents: PRESET:unscaled (the preset's casts without
// its scales) next to scaled presets, each timed against the first; thread counts measured fewest first. Whole
// commands, two updates each.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

TEST_CASE("bench train measures the fewest threads first and names them in the speed-up column", "[cli]") {
  const auto r = run_fpsim("bench train --runs 1 --steps 2 --threads 2,1 --precision fp32");
  REQUIRE(r.status == 0);
  const size_t one = r.out.find(" 1 thread(s):"), two = r.out.find(" 2 thread(s):");
  REQUIRE(one != std::string::npos);
  REQUIRE(two != std::string::npos);
  CHECK(one < two);
  CHECK(r.out.find("speed-up over 1 thread(s) 1.00") != std::string::npos);
}

TEST_CASE("bench train --model times every thread count given, fewest first", "[cli]") {
  const char* source = std::getenv("FPSIM_SOURCE_DIR");
  REQUIRE(source != nullptr);
  const auto r = run_fpsim(std::string("bench train --runs 1 --steps 2 --threads 2,1 --model ") + source +
                           "/experiments/fmnist_mlp_fp32.json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const size_t one = r.out.find(", 1 threads,"), two = r.out.find(", 2 threads,");
  REQUIRE(one != std::string::npos);
  REQUIRE(two != std::string::npos);
  CHECK(one < two);
}

// fpsim train and bench spin briefly at OpenMP barriers (GOMP_SPINCOUNT=1000) unless the user chose a policy
// (tools/fpsim/wait_policy.cpp).
// libgomp reports the spin count it runs with under OMP_DISPLAY_ENV=verbose (passive: 0); the last report on stderr
// is the one of the process that ran (a re-executed fpsim prints one before the exec too).
namespace {
struct EnvGuard {  // restores the variables however the test case ends
  std::vector<std::pair<std::string, std::optional<std::string>>> saved;
  explicit EnvGuard(std::initializer_list<const char*> names) {
    for (const char* n : names) {
      const char* v = std::getenv(n);
      saved.emplace_back(n, v ? std::optional<std::string>(v) : std::nullopt);
    }
  }
  ~EnvGuard() {
    for (const auto& [name, value] : saved) {
      if (value) setenv(name.c_str(), value->c_str(), 1);
      else unsetenv(name.c_str());
    }
  }
};

std::string spin_count_run_with(
    const std::string& args = "bench train --runs 1 --steps 1 --threads 1 --precision fp32") {
  const auto r = run_fpsim(args);
  REQUIRE(r.status == 0);
  const std::string key = "GOMP_SPINCOUNT = '";
  const size_t at = r.err.rfind(key);
  REQUIRE(at != std::string::npos);
  return r.err.substr(at + key.size(), r.err.find('\'', at + key.size()) - at - key.size());
}
}  // namespace

TEST_CASE("fpsim train and bench spin briefly at barriers unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is set",
          "[cli]") {
  const EnvGuard guard{"OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_DISPLAY_ENV"};
  setenv("OMP_DISPLAY_ENV", "verbose", 1);
  unsetenv("OMP_WAIT_POLICY");
  unsetenv("GOMP_SPINCOUNT");
  CHECK(spin_count_run_with() == "1000");
  CHECK(spin_count_run_with("formats") != "1000");  // a quick command is not re-executed
  setenv("OMP_WAIT_POLICY", "passive", 1);
  CHECK(spin_count_run_with() == "0");
  setenv("OMP_WAIT_POLICY", "active", 1);
  const std::string active = spin_count_run_with();  // libgomp's own choice for an active policy
  CHECK(active != "1000");
  CHECK(active != "0");
  unsetenv("OMP_WAIT_POLICY");
  setenv("GOMP_SPINCOUNT", "5000", 1);
  CHECK(spin_count_run_with() == "5000");
  unsetenv("GOMP_SPINCOUNT");
  unsetenv("OMP_DISPLAY_ENV");
  const auto r = run_fpsim("bench train --runs 1 --steps 1 --threads 1 --precision fp32");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("OMP_WAIT_POLICY=(unset), GOMP_SPINCOUNT=1000\n") != std::string::npos);
}
