// Delayed scaling state: scale 1 before any amax, max / most_recent over the history window, once per step,
// non-finite amaxes ignored, zero keeps the previous scale.
#include "sim/quant/scaling_state.h"
#include "sim/telemetry.h"

#include <catch2/catch.hpp>
#include <limits>
#include <vector>

using namespace fpsim;
using namespace fpsim::sim;

TEST_CASE("delayed scaling: the next step's scale comes from the amax history", "[scaling]") {
  ScalingSpec s;
  s.mode = ScaleMode::TensorDelayed;
  s.history = 2;
  ScalingState st;
  CHECK(st.scale("fc1/weight") == 1.0f);
  st.observe("fc1/weight", 4.0, 1, s, 448);
  CHECK(st.scale("fc1/weight") == 112.0f);
  st.observe("fc1/weight", 100.0, 1, s, 448);  // same step: ignored (e.g. the weight again in dgrad)
  CHECK(st.scale("fc1/weight") == 112.0f);
  st.observe("fc1/weight", 2.0, 2, s, 448);    // history {4, 2}: max 4
  CHECK(st.scale("fc1/weight") == 112.0f);
  st.observe("fc1/weight", 1.0, 3, s, 448);    // history {2, 1}: the 4 has left the window
  CHECK(st.scale("fc1/weight") == 224.0f);
  st.observe("fc1/weight", std::numeric_limits<double>::infinity(), 4, s, 448);  // overflowing step: not recorded
  CHECK(st.scale("fc1/weight") == 224.0f);
  s.algo = AmaxAlgo::MostRecent;
  st.observe("fc1/weight", 8.0, 5, s, 448);
  CHECK(st.scale("fc1/weight") == 56.0f);
  st.observe("fc1/weight", 0.0, 6, s, 448);    // most recent 0: keep the previous scale
  CHECK(st.scale("fc1/weight") == 56.0f);
  CHECK(st.scale("fc2/weight") == 1.0f);       // keyed by layer and role
  s.margin = 1;
  st.observe("fc2/weight", 4.0, 1, s, 57344);  // E5M2: 57344 / 4 / 2
  CHECK(st.scale("fc2/weight") == 7168.0f);
}

TEST_CASE("scale telemetry counts tiles with a finite non-zero amax only", "[scaling]") {
  ScaleTelemetry t;
  const std::vector<float> enc = {128.0f, 0x1p127f, 64.0f}, amax = {3.5f, 0.0f, std::numeric_limits<float>::infinity()};
  t.add(3.5, enc, amax);  // the all-zero tile (scale 2^127) and the NaN/inf tile are left out
  CHECK(t.tiles == 1);
  CHECK(t.scale_min == 128.0);
  CHECK(t.scale_max == 128.0);
  t.add(7.0, std::vector<float>{32.0f}, std::vector<float>{7.0f});
  CHECK(t.scale_min == 32.0);
  CHECK(t.scale_max == 128.0);
  CHECK(t.amax == 7.0);
  CHECK(t.casts == 2);
}
