#pragma once
// The run's delayed-scaling state (Transformer Engine DelayedScaling): per tensor, keyed
// "<layer>/<role>", the amax history of past steps and the encode scale the next casts use.
//
//   scale(key)                 the scale for this step: 1 until the first amax is recorded
//   observe(key, amax, step)   records this step's amax once per step (later casts of the same tensor in
//                              the same step, e.g. the weight again in the dgrad GEMM, are ignored), then
//                              sets the scale for the next step from the history:
//                                amax_h = max over the last `history` amaxes (algo max) or the last one
//                                scale  = tensor_encode_scale(amax_h, fmt_max, margin, power_of_two)
//                              A non-finite amax (an overflowing step) is not recorded and the scale is
//                              kept; so is the scale when amax_h is 0 (TE keeps the previous scale).
// The state depends only on the sequence of observed amaxes, so a run is reproducible from its config; it
// lives for one train() call (no checkpoint).
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "numerics/quantize/scaled_cast.h"

namespace fpsim::sim {

class ScalingState {
 public:
  struct Entry {
    std::deque<float> history;  ///< most recent last, at most spec.history long
    float scale = 1.0f;
    int64_t last_step = -1;
  };

  /// The encode scale of `key` for this step. Example: state.scale("fc1/weight") == 1 before any observe.
  float scale(const std::string& key) const;
  /// Record `amax` of `key` at `step` (see above). Example: state.observe("fc1/weight", 3.5, 1, spec, 448).
  void observe(const std::string& key, double amax, int64_t step, const ScalingSpec& spec, double fmt_max);
  const std::map<std::string, Entry>& entries() const { return entries_; }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace fpsim::sim
