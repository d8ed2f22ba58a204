#include "tools/report/welch.h"

#include <cmath>
#include <limits>

namespace fpsim::io {

namespace {

// Continued fraction of the incomplete beta function (modified Lentz), valid for x < (a+1)/(a+b+2);
// converges in well under 200 terms for the a, b of a t-test.
double beta_fraction(double a, double b, double x) {
  constexpr double tiny = 1e-300, eps = 1e-15;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::abs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    // Even step: d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)).
    double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d, c = 1 + num / c;
    d = 1 / (std::abs(d) < tiny ? tiny : d), c = std::abs(c) < tiny ? tiny : c;
    h *= d * c;
    // Odd step: d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)).
    num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d, c = 1 + num / c;
    d = 1 / (std::abs(d) < tiny ? tiny : d), c = std::abs(c) < tiny ? tiny : c;
    const double step = d * c;
    h *= step;
    if (std::abs(step - 1) < eps) break;
  }
  return h;
}

// Regularised incomplete beta I_x(a, b), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where the
// continued fraction converges slowly.
double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

}  // namespace

double student_t_two_sided(double t, double df) {
  if (!std::isfinite(t)) return 0;
  return incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

WelchResult welch_test(double mean1, double std1, size_t n1, double mean2, double std2, size_t n2) {
  WelchResult r;
  if (n1 < 2 || n2 < 2) {
    r.p = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  const double v1 = std1 * std1 / static_cast<double>(n1), v2 = std2 * std2 / static_cast<double>(n2);
  const double se = std::sqrt(v1 + v2), diff = mean1 - mean2;
  if (se == 0) {
    r.p = diff == 0 ? 1 : 0;
    r.t = diff == 0 ? 0 : std::copysign(std::numeric_limits<double>::infinity(), diff);
    return r;
  }
  r.t = diff / se;
  r.df = (v1 + v2) * (v1 + v2) / (v1 * v1 / static_cast<double>(n1 - 1) + v2 * v2 / static_cast<double>(n2 - 1));
  r.p = student_t_two_sided(r.t, r.df);
  return r;
}

}  // namespace fpsim::io
