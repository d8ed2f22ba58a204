#include "inputs.h"

#include <cfloat>
#include <cmath>
#include <random>

#include "numerics/core/convert.h"

namespace fpsim::test {

std::vector<float> quantize_inputs(const Format& f, std::size_t random, uint64_t seed) {
  std::vector<float> v;
  // 1. binary32 specials and extremes, both signs.
  const uint32_t specials[] = {0x00000000, 0x00000001, 0x00000002, 0x003FFFFF, 0x00400000, 0x007FFFFF,
                               0x00800000, 0x00800001, 0x3F800000, 0x3FC00000, 0x7F7FFFFF, 0x7F000000,
                               0x7F800000, 0x7F800001, 0x7FA00000, 0x7FC00000, 0x7FC00001, 0x7FFFFFFF,
                               0x7FB00F0F, 0x47000000, 0x477FE000, 0x43E00000, 0x43F00000, 0x4B800000};
  for (uint32_t s : specials) {
    v.push_back(float_from_bits(s));
    v.push_back(float_from_bits(s | 0x80000000u));
  }
  // 2. Around codes: every code of <= 8-bit formats, a spread of codes otherwise.
  std::mt19937_64 rng(seed);
  const uint64_t codes = uint64_t{1} << std::min(f.total_bits(), 20);
  const uint64_t step = codes <= 256 ? 1 : codes / 256;
  for (uint64_t c = 0; c < codes; c += step) {
    const uint64_t code = c + (step > 1 ? rng() % step : 0);
    const double x = decode(Bits{code}, f);
    if (!std::isfinite(x) || std::fabs(x) > FLT_MAX) continue;
    const double next = decode(Bits{code + 1}, f);  // the next code up in magnitude (if finite)
    const float xf = static_cast<float>(x);
    v.push_back(xf);
    v.push_back(std::nextafter(xf, INFINITY));
    v.push_back(std::nextafter(xf, -INFINITY));
    if (std::isfinite(next) && std::fabs(next) > std::fabs(x)) {
      const float mid = static_cast<float>((x + next) / 2);
      v.push_back(mid);
      v.push_back(std::nextafter(mid, INFINITY));
      v.push_back(std::nextafter(mid, -INFINITY));
      v.push_back(static_cast<float>(x + (next - x) * 0.3));
    }
  }
  // 3. Around the format's limits, scaled by small powers of two.
  for (double base : {f.max_value(), f.min_normal(), f.min_subnormal()}) {
    for (int k = -3; k <= 3; ++k) {
      const double y = std::ldexp(base, k);
      if (y > FLT_MAX || y < 1e-45) continue;
      const float yf = static_cast<float>(y);
      for (float z : {yf, std::nextafter(yf, INFINITY), std::nextafter(yf, 0.0f), yf * 1.5f, yf * 0.75f}) {
        v.push_back(z);
        v.push_back(-z);
      }
    }
  }
  // 4. Random bit patterns, and values spread over [2^(emin - m - 6), 2^(emax + 2)).
  std::uniform_int_distribution<int> exponent(std::max(-149, f.emin() - f.man_bits() - 6), std::min(127, f.emax() + 2));
  for (std::size_t i = 0; i < random; ++i) {
    const uint64_t r = rng();
    if (i % 2 == 0) {
      v.push_back(float_from_bits(static_cast<uint32_t>(r)));
    } else {
      const float mant = 1.0f + static_cast<float>(r >> 41) * 0x1p-23f;
      const float y = std::ldexp(mant, exponent(rng));
      v.push_back((r & 1) ? -y : y);
    }
  }
  return v;
}

std::vector<std::string> quantize_formats() {
  std::vector<std::string> names;
  for (const Preset& p : presets()) {
    const Format f = parse_format(p.name);
    if (f.fits_binary32() || f.total_bits() <= 16) names.push_back(p.name);
  }
  // Variants the presets do not cover: no subnormals, shifted biases, a nosub format at emin -126.
  for (const char* extra : {"e5m2,nosub", "e4m3,bias=11", "e8m7,nosub", "e6m9", "e3m4,fnuz", "e2m3,finite,nosub"})
    names.push_back(extra);
  return names;
}

std::vector<std::string> rounding_names() {
  return {"rne", "rna", "rtz", "rup", "rdn", "rodd", "sr", "sr:1", "sr:3", "sr:8", "sr:32", "trunc"};
}

std::vector<simd::Isa> vector_kernels() {
  std::vector<simd::Isa> k;
  for (simd::Isa isa : simd::kIsas)
    if (vector_kernel_available(isa)) k.push_back(isa);
  return k;
}

}  // namespace fpsim::test
