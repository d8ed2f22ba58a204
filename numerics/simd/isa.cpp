// Run-time ISA detection (see isa.h). The feature sets are those Highway's targets require (AVX2:
// AVX2, FMA, BMI2; AVX3: AVX-512 F, VL, DQ, BW), so one answer serves Highway, the op-table gather
// loop and the GEMM micro-kernels alike; one cap (limit_isa: the CLI's FPSIM_MAX_ISA and --isa) narrows
// all of them at once.
#include "numerics/simd/isa.h"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <stdexcept>
#include <string>

namespace fpsim::simd {

// Names in Isa's declaration order.
constexpr const char* kNames[] = {"portable", "avx2", "avx512"};
static_assert(std::size(kNames) == std::size(kIsas));

const char* to_string(Isa isa) { return kNames[static_cast<int>(isa)]; }

Isa parse_isa(std::string_view name) {
  for (Isa isa : kIsas)
    if (name == to_string(isa)) return isa;
  throw std::invalid_argument("unknown ISA \"" + std::string(name) + "\" (expected portable, avx2 or avx512)");
}

bool cpu_supports(Isa isa) {
  switch (isa) {
    case Isa::Portable: return true;
#if defined(__x86_64__) || defined(__i386__)
    case Isa::Avx2:
      // F16C too: Highway's AVX2 target is compiled with it (binary16 conversions, e.g. the GEMM accumulator)
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2") &&
             __builtin_cpu_supports("f16c");
    case Isa::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
#else
    default: return false;
#endif
  }
  return false;
}

namespace {
std::atomic<Isa> cap{Isa::Avx512};  // limit_isa's cap (Avx512: none)
}  // namespace

Isa best_isa() {
  static const Isa widest =
      cpu_supports(Isa::Avx512) ? Isa::Avx512 : cpu_supports(Isa::Avx2) ? Isa::Avx2 : Isa::Portable;
  return std::min(widest, cap.load(std::memory_order_relaxed));
}

Isa limit_isa(Isa widest) { return cap.exchange(widest, std::memory_order_relaxed); }

}  // namespace fpsim::simd
