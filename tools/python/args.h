#pragma once
// Argument types of the functions that take a rounding target or a format. Each accepts what pybind11's implicit
// conversions accepted (a fpsim.Target, a fpsim.Format, a format string) with the same result, but a string
// that does not parse raises ValueError with fpsim's own message prefixed by where it was given (and the string,
// unless the message quotes it), and a value of another type raises TypeError naming the argument (an implicit
// conversion would turn both into "incompatible function arguments"). The template argument names the place:
// function, then argument.
//
//   m.def("encode", [](const pb::array& x, const TargetArg<"encode: target">& t) { ... }, "x"_a, "target"_a);
//   fpsim.encode(x, "e4m3x")  ->  ValueError: encode: target: unknown format "e4m3x": ...
//   fpsim.encode(x, "e0m3")   ->  ValueError: encode: target="e0m3": exp_bits = 0 is out of range (expected 1..11)
//   fpsim.encode(x, 3)        ->  TypeError: encode: target must be a fpsim.Target, a fpsim.Format or a format
//                                 string, not int
//
// The casters throw from load(), which ends overload resolution: use them in functions bound without overloads.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "numerics/core/rounding.h"
#include "tools/python/bindings.h"

namespace fpsim::py {

/// A string literal as a template argument: where an argument is given, e.g. "quantize: target".
template <std::size_t N>
struct ArgName {
  char text[N]{};
  constexpr ArgName(const char (&s)[N]) { std::copy_n(s, N, text); }  // NOLINT: implicit by design
};

/// The keyword defaults of fpsim.Target(format, ...), which a Format or a format string given as a target gets.
namespace target_default {
inline constexpr const char* rounding = "rne";
inline constexpr const char* overflow = "ieee";
inline constexpr const char* tininess = "after";
inline constexpr const char* nan = "x86";
}  // namespace target_default

/// The loaders behind the casters (args.cpp); `where` starts every message.
/// Target: a Target as given; a Format or a format string with the defaults of fpsim.Target(format).
Target load_target(pb::handle src, const char* where);
/// A Format, or a format string parsed by parse_format.
Format load_format(pb::handle src, const char* where);
/// A sequence (not a string) of formats, entry i loaded as load_format with where "<where>[i]".
std::vector<Format> load_formats(pb::handle src, const char* where);

/// Use as `const TargetArg<"fn: arg">&`; it is the Target itself.
template <ArgName Where>
struct TargetArg : Target {};
/// Use as `const FormatArg<"fn: arg">&`; it is the Format itself.
template <ArgName Where>
struct FormatArg : Format {};
/// A list of formats, one per operand: `const std::optional<FormatsArg<"fn: formats">>&`.
template <ArgName Where>
struct FormatsArg : std::vector<Format> {};

}  // namespace fpsim::py

namespace pybind11::detail {

template <fpsim::py::ArgName Where>
struct type_caster<fpsim::py::TargetArg<Where>> {
  PYBIND11_TYPE_CASTER(fpsim::py::TargetArg<Where>, const_name("Union[fpsim.Target, fpsim.Format, str]"));
  bool load(handle src, bool convert) {
    if (!convert && !isinstance<fpsim::Target>(src)) return false;  // a Format or a string is a conversion
    static_cast<fpsim::Target&>(value) = fpsim::py::load_target(src, Where.text);
    return true;
  }
};

template <fpsim::py::ArgName Where>
struct type_caster<fpsim::py::FormatArg<Where>> {
  PYBIND11_TYPE_CASTER(fpsim::py::FormatArg<Where>, const_name("Union[fpsim.Format, str]"));
  bool load(handle src, bool convert) {
    if (!convert && !isinstance<fpsim::Format>(src)) return false;
    static_cast<fpsim::Format&>(value) = fpsim::py::load_format(src, Where.text);
    return true;
  }
};

template <fpsim::py::ArgName Where>
struct type_caster<fpsim::py::FormatsArg<Where>> {
  PYBIND11_TYPE_CASTER(fpsim::py::FormatsArg<Where>, const_name("List[Union[fpsim.Format, str]]"));
  bool load(handle src, bool convert) {
    if (!convert) return false;
    static_cast<std::vector<fpsim::Format>&>(value) = fpsim::py::load_formats(src, Where.text);
    return true;
  }
};

}  // namespace pybind11::detail
