// IEEE P3109 format names, as Graphcore's gfloat spells them: p3109_k{K}p{P}{s|u}{e|f}.
//
// K bits in all, P bits of precision (P - 1 stored fraction bits), signed (s) or unsigned (u),
// extended (e: ±inf) or finite (f). Exponent bits: K - P signed (one bit is the sign), K - P + 1
// unsigned. Bias 2^(K-P-1) signed, 2^(K-P) unsigned — in both cases 2^(exp_bits - 1), the default of
// the P3109 specials (default_bias). Subnormals always, no −0.
//   p3109_k8p3se: 1 sign + 5 exponent + 2 fraction bits, bias 16, max 0x7E = 1.5 * 2^15 = 49152.
//   p3109_k8p4ue: 5 exponent + 3 fraction bits, bias 16, NaN 0xFF, +inf 0xFE, max 0xFD = 1.625 * 2^15.
#include <charconv>

#include "numerics/core/format.h"

namespace fpsim {
namespace {

// Digits at s[i...], advancing i; false when there are none.
bool read_number(std::string_view s, size_t& i, int& out) {
  const size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == start || i - start > 3) return false;
  std::from_chars(s.data() + start, s.data() + i, out);
  return true;
}

}  // namespace

std::optional<FormatSpec> p3109_spec(std::string_view name) {
  constexpr std::string_view prefix = "p3109_k";
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  size_t i = prefix.size();
  int k = 0, p = 0;
  if (!read_number(name, i, k) || i >= name.size() || name[i++] != 'p' || !read_number(name, i, p)) return std::nullopt;
  if (name.size() != i + 2) return std::nullopt;
  const char sign = name[i], domain = name[i + 1];
  if ((sign != 's' && sign != 'u') || (domain != 'e' && domain != 'f')) return std::nullopt;
  const std::string text(name);
  if (k < 2 || k > 16) throw FormatError("P3109 format \"" + text + "\": K = " + std::to_string(k) + " (expected 2..16)");
  if (p < 1 || p > k - 1)
    throw FormatError("P3109 format \"" + text + "\": P = " + std::to_string(p) + " (expected 1..K-1)");
  FormatSpec s;
  s.is_signed = sign == 's';
  s.exp_bits = k - p + (s.is_signed ? 0 : 1);
  s.man_bits = p - 1;
  s.specials = domain == 'e' ? Specials::P3109Extended : Specials::P3109Finite;
  s.bias = default_bias(s.exp_bits, s.specials);
  s.name = text;
  return s;
}

std::string p3109_name(const Format& f) {
  if (!is_p3109(f.specials()) || !f.subnormals() || !f.has_zero() ||
      f.bias() != default_bias(f.exp_bits(), f.specials()))
    return "";
  const int k = f.total_bits(), p = f.precision();
  return "p3109_k" + std::to_string(k) + "p" + std::to_string(p) + (f.is_signed() ? "s" : "u") +
         (f.specials() == Specials::P3109Extended ? "e" : "f");
}

}  // namespace fpsim
