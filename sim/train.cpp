#include "sim/train.h"

#include "sim/parallel.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <limits>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "sim/data/text.h"
#include "sim/optim/clip.h"

namespace fpsim::sim {
namespace {

// Evaluation passes key their (rarely used) forward SR streams in a step range training never uses.
constexpr uint64_t kEvalStepBase = uint64_t{1} << 62;

struct EvalResult {
  double loss = 0, accuracy = 0;
};

EvalResult evaluate(Model& model, const TrainConfig& c, const Dataset& test, int64_t step, ScalingState& scaling) {
  Tape tape;
  Tensor x;
  std::vector<int32_t> y;
  double loss_sum = 0;
  int64_t correct = 0;
  const std::vector<int64_t> order = test.is_text() ? std::vector<int64_t>{} : epoch_order(test.count, 0, 0, false);
  // Text windows are ~context times larger than an image sample's label count: smaller batches.
  const int64_t batch = test.is_text() ? std::max<int64_t>(1, c.eval_batch_size / test.context) : c.eval_batch_size;
  for (int64_t first = 0; first < test.count; first += batch) {
    const int64_t n = std::min(batch, test.count - first);
    if (test.is_text())
      text_eval_batch(test, first, n, x, y);
    else
      gather_batch(test, std::span(order).subspan(size_t(first), size_t(n)), x, y);
    tape.clear();
    lend(tape, model.parameters(), false);  // given back below, before anything reads them
    StepContext ctx;
    ctx.seed = c.seed;
    ctx.step = kEvalStepBase + uint64_t(step);
    ctx.train = false;
    ctx.plan = &c.plan;
    ctx.scaling = &scaling;  // read only: evaluation records no amax
    const Var logits = model.forward(tape, ctx, tape.leaf(x, false));
    const Var loss = softmax_cross_entropy(tape, logits, y);
    take_back(tape, model.parameters());
    loss_sum += double(tape.value(loss).data[0]) * double(n);
    const Tensor& z = tape.value(logits);
    const int64_t classes = z.dim(1);
    for (int64_t i = 0; i < z.dim(0); ++i) {  // one row per label (per byte for text)
      const float* row = z.ptr() + i * classes;
      const int64_t best = std::max_element(row, row + classes) - row;  // first maximum
      if (best == y[size_t(i)]) ++correct;
    }
  }
  const double labels = double(test.count) * (test.is_text() ? test.context : 1);
  return {loss_sum / double(test.count), double(correct) / labels};
}

// Every gradient element finite: |g| <= FLT_MAX is false for inf and NaN. Branch-free (the loop
// vectorises) and in blocks over both cores: it reads every gradient once per step.
bool all_finite(const std::vector<Parameter>& params) {
  for (const Parameter& p : params) {
    const float* g = p.grad.ptr();
    std::atomic<bool> finite{true};
    parallel_elements(p.grad.numel(), [&](int64_t begin, int64_t end) {
      // A float is inf or NaN iff its exponent field is all ones (0x7F800000): an integer test, which the
      // compiler vectorises (a float compare's bool reduction it did not).
      uint32_t non_finite = 0;
      for (int64_t i = begin; i < end; ++i)
        non_finite |= uint32_t{(std::bit_cast<uint32_t>(g[i]) & 0x7F800000u) == 0x7F800000u};
      if (non_finite) finite.store(false, std::memory_order_relaxed);
    });
    if (!finite.load()) return false;
  }
  return true;
}

void zero_non_finite(std::vector<Parameter>& params) {
  for (Parameter& p : params)
    for (float& g : p.grad.data)
      if (!std::isfinite(g)) g = 0.0f;
}

void add_to_summary(std::map<std::string, TelemetrySummary>& summary, const TelemetryWindow& window) {
  for (const auto& [key, point] : window) {
    TelemetrySummary& s = summary[key];
    // Running means: mean_n = mean_{n-1} + (x - mean_{n-1})/n, in a fixed (evaluation) order.
    ++s.samples;
    const double n = s.samples;
    s.zero_frac_mean += (point.zero_frac() - s.zero_frac_mean) / n;
    s.subnormal_frac_mean += (point.subnormal_frac() - s.subnormal_frac_mean) / n;
    s.saturated_frac_mean += (point.saturated_frac() - s.saturated_frac_mean) / n;
    s.zero_frac_last = point.zero_frac();
  }
}

}  // namespace

int64_t steps_per_epoch(int64_t train_count, int64_t batch_size) { return (train_count + batch_size - 1) / batch_size; }

int64_t total_steps(const TrainConfig& c, int64_t train_count) {
  return c.steps > 0 ? c.steps : c.epochs * steps_per_epoch(train_count, c.batch_size);
}

TrainSummary train(const TrainConfig& c, const Dataset& train_set, const Dataset& test_set, TrainObserver& observer) {
  if (c.batch_size < 1 || train_set.count < 1 || test_set.count < 1)
    throw std::invalid_argument("train: empty dataset or batch size < 1");
  const bool text_model = c.model.type == ModelSpec::Type::Transformer;
  if (train_set.is_text() != text_model || train_set.is_text() != test_set.is_text())
    throw std::invalid_argument("train: the transformer trains on text data, every other model on images");
  const std::unique_ptr<Model> built = build_model(c.model, c.plan, c.seed);
  Model& model = *built;
  const int64_t spe = steps_per_epoch(train_set.count, c.batch_size);
  const int64_t total = total_steps(c, train_set.count);
  const int64_t eval_every = c.eval_interval > 0 ? c.eval_interval : spe;
  LossScaler scaler(c.loss_scale);
  TrainSummary summary;
  Tape tape;
  Tensor x;
  std::vector<int32_t> y;
  std::vector<int64_t> order;
  TelemetryWindow window;
  ScalingState scaling;  // delayed-scaling amax histories, keyed "<layer>/<role>"
  double loss_sum = 0;
  int64_t loss_count = 0;
  std::optional<double> last_accuracy;
  std::vector<Parameter>& params = model.parameters();

  for (int64_t step = 1; step <= total; ++step) {
    const int64_t epoch = (step - 1) / spe, pos = (step - 1) % spe;
    if (train_set.is_text()) {
      text_train_batch(train_set, c.seed, step, c.batch_size, x, y);
    } else {
      if (pos == 0) order = epoch_order(train_set.count, c.seed, epoch, c.shuffle);
      const int64_t first = pos * c.batch_size, n = std::min(c.batch_size, train_set.count - first);
      gather_batch(train_set, std::span(order).subspan(size_t(first), size_t(n)), x, y);
    }

    // 1. Forward and backward with the loss scaled by the current scale.
    const bool sample = c.telemetry_interval > 0 && (step - 1) % c.telemetry_interval == 0;
    StepContext ctx;
    ctx.seed = c.seed;
    ctx.step = uint64_t(step);
    ctx.plan = &c.plan;
    ctx.telemetry = sample ? &window : nullptr;
    ctx.scaling = &scaling;
    tape.clear();
    lend(tape, params);  // given back after collect_grads
    const Var loss = softmax_cross_entropy(tape, model.forward(tape, ctx, tape.leaf(x, false)), y);
    const double loss_value = tape.value(loss).data[0];
    const double scale = scaler.scale_for(step, epoch);
    tape.backward(loss, float(scale));
    collect_grads(tape, params);
    take_back(tape, params);
    if (c.after_backward) c.after_backward(step, params);
    summary.steps = step;
    summary.epochs = double(step) / double(spe);

    // 2. A non-finite loss is divergence (the forward pass does not depend on the loss scale).
    if (!std::isfinite(loss_value)) {
      summary.diverged = true;
      summary.diverged_step = step;
      break;
    }
    loss_sum += loss_value;
    ++loss_count;

    // 3. Overflow check, loss-scale update, and the optimiser step unless skipped.
    const StepAction action = scaler.update(all_finite(params));
    if (action == StepAction::ApplyZeroingNonFinite) zero_non_finite(params);
    if (action != StepAction::Skip) {
      // Global-norm clipping of the unscaled gradients: dividing by scale·(norm/clip) instead of
      // scale gives g/scale · clip/norm.
      double grad_scale = scale;
      if (c.optimizer.clip_norm > 0) {
        const double norm = global_grad_norm(params, scale);
        if (norm > c.optimizer.clip_norm) grad_scale = scale * (norm / c.optimizer.clip_norm);
      }
      optimizer_step(params, c.optimizer, lr_at(c.schedule, c.optimizer.lr, step, total), step, grad_scale, c.seed,
                     ctx.telemetry);
    }

    // 4. Evaluation points and progress.
    const double mean_loss = loss_sum / double(std::max<int64_t>(loss_count, 1));
    if (step % eval_every == 0 || step == total) {
      const EvalResult r = evaluate(model, c, test_set, step, scaling);
      EvalPoint point{step, summary.epochs, mean_loss, r.loss, r.accuracy, scaler.scale(), scaler.skipped_steps(),
                      std::move(window),
                      test_set.is_text() ? std::optional(r.loss / std::numbers::ln2) : std::nullopt};
      window = {};
      summary.final_test_bits_per_byte = point.test_bits_per_byte;
      add_to_summary(summary.telemetry, point.telemetry);
      summary.final_train_loss = mean_loss;
      summary.final_test_loss = r.loss;
      summary.final_test_accuracy = r.accuracy;
      summary.best_test_accuracy = std::max(summary.best_test_accuracy.value_or(0.0), r.accuracy);
      last_accuracy = r.accuracy;
      loss_sum = 0;
      loss_count = 0;
      observer.on_eval(point);
    }
    observer.on_step(Progress{step, total, summary.epochs, mean_loss, last_accuracy});
  }
  summary.skipped_steps = scaler.skipped_steps();
  summary.final_loss_scale = scaler.scale();
  return summary;
}

}  // namespace fpsim::sim
