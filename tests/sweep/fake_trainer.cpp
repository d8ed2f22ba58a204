// A stand-in for `fpsim train` honouring the same command line and output files (the contract in
// tools/sweep/state.h), so the sweep runner is tested without training anything:
//
//   fake_trainer CONFIG.json --out DIR [--threads N] [--progress jsonl|plain|none]
//
// The config's "steps" (default 20) sets the length; its "fake" object steers the behaviour:
//   {"step_ms": 5}        sleep per step, so a test can kill the sweep mid-run
//   {"diverge_at": 7}     loss becomes NaN at that step: status "diverged"
//   {"fail": "message"}   print "error: …" and exit 2 before writing anything (a bad config)
// If FAKE_TRAINER_LOG is set, "start <dir name>" is appended to it when a run starts.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "tools/io/atomic_file.h"

using nlohmann::json;

int main(int argc, char** argv) {
  std::string config_file, out, progress = "none";
  int threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (a == "--progress" && i + 1 < argc) progress = argv[++i];
    else if (config_file.empty()) config_file = a;
    else {
      std::fprintf(stderr, "error: unexpected argument %s\n", a.c_str());
      return 2;
    }
  }
  if (config_file.empty() || out.empty()) {
    std::fprintf(stderr, "error: usage: fake_trainer CONFIG --out DIR\n");
    return 2;
  }
  const json config = json::parse(fpsim::io::read_file(config_file));
  const json fake = config.value("fake", json::object());
  if (fake.contains("fail")) {
    std::fprintf(stderr, "error: %s:/fake/fail: %s\n", config_file.c_str(), fake["fail"].get<std::string>().c_str());
    return 2;
  }
  if (const char* log = std::getenv("FAKE_TRAINER_LOG")) {
    const std::string line = "start " + std::filesystem::path(out).filename().string() + "\n";
    const int fd = ::open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0 && ::write(fd, line.data(), line.size()) < 0) std::perror("log");
    if (fd >= 0) ::close(fd);
  }
  const int steps = config.value("steps", 20);
  const int step_ms = fake.value("step_ms", 0);
  const int diverge_at = fake.value("diverge_at", -1);
  const int seed = config.value("seed", 0);
  const auto t0 = std::chrono::steady_clock::now();

  fpsim::io::write_file_atomic(std::filesystem::path(out) / "config.json", config.dump(2) + "\n");
  std::string metrics;
  double loss = 2.0 + 0.01 * seed, accuracy = 0.1, best = 0;
  int step = 0;
  bool diverged = false;
  for (step = 1; step <= steps; ++step) {
    if (step_ms) std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
    loss *= 0.9;
    accuracy = 0.1 + 0.8 * step / steps;
    if (step == diverge_at) loss = NAN, diverged = true;
    if (step % 5 == 0 || step == steps || diverged) {
      best = std::max(best, accuracy);
      json m = {{"schema", 1},           {"step", step},          {"epoch", 1.0 * step / steps},
                {"train_loss", diverged ? json(nullptr) : json(loss)}, {"test_loss", diverged ? json(nullptr) : json(loss * 1.1)},
                {"test_accuracy", accuracy}, {"loss_scale", 1024.0}, {"skipped_steps", 0},
                {"telemetry", {{"fc1/weight_grad", {{"zero_frac", 0.5 / step}, {"subnormal_frac", 0.0},
                                                    {"saturated_frac", 0.0}, {"nan", 0}, {"amax", 1.0},
                                                    {"log2_hist", {{"lo", -10}, {"counts", {1, 2}}}}}}}}};
      metrics += m.dump() + "\n";
      fpsim::io::write_file_atomic(std::filesystem::path(out) / "metrics.jsonl", metrics);
    }
    if (progress == "jsonl") {
      const json p = {{"step", step}, {"total_steps", steps}, {"epoch", 1.0 * step / steps},
                      {"train_loss", diverged ? json(nullptr) : json(loss)}, {"test_accuracy", nullptr},
                      {"eta_s", (steps - step) * step_ms / 1000.0}};
      std::printf("%s\n", p.dump().c_str());
      std::fflush(stdout);
    }
    if (diverged) break;
  }
  const json summary = {{"schema", 1},
                        {"name", config.value("name", "fake")},
                        {"status", diverged ? "diverged" : "completed"},
                        {"diverged_step", diverged ? json(step) : json(nullptr)},
                        {"steps", diverged ? step : steps},
                        {"epochs", 1},
                        {"final_test_accuracy", accuracy},
                        {"best_test_accuracy", best},
                        {"final_test_loss", diverged ? json(nullptr) : json(loss * 1.1)},
                        {"final_train_loss", diverged ? json(nullptr) : json(loss)},
                        {"skipped_steps", 0},
                        {"final_loss_scale", 1024.0},
                        {"telemetry_summary", json::object()}};
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fpsim::io::write_file_atomic(std::filesystem::path(out) / "timing.json",
                               json({{"schema", 1}, {"wall_s", wall}, {"threads", threads}}).dump() + "\n");
  fpsim::io::write_file_atomic(std::filesystem::path(out) / "summary.json", summary.dump(2) + "\n");
  return 0;
}
