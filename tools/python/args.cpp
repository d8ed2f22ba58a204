// The loaders of the target and format arguments (args.h): instances as given, strings parsed by fpsim with
// its messages, anything else a TypeError naming the argument.
#include "tools/python/args.h"

#include <stdexcept>
#include <string>

#include "numerics/core/target_names.h"

namespace fpsim::py {
namespace {

std::string type_name(pb::handle src) { return pb::str(pb::type::handle_of(src).attr("__name__")); }

// The text of a str (or bytes, as pybind11's std::string conversion takes); false for anything else.
bool text_of(pb::handle src, std::string& text) {
  pb::detail::make_caster<std::string> s;
  if (!s.load(src, false)) return false;
  text = pb::detail::cast_op<std::string&&>(std::move(s));
  return true;
}

// parse_format's std::invalid_argument as a ValueError starting with `where`, then the text when fpsim's message
// does not quote it: 'quantize: target: unknown format "e4m3x": ...', 'quantize: target="e0m3": exp_bits = 0 ...'.
Format parsed(const std::string& text, const std::string& where) {
  try {
    return parse_format(text);
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what(), quoted = "\"" + text + "\"";
    throw pb::value_error(where + (message.find(quoted) == std::string::npos ? "=" + quoted : "") + ": " + message);
  }
}

Format format_at(pb::handle src, const std::string& where) {
  if (pb::isinstance<Format>(src)) return src.cast<Format>();
  std::string text;
  if (text_of(src, text)) return parsed(text, where);
  throw pb::type_error(where + " must be a fpsim.Format or a format string, not " + type_name(src));
}

}  // namespace

Target load_target(pb::handle src, const char* where) {
  if (pb::isinstance<Target>(src)) return src.cast<Target>();
  std::string text;
  if (!pb::isinstance<Format>(src) && !text_of(src, text))
    throw pb::type_error(std::string(where) + " must be a fpsim.Target, a fpsim.Format or a format string, not " +
                         type_name(src));
  const Format f = pb::isinstance<Format>(src) ? src.cast<Format>() : parsed(text, where);
  return parse_target(f, target_default::rounding, target_default::overflow, target_default::tininess,
                      target_default::nan);
}

Format load_format(pb::handle src, const char* where) { return format_at(src, where); }

std::vector<Format> load_formats(pb::handle src, const char* where) {
  if (!pb::isinstance<pb::sequence>(src) || pb::isinstance<pb::str>(src) || pb::isinstance<pb::bytes>(src))
    throw pb::type_error(std::string(where) + " must be a list of formats (fpsim.Format or format strings), one per "
                         "operand, not " + type_name(src));
  std::vector<Format> formats;
  const auto seq = pb::reinterpret_borrow<pb::sequence>(src);
  for (std::size_t i = 0; i < seq.size(); ++i)
    formats.push_back(format_at(seq[i], std::string(where) + "[" + std::to_string(i) + "]"));
  return formats;
}

}  // namespace fpsim::py
