#pragma once
// Command-line options that describe a Target (format, rounding, overflow, tininess, NaN policy,
// subnormal handling, seed), shared by round, eval, quantize and verify.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "numerics/core/rounding.h"

namespace fpsim::cli {

/// A seed: decimal digits only, 0 to 2^64 - 1 (no sign, no wrap-around, no saturation); throws
/// CLI::ValidationError. Example: parse_seed("18446744073709551615") == ~0ull.
uint64_t parse_seed(const std::string& text);

struct TargetOptions {
  std::string format;
  std::string rounding = "rne";
  std::string overflow = "ieee";
  std::string tininess = "after";
  std::string nan = "x86";
  bool daz = false;
  bool sr_subnormal_nearest = false;
  uint64_t seed = 0;

  /// Register the options on `app`; `format_required` makes --format mandatory.
  void add_to(CLI::App& app, bool format_required = true);
  /// Parse the strings (throws std::invalid_argument with the accepted names).
  Target target() const;
};

}  // namespace fpsim::cli
