#include "sim/optim/clip.h"

#include <cmath>

namespace fpsim::sim {

double global_grad_norm(const std::vector<Parameter>& params, double grad_scale) {
  double sum = 0;
  for (const Parameter& p : params)
    for (float g : p.grad.data) {
      const double u = double(g) / grad_scale;
      sum += u * u;
    }
  return std::sqrt(sum);
}

}  // namespace fpsim::sim
