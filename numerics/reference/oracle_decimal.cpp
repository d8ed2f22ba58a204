// The oracle for decimal strings: MPFR reads the string toward zero at 319 bits and reports whether
// it was exact; a jammed sticky bit then makes the value round like the exact decimal.
#include <stdexcept>
#include <string>

#include "numerics/reference/oracle_value.h"

namespace fpsim::reference {

using namespace detail;

Rounded oracle_decimal(std::string_view text, const Target& t) {
  std::string s(text);
  bool negative = !s.empty() && s.front() == '-';
  std::string body = (!s.empty() && (s.front() == '-' || s.front() == '+')) ? s.substr(1) : s;
  for (char& c : body) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  Value v;
  v.sign = negative;
  if (body == "inf" || body == "infinity") {
    v.kind = Value::Kind::Inf;
    return round_value(v, t);
  }
  if (body == "nan" || body == "snan") {
    v.kind = Value::Kind::NaN;
    v.signaling = body == "snan";
    v.payload = v.signaling ? uint64_t{1} << 62 : uint64_t{1} << 63;
    return round_value(v, t);
  }
  mpfr_float truncated = make_number(kWide - 1);
  char* end = nullptr;
  const int ternary = mpfr_strtofr(raw(truncated), s.c_str(), &end, 0, MPFR_RNDZ);
  if (s.empty() || end != s.c_str() + s.size() || !mpfr_number_p(raw(truncated)))
    throw std::invalid_argument("oracle: malformed number \"" + s + "\"");
  if (mpfr_zero_p(raw(truncated))) {
    if (ternary != 0) throw std::invalid_argument("oracle: \"" + s + "\" is below MPFR's exponent range");
    return zero_result(negative, t);
  }
  set_jammed(v, raw(truncated), ternary);
  return round_value(v, t);
}

}  // namespace fpsim::reference
