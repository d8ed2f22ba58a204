#include "tools/fpsim/target_options.h"

#include "numerics/core/target_names.h"

namespace fpsim::cli {

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
  app.add_option("--seed", seed, "Seed of the stochastic-rounding stream (element i uses stream.bits(i))")
      ->capture_default_str();
}

Target TargetOptions::target() const {
  Target t = parse_target(parse_format(format), rounding, overflow, tininess, nan);
  t.daz = daz;
  t.sr_subnormal_nearest = sr_subnormal_nearest;
  return t;
}

}  // namespace fpsim::cli
