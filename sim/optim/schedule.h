#pragma once
// Learning-rate schedules: constant, step decay, cosine, each with an optional linear warmup.
#include <cstdint>

namespace fpsim::sim {

struct ScheduleSpec {
  enum class Type : uint8_t { Constant, Step, Cosine } type = Type::Constant;
  int64_t warmup_steps = 0;  ///< lr rises linearly from lr/warmup to lr over the first warmup steps
  int64_t step_size = 1;     ///< Step: multiply by gamma every step_size steps
  double gamma = 0.1;        ///< Step
  double min_lr = 0.0;       ///< Cosine: the final learning rate
};

/// The learning rate of update `step` (1-based) of `total` with base rate `lr`.
/// Example: lr_at({Cosine}, 0.1, total, total) == min_lr; lr_at({Step, 0, 10, 0.5}, 1.0, 11, 100) == 0.5.
double lr_at(const ScheduleSpec& s, double lr, int64_t step, int64_t total);

}  // namespace fpsim::sim
