#pragma once
// Shared by the `fpsim bench …` subcommands: the median of repeated measurements, and the one
// option that picks an instruction set (`--isa best|portable|avx2|avx512`, numerics/simd/isa.h).
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/simd/isa.h"

namespace fpsim::cli {

/// The median of v (the mean of the two middle values for an even count). Example: median({3, 1, 2}) is 2.
inline double median(std::vector<double> v) {
  if (v.empty()) throw std::invalid_argument("median of no measurements");
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

/// Help text of every bench's --isa option.
inline constexpr const char* kIsaHelp = "instruction set: best (default), portable, avx2 or avx512";

/// The ISA a bench's --isa value names: "best" is simd::best_isa(). Throws std::invalid_argument naming
/// the option when the name is unknown or this CPU cannot run it. Example: parse_isa_option("avx2").
inline simd::Isa parse_isa_option(const std::string& value) {
  if (value == "best") return simd::best_isa();
  simd::Isa isa;
  try {
    isa = simd::parse_isa(value);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("--isa " + value + ": unknown (expected best, portable, avx2 or avx512)");
  }
  if (!simd::cpu_supports(isa)) throw std::invalid_argument("--isa " + value + ": not supported by this CPU");
  return isa;
}

}  // namespace fpsim::cli
