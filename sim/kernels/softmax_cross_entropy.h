#pragma once
// Softmax + cross-entropy loss, mean over the batch.
// Shapes: logits [batch, classes], probs [batch, classes], labels [batch] (0 ≤ label < classes).
#include <cstdint>

namespace fpsim::sim {

/// probs = softmax(logits) per row (max subtracted first, sums in binary64 for stability), and
/// returns the mean loss  (1/batch) Σ_b −log softmax(logits_b)[label_b]  computed as
/// log Σ exp(l − max) − (l_label − max) in binary64. Throws std::out_of_range for a label outside
/// [0, classes). Example: two equal logits and either label give log 2 = 0.693147.
double softmax_cross_entropy_forward(float* probs, const float* logits, const int32_t* labels, int batch,
                                     int classes);

/// Accumulates dlogits += dloss · (probs − onehot(label)) / batch, the gradient of dloss × the mean
/// loss (dloss is the upstream gradient, e.g. the loss scale). Example: softmax_cross_entropy_backward(
/// dlogits, probs, labels, 128, 10, 1024.0f) is the loss-scaled gradient.
void softmax_cross_entropy_backward(float* dlogits, const float* probs, const int32_t* labels, int batch,
                                    int classes, float dloss = 1.0f);

}  // namespace fpsim::sim
