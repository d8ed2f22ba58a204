// Softmax + cross-entropy, numerically stable: every exponent is of (logit − row max) ≤ 0, so exp
// never overflows, and the log-sum-exp is formed in binary64.
#include "sim/kernels/softmax_cross_entropy.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace fpsim::sim {

double softmax_cross_entropy_forward(float* probs, const float* logits, const int32_t* labels, int batch,
                                     int classes) {
  for (int b = 0; b < batch; ++b)
    if (labels[b] < 0 || labels[b] >= classes)
      throw std::out_of_range("softmax_cross_entropy: label " + std::to_string(labels[b]) + " of row " +
                              std::to_string(b) + " is outside [0, " + std::to_string(classes) + ")");
  std::vector<double> row_loss(static_cast<std::size_t>(batch));
#pragma omp parallel for schedule(static) if (batch >= 64)
  for (int b = 0; b < batch; ++b) {
    const float* l = logits + static_cast<std::size_t>(b) * classes;
    float* p = probs + static_cast<std::size_t>(b) * classes;
    // 1. max, 2. Σ exp(l − max) in binary64, 3. probabilities, 4. −log p[label] = log Σ − (l[label] − max)
    double max = l[0];
    for (int c = 1; c < classes; ++c) max = std::max(max, static_cast<double>(l[c]));
    double sum = 0.0;
    for (int c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(l[c]) - max);
    for (int c = 0; c < classes; ++c) p[c] = static_cast<float>(std::exp(static_cast<double>(l[c]) - max) / sum);
    row_loss[b] = std::log(sum) - (static_cast<double>(l[labels[b]]) - max);
  }
  double total = 0.0;  // rows summed in order: the same bits for any thread count
  for (int b = 0; b < batch; ++b) total += row_loss[b];
  return batch > 0 ? total / batch : 0.0;
}

void softmax_cross_entropy_backward(float* dlogits, const float* probs, const int32_t* labels, int batch,
                                    int classes, float dloss) {
  const float scale = dloss / static_cast<float>(batch);
#pragma omp parallel for schedule(static) if (batch >= 64)
  for (int b = 0; b < batch; ++b) {
    const float* p = probs + static_cast<std::size_t>(b) * classes;
    float* d = dlogits + static_cast<std::size_t>(b) * classes;
    for (int c = 0; c < classes; ++c) d[c] += scale * (p[c] - (c == labels[b] ? 1.0f : 0.0f));
  }
}

}  // namespace fpsim::sim
