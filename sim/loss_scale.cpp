#include "sim/loss_scale.h"

#include <algorithm>

namespace fpsim::sim {

LossScaler::LossScaler(const LossScaleSpec& spec)
    : spec_(spec), scale_(spec.type == LossScaleSpec::Type::None ? 1.0 : spec.init) {}

double LossScaler::scale_for(int64_t step, int64_t epoch) {
  if (spec_.type != LossScaleSpec::Type::Enhanced) return scale_;
  const int64_t at = spec_.floor_by_epoch ? epoch : step;
  floor_ = 0.0;
  for (const auto& p : spec_.floor_schedule)
    if (at >= p.from) floor_ = p.floor;
  scale_ = std::max(scale_, floor_);
  return scale_;
}

StepAction LossScaler::update(bool grads_finite) {
  using T = LossScaleSpec::Type;
  if (spec_.type == T::None || spec_.type == T::Static) return StepAction::Apply;
  if (grads_finite) {
    if (++good_steps_ >= spec_.growth_interval) {
      scale_ = std::min(scale_ * spec_.growth_factor, spec_.max);
      good_steps_ = 0;
    }
    return StepAction::Apply;
  }
  good_steps_ = 0;
  const bool at_floor = spec_.type == T::Enhanced && floor_ > 0 && scale_ <= floor_;
  if (at_floor && !spec_.skip_at_floor) return StepAction::ApplyZeroingNonFinite;
  ++skipped_;
  const double lower = spec_.type == T::Enhanced ? std::max(spec_.min, floor_) : spec_.min;
  scale_ = std::max(scale_ * spec_.backoff_factor, lower);
  return StepAction::Skip;
}

}  // namespace fpsim::sim
