#pragma once
// A strict XML well-formedness check for the report's SVG: one root element, properly nested and
// matching tags, quoted attributes without '<', known entities only, no stray '<' or '&' in text.
// Returns "" when well-formed, else the problem and its byte offset.
#include <cctype>
#include <string>
#include <vector>

namespace fpsim::test {

inline std::string xml_problem(const std::string& doc) {
  size_t i = 0;
  std::vector<std::string> open;
  bool root_seen = false;
  auto fail = [&](const std::string& what) { return what + " at byte " + std::to_string(i); };
  auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.'; };
  auto entity_ok = [&](size_t at) {
    const size_t semi = doc.find(';', at);
    if (semi == std::string::npos) return false;
    const std::string e = doc.substr(at + 1, semi - at - 1);
    if (e == "amp" || e == "lt" || e == "gt" || e == "quot" || e == "apos") return true;
    if (e.size() > 1 && e[0] == '#') {
      for (size_t k = (e[1] == 'x' ? 2 : 1); k < e.size(); ++k)
        if (!std::isxdigit(static_cast<unsigned char>(e[k]))) return false;
      return true;
    }
    return false;
  };
  while (i < doc.size()) {
    if (doc[i] != '<') {
      if (doc[i] == '&' && !entity_ok(i)) return fail("bad entity");
      if (open.empty() && !std::isspace(static_cast<unsigned char>(doc[i]))) return fail("text outside the root");
      ++i;
      continue;
    }
    if (doc.compare(i, 4, "<!--") == 0) {
      const size_t end = doc.find("-->", i);
      if (end == std::string::npos) return fail("unterminated comment");
      i = end + 3;
      continue;
    }
    if (doc.compare(i, 2, "<?") == 0) {
      const size_t end = doc.find("?>", i);
      if (end == std::string::npos) return fail("unterminated declaration");
      i = end + 2;
      continue;
    }
    const bool closing = doc.compare(i, 2, "</") == 0;
    i += closing ? 2 : 1;
    const size_t name_start = i;
    while (i < doc.size() && name_char(doc[i])) ++i;
    const std::string name = doc.substr(name_start, i - name_start);
    if (name.empty()) return fail("missing tag name");
    if (closing) {
      while (i < doc.size() && std::isspace(static_cast<unsigned char>(doc[i]))) ++i;
      if (i >= doc.size() || doc[i] != '>') return fail("bad end tag");
      if (open.empty() || open.back() != name) return fail("end tag </" + name + "> does not match");
      open.pop_back();
      ++i;
      continue;
    }
    if (open.empty() && root_seen) return fail("second root element");
    root_seen = true;
    for (;;) {  // attributes
      while (i < doc.size() && std::isspace(static_cast<unsigned char>(doc[i]))) ++i;
      if (i >= doc.size()) return fail("unterminated tag <" + name);
      if (doc[i] == '>') {
        open.push_back(name);
        ++i;
        break;
      }
      if (doc.compare(i, 2, "/>") == 0) {
        i += 2;
        break;
      }
      const size_t a = i;
      while (i < doc.size() && name_char(doc[i])) ++i;
      if (i == a) return fail("bad attribute in <" + name);
      if (i >= doc.size() || doc[i] != '=') return fail("attribute without value in <" + name);
      ++i;
      if (i >= doc.size() || (doc[i] != '"' && doc[i] != '\'')) return fail("unquoted attribute in <" + name);
      const char q = doc[i++];
      while (i < doc.size() && doc[i] != q) {
        if (doc[i] == '<') return fail("'<' in attribute");
        if (doc[i] == '&' && !entity_ok(i)) return fail("bad entity in attribute");
        ++i;
      }
      if (i >= doc.size()) return fail("unterminated attribute");
      ++i;
    }
  }
  if (!open.empty()) return fail("unclosed <" + open.back() + ">");
  if (!root_seen) return fail("no root element");
  return "";
}

}  // namespace fpsim::test
