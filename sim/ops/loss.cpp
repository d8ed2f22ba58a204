// Softmax cross-entropy, numerically stable: log Σ exp(z - max z) in double per row.
#include <cmath>
#include <memory>
#include <stdexcept>

#include "sim/ops/internal/exp_binary64.h"
#include "sim/ops/ops.h"
#include "sim/parallel.h"

namespace fpsim::sim {

// loss = (1/M) Σ_i [log Σ_c exp(z_ic) - z_i,label_i];  dz_ic += g·(softmax(z_i)_c - [c = label_i])/M.
Var softmax_cross_entropy(Tape& tape, Var logits, std::span<const int32_t> labels) {
  const Tensor& z = tape.value(logits);
  if (z.rank() != 2 || z.dim(0) != int64_t(labels.size()))
    throw std::invalid_argument("softmax_cross_entropy: logits " + shape_string(z.shape) + " for " +
                                std::to_string(labels.size()) + " labels");
  const int64_t m = z.dim(0), classes = z.dim(1);
  auto probs = std::make_shared<std::vector<double>>(size_t(m * classes));
  std::vector<double> row_loss(static_cast<size_t>(m));
  auto label_ids = std::make_shared<std::vector<int32_t>>(labels.begin(), labels.end());
  for (int32_t l : labels)
    if (l < 0 || l >= classes)
      throw std::invalid_argument("softmax_cross_entropy: label " + std::to_string(l) + " outside [0, " +
                                  std::to_string(classes) + ")");
  parallel_for(m, 256, [&](int64_t i) {
    const float* zi = z.ptr() + i * classes;
    double mx = zi[0];
    for (int64_t c = 1; c < classes; ++c) mx = std::fmax(mx, double(zi[c]));
    double sum = 0;
    double* p = probs->data() + i * classes;  // exp(z - max) first, normalised once the sum is known
    for (int64_t c = 0; c < classes; ++c) p[c] = double(zi[c]) - mx;
    detail::exp_span(p, p, classes);  // vectorised exp of binary64 (exp_binary64.h)
    for (int64_t c = 0; c < classes; ++c) sum += p[c];  // in class order
    for (int64_t c = 0; c < classes; ++c) p[c] /= sum;
    row_loss[size_t(i)] = std::log(sum) + mx - double(zi[(*label_ids)[size_t(i)]]);
  });
  double total = 0;  // summed in row order, whatever the thread count
  for (double l : row_loss) total += l;
  Tensor loss({1}, float(total / double(m)));
  return tape.record(std::move(loss), tape.needs_grad(logits), [logits, probs, label_ids, m, classes](Tape& t, Var self) {
    const double g = t.grad(self).data[0] / double(m);
    float* dz = t.grad(logits).ptr();
    parallel_for(m, 256, [&](int64_t i) {
      const double* p = probs->data() + i * classes;
      const int32_t label = (*label_ids)[size_t(i)];
      for (int64_t c = 0; c < classes; ++c) dz[i * classes + c] += float(g * (p[c] - (c == label ? 1.0 : 0.0)));
    });
  });
}

}  // namespace fpsim::sim
