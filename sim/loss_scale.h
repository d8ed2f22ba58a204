#pragma once
// Loss scaling: the loss (hence every gradient) is multiplied by a scale before backward and the
// weight gradients are divided by it before the update, so small gradients survive formats with
// a narrow range (E5M2's smallest subnormal is 2^-16).
//   none     scale 1, every step applied
//   static   a fixed scale, every step applied
//   dynamic  on inf/NaN gradients: skip the step, scale *= backoff (not below min); after
//            `growth_interval` clean steps in a row: scale *= growth (not above max)
//   enhanced dynamic with a floor that follows a piecewise-constant schedule by step or epoch
//            (Mellempudi et al. 2019): the scale never goes below the floor, and an overflow at
//            the floor either skips the step or applies it with the non-finite gradient elements
//            set to zero (on_overflow_at_floor: skip | apply).
#include <cstdint>
#include <vector>

namespace fpsim::sim {

struct LossScaleSpec {
  enum class Type : uint8_t { None, Static, Dynamic, Enhanced } type = Type::None;
  double init = 65536.0;  ///< 2^16 (PyTorch GradScaler, apex)
  double growth_factor = 2.0;
  double backoff_factor = 0.5;
  int64_t growth_interval = 2000;
  double max = 16777216.0;  ///< 2^24 (apex)
  double min = 1.0;
  struct FloorPoint {
    int64_t from = 0;  ///< first step (or epoch, 0-based) at which `floor` applies
    double floor = 1.0;
  };
  std::vector<FloorPoint> floor_schedule;  ///< sorted by `from`; before the first point: no floor
  bool floor_by_epoch = false;
  bool skip_at_floor = true;  ///< on_overflow_at_floor: skip (true) | apply (false)
};

/// What to do with this step's gradients.
enum class StepAction : uint8_t { Apply, Skip, ApplyZeroingNonFinite };

class LossScaler {
 public:
  /// Example: LossScaler s(spec); s.scale() == spec.init (or 1 for none).
  explicit LossScaler(const LossScaleSpec& spec);

  /// The scale to use for the step about to run (raises the scale to the floor of step/epoch).
  /// Example: with floor_schedule {{0, 8192}}, scale_for(1, 0) >= 8192.
  double scale_for(int64_t step, int64_t epoch);
  double scale() const { return scale_; }
  /// Report whether this step's gradients were all finite; returns what to do with them and
  /// updates the scale. Example: after growth_interval finite steps, the scale has doubled.
  StepAction update(bool grads_finite);
  int64_t skipped_steps() const { return skipped_; }
  double floor() const { return floor_; }

 private:
  LossScaleSpec spec_;
  double scale_;
  double floor_ = 0.0;
  int64_t good_steps_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace fpsim::sim
