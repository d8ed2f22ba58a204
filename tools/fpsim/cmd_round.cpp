// fpsim round --format F [--rounding R] VALUE…: round decimal values and show code, fields, error, flags.
#include <fmt/core.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <mpfr.h>

#include <algorithm>
#include <cstdlib>

#include "numerics/core/convert.h"
#include "numerics/core/random.h"
#include "tools/fpsim/command.h"
#include "tools/fpsim/target_options.h"
#include "tools/io/text.h"

namespace fpsim::cli {
namespace {

// The error column: rounded value minus the exact input, to 4 significant digits, computed in MPFR at a
// precision that makes it exact enough for any decimal string. The difference of v = M * 2^K and
// x = D * 10^E (n digits) is a multiple of 2^min(K,E,0) * 5^min(E,0), so computing x to
// P = 3.33 n + 6 |E| + |K| + 64 bits leaves its rounding error far below |v - x|. When |E| is beyond any
// binary64 value's reach (> 4000) no cancellation is possible and 64 bits suffice. Exponents beyond MPFR's
// range (|E| >~ 10^18) give "-". No recursion: one parse and one subtraction.
std::string error_text(const std::string& text, double value) {
  long long e10 = 0;
  if (const size_t e = text.find_first_of("eE"); e != std::string::npos && text.rfind("0x", 0) != 0 &&
                                                  text.rfind("-0x", 0) != 0 && text.rfind("+0x", 0) != 0) {
    errno = 0;
    e10 = std::strtoll(text.c_str() + e + 1, nullptr, 10);  // saturates at ±2^63
  }
  const long long span = std::min<long long>(std::llabs(e10 == LLONG_MIN ? LLONG_MAX : e10), 4000);
  const mpfr_prec_t bits = mpfr_prec_t(64 + 4 * text.size() + 6 * span + 1100);
  const mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
  mpfr_set_emin(mpfr_get_emin_min());
  mpfr_set_emax(mpfr_get_emax_max());
  mpfr_t x, d;
  mpfr_inits2(bits, x, d, static_cast<mpfr_ptr>(nullptr));
  mpfr_clear_flags();
  char* end = nullptr;
  mpfr_strtofr(x, text.c_str(), &end, 0, MPFR_RNDN);
  std::string out = "-";
  if (end && *end == '\0' && !mpfr_overflow_p() && !mpfr_underflow_p() && !mpfr_nan_p(x)) {
    mpfr_set_d(d, value, MPFR_RNDN);
    mpfr_sub(d, d, x, MPFR_RNDN);
    char* s = nullptr;
    if (mpfr_asprintf(&s, "%.4Rg", d) >= 0) {
      out = s;
      mpfr_free_str(s);
    }
  }
  mpfr_clears(x, d, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_emin(emin);
  mpfr_set_emax(emax);
  return out;
}

struct Options {
  TargetOptions target;
  std::vector<std::string> values;
};

int run(const Options& o) {
  const Target t = o.target.target();
  const RandomStream stream(o.target.seed);
  fmt::print("{:<24} {:>24} {:>{}} {:<{}} {:>12} {}\n", "input", "rounded", "code", io::hex_width(t.format) + 2,
             "fields", t.format.total_bits() + 2, "error", "flags");
  for (size_t i = 0; i < o.values.size(); ++i) {
    const std::string& text = o.values[i];
    const Rounded r = encode_decimal(text, t, stream.bits(i));
    const double value = decode(r.bits, t.format);
    const std::string error = std::isfinite(value) ? error_text(text, value) : "-";
    fmt::print("{:<24} {:>24.17g} 0x{} {:<{}} {:>12} {}\n", text, value, io::hex_code(r.bits, t.format),
               io::binary_fields(r.bits, t.format), t.format.total_bits() + 2, error, flags_to_string(r.flags));
  }
  return 0;
}

Registration reg{{"round", "Round decimal values into a format: value, code, fields, error, flags", [](CLI::App& app) {
                    auto o = std::make_shared<Options>();
                    o->target.add_to(app);
                    app.add_option("values", o->values, "Decimal (or 0x hex-float, inf, nan) values")->required();
                    return std::function<int()>([o] { return run(*o); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
