// fpsim round --format F [--rounding R] VALUE…: round decimal values and show code, fields, error, flags.
#include <fmt/core.h>

#include <boost/multiprecision/cpp_bin_float.hpp>

#include "numerics/core/convert.h"
#include "numerics/core/random.h"
#include "tools/fpsim/command.h"
#include "tools/fpsim/target_options.h"
#include "tools/io/text.h"

namespace fpsim::cli {
namespace {

using Wide = boost::multiprecision::cpp_bin_float_100;  // 332 bits: the error of any rounding is exact here

struct Options {
  TargetOptions target;
  std::vector<std::string> values;
};

int run(const Options& o) {
  const Target t = o.target.target();
  const RandomStream stream(o.target.seed);
  fmt::print("{:<24} {:>24} {:>{}} {:<{}} {:>12} {}\n", "input", "rounded", "code", io::hex_width(t.format) + 2,
             "fields", t.format.total_bits() + 2, "error", "flags");
  for (size_t i = 0; i < o.values.size(); ++i) {
    const std::string& text = o.values[i];
    const Rounded r = encode_decimal(text, t, stream.bits(i));
    const double value = decode(r.bits, t.format);
    std::string error = "-";
    if (std::isfinite(value)) {
      // Exact input (decimal parsed by Boost at 332 bits) minus the rounded value.
      try {
        Wide exact(text);
        error = fmt::format("{:.4g}", static_cast<double>(Wide(value) - exact));
      } catch (const std::exception&) {
      }
    }
    fmt::print("{:<24} {:>24.17g} 0x{} {:<{}} {:>12} {}\n", text, value, io::hex_code(r.bits, t.format),
               io::binary_fields(r.bits, t.format), t.format.total_bits() + 2, error, flags_to_string(r.flags));
  }
  return 0;
}

Registration reg{{"round", "Round decimal values into a format: value, code, fields, error, flags", [](CLI::App& app) {
                    auto o = std::make_shared<Options>();
                    o->target.add_to(app);
                    app.add_option("values", o->values, "Decimal (or 0x hex-float, inf, nan) values")->required();
                    return std::function<int()>([o] { return run(*o); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
