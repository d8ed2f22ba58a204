#pragma once
// Results files are written atomically: to a temporary file in the same directory, flushed, then
// renamed over the target, so a reader (or a rerun after SIGKILL) sees the old file or the new one,
// never half of one.
#include <filesystem>
#include <string_view>

namespace fpsim::io {

/// Write `content` to `path` atomically (creating parent directories). Throws std::runtime_error
/// naming the path on failure. Example: write_file_atomic("results/x/summary.json", "{…}\n");
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// Read a whole file; throws std::runtime_error naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace fpsim::io
