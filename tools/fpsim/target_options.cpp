#include "tools/fpsim/target_options.h"

#include <charconv>

#include "numerics/core/target_names.h"

namespace fpsim::cli {

uint64_t parse_seed(const std::string& text) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw CLI::ValidationError("--seed", "\"" + text + "\" is not an integer from 0 to 18446744073709551615");
  return v;
}

void TargetOptions::add_to(CLI::App& app, bool format_required) {
  auto* f = app.add_option("--format,-f", format, "Target format: a preset (e5m2, binary16, ...) or eXmY[,options]");
  if (format_required) f->required();
  app.add_option("--rounding,-r", rounding, "rne | rna | rtz | rup | rdn | rodd | sr | sr:K | trunc")->capture_default_str();
  app.add_option("--overflow", overflow, "ieee | saturate | nonsat")->capture_default_str();
  app.add_option("--tininess", tininess, "after | before (underflow detection)")->capture_default_str();
  app.add_option("--nan", nan, "NaN convention for ieee formats: x86 | arm | riscv")->capture_default_str();
  app.add_flag("--daz", daz, "Treat subnormal inputs as zero");
  app.add_flag("--sr-subnormal-nearest", sr_subnormal_nearest,
               "Stochastic rounding: round to nearest-even in the subnormal range");
  // Read as text: CLI11's integer conversion would wrap -1 and saturate values >= 2^64.
  app.add_option_function<std::string>(
      "--seed", [this](const std::string& text) { seed = parse_seed(text); },
      "Seed of the stochastic-rounding stream (element i uses stream.bits(i)); 0 to 2^64-1, default 0");
}

Target TargetOptions::target() const {
  Target t = parse_target(parse_format(format), rounding, overflow, tininess, nan);
  t.daz = daz;
  t.sr_subnormal_nearest = sr_subnormal_nearest;
  return t;
}

}  // namespace fpsim::cli
