#include "tools/io/format_json.h"

#include "tools/io/config_error.h"

namespace fpsim::io {

Format format_from_json(const nlohmann::json& j, const std::string& file, const std::string& pointer) {
  try {
    if (j.is_string()) return parse_format(j.get<std::string>());
    if (!j.is_object()) throw ConfigError(file, pointer, "a format is a string (\"e5m2\") or an object");
    FormatSpec spec;
    bool have_exp = false, have_man = false;
    if (j.contains("preset")) {
      if (!j["preset"].is_string()) throw ConfigError(file, pointer + "/preset", "expected a preset name string");
      spec = parse_format(j["preset"].get<std::string>()).spec();
      spec.name.clear();
      // A preset's default bias follows a "specials" override, as in the string grammar (e4m3 + fnuz: bias 8).
      if (spec.bias == default_bias(spec.exp_bits, spec.specials)) spec.bias.reset();
      have_exp = have_man = true;
    }
    for (const auto& [key, value] : j.items()) {
      const std::string where = pointer + "/" + key;
      auto integer = [&]() {
        if (!value.is_number_integer()) throw ConfigError(file, where, "expected an integer");
        return value.get<int>();
      };
      auto boolean = [&]() {
        if (!value.is_boolean()) throw ConfigError(file, where, "expected true or false");
        return value.get<bool>();
      };
      if (key == "preset") continue;
      if (key == "exp_bits") { spec.exp_bits = integer(); have_exp = true; }
      else if (key == "man_bits") { spec.man_bits = integer(); have_man = true; }
      else if (key == "bias") spec.bias = integer();
      else if (key == "signed") spec.is_signed = boolean();
      else if (key == "subnormals") spec.subnormals = boolean();
      else if (key == "zero") spec.has_zero = boolean();
      else if (key == "specials") {
        if (!value.is_string()) throw ConfigError(file, where, "expected one of ieee, fn, fnuz, finite");
        try {
          spec.specials = parse_specials(value.get<std::string>());
        } catch (const FormatError& e) {
          throw ConfigError(file, where, e.what());
        }
      } else {
        throw ConfigError(file, where,
                          "unknown key \"" + key + "\" (expected preset, exp_bits, man_bits, bias, signed, subnormals, "
                          "zero, specials)");
      }
    }
    if (!have_exp || !have_man) throw ConfigError(file, pointer, "a format object needs exp_bits and man_bits (or a preset)");
    return Format(spec);
  } catch (const FormatError& e) {
    throw ConfigError(file, pointer, e.what());
  }
}

nlohmann::json format_to_json(const Format& f) {
  return {{"exp_bits", f.exp_bits()}, {"man_bits", f.man_bits()},  {"bias", f.bias()},
          {"signed", f.is_signed()},  {"subnormals", f.subnormals()}, {"zero", f.has_zero()},
          {"specials", to_string(f.specials())}};
}

}  // namespace fpsim::io
