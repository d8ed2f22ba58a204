#pragma once
// Central finite differences against a kernel's backward, in float.
//
// Tolerance: with step h the central difference (L(p+h) − L(p−h)) / 2h differs from dL/dp by
//   truncation ≤ h²/6 · |L'''|    (≈ 2e-5 for h = 1e-2 and the O(1) third derivatives of these kernels)
//   rounding   ≤ 2·δL / 2h        (δL ≈ n·2^-24·Σ|y| for n float outputs: ≈ 1e-6 here, so ≈ 1e-4)
// so |numeric − analytic| ≤ 2e-3 · max(1, |analytic|) holds with margin while a wrong factor, sign,
// missing term or transposed index fails it by orders of magnitude. The loss is formed in binary64
// from the float outputs, and the step actually taken is (float)(p + h) − (float)(p − h).
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace fpsim::test {

inline constexpr float kStep = 1e-2f;
inline constexpr double kTolerance = 2e-3;
/// Gradient buffers start at this value so the checks also prove that backward ADDS (+=).
inline constexpr float kPrefill = 0.25f;

/// Σ r_i·y_i in binary64: a scalar loss whose gradient with respect to y is r.
inline double dot(const std::vector<float>& r, const std::vector<float>& y) {
  double s = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) s += static_cast<double>(r[i]) * y[i];
  return s;
}

/// Compares `accumulated − kPrefill` (what backward added) with central differences of `loss`
/// with respect to every element of `param`.
inline void check_gradient(const std::string& what, std::vector<float>& param, const std::vector<float>& accumulated,
                           const std::function<double()>& loss) {
  REQUIRE(param.size() == accumulated.size());
  for (std::size_t i = 0; i < param.size(); ++i) {
    const float saved = param[i];
    const float up = saved + kStep, down = saved - kStep;
    param[i] = up;
    const double l_up = loss();
    param[i] = down;
    const double l_down = loss();
    param[i] = saved;
    const double numeric = (l_up - l_down) / (static_cast<double>(up) - down);
    const double analytic = static_cast<double>(accumulated[i]) - kPrefill;
    INFO(what << "[" << i << "]: analytic " << analytic << ", numeric " << numeric);
    REQUIRE(std::fabs(numeric - analytic) <= kTolerance * std::max(1.0, std::fabs(analytic)));
  }
}

inline std::vector<float> prefilled(std::size_t n) { return std::vector<float>(n, kPrefill); }

}  // namespace fpsim::test
