#pragma once
// Rounding vocabulary: modes, overflow and tininess policies, NaN conventions, exception flags, and
// the Target that bundles a Format with how values are rounded into it.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "numerics/core/bits.h"
#include "numerics/core/format.h"

namespace fpsim {

/// Rounding modes, named with TestFloat's codes (rne rna rtz rup rdn rodd) plus sr / sr:K and trunc.
enum class Rounding : uint8_t {
  NearestEven,  ///< rne
  NearestAway,  ///< rna: ties away from zero
  TowardZero,   ///< rtz
  Up,           ///< rup: toward +inf
  Down,         ///< rdn: toward -inf
  Odd,          ///< rodd: truncate, then force the last bit to 1 if inexact
  Stochastic,   ///< sr (exact probability) or sr:K (K random bits added below the kept bits)
  Truncate,     ///< trunc: ml_dtypes' kTruncate (rtz in range, but |x| >= 2^(emax+1) overflows)
};

/// What a finite result beyond the largest finite value becomes.
enum class Overflow : uint8_t {
  Ieee,           ///< by rounding direction (IEEE 754 7.4); "inf" means NaN in fn/fnuz, max in finite
  Saturate,       ///< always ±max finite
  NonSaturating,  ///< always ±inf, or the NaN where the format has no inf (ml_dtypes default)
};

/// When a non-zero result is tiny (for the underflow flag and for flushing).
enum class Tininess : uint8_t { AfterRounding, BeforeRounding };

/// NaN results of ieee-style formats.
enum class NanPolicy : uint8_t {
  X86,        ///< SSE: first NaN operand's payload, quieted; invalid gives the default NaN (sign set)
  ArmDefault, ///< ARM FPCR.DN=1: every NaN result is the positive default NaN
  RiscV,      ///< RISC-V: every NaN result is the canonical positive quiet NaN
};

/// Bit-for-bit compatibility with another library's conversion quirks (conversions only).
enum class Compat : uint8_t {
  None,
  MlDtypes,  ///< ml_dtypes 0.6: NaN → the type's canonical NaN with the input's sign (payload dropped);
             ///< finite types: NaN → zero of the opposite sign; e8m0: binary32-subnormal inputs
             ///< above 2^-127 round up to 2^-126 in rne
};

/// SoftFloat's exception flag bits.
namespace flag {
inline constexpr uint8_t inexact = 1, underflow = 2, overflow = 4, infinite = 8, invalid = 16;
}

/// A format plus everything that decides how a value is rounded into it.
struct Target {
  Format format;
  Rounding rounding = Rounding::NearestEven;
  int sr_bits = 0;  ///< Stochastic only: 0 = exact probability (64-bit comparison), K = sr:K
  Overflow overflow = Overflow::Ieee;
  Tininess tininess = Tininess::AfterRounding;
  bool daz = false;                   ///< treat subnormal inputs as zero
  bool sr_subnormal_nearest = false;  ///< Stochastic: round to nearest-even in the subnormal range
  NanPolicy nan = NanPolicy::X86;
  Compat compat = Compat::None;
};

/// A Target as three words, equal exactly when every field is equal (the format's name aside): the key of the
/// caches behind the scalar calls (plan_cache.cpp, convert.cpp).
struct TargetKey {
  uint64_t format = 0;  ///< Format::identity()
  uint64_t modes = 0;   ///< one byte each: rounding, overflow, tininess, daz, sr_subnormal_nearest, nan, compat
  uint64_t sr_bits = 0;
  friend bool operator==(const TargetKey& a, const TargetKey& b) {  // no early exit: one OR of XORs
    return ((a.format ^ b.format) | (a.modes ^ b.modes) | (a.sr_bits ^ b.sr_bits)) == 0;
  }
};
/// modes' bytes 0..6 in the order above; byte 7 is left free for the cache's own use (the arithmetic cache puts
/// its operation there). binary16 in rne with every default: modes 0; sr (Rounding 6) saturating (Overflow 1):
/// modes 0x0106.
/// Built from two loads, not seven: Target's six one-byte fields from overflow to compat lie next to each other
/// (the static_assert below), so one 8-byte load from &t.overflow reads them as bytes 0..5 with two
/// bytes beyond compat (padding, or the start of a member added later), which the mask drops.
///   sr saturating: the load gives 0x????'0000'0000'0001 (overflow 1 in byte 0); << 8 and the mask give
///   0x0000'0000'0000'0100; | rounding 6 gives 0x0106.
// offsetof on Target (not standard-layout: Format holds a std::string) is conditionally supported; GCC and Clang
// support it and warn.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
inline constexpr size_t kTargetOverflowOffset = offsetof(Target, overflow);
static_assert(offsetof(Target, tininess) == kTargetOverflowOffset + 1 && offsetof(Target, daz) == kTargetOverflowOffset + 2 &&
                  offsetof(Target, sr_subnormal_nearest) == kTargetOverflowOffset + 3 &&
                  offsetof(Target, nan) == kTargetOverflowOffset + 4 && offsetof(Target, compat) == kTargetOverflowOffset + 5 &&
                  sizeof(Target) >= kTargetOverflowOffset + 8 && std::endian::native == std::endian::little,
              "target_modes reads Target's mode bytes as one word");
#pragma GCC diagnostic pop
inline uint64_t target_modes(const Target& t) {
  uint64_t six_bytes;
  std::memcpy(&six_bytes, reinterpret_cast<const unsigned char*>(&t) + kTargetOverflowOffset, sizeof six_bytes);
  return (six_bytes << 8 & 0x00FF'FFFF'FFFF'FF00ull) | uint64_t(t.rounding);
}
inline TargetKey target_key(const Target& t) {
  return {t.format.identity(), target_modes(t), static_cast<uint64_t>(static_cast<int64_t>(t.sr_bits))};
}
/// Whether a key's three words (format, modes, sr_bits) equal target_key(t) with `top` in the modes word's free byte,
/// compared one word at a time as each is made, leaving at the first difference: the scalar calls' inlined cache
/// checks (core/internal/keyed_cache.h, KeyedCache::front) need few registers this way.
inline bool same_target(uint64_t format, uint64_t modes, uint64_t sr_bits, const Target& t, uint64_t top = 0) {
  if (format != t.format.identity()) return false;
  if (modes != (target_modes(t) | top << 56)) return false;
  return sr_bits == static_cast<uint64_t>(static_cast<int64_t>(t.sr_bits));
}

/// A rounded result: the code in the target format and the exception flags raised.
struct Rounded {
  Bits bits;
  uint8_t flags = 0;
  friend constexpr bool operator==(const Rounded&, const Rounded&) = default;
};

/// An exact finite value handed to round_pack: (-1)^sign * sig * 2^exp, plus `sticky` when the
/// exact value has further non-zero bits below sig's last bit (so it lies strictly above sig*2^exp).
struct Exact {
  bool sign = false;
  int32_t exp = 0;
  uint64_t sig = 0;
  bool sticky = false;
};

/// The function that owns the rounding rule: rounding, overflow, underflow and flags of a finite result.
/// Fast paths that re-derive a step of it are listed in round_pack.cpp's rounding-sites index.
/// random_bits is used only by Stochastic rounding (uniform 64-bit word; sr:K uses its top K bits).
/// Example: round_pack({false, -2, 0b101, false}, Target{parse_format("e2m1fn")}, 0) is 1.25 -> 1.0
/// (ties to even), flags inexact.
Rounded round_pack(const Exact& x, const Target& t, uint64_t random_bits);

/// Names: "rne" "rna" "rtz" "rup" "rdn" "rodd" "sr" "sr:K" "trunc". parse_* throw std::invalid_argument
/// with the list of accepted names.
std::string to_string(Rounding r, int sr_bits = 0);
void parse_rounding(std::string_view text, Rounding& r, int& sr_bits);
const char* to_string(Overflow o);          ///< "ieee" "saturate" "nonsat"
Overflow parse_overflow(std::string_view text);
const char* to_string(Tininess t);          ///< "after" "before"
Tininess parse_tininess(std::string_view text);
const char* to_string(NanPolicy n);         ///< "x86" "arm" "riscv"
NanPolicy parse_nan_policy(std::string_view text);
std::string flags_to_string(uint8_t flags);  ///< "inexact|underflow", or "-" when none

}  // namespace fpsim
