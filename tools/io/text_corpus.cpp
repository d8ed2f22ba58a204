#include "tools/io/text_corpus.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "tools/io/atomic_file.h"

namespace fpsim::io {

std::vector<uint8_t> load_text_corpus(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw std::runtime_error("text corpus not found: " + path.string() +
                             " (the default needs Debian package fortunes)");
  std::vector<uint8_t> bytes;
  if (!fs::is_directory(path, ec)) {
    const std::string text = read_file(path);
    bytes.assign(text.begin(), text.end());
  } else {
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(path))
      if (!e.is_symlink() && e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      const std::string text = read_file(f);
      if (text.find('\0') != std::string::npos) continue;  // binary
      bytes.insert(bytes.end(), text.begin(), text.end());
    }
  }
  if (bytes.empty()) throw std::runtime_error("text corpus " + path.string() + " has no text");
  return bytes;
}

}  // namespace fpsim::io
