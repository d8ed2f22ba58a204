#pragma once
// A Target from the names the command line and the Python module use ("sr:8", "saturate", "before", "arm"):
// each name parsed once, at the edge.
#include <string_view>

#include "numerics/core/rounding.h"

namespace fpsim {

/// Throws std::invalid_argument naming the bad value and listing the accepted names.
/// Example: parse_target(parse_format("e5m2"), "sr:8", "saturate", "after", "x86").sr_bits == 8
Target parse_target(const Format& format, std::string_view rounding, std::string_view overflow = "ieee",
                    std::string_view tininess = "after", std::string_view nan = "x86");

}  // namespace fpsim
