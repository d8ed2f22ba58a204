#include "sim/optim/schedule.h"

#include <cmath>
#include <numbers>

namespace fpsim::sim {

double lr_at(const ScheduleSpec& s, double lr, int64_t step, int64_t total) {
  if (s.warmup_steps > 0 && step <= s.warmup_steps) return lr * double(step) / double(s.warmup_steps);
  const int64_t t = step - 1 - s.warmup_steps;  // updates after warmup, from 0
  switch (s.type) {
    case ScheduleSpec::Type::Constant: return lr;
    case ScheduleSpec::Type::Step: return lr * std::pow(s.gamma, double(t / s.step_size));
    case ScheduleSpec::Type::Cosine: {
      const int64_t span = total - s.warmup_steps;
      const double progress = span <= 1 ? 1.0 : double(t) / double(span - 1);
      return s.min_lr + 0.5 * (lr - s.min_lr) * (1.0 + std::cos(std::numbers::pi * progress));
    }
  }
  return lr;
}

}  // namespace fpsim::sim
