#include "cases.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "numerics/reference/oracle.h"

namespace fpsim::test {

std::vector<Format> all_presets() {
  std::vector<Format> out;
  for (const Preset& p : presets()) out.emplace_back(p.spec);
  return out;
}

std::vector<Format> presets_up_to(int max_bits) {
  std::vector<Format> out;
  for (const Format& f : all_presets())
    if (f.total_bits() <= max_bits) out.push_back(f);
  return out;
}

std::vector<Format> custom_formats(int count, uint64_t seed) {
  std::vector<Format> out;
  for (const char* spec : {"e5m2,bias=13", "e4m3,bias=10,fn", "e4m3,nosub", "e5m10,nosub", "e3m2,unsigned",
                           "e4m4,unsigned,fn", "e6m9", "e5m7,bias=20,fnuz", "e3m4,fnuz,nosub", "e3m3,finite,bias=2", "e5m0,nozero,unsigned,fn,bias=17",
                           "e2m5,finite", "e11m20,bias=1030", "e8m23,nosub"})
    out.push_back(parse_format(spec));
  SplitMix64 rng{seed};
  const Specials kinds[] = {Specials::Ieee, Specials::Fn, Specials::Fnuz, Specials::Finite};
  while (static_cast<int>(out.size()) < count) {
    FormatSpec s;
    s.exp_bits = 2 + static_cast<int>(rng.below(8));   // 2..9
    s.man_bits = static_cast<int>(rng.below(14));       // 0..13
    s.specials = kinds[rng.below(4)];
    s.is_signed = rng.below(5) != 0;
    s.subnormals = rng.below(4) != 0;
    const int default_bias = (1 << (s.exp_bits - 1)) - 1;
    s.bias = default_bias + static_cast<int>(rng.below(9)) - 4;  // odd shifts of the bias too
    try {
      out.emplace_back(s);
    } catch (const FormatError&) {
      // an impossible combination (ieee with 0 mantissa bits, unsigned fnuz, ...): draw again
    }
  }
  return out;
}

namespace {

// Sorted positive finite values of f, at most max_values of them (spread over the codes, ends kept).
std::vector<double> positive_values(const Format& f, size_t max_values) {
  const uint64_t top = f.is_signed() ? f.sign_mask() : f.code_mask() + 1;  // codes [0, top) are positive
  std::vector<uint64_t> codes;
  if (top <= max_values) {
    for (uint64_t c = 0; c < top; ++c) codes.push_back(c);
  } else {
    const uint64_t edge = max_values / 4;
    for (uint64_t c = 0; c < edge; ++c) codes.push_back(c);                 // zero, subnormals
    for (uint64_t c = top - edge; c < top; ++c) codes.push_back(c);         // max, specials
    const uint64_t min_normal = uint64_t{1} << f.man_bits();
    for (uint64_t c = min_normal - edge / 2; c < min_normal + edge / 2; ++c) codes.push_back(c);
    const uint64_t step = top / (max_values - 2 * edge) + 1;
    for (uint64_t c = 0; c < top; c += step) codes.push_back(c);
  }
  std::vector<double> values;
  for (uint64_t c : codes) {
    const reference::Decoded d = reference::oracle_decode(Bits{c}, f);
    if ((d.cls == Class::Normal || d.cls == Class::Subnormal || d.cls == Class::Zero) && !d.sign)
      values.push_back(d.value);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

void add_with_neighbours(std::vector<double>& out, double x) {
  out.push_back(x);
  out.push_back(std::nextafter(x, -HUGE_VAL));
  out.push_back(std::nextafter(x, HUGE_VAL));
}

}  // namespace

std::vector<double> edge_doubles(const Format& f, size_t max_values) {
  const std::vector<double> v = positive_values(f, max_values);
  std::vector<double> pos;
  for (size_t i = 0; i < v.size(); ++i) {
    add_with_neighbours(pos, v[i]);
    if (i + 1 < v.size()) add_with_neighbours(pos, v[i] / 2 + v[i + 1] / 2);  // midpoint (exact: p <= 52)
  }
  // Overflow: max + k * ulp, with ulp the spacing just above max in an unbounded format.
  const double max = f.max_value();
  const double ulp = std::ldexp(1.0, f.emax() - f.man_bits());
  for (double k : {0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0})
    if (std::isfinite(max + k * ulp)) add_with_neighbours(pos, max + k * ulp);
  for (double k : {2.0, 4.0, 1024.0})
    if (std::isfinite(max * k)) add_with_neighbours(pos, max * k);
  add_with_neighbours(pos, std::numeric_limits<double>::max());
  // Underflow: fractions of the smallest step, and just below the smallest normal.
  const double min_sub = f.min_subnormal(), min_normal = f.min_normal();
  for (double k : {0.5, 0.25, 0.75, 0.125, 1.0 / 1024, 0.375, 1.5})
    add_with_neighbours(pos, min_sub * k);
  for (double k : {1.0 - std::ldexp(1.0, -f.man_bits() - 1), 1.0 - std::ldexp(1.0, -f.man_bits() - 2), 0.5, 0.75})
    add_with_neighbours(pos, min_normal * k);
  add_with_neighbours(pos, std::numeric_limits<double>::denorm_min());
  add_with_neighbours(pos, std::numeric_limits<double>::min());

  std::vector<double> out;
  for (double x : pos) {
    if (!(x >= 0) || !std::isfinite(x)) continue;
    out.push_back(x);
    out.push_back(-x);
  }
  out.push_back(HUGE_VAL);
  out.push_back(-HUGE_VAL);
  for (uint64_t nan : nan_patterns_f64()) out.push_back(std::bit_cast<double>(nan));
  return out;
}

std::vector<float> edge_floats(const Format& f, size_t max_values) {
  std::vector<float> out;
  for (double x : edge_doubles(f, max_values)) {
    const float y = static_cast<float>(x);
    if (!(static_cast<double>(y) == x)) continue;  // not a binary32 value (NaNs come below)
    out.push_back(y);
    out.push_back(std::nextafter(y, -HUGE_VALF));
    out.push_back(std::nextafter(y, HUGE_VALF));
  }
  for (uint32_t nan : nan_patterns_f32()) out.push_back(std::bit_cast<float>(nan));
  return out;
}

std::vector<uint64_t> nan_patterns_f64() {
  return {0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000001ull, 0xfff0000000000001ull,
          0x7ff4000000000000ull, 0x7fffffffffffffffull, 0xffffffffffffffffull, 0x7ff8000000000001ull,
          0x7ffc000000000000ull, 0xfff5555555555555ull, 0x7ffaaaaaaaaaaaaaull};
}

std::vector<uint32_t> nan_patterns_f32() {
  return {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7fbfffffu, 0x7fffffffu,
          0xffffffffu, 0x7fc00001u, 0x7fe00000u, 0xffaaaaaau, 0x7fd55555u};
}

double random_in_range(const Format& f, SplitMix64& rng) {
  const uint64_t r = rng.next();
  const int lo = f.emin() - f.man_bits() - 3, hi = f.emax() + 2;
  const int e = lo + static_cast<int>(rng.below(static_cast<uint64_t>(hi - lo + 1)));
  const double sig = 1.0 + std::ldexp(static_cast<double>(r >> 12), -52);
  const double x = std::ldexp(sig, e);
  return (r & 1) ? -x : x;
}

}  // namespace fpsim::test
