#pragma once
// How the fpsim CLI's OpenMP threads wait at barriers (wait_policy.cpp).

namespace fpsim::cli {

/// For `fpsim train` and `fpsim bench …`: makes the process's OpenMP threads spin 1,000 iterations (microseconds)
/// at a barrier before they sleep (GOMP_SPINCOUNT=1000; why in wait_policy.cpp) unless the user chose a policy
/// (OMP_WAIT_POLICY or GOMP_SPINCOUNT set). libgomp
/// reads its environment once, when it is loaded, before main(); so this sets the variable and replaces the
/// process with a fresh copy of itself (execv of /proc/self/exe with the same arguments). Returns only when
/// nothing was to be done, when /proc/self/exe is not this program (under valgrind, or started through the
/// dynamic loader), or when the exec failed: the process then keeps libgomp's default. Does nothing in a build
/// without OpenMP. Call it first in main(), before anything is printed or opened.
void spin_briefly_unless_chosen(int argc, char** argv);

}  // namespace fpsim::cli
