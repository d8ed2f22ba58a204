#include "numerics/core/target_names.h"

namespace fpsim {

Target parse_target(const Format& format, std::string_view rounding, std::string_view overflow,
                    std::string_view tininess, std::string_view nan) {
  Target t;
  t.format = format;
  parse_rounding(rounding, t.rounding, t.sr_bits);
  t.overflow = parse_overflow(overflow);
  t.tininess = parse_tininess(tininess);
  t.nan = parse_nan_policy(nan);
  return t;
}

}  // namespace fpsim
