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

void ScaleTelemetry::add(double input_amax, std::span<const float> encode_scales) {
  for (float e : encode_scales) {
    const bool first = casts == 0 && &e == encode_scales.data();
    scale_min = first ? e : std::min(scale_min, double(e));
    scale_max = first ? e : std::max(scale_max, double(e));
  }
  amax = std::max(amax, input_amax);
  ++casts;
}

}  // namespace fpsim::sim
