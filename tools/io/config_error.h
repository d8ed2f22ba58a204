#pragma once
// Configuration errors name the file and the JSON pointer of the offending value:
//   experiments/x.json:/sweep/rounding/2: unknown rounding "stoch" (expected one of …)
#include <stdexcept>
#include <string>

namespace fpsim::io {

struct ConfigError : std::runtime_error {
  ConfigError(const std::string& file, const std::string& pointer, const std::string& message)
      : std::runtime_error(file + ":" + (pointer.empty() ? "/" : pointer) + ": " + message),
        file(file), pointer(pointer), message(message) {}
  std::string file, pointer, message;
};

}  // namespace fpsim::io
