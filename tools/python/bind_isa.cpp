// fpsim.limit_isa / fpsim.best_isa: the vector kernels the module's calls use (numerics/simd/isa.h). Every ISA
// gives the same bits; the cap is for timing another machine class's kernels, or checking that they agree.
//
//   before = fpsim.limit_isa("avx2"); ...; fpsim.limit_isa(before)
//
// Like the CLI, the module takes FPSIM_MAX_ISA from the environment when it is imported.
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "numerics/simd/isa.h"
#include "tools/python/bindings.h"

namespace fpsim::py {

namespace {

simd::Isa isa_named(const std::string& name, const std::string& what) {
  try {
    return simd::parse_isa(name);
  } catch (const std::invalid_argument& e) {
    throw pb::value_error(what + ": " + e.what());
  }
}

}  // namespace

void bind_isa(pb::module_& m) {
  using namespace pybind11::literals;
  if (const char* value = std::getenv("FPSIM_MAX_ISA"); value && *value)
    simd::limit_isa(isa_named(value, "FPSIM_MAX_ISA"));
  m.def(
      "limit_isa",
      [](const std::string& widest) {
        return std::string(simd::to_string(simd::limit_isa(isa_named(widest, "limit_isa"))));
      },
      "widest"_a,
      "Caps the vector kernels (quantize, arithmetic, random stream, GEMMs) at 'portable', 'avx2' or 'avx512' "
      "and returns the cap it replaces ('avx512' when there was none); the CPU's own limit still holds.");
  m.def(
      "best_isa", [] { return std::string(simd::to_string(simd::best_isa())); },
      "The ISA of the vector kernels now in use: the CPU's widest, capped by limit_isa.");
}

}  // namespace fpsim::py
