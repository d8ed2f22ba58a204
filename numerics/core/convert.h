#pragma once
// Encode, decode and convert: every value goes through round_pack once.
#include <cstdint>
#include <string_view>

#include "numerics/core/rounding.h"

namespace fpsim {

/// The class of an encoded value.
enum class Class : uint8_t { Zero, Subnormal, Normal, Infinite, QuietNaN, SignalingNaN };
const char* to_string(Class c);

/// A code taken apart. Finite non-zero: value = (-1)^sign * sig * 2^exp with sig's top bit at
/// bit precision-1 for normals (lower for subnormals). NaN: `payload` is the mantissa field
/// left-aligned in 64 bits (quiet bit at bit 63 for ieee formats), the carrier x86 uses between formats.
struct Unpacked {
  Class cls = Class::Zero;
  bool sign = false;
  int32_t exp = 0;
  uint64_t sig = 0;
  uint64_t payload = 0;
  bool is_nan() const { return cls == Class::QuietNaN || cls == Class::SignalingNaN; }
  bool is_finite() const { return cls == Class::Zero || cls == Class::Subnormal || cls == Class::Normal; }
};

/// Take a code apart (daz: subnormal codes read as zero). Example: unpack({0x3c00}, binary16) = Normal, 1024 * 2^-10.
Unpacked unpack(Bits b, const Format& f, bool daz = false);
Class classify(Bits b, const Format& f);

/// Exact value of a code as a double (every format value is a binary64 value). NaN keeps its sign.
/// Example: decode({0x7e}, parse_format("e4m3fn")) == 448.0
double decode(Bits b, const Format& f);

/// Round a double / float into the target. random_bits drives stochastic rounding only.
/// Example: encode(58000.0, Target{parse_format("e5m2")}).bits == Bits{0x7b} (57344, inexact).
Rounded encode(double x, const Target& t, uint64_t random_bits = 0);
Rounded encode(float x, const Target& t, uint64_t random_bits = 0);

/// Round an exact decimal ("0.1", "-1.5e-7", "inf", "nan", "0x1.8p3") once, never through double.
/// Throws std::invalid_argument for malformed text. Example: encode_decimal("0.1", bf16).bits == Bits{0x3dcd}.
Rounded encode_decimal(std::string_view text, const Target& t, uint64_t random_bits = 0);

/// Convert a code of one format into another with one rounding (NaN payloads per t.nan / t.compat).
Rounded convert(Bits b, const Format& from, const Target& to, uint64_t random_bits = 0);

/// The NaN result for t.format given an input NaN (payload carried per policy) — shared by
/// conversions and arithmetic. Does not set flags.
Bits propagate_nan(const Unpacked& nan, const Target& t);

/// Round an unpacked value (any class) into t: the common back end of encode and convert.
Rounded round_unpacked(const Unpacked& u, const Target& t, uint64_t random_bits);

}  // namespace fpsim
