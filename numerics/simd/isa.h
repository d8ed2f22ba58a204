#pragma once
// The one run-time instruction-set selection of fpsim, used by numerics (the Highway kernels of
// quantize and array arithmetic, the op-table gather loop) and by sim (the fp32 GEMM micro-kernels).
// Every vector path gives the same bits on every ISA; the choice only changes speed. Names are parsed
// here once, for every command-line option that picks an ISA (`--isa`).
#include <cstdint>
#include <string_view>

namespace fpsim::simd {

/// Instruction sets with compiled vector code. Portable is plain C++ (any CPU).
enum class Isa : uint8_t {
  Portable,  ///< no vector instructions assumed
  Avx2,      ///< AVX2 + FMA + BMI2 + F16C (Haswell, Zen 1 and later)
  Avx512,    ///< AVX-512 F + VL + DQ + BW (Skylake-SP, Zen 4 and later)
};

/// Every Isa, narrowest first. Example: for (Isa isa : kIsas) if (cpu_supports(isa)) ...
inline constexpr Isa kIsas[] = {Isa::Portable, Isa::Avx2, Isa::Avx512};

/// "portable", "avx2", "avx512". Example: to_string(Isa::Avx2) is "avx2".
const char* to_string(Isa isa);

/// The Isa named `name`; throws std::invalid_argument naming the choices otherwise.
/// Example: parse_isa("avx512") is Isa::Avx512; parse_isa("sse") throws.
Isa parse_isa(std::string_view name);

/// Whether this CPU (and OS) runs code compiled for `isa`. Example: cpu_supports(Isa::Portable) is true.
bool cpu_supports(Isa isa);

/// The widest Isa this CPU supports, capped by limit_isa. Every ISA gives the same bits.
/// Example: best_isa() on an EPYC Zen 2 is Avx2; after limit_isa(Isa::Portable) it is Portable on any CPU.
Isa best_isa();

/// Caps best_isa() at `widest` from now on (the CPU's own limit still holds) and returns the cap it replaces
/// (Avx512 when there was none): the fpsim CLI's FPSIM_MAX_ISA and --isa, to run an AVX-512 machine on the AVX2
/// kernels (what an AVX2 machine's speed ratios look like). It caps what fpsim dispatches itself: quantize,
/// array arithmetic, the random stream, the GEMM micro-kernels and accumulators. sim's GELU and exp loops
/// (compiled AVX2 and SSE2 clones, bit-identical) and binary16 scalar conversions (F16C) follow the CPU.
/// Example: limit_isa(Isa::Avx2); best_isa() is then Avx2 on an AVX-512 machine, Portable on an SSE one.
Isa limit_isa(Isa widest);

}  // namespace fpsim::simd
