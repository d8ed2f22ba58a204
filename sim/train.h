#pragma once
// train(): the training loop of a TrainConfig on in-memory datasets, reporting evaluation points
// and progress to an observer, returning the summary. Deterministic: the same config and data
// give the same bits for any thread count (every random draw is keyed by seed, step and name,
// and no float reduction is split across threads).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/data/dataset.h"
#include "sim/loss_scale.h"
#include "sim/models/model.h"
#include "sim/optim/optim.h"
#include "sim/optim/schedule.h"

namespace fpsim::sim {

struct TrainConfig {
  std::string name = "run";
  uint64_t seed = 0;
  ModelSpec model;
  int64_t batch_size = 128;
  bool shuffle = true;
  OptimizerSpec optimizer;
  ScheduleSpec schedule;
  QuantPlan plan;
  LossScaleSpec loss_scale;
  int64_t epochs = 1;              ///< used when steps == 0
  int64_t steps = 0;               ///< total updates; overrides epochs when > 0
  int64_t eval_interval = 0;       ///< steps between evaluations; 0 = once per epoch (and at the end)
  int64_t telemetry_interval = 0;  ///< collect telemetry on steps 1, 1+k, 1+2k, ...; 0 = never
  int64_t eval_batch_size = 1000;
  /// Test hook, run after backward and before the overflow check (e.g. to inject an inf gradient).
  std::function<void(int64_t step, std::vector<Parameter>& params)> after_backward;
};

struct EvalPoint {
  int64_t step = 0;
  double epoch = 0;              ///< step / steps_per_epoch
  double train_loss = 0;         ///< mean training loss since the previous evaluation point
  double test_loss = 0;
  double test_accuracy = 0;      ///< fraction in [0, 1] (text: of bytes predicted by the arg max)
  double loss_scale = 1;
  int64_t skipped_steps = 0;
  TelemetryWindow telemetry;     ///< points sampled since the previous evaluation point
  std::optional<double> test_bits_per_byte;  ///< text only: test_loss (nats per byte) / ln 2
};

struct Progress {
  int64_t step = 0, total_steps = 0;
  double epoch = 0;
  double train_loss = 0;  ///< mean since the previous evaluation point
  std::optional<double> test_accuracy;  ///< the latest evaluation, if any
};

struct TelemetrySummary {
  double zero_frac_mean = 0, zero_frac_last = 0, subnormal_frac_mean = 0, saturated_frac_mean = 0;
  int samples = 0;
};

struct TrainSummary {
  bool diverged = false;
  std::optional<int64_t> diverged_step;
  int64_t steps = 0;                  ///< updates attempted (including skipped ones)
  double epochs = 0;
  std::optional<double> final_test_accuracy, best_test_accuracy, final_test_loss, final_train_loss;
  std::optional<double> final_test_bits_per_byte;  ///< text only
  int64_t skipped_steps = 0;
  double final_loss_scale = 1;
  std::map<std::string, TelemetrySummary> telemetry;
};

class TrainObserver {
 public:
  virtual ~TrainObserver() = default;
  virtual void on_step(const Progress&) {}
  virtual void on_eval(const EvalPoint&) {}
};

/// Number of updates per epoch (the last batch may be partial). Example: steps_per_epoch(60000, 128) == 469.
int64_t steps_per_epoch(int64_t train_count, int64_t batch_size);
/// Total updates of a config on a training set. Example: 3 epochs of 60000 at batch 128 is 1407.
int64_t total_steps(const TrainConfig& c, int64_t train_count);

/// Run the config: images (gather_batch) or text (sim/data/text.h: a transformer on windows of
/// `context` bytes). Throws std::invalid_argument for inconsistent shapes (model input vs data).
/// Example: TrainSummary s = train(config, make_synthetic(1, 0, 512, 10, 0.3), make_synthetic(1, 512, 256, 10, 0.3), obs);
TrainSummary train(const TrainConfig& config, const Dataset& train_set, const Dataset& test_set, TrainObserver& observer);

}  // namespace fpsim::sim
