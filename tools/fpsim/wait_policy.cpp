// fpsim train and fpsim bench spin only briefly at OpenMP barriers by default (GOMP_SPINCOUNT=1000: 1,000
// iterations of a load, a compare and, on x86, a `pause`: about 1–50 µs depending on the CPU, then the thread
// sleeps; libgomp cuts it to 100 when it runs more threads than the process may use). libgomp's own default
// spins 300,000 iterations before it sleeps, which pays on a machine with cores to spare and costs dearly on a
// shared one: a thread that spins while the thread it waits for is not running keeps that thread off the core.
// Not spinning at all (OMP_WAIT_POLICY=passive) puts a futex sleep and wake-up into nearly every parallel region
// of a training step, so the second core gained nothing.
// Measured with fpsim bench train, medians of 3 runs per setting, settings alternated:
//   - 2-core development VM (AVX2 EPYC) with a 2-core build running alongside: a 2-thread Transformer step
//     took 0.98–2.09 s with libgomp's default against 0.20–0.24 s passive, a 2-thread MLP epoch 153–182 s against
//     13–22 s;
//   - 2-core AVX-512 EPYC VM, idle: 2-thread MLP epoch 2.18–2.19 s passive, 1.82–1.86 s at 1000 (1.69–1.79 s at
//     300,000; one thread 2.15–2.25 s); 2-thread Transformer step 0.059–0.061 s passive, 0.056–0.058 s at 1000;
//   - the same VM with two busy processes alongside (single runs, alternated): MLP epoch 3.8–7.1 s passive against
//     2.9–5.6 s at 1000, Transformer step 0.085–0.178 s against 0.084–0.100 s; libgomp's default 18 s per epoch.
// GOMP_SPINCOUNT or OMP_WAIT_POLICY in the environment is left alone (GOMP_SPINCOUNT=300000 restores libgomp's
// default, OMP_WAIT_POLICY=passive the sleep-at-once policy).
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

void spin_briefly_unless_chosen(int argc, char** argv) {
#if defined(_OPENMP)
  // Only the commands that train (train, bench: many parallel regions per update) pay for the exec, about 4 ms; a
  // quick command such as `fpsim eval` in a shell loop would otherwise start twice for nothing. A sweep's runs are
  // `fpsim train` processes and make the choice themselves.
  if (argc < 2 || (std::strcmp(argv[1], "train") != 0 && std::strcmp(argv[1], "bench") != 0)) return;
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (!proc_self_exe_is_this_program()) return;
  if (setenv("GOMP_SPINCOUNT", "1000", 1) != 0) return;
  execv("/proc/self/exe", argv);  // returns only on failure: go on with libgomp's default
  unsetenv("GOMP_SPINCOUNT");
#else
  (void)argc, (void)argv;  // no OpenMP: nothing waits at barriers
#endif
}

}  // namespace fpsim::cli
