#pragma once
// Telemetry of quantisation points: per point ("fc2/weight_grad"), the QuantStats counts of
// numerics/quantize/quantize.h plus a histogram of floor(log2|x|) of the values before rounding.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "numerics/quantize/quantize.h"

namespace fpsim::sim {

/// Histogram bins cover floor(log2|x|) in [kLog2HistLo, kLog2HistLo + kLog2HistBins): every finite
/// non-zero binary64 value clamps into it (binary32 values span [-149, 127]).
inline constexpr int kLog2HistLo = -160;
inline constexpr int kLog2HistBins = 320;

/// Add floor(log2|x|) of each finite non-zero x to hist (resized to kLog2HistBins).
/// Example: add_log2_histogram({0.75f}, h) increments the bin of -1 (0.75 = 1.5·2^-1).
void add_log2_histogram(std::span<const float> values, std::vector<uint64_t>& hist);

/// Scaled casts of one point over a window: the input amax (before scaling) and the range of encode scales.
struct ScaleTelemetry {
  uint64_t casts = 0;
  double amax = 0;        ///< largest input amax seen (inf when an input held a NaN or inf)
  uint64_t tiles = 0;     ///< tiles counted in the scale range
  double scale_min = 0;   ///< smallest encode scale of a tile with a finite non-zero amax (0 when tiles == 0)
  double scale_max = 0;   ///< largest such encode scale
  /// Add one cast: its input amax and the encode scale of each tile whose amax is finite and non-zero (an
  /// all-zero tile's scale means nothing). Example: t.add(3.5, {128.0f}, {3.5f}).
  void add(double input_amax, std::span<const float> encode_scales, std::span<const float> tile_amax);
};

/// Counts for one quantisation point over a window of telemetry steps.
struct PointTelemetry {
  QuantStats stats;
  ScaleTelemetry scale;   ///< scaled GEMM operands and scaled optimiser state only
  std::vector<uint64_t> log2_hist = std::vector<uint64_t>(kLog2HistBins, 0);

  double zero_frac() const { return stats.nonzero ? double(stats.underflow) / double(stats.nonzero) : 0.0; }
  double subnormal_frac() const { return stats.count ? double(stats.subnormal) / double(stats.count) : 0.0; }
  double saturated_frac() const {
    return stats.count ? double(stats.saturated + stats.overflow) / double(stats.count) : 0.0;
  }
};

/// Keyed "<layer>/<role>", ordered by key so output is deterministic.
using TelemetryWindow = std::map<std::string, PointTelemetry>;

}  // namespace fpsim::sim
