// encode_decimal: round an exact decimal or hexadecimal literal once, never through double.
//
// The literal is read as an exact rational N * 10^k (or N * 2^k for 0x… hex floats) in a
// Boost.Multiprecision cpp_int, and reduced to its top 64 bits plus a sticky bit — all round_pack
// needs to round correctly into any format of at most 53 significand bits.
#include <boost/multiprecision/cpp_int.hpp>
#include <stdexcept>
#include <string>

#include "numerics/core/convert.h"

namespace fpsim {
namespace {

using boost::multiprecision::cpp_int;

[[noreturn]] void malformed(std::string_view text, const char* why) {
  throw std::invalid_argument("malformed number \"" + std::string(text) + "\": " + why);
}

// Top 64 bits of n (> 0) with sticky; value = sig * 2^shift.
Exact top_bits(const cpp_int& n, bool negative, int64_t exp2) {
  const int64_t width = static_cast<int64_t>(boost::multiprecision::msb(n)) + 1;
  Exact e;
  e.sign = negative;
  if (width > 64) {
    const unsigned drop = static_cast<unsigned>(width - 64);
    cpp_int top = n >> drop;
    e.sig = static_cast<uint64_t>(top);
    e.sticky = (top << drop) != n;
    exp2 += drop;
  } else {
    e.sig = static_cast<uint64_t>(n);
  }
  e.exp = static_cast<int32_t>(exp2);
  return e;
}

int digit_value(char c, int base) {
  int d = -1;
  if (c >= '0' && c <= '9') d = c - '0';
  else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
  else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
  return d < base ? d : -1;
}

}  // namespace

Rounded encode_decimal(std::string_view text, const Target& t, uint64_t random_bits) {
  std::string_view s = text;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  if (s.empty()) malformed(text, "empty");
  bool negative = false;
  if (s.front() == '+' || s.front() == '-') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "inf" || lower == "infinity") {
    Unpacked u;
    u.cls = Class::Infinite;
    u.sign = negative;
    return round_unpacked(u, t, random_bits);
  }
  if (lower == "nan" || lower == "qnan" || lower == "snan") {
    Unpacked u;
    u.cls = lower == "snan" ? Class::SignalingNaN : Class::QuietNaN;
    u.sign = negative;
    u.payload = lower == "snan" ? uint64_t{1} << 62 : uint64_t{1} << 63;
    return round_unpacked(u, t, random_bits);
  }

  const bool hex = lower.size() > 2 && lower[0] == '0' && lower[1] == 'x';
  const int base = hex ? 16 : 10;
  size_t i = hex ? 2 : 0;
  cpp_int n = 0;
  int64_t frac_digits = 0, digits = 0;
  bool dot = false;
  for (; i < lower.size(); ++i) {
    const char c = lower[i];
    if (c == '.') {
      if (dot) malformed(text, "two decimal points");
      dot = true;
      continue;
    }
    const int d = digit_value(c, base);
    if (d < 0) break;
    n = n * base + d;
    ++digits;
    if (dot) ++frac_digits;
  }
  if (digits == 0) malformed(text, "no digits");
  int64_t exponent = 0;
  if (i < lower.size()) {
    const char marker = hex ? 'p' : 'e';
    if (lower[i] != marker) malformed(text, hex ? "expected hex digits or p<exponent>" : "expected digits or e<exponent>");
    ++i;
    bool exp_negative = false;
    if (i < lower.size() && (lower[i] == '+' || lower[i] == '-')) exp_negative = lower[i++] == '-';
    if (i >= lower.size()) malformed(text, "missing exponent digits");
    for (; i < lower.size(); ++i) {
      const int d = digit_value(lower[i], 10);
      if (d < 0) malformed(text, "bad exponent digit");
      if (exponent < 100000000) exponent = exponent * 10 + d;
    }
    if (exp_negative) exponent = -exponent;
  }
  if (n == 0) return round_pack(Exact{negative, 0, 0, false}, t, random_bits);

  if (hex) return round_pack(top_bits(n, negative, exponent - 4 * frac_digits), t, random_bits);

  // Decimal: value = n * 10^k. Far outside every format's range (|value| > 10^400 or < 10^-400),
  // stand-ins with the right rounding behaviour avoid huge integers.
  const int64_t k = exponent - frac_digits;
  const int64_t magnitude = k + static_cast<int64_t>(boost::multiprecision::msb(n) * 0.30103) + 1;
  if (magnitude > 400) return round_pack(Exact{negative, 4000, 1, false}, t, random_bits);
  if (magnitude < -400) return round_pack(Exact{negative, -4000, 1, true}, t, random_bits);
  if (k >= 0) {
    cpp_int p = 1;
    for (int64_t j = 0; j < k; ++j) p *= 10;
    return round_pack(top_bits(n * p, negative, 0), t, random_bits);
  }
  cpp_int d = 1;
  for (int64_t j = 0; j < -k; ++j) d *= 10;
  // q = floor(n * 2^shift / d) with at least 65 significant bits; the remainder feeds sticky.
  const int64_t shift = 66 + static_cast<int64_t>(boost::multiprecision::msb(d)) -
                        static_cast<int64_t>(boost::multiprecision::msb(n));
  cpp_int num = shift > 0 ? cpp_int(n << static_cast<unsigned>(shift)) : n;
  cpp_int q, r;
  boost::multiprecision::divide_qr(num, d, q, r);
  Exact e = top_bits(q, negative, -std::max<int64_t>(shift, 0));
  e.sticky = e.sticky || r != 0;
  return round_pack(e, t, random_bits);
}

}  // namespace fpsim
