// fpsim.Format, fpsim.Target, fpsim.presets() and the flag bits.
//
//   fpsim.Format("e4m3,bias=11").max              -> 30.0
//   fpsim.Target("e5m2", rounding="sr:8", overflow="saturate")
#include <pybind11/stl.h>

#include <optional>

#include "numerics/core/rounding.h"
#include "numerics/core/target_names.h"
#include "tools/python/args.h"
#include "tools/python/bindings.h"

namespace fpsim::py {
namespace {

Format format_from_fields(int exp_bits, int man_bits, std::optional<int> bias, bool is_signed, bool subnormals,
                          bool zero, const std::string& specials) {
  FormatSpec s;
  s.exp_bits = exp_bits;
  s.man_bits = man_bits;
  s.bias = bias;  // not given: the default bias of the specials (every integer is a legal bias)
  s.is_signed = is_signed;
  s.subnormals = subnormals;
  s.has_zero = zero;
  s.specials = parse_specials(specials);
  return Format(s);
}

Target make_target(const FormatArg<"Target: format">& f, const std::string& rounding, const std::string& overflow,
                   const std::string& tininess, const std::string& nan, bool daz, bool sr_subnormal_nearest) {
  Target t = parse_target(f, rounding, overflow, tininess, nan);
  t.daz = daz;
  t.sr_subnormal_nearest = sr_subnormal_nearest;
  return t;
}

}  // namespace

void bind_format(pb::module_& m) {
  using namespace pybind11::literals;
  pb::class_<Format>(m, "Format", "A floating-point format: a preset name or eXmY[,options] (see `fpsim formats`).")
      .def(pb::init([](const std::string& spec) { return parse_format(spec); }), "spec"_a,
           "Parse a format string. Example: Format('e4m3,bias=11,fnuz') == Format('e4m3b11fnuz')")
      .def(pb::init(&format_from_fields), pb::kw_only(), "exp_bits"_a, "man_bits"_a, "bias"_a = pb::none(),
           "signed"_a = true, "subnormals"_a = true, "zero"_a = true, "specials"_a = "ieee",
           "A format from its fields. Example: Format(exp_bits=4, man_bits=3, specials='fn') is e4m3fn")
      .def_property_readonly("name", &Format::name, "preset name, or '' for a custom format")
      .def_property_readonly("exp_bits", &Format::exp_bits)
      .def_property_readonly("man_bits", &Format::man_bits)
      .def_property_readonly("bias", &Format::bias)
      .def_property_readonly("signed", &Format::is_signed)
      .def_property_readonly("subnormals", &Format::subnormals)
      .def_property_readonly("has_zero", &Format::has_zero)
      .def_property_readonly("has_inf", &Format::has_inf)
      .def_property_readonly("has_nan", &Format::has_nan)
      .def_property_readonly("specials", [](const Format& f) { return std::string(to_string(f.specials())); })
      .def_property_readonly("total_bits", &Format::total_bits)
      .def_property_readonly("precision", &Format::precision, "significand bits including the hidden bit")
      .def_property_readonly("emin", &Format::emin)
      .def_property_readonly("emax", &Format::emax)
      .def_property_readonly("max", &Format::max_value, "largest finite value")
      .def_property_readonly("min_normal", &Format::min_normal)
      .def_property_readonly("min_subnormal", &Format::min_subnormal)
      .def_property_readonly("epsilon", &Format::epsilon, "2^-man_bits")
      .def("__str__", &Format::to_string)
      .def("__repr__", [](const Format& f) { return "fpsim.Format('" + f.to_string() + "')"; })
      .def("__eq__", [](const Format& a, const FormatArg<"Format.__eq__: other">& b) { return a == b; })
      .def("__hash__", [](const Format& f) { return pb::hash(pb::str(f.to_string())); });

  m.def(
      "presets",
      [] {
        std::vector<std::string> names;
        for (const Preset& p : presets()) names.push_back(p.name);
        return names;
      },
      "Names of the preset formats, as `fpsim formats` lists them. Example: 'e4m3fn' in fpsim.presets()");

  pb::class_<Target>(m, "Target", "A format plus how values are rounded into it (rounding, overflow, tininess, NaN).")
      .def(pb::init(&make_target), "format"_a, "rounding"_a = target_default::rounding,
           "overflow"_a = target_default::overflow, "tininess"_a = target_default::tininess,
           "nan"_a = target_default::nan, "daz"_a = false, "sr_subnormal_nearest"_a = false,
           "Example: Target('e5m2', rounding='sr:8', overflow='saturate')")
      .def_property_readonly("format", [](const Target& t) { return t.format; })
      .def_property_readonly("rounding", [](const Target& t) { return to_string(t.rounding, t.sr_bits); })
      .def_property_readonly("overflow", [](const Target& t) { return std::string(to_string(t.overflow)); })
      .def_property_readonly("tininess", [](const Target& t) { return std::string(to_string(t.tininess)); })
      .def_property_readonly("nan", [](const Target& t) { return std::string(to_string(t.nan)); })
      .def_property_readonly("daz", [](const Target& t) { return t.daz; })
      .def_property_readonly("sr_subnormal_nearest", [](const Target& t) { return t.sr_subnormal_nearest; })
      .def("__repr__", [](const Target& t) {
        return "fpsim.Target('" + t.format.to_string() + "', rounding='" + to_string(t.rounding, t.sr_bits) +
               "', overflow='" + to_string(t.overflow) + "', tininess='" + to_string(t.tininess) + "', nan='" +
               to_string(t.nan) + "')";
      });

  m.attr("INEXACT") = flag::inexact;
  m.attr("UNDERFLOW") = flag::underflow;
  m.attr("OVERFLOW") = flag::overflow;
  m.attr("INFINITE") = flag::infinite;
  m.attr("INVALID") = flag::invalid;
  m.def("flags_to_string", &flags_to_string, "flags"_a,
        "SoftFloat flag bits as text. Example: fpsim.flags_to_string(3) == 'inexact|underflow'");
}

}  // namespace fpsim::py
