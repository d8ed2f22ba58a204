#pragma once
// The one JSON reader for configs, sweep files and results: strict where nlohmann is lenient.
//   - a key repeated in an object is an error ("lr": 0.05, "lr": 0.5 would otherwise keep the last);
//   - a number beyond binary64 ("lr": 1e400) is an error at its JSON pointer;
//   - a syntax error names the line and column, and the JSON pointer of the value being read.
// Errors are ConfigError(file, pointer, message): "x.json:/optimizer/lr: duplicate key \"lr\" …".
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fpsim::io {

/// Parse `text` (the contents of `file`). Example: parse_json_strict(R"({"a":1,"a":2})", "x.json") throws
/// ConfigError "x.json:/a: duplicate key \"a\" (a key may appear once in an object)".
nlohmann::json parse_json_strict(std::string_view text, const std::string& file);

/// Read and parse a file; an unreadable file is a ConfigError naming it ("cannot read …").
nlohmann::json read_json_strict(const std::string& path);

}  // namespace fpsim::io
