// The one ISA selection (numerics/simd/isa.h): names round-trip, unknown names are rejected with the
// choices listed, and the best ISA is one this CPU runs, at least as wide as every other it runs.
#include <catch2/catch.hpp>

#include <string>

#include "numerics/simd/isa.h"

namespace fpsim::simd {
namespace {

TEST_CASE("ISA names round-trip and unknown names list the choices", "[isa]") {
  for (Isa isa : kIsas) CHECK(parse_isa(to_string(isa)) == isa);
  CHECK(std::string(to_string(Isa::Avx512)) == "avx512");
  CHECK_THROWS_WITH(parse_isa("sse4"), Catch::Contains("\"sse4\"") && Catch::Contains("portable, avx2 or avx512"));
  CHECK_THROWS(parse_isa("best"));  // "best" is a command-line word (tools/fpsim/bench_util.h), not an ISA
}

TEST_CASE("the best ISA is supported and no narrower than any supported one", "[isa]") {
  CHECK(cpu_supports(Isa::Portable));
  CHECK(cpu_supports(best_isa()));
  for (Isa isa : kIsas)
    if (cpu_supports(isa)) CHECK(static_cast<int>(isa) <= static_cast<int>(best_isa()));
  CHECK(best_isa() == best_isa());  // decided once
}

}  // namespace
}  // namespace fpsim::simd
