// fpsim train and fpsim bench wait passively at OpenMP barriers by default. libgomp's own default spins at every
// barrier (300,000 iterations before it sleeps), which pays on a machine with cores to spare and costs dearly on a
// shared one: a thread that spins while the thread it waits for is not running keeps that thread off the core.
// Measured on the 2-core development VM with a 2-core build running alongside (fpsim bench train, medians): a
// 2-thread Transformer training step (experiments/lm_transformer_fp32.json) took 0.98–2.09 s spinning against
// 0.20–0.24 s passive, and a 2-thread MLP epoch 153–182 s spinning (one thread: 13–23 s) against 13–22 s
// passive; with the machine otherwise idle the two policies were within run-to-run noise of each other (0.11–0.15 s
// per step, 4.7–5.1 s per 2-thread MLP epoch, both). GOMP_SPINCOUNT=300000 restores libgomp's default.
#include "tools/fpsim/wait_policy.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace fpsim::cli {
namespace {

// Whether /proc/self/exe is the file this code was loaded from: the executable mapping that holds this function
// (its device and inode, from /proc/self/maps) against stat() of /proc/self/exe. Not so under valgrind, which runs
// fpsim inside its own tool program, or when fpsim is started through the dynamic loader (ld-linux-x86-64.so.2
// fpsim …): re-executing /proc/self/exe would then start the tool or the loader, not fpsim.
bool proc_self_exe_is_this_program() {
  struct stat exe;
  if (stat("/proc/self/exe", &exe) != 0) return false;
  const auto here = reinterpret_cast<uintptr_t>(&proc_self_exe_is_this_program);
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    unsigned long lo = 0, hi = 0, inode = 0;
    unsigned major_id = 0, minor_id = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %*s %*s %x:%x %lu", &lo, &hi, &major_id, &minor_id, &inode) != 5) continue;
    if (here < lo || here >= hi) continue;
    return inode == exe.st_ino && makedev(major_id, minor_id) == exe.st_dev;
  }
  return false;
}

}  // namespace

void wait_passively_unless_chosen(int argc, char** argv) {
#if defined(_OPENMP)
  // Only the commands that train (train, bench: many parallel regions per update) pay for the exec, about 4 ms; a
  // quick command such as `fpsim eval` in a shell loop would otherwise start twice for nothing. A sweep's runs are
  // `fpsim train` processes and make the choice themselves.
  if (argc < 2 || (std::strcmp(argv[1], "train") != 0 && std::strcmp(argv[1], "bench") != 0)) return;
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (!proc_self_exe_is_this_program()) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  execv("/proc/self/exe", argv);  // returns only on failure: go on with libgomp's default
  unsetenv("OMP_WAIT_POLICY");
#else
  (void)argc, (void)argv;  // no OpenMP: nothing waits at barriers
#endif
}

}  // namespace fpsim::cli
