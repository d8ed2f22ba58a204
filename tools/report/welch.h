#pragma once
// Welch's unequal-variance t-test between two recipes' seed results: the significance mark of a
// pivot-table cell. With 2–3 seeds per recipe the test has few degrees of freedom, so only large
// differences are marked; that is the honest reading of so few seeds.
#include <cstddef>

namespace fpsim::io {

struct WelchResult {
  double t = 0, df = 0;  // statistic and Welch–Satterthwaite degrees of freedom
  double p = 1;          // two-sided p-value; NaN when either side has fewer than 2 values
};

/// Two samples given by mean, sample std (n−1) and size. Example: welch_test(86.8, 0.1, 3, 87.0, 0.1, 3).p ≈ 0.0704
/// (t = −2.449, df = 4). Equal samples with zero spread give p = 1; different ones with zero spread p = 0.
WelchResult welch_test(double mean1, double std1, size_t n1, double mean2, double std2, size_t n2);

/// P(|T| >= |t|) for Student's t with df degrees of freedom (df > 0, need not be an integer), through the
/// regularised incomplete beta function I_x(df/2, 1/2) at x = df / (df + t²).
/// Example: student_t_two_sided(2.776, 4) ≈ 0.05.
double student_t_two_sided(double t, double df);

}  // namespace fpsim::io
