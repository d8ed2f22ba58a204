#pragma once
// Formats in JSON: either the string grammar ("e4m3fn", "e5m2,nosub") or the equivalent object
//   {"exp_bits": 4, "man_bits": 3, "bias": 11, "specials": "fnuz", "subnormals": true, "signed": true, "zero": true}
// or a preset with overrides {"preset": "e5m2", "subnormals": false}.
#include <nlohmann/json.hpp>
#include <string>

#include "numerics/core/format.h"

namespace fpsim::io {

/// Parse a format value; errors are ConfigError naming file and JSON pointer.
/// Example: format_from_json({{"exp_bits",4},{"man_bits",3},{"bias",11},{"specials","fnuz"}}, "x.json", "/f") is e4m3b11fnuz.
Format format_from_json(const nlohmann::json& j, const std::string& file, const std::string& pointer);

/// The object form of a format (all fields explicit).
nlohmann::json format_to_json(const Format& f);

}  // namespace fpsim::io
