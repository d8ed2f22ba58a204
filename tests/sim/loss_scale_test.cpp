// Loss scaling: dynamic backoff and growth, the enhanced floor, skipped-step counting.
#include <catch2/catch.hpp>

#include "sim/loss_scale.h"
#include "sim/optim/schedule.h"

using namespace fpsim::sim;

TEST_CASE("dynamic loss scale backs off and skips on overflow, grows after the interval", "[sim][loss_scale]") {
  LossScaleSpec spec;
  spec.type = LossScaleSpec::Type::Dynamic;
  spec.init = 1024;
  spec.growth_interval = 3;
  LossScaler s(spec);
  CHECK(s.scale_for(1, 0) == 1024);
  CHECK(s.update(false) == StepAction::Skip);
  CHECK(s.scale() == 512);
  CHECK(s.skipped_steps() == 1);
  CHECK(s.update(true) == StepAction::Apply);
  CHECK(s.update(true) == StepAction::Apply);
  CHECK(s.scale() == 512);
  CHECK(s.update(true) == StepAction::Apply);
  CHECK(s.scale() == 1024);  // third clean step in a row
  CHECK(s.skipped_steps() == 1);
}

TEST_CASE("dynamic loss scale stays within [min, max]", "[sim][loss_scale]") {
  LossScaleSpec spec;
  spec.type = LossScaleSpec::Type::Dynamic;
  spec.init = 4;
  spec.min = 2;
  spec.max = 8;
  spec.growth_interval = 1;
  LossScaler s(spec);
  for (int i = 0; i < 5; ++i) s.update(false);
  CHECK(s.scale() == 2);
  for (int i = 0; i < 5; ++i) s.update(true);
  CHECK(s.scale() == 8);
}

TEST_CASE("enhanced loss scale never drops below its floor schedule", "[sim][loss_scale]") {
  LossScaleSpec spec;
  spec.type = LossScaleSpec::Type::Enhanced;
  spec.init = 1024;
  spec.floor_schedule = {{0, 256}, {10, 4096}};
  LossScaler s(spec);
  s.scale_for(1, 0);
  for (int i = 0; i < 6; ++i) CHECK(s.update(false) == StepAction::Skip);
  CHECK(s.scale() == 256);  // 1024 -> 512 -> 256, then held at the floor
  CHECK(s.scale_for(10, 0) == 4096);  // the floor rose: the scale follows it up
  CHECK(s.update(false) == StepAction::Skip);
  CHECK(s.scale() == 4096);
  CHECK(s.skipped_steps() == 7);
}

TEST_CASE("enhanced loss scale with on_overflow_at_floor=apply applies the step at the floor", "[sim][loss_scale]") {
  LossScaleSpec spec;
  spec.type = LossScaleSpec::Type::Enhanced;
  spec.init = 512;
  spec.floor_schedule = {{0, 256}};
  spec.skip_at_floor = false;
  LossScaler s(spec);
  s.scale_for(1, 0);
  CHECK(s.update(false) == StepAction::Skip);  // above the floor: back off and skip
  CHECK(s.update(false) == StepAction::ApplyZeroingNonFinite);
  CHECK(s.scale() == 256);
  CHECK(s.skipped_steps() == 1);
}

TEST_CASE("enhanced floor can follow epochs", "[sim][loss_scale]") {
  LossScaleSpec spec;
  spec.type = LossScaleSpec::Type::Enhanced;
  spec.init = 1;
  spec.floor_by_epoch = true;
  spec.floor_schedule = {{1, 64}};
  LossScaler s(spec);
  CHECK(s.scale_for(500, 0) == 1);
  CHECK(s.scale_for(501, 1) == 64);
}

TEST_CASE("learning-rate schedules: warmup, step decay, cosine end points", "[sim][schedule]") {
  ScheduleSpec w{ScheduleSpec::Type::Constant, 4};
  CHECK(lr_at(w, 1.0, 1, 100) == Approx(0.25));
  CHECK(lr_at(w, 1.0, 4, 100) == Approx(1.0));
  CHECK(lr_at(w, 1.0, 50, 100) == 1.0);
  ScheduleSpec st{ScheduleSpec::Type::Step, 0, 10, 0.5};
  CHECK(lr_at(st, 1.0, 10, 100) == 1.0);
  CHECK(lr_at(st, 1.0, 11, 100) == 0.5);
  ScheduleSpec cs{ScheduleSpec::Type::Cosine, 0, 1, 0.1, 0.01};
  CHECK(lr_at(cs, 1.0, 1, 100) == Approx(1.0));
  CHECK(lr_at(cs, 1.0, 100, 100) == Approx(0.01));
  CHECK(lr_at(cs, 1.0, 50, 100) < 0.6);
}
