#pragma once
// Reading the source tree for the grep tests of tests/purity: the C++ files under some folders, and
// their code with comments and string literals blanked out, so a word in a comment never counts.
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fpsim::test {

namespace fs = std::filesystem;

/// FPSIM_SOURCE_DIR (set by CTest); empty when unset.
inline fs::path source_root() {
  const char* env = std::getenv("FPSIM_SOURCE_DIR");
  return env ? fs::path(env) : fs::path();
}

/// The .h/.hpp/.cpp files under root/dir for each dir, as paths relative to root ("numerics/core/bits.h").
inline std::vector<std::string> source_files(const fs::path& root, const std::vector<std::string>& dirs) {
  std::vector<std::string> out;
  for (const std::string& dir : dirs) {
    if (!fs::is_directory(root / dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".h" || ext == ".cpp" || ext == ".hpp"))
        out.push_back(fs::relative(entry.path(), root).generic_string());
    }
  }
  return out;
}

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The text with // and /* */ comments and the insides of "..." and '...' literals replaced by
/// spaces (newlines kept, so line numbers stay). Raw string literals are not recognised.
///   x = "a // b"; // note   ->   x = "      ";
inline std::string code_only(const std::string& text) {
  std::string out = text;
  enum { Code, Line, Block, String, Char } state = Code;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char c = text[i], next = i + 1 < text.size() ? text[i + 1] : '\0';
    switch (state) {
      case Code:
        if (c == '/' && next == '/') { state = Line; out[i] = ' '; }
        else if (c == '/' && next == '*') { state = Block; out[i] = ' '; }
        else if (c == '"') state = String;
        else if (c == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(text[i - 1])))) state = Char;
        break;  // (a quote after a hex digit is a digit separator: 0x7f'ff)
      case Line:
        if (c == '\n') state = Code; else out[i] = ' ';
        break;
      case Block:
        if (c == '*' && next == '/') { out[i] = out[i + 1] = ' '; ++i; state = Code; }
        else if (c != '\n') out[i] = ' ';
        break;
      case String:
      case Char:
        if (c == '\\') { out[i] = ' '; if (i + 1 < out.size()) out[++i] = ' '; }
        else if (c == (state == String ? '"' : '\'')) state = Code;
        else if (c != '\n') out[i] = ' ';
        break;
    }
  }
  return out;
}

/// 1-based line number of offset `at` in text.
inline int line_of(const std::string& text, std::size_t at) {
  int n = 1;
  for (std::size_t i = 0; i < at && i < text.size(); ++i) n += text[i] == '\n';
  return n;
}

}  // namespace fpsim::test
