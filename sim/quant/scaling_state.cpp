#include "sim/quant/scaling_state.h"

#include <algorithm>
#include <cmath>

namespace fpsim::sim {

float ScalingState::scale(const std::string& key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? 1.0f : it->second.scale;
}

void ScalingState::observe(const std::string& key, double amax, int64_t step, const ScalingSpec& spec,
                           double fmt_max) {
  Entry& e = entries_[key];
  if (e.last_step == step || !std::isfinite(amax)) return;
  e.last_step = step;
  e.history.push_back(static_cast<float>(amax));
  while (e.history.size() > static_cast<std::size_t>(std::max(spec.history, 1))) e.history.pop_front();
  const float amax_h = spec.algo == AmaxAlgo::Max ? *std::max_element(e.history.begin(), e.history.end())
                                                  : e.history.back();
  if (amax_h > 0) e.scale = tensor_encode_scale(amax_h, fmt_max, spec.margin, spec.power_of_two);
}

}  // namespace fpsim::sim
