#pragma once
// Reading a text corpus for the byte-level language model: one file, or every text file of a
// directory (recursively) in sorted path order, concatenated. In a directory, symbolic links and files
// containing a NUL byte (binary files, such as the strfile indexes `*.dat` beside fortune files) are
// skipped, so the default corpus /usr/share/games/fortunes (Debian package fortunes) reads as its
// plain-text files only.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace fpsim::io {

/// The bytes of `path` (a file, or a directory as above). Throws std::runtime_error naming the path
/// when it does not exist, cannot be read, or yields no bytes.
/// Example: load_text_corpus("/usr/share/games/fortunes").size() is about 2.5 million.
std::vector<uint8_t> load_text_corpus(const std::filesystem::path& path);

}  // namespace fpsim::io
