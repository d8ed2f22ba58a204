#pragma once
// A runtime floating-point format: any small eXmY with its own bias, sign, subnormal and special-value
// encoding. Presets use the literature's names; parse_format() reads the string grammar.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "numerics/core/bits.h"

namespace fpsim {

/// How a format encodes its special values.
enum class Specials : uint8_t {
  Ieee,    ///< all-ones exponent: mantissa 0 = inf, otherwise NaN (binary16, e5m2, e4m3)
  Fn,      ///< no inf; only S.1…1.1…1 is NaN (e4m3fn; e8m0fnu when unsigned)
  Fnuz,    ///< no inf, no −0; NaN is the negative-zero code 1.0…0.0…0 (e4m3fnuz, e5m2fnuz)
  Finite,  ///< no inf, no NaN (OCP FP6/FP4: e2m3fn, e3m2fn, e2m1fn)
  /// IEEE P3109 extended (as gfloat implements the draft): no −0; one NaN, the negative-zero code 0x80
  /// when signed, the all-ones code when unsigned; ±inf on the largest-magnitude codes (signed 0x7F/0xFF,
  /// unsigned the code below the NaN). p3109_k8p3se: 0x7E = (1 + 0b10 * 2^-2) * 2^(0b11111 - 16) = 49152.
  P3109Extended,
  /// IEEE P3109 finite: as P3109Extended, but the ±inf codes hold values (p3109_k8p3sf: 0x7F = 57344).
  P3109Finite,
};

/// True for both P3109 encodings.
constexpr bool is_p3109(Specials s) { return s == Specials::P3109Extended || s == Specials::P3109Finite; }

/// Error for an impossible or malformed format specification; what() names the field and why.
struct FormatError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// The parameters a user chooses. make_format() validates them and derives the limits.
struct FormatSpec {
  int exp_bits = 8;
  int man_bits = 23;
  /// Not given = the default bias (default_bias()); every integer is a legal bias when the values fit binary64
  /// (e4m3,bias=-1 has max 1.75·2^15 = 57344), so "not given" is not an in-band value.
  std::optional<int> bias;
  bool is_signed = true;
  bool subnormals = true;     ///< false: results below the normal range flush to zero
  bool has_zero = true;       ///< false: exponent field 0 is a normal binade (e8m0fnu has no zero)
  Specials specials = Specials::Ieee;
  std::string name;           ///< preset name, or empty for a custom spec
};

/// A validated format with its derived limits. Cheap to copy; compare with ==.
class Format {
 public:
  Format();  ///< binary32
  /// Validate a spec; throws FormatError naming the field. Example: Format(FormatSpec{5, 2}) is e5m2.
  explicit Format(const FormatSpec& spec);

  int exp_bits() const { return spec_.exp_bits; }
  int man_bits() const { return spec_.man_bits; }
  int bias() const { return *spec_.bias; }  ///< always resolved by the constructor
  bool is_signed() const { return spec_.is_signed; }
  bool subnormals() const { return spec_.subnormals; }
  bool has_zero() const { return spec_.has_zero; }
  Specials specials() const { return spec_.specials; }
  const FormatSpec& spec() const { return spec_; }

  int total_bits() const { return spec_.exp_bits + spec_.man_bits + (spec_.is_signed ? 1 : 0); }
  int precision() const { return spec_.man_bits + 1; }  ///< significand bits incl. the hidden one
  bool has_inf() const { return spec_.specials == Specials::Ieee || spec_.specials == Specials::P3109Extended; }
  bool has_nan() const { return spec_.specials != Specials::Finite; }
  bool has_negative_zero() const {
    return spec_.is_signed && spec_.has_zero && spec_.specials != Specials::Fnuz && !is_p3109(spec_.specials);
  }
  /// Whether every value of the format is a binary32 value, so a float carries it exactly: precision
  /// <= 24, emax <= 127 and the smallest subnormal step 2^(emin - man_bits) >= 2^-149.
  /// Example: parse_format("e5m2").fits_binary32() is true; binary64's is false.
  bool fits_binary32() const { return precision() <= 24 && emax_ <= 127 && emin_ - spec_.man_bits >= -149; }

  int emin() const { return emin_; }  ///< unbiased exponent of the smallest normal
  int emax() const { return emax_; }  ///< unbiased exponent of the largest finite value
  /// Significand of the largest finite value as a precision()-bit integer (hidden bit included).
  uint64_t max_significand() const { return max_sig_; }

  uint64_t sign_mask() const { return spec_.is_signed ? uint64_t{1} << (total_bits() - 1) : 0; }
  uint64_t man_mask() const { return (uint64_t{1} << spec_.man_bits) - 1; }
  uint64_t exp_field_max() const { return (uint64_t{1} << spec_.exp_bits) - 1; }
  uint64_t code_mask() const { return total_bits() == 64 ? ~uint64_t{0} : (uint64_t{1} << total_bits()) - 1; }

  Bits max_code() const { return max_code_; }  ///< +max finite
  Bits inf_code(bool negative) const;         ///< requires has_inf()
  /// The NaN produced by invalid operations: ieee = sign set, quiet, zero payload (x86 default NaN);
  /// fn = S.1…1.1…1 with the given sign; fnuz = 1.0…0.0…0; p3109 = 0x80 signed, all ones unsigned.
  /// Requires has_nan().
  Bits default_nan(bool negative = true) const;
  /// Smallest positive value's code (min subnormal, or min normal without subnormals).
  Bits min_positive_code() const;

  double max_value() const;
  double min_normal() const;
  double min_subnormal() const;  ///< min normal when subnormals are off
  double epsilon() const;        ///< 2^-man_bits

  /// Canonical spec string that parse_format() maps back to this format ("e4m3fn", "e5m2,nosub").
  std::string to_string() const;
  const std::string& name() const { return spec_.name; }

  /// The spec as one integer (the name aside): equal exactly for equal formats, so == is one compare and
  /// caches can key on it. Layout in format.cpp (Format::Format).
  uint64_t identity() const { return identity_; }
  friend bool operator==(const Format& a, const Format& b) { return a.identity_ == b.identity_; }

 private:
  FormatSpec spec_;
  int emin_ = 0, emax_ = 0;
  uint64_t max_sig_ = 0;
  Bits max_code_{};
  uint64_t identity_ = 0;
};

/// A named preset and a one-line description of where it comes from.
struct Preset {
  std::string name;
  std::vector<std::string> aliases;
  FormatSpec spec;
  std::string description;
};
const std::vector<Preset>& presets();

/// Parse a format: a preset name ("e4m3fn", "fp16", "bfloat16") or eXmY with comma options
/// (bias=N, nosub, unsigned, nozero, ieee|fn|fnuz|finite|p3109e|p3109f), or an IEEE P3109 name
/// p3109_k{K}p{P}{s|u}{e|f} (format_p3109.cpp). Throws FormatError listing what it expected.
/// Example: parse_format("e4m3,bias=11,fnuz") equals the e4m3b11fnuz preset.
Format parse_format(std::string_view text);

const char* to_string(Specials s);
Specials parse_specials(std::string_view text);  ///< "ieee" | "fn" | "fnuz" | "finite" | "p3109e" | "p3109f"
/// The bias a spec gets when none is given: 2^(e-1) - 1, or 2^(e-1) for fnuz and P3109 (they gain the
/// binade freed by −0). Example: default_bias(5, Specials::P3109Extended) == 16.
int default_bias(int exp_bits, Specials s);

/// IEEE P3109 formats by gfloat's name: p3109_k{K}p{P}{s|u}{e|f} — K bits, P bits of precision,
/// signed or unsigned, extended (±inf) or finite. nullopt when `name` is not of that form; FormatError
/// when it is but K/P are impossible. Example: p3109_spec("p3109_k8p3se")->exp_bits == 5.
std::optional<FormatSpec> p3109_spec(std::string_view name);
/// The P3109 name of f, or "" when f is not a P3109 format with its default bias.
std::string p3109_name(const Format& f);

}  // namespace fpsim
