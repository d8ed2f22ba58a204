// fpsim formats [--values FORMAT]: the preset table, or every code of a format of <= 16 bits.
#include <fmt/core.h>

#include "numerics/core/convert.h"
#include "tools/fpsim/command.h"
#include "tools/io/text.h"

namespace fpsim::cli {
namespace {

int list_presets() {
  fmt::print("{:<12} {:>3} {:>3} {:>5} {:>4} {:>7} {:>14} {:>14} {:>14} {:>12}\n", "name", "exp", "man", "bias",
             "sign", "special", "max", "min_normal", "min_subnormal", "epsilon");
  for (const Preset& p : presets()) {
    Format f(p.spec);
    fmt::print("{:<12} {:>3} {:>3} {:>5} {:>4} {:>7} {:>14.8g} {:>14.8g} {:>14.8g} {:>12.6g}\n", p.name,
               f.exp_bits(), f.man_bits(), f.bias(), f.is_signed() ? "yes" : "no", to_string(f.specials()),
               f.max_value(), f.min_normal(), f.min_subnormal(), f.epsilon());
  }
  return 0;
}

int list_values(const std::string& spec) {
  const Format f = parse_format(spec);
  if (f.total_bits() > 16)
    throw std::invalid_argument(fmt::format("format {} has {} bits: --values lists formats of at most 16 bits",
                                            f.to_string(), f.total_bits()));
  const int hex_digits = (f.total_bits() + 3) / 4;
  fmt::print("# {}: {} codes\n{:<{}} {:<{}} {:>16} {}\n", f.to_string(), uint64_t{1} << f.total_bits(), "code",
             hex_digits + 2, "fields", f.total_bits() + 2, "value", "class");
  for (uint64_t c = 0; c < (uint64_t{1} << f.total_bits()); ++c) {
    const Bits b{c};
    fmt::print("0x{:0{}x} {:<{}} {:>16.10g} {}\n", c, hex_digits, io::binary_fields(b, f), f.total_bits() + 2,
               decode(b, f), to_string(classify(b, f)));
  }
  return 0;
}

Registration reg{{"formats", "List the format presets, or every code of one format (--values)", [](CLI::App& app) {
                    auto values = std::make_shared<std::string>();
                    app.add_option("--values", *values, "Enumerate every code of FORMAT (16 bits or fewer)");
                    return std::function<int()>([values] { return values->empty() ? list_presets() : list_values(*values); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
