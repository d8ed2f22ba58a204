#include "tools/io/strict_json.h"

#include <cmath>
#include <set>
#include <vector>

#include "tools/io/atomic_file.h"
#include "tools/io/config_error.h"

namespace fpsim::io {
namespace {

using nlohmann::json;

// RFC 6901: "~" -> "~0", "/" -> "~1".
std::string escape(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

// A SAX handler that builds the document like nlohmann's own DOM parser, tracking the JSON pointer of
// the value being read and the keys already seen in each open object.
class StrictBuilder {
 public:
  StrictBuilder(json& root, std::string_view text, const std::string& file) : root_(root), text_(text), file_(file) {}

  bool null() { return put(nullptr); }
  bool boolean(bool b) { return put(b); }
  bool number_integer(json::number_integer_t v) { return put(v); }
  bool number_unsigned(json::number_unsigned_t v) { return put(v); }
  bool number_float(json::number_float_t v, const json::string_t& text) {
    if (!std::isfinite(v)) fail("number " + text + " is beyond the range of a double");
    return put(v);
  }
  bool string(json::string_t& s) { return put(std::move(s)); }
  bool binary(json::binary_t&) { return put(nullptr); }  // the text parser never produces one
  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    Frame& f = frames_.back();
    f.key = k;
    f.pending = true;
    if (!f.keys.insert(k).second) fail("duplicate key \"" + k + "\" (a key may appear once in an object)");
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    std::string what = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error …" -> "syntax error …";
    // "[json.exception.out_of_range.406] number overflow parsing '1e400'" -> "number overflow parsing '1e400'"
    if (const size_t bracket = what.find("] "); what.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos)
      what = what.substr(bracket + 2);
    if (what.rfind("parse error", 0) == 0)
      if (const size_t colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    size_t line = 1, column = 1;
    for (size_t i = 0; i + 1 < position && i < text_.size(); ++i) {
      if (text_[i] == '\n') ++line, column = 1;
      else ++column;
    }
    fail("invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what);
  }

 private:
  struct Frame {
    json* value;
    std::set<std::string> keys;
    std::string key;
    bool pending = false;  // a key was read and its value not yet
  };

  // The pointer of the value being read: outer frames name the child under construction (an object's
  // current key, an array's last element); the innermost names the pending value (its key once read, or the
  // next index of an array).
  std::string pointer() const {
    std::string p;
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      const bool inner = i + 1 == frames_.size();
      if (f.value->is_array()) p += "/" + std::to_string(inner ? f.value->size() : f.value->size() - 1);
      else if (!inner || f.pending) p += "/" + escape(f.key);
    }
    return p;
  }
  [[noreturn]] void fail(const std::string& message) const { throw ConfigError(file_, pointer(), message); }

  json* place(json&& v) {
    if (frames_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Frame& f = frames_.back();
    if (f.value->is_array()) {
      f.value->push_back(std::move(v));
      return &f.value->back();
    }
    f.pending = false;
    json& slot = (*f.value)[f.key];
    slot = std::move(v);
    return &slot;
  }
  bool put(json&& v) {
    place(std::move(v));
    return true;
  }
  bool open(json&& container) {
    json* v = place(std::move(container));
    frames_.push_back(Frame{v, {}, {}, false});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }

  json& root_;
  std::string_view text_;
  const std::string& file_;
  std::vector<Frame> frames_;
};

}  // namespace

json parse_json_strict(std::string_view text, const std::string& file) {
  json root;
  StrictBuilder builder(root, text, file);
  json::sax_parse(text, &builder);
  return root;
}

json read_json_strict(const std::string& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::exception& e) {
    throw ConfigError(path, "", std::string("cannot read: ") + e.what());
  }
  return parse_json_strict(text, path);
}

}  // namespace fpsim::io
