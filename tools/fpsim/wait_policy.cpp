// The fpsim CLI waits passively at OpenMP barriers by default. libgomp's own default spins at every barrier
// (up to 300,000 iterations before it sleeps), which pays on a machine with cores to spare and costs dearly on a
// shared one: a thread that spins while the thread it waits for is not running keeps that thread off the core.
// Measured on the 2-core development VM with a 2-core build running alongside (fpsim bench train, medians): a
// 2-thread Transformer training step (experiments/lm_transformer_fp32.json) took 0.98–2.09 s spinning against
// 0.20–0.24 s passive, and a 2-thread MLP epoch 153–182 s spinning (one thread: 13–23 s) against 13–22 s passive;
// with the machine otherwise idle the two policies were within run-to-run noise of each other (0.11–0.15 s per
// step, 4.7–5.1 s per 2-thread MLP epoch, both). Users who own their cores can ask for spinning back with
// OMP_WAIT_POLICY=active.
#include "tools/fpsim/wait_policy.h"

#include <unistd.h>

#include <cstdlib>

namespace fpsim::cli {

void wait_passively_unless_chosen(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  execv("/proc/self/exe", argv);  // returns only on failure: go on with libgomp's default
  unsetenv("OMP_WAIT_POLICY");
}

}  // namespace fpsim::cli
