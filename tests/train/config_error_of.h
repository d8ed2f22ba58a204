#pragma once
// The message of the ConfigError a config raises ("no error" when it parses), for config-error tests.
#include <nlohmann/json.hpp>
#include <string>

#include "tools/io/config.h"

namespace fpsim::test {

inline std::string error_of(const nlohmann::json& config) {
  try {
    io::parse_run_config(config, "x.json");
  } catch (const io::ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace fpsim::test
