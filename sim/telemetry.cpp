#include "sim/telemetry.h"

#include <algorithm>
#include <cmath>

namespace fpsim::sim {

void add_log2_histogram(std::span<const float> values, std::vector<uint64_t>& hist) {
  hist.resize(kLog2HistBins, 0);
  for (float x : values) {
    if (x == 0.0f || !std::isfinite(x)) continue;
    int e = 0;
    std::frexp(x, &e);  // |x| = m·2^e with m in [0.5, 1), so floor(log2|x|) = e - 1
    const int bin = std::clamp(e - 1 - kLog2HistLo, 0, kLog2HistBins - 1);
    ++hist[static_cast<size_t>(bin)];
  }
}

void ScaleTelemetry::add(double input_amax, std::span<const float> encode_scales, std::span<const float> tile_amax) {
  for (size_t i = 0; i < encode_scales.size() && i < tile_amax.size(); ++i) {
    if (!(tile_amax[i] > 0) || !std::isfinite(tile_amax[i])) continue;
    const double e = encode_scales[i];
    scale_min = tiles == 0 ? e : std::min(scale_min, e);
    scale_max = tiles == 0 ? e : std::max(scale_max, e);
    ++tiles;
  }
  amax = std::max(amax, input_amax);
  ++casts;
}

}  // namespace fpsim::sim
