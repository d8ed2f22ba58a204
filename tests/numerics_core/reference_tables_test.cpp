// The external reference tables (FPSIM_REFERENCE_DIR): every ml_dtypes table and every TestFloat
// conversion file, checked against the core (and the TestFloat files against the oracle too).
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "compare.h"
#include "numerics/reference/oracle.h"
#include "reference_dir.h"
#include "tables.h"

namespace fpsim {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_matching(const fs::path& dir, const std::string& suffix, const std::string& prefix = "") {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > suffix.size() && name.ends_with(suffix) && name.starts_with(prefix))
      out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string type_name(const fs::path& p) {  // "float8_e4m3fn.decode.csv" -> "float8_e4m3fn"
  const std::string name = p.filename().string();
  return name.substr(0, name.find('.'));
}

TEST_CASE("every ml_dtypes decode table matches decode and classify", "[tables]") {
  const auto dir = test::reference_dir("ml_dtypes");
  if (!dir) return;
  const auto files = files_matching(*dir, ".decode.csv");
  CHECK(files.size() == 11);
  size_t cases = 0, mismatches = 0;
  std::string first;
  for (const fs::path& path : files) {
    const Format f = parse_format(type_name(path));
    const test::Csv csv = test::read_csv(path);
    const size_t c_code = csv.column("bits_hex"), c_f32 = csv.column("f32_hex"), c_class = csv.column("class");
    CHECK(csv.rows.size() == f.code_mask() + 1);
    for (const auto& row : csv.rows) {
      const Bits code{test::parse_hex(row[c_code])};
      const uint32_t want = static_cast<uint32_t>(test::parse_hex(row[c_f32]));
      const float got = static_cast<float>(decode(code, f));
      const float want_value = float_from_bits(want);
      const bool value_ok = std::isnan(want_value) ? std::isnan(got) && std::signbit(got) == std::signbit(want_value)
                                                   : bits_of(got) == want;
      const Class cls = classify(code, f);
      const std::string& c = row[c_class];
      const bool class_ok =
          (c == "+zero" || c == "-zero") ? cls == Class::Zero
          : c == "subnormal"              ? cls == Class::Subnormal
          : c == "normal"                 ? cls == Class::Normal
          : (c == "+inf" || c == "-inf")  ? cls == Class::Infinite
          : c == "nan"                    ? (cls == Class::QuietNaN || cls == Class::SignalingNaN)
                                          : false;
      ++cases;
      if (value_ok && class_ok) continue;
      if (++mismatches <= 10) first += path.filename().string() + " " + row[c_code] + ": class " + to_string(cls) + "\n";
    }
  }
  INFO(mismatches << " mismatches in " << cases << " codes:\n" << first);
  CHECK(cases == 8 * 256 + 2 * 64 + 16);
  CHECK(mismatches == 0);
}

TEST_CASE("every ml_dtypes from_f32 table matches convert in its four column modes", "[tables]") {
  const auto dir = test::reference_dir("ml_dtypes");
  if (!dir) return;
  const auto files = files_matching(*dir, ".from_f32.csv");
  CHECK(files.size() == 11);
  const Format f32 = parse_format("binary32");
  struct Column { const char* name; Rounding rounding; Overflow overflow; };
  const Column columns[] = {{"rne", Rounding::NearestEven, Overflow::NonSaturating},
                            {"rne_sat", Rounding::NearestEven, Overflow::Saturate},
                            {"rtz", Rounding::Truncate, Overflow::NonSaturating},
                            {"rtz_sat", Rounding::Truncate, Overflow::Saturate}};
  test::MismatchLog log;
  for (const fs::path& path : files) {
    const Format f = parse_format(type_name(path));
    const test::Csv csv = test::read_csv(path);
    const size_t c_in = csv.column("input_f32_hex");
    for (const Column& col : columns) {
      Target t{f};
      t.rounding = col.rounding;
      t.overflow = col.overflow;
      t.compat = Compat::MlDtypes;
      const size_t c_out = csv.column(col.name);
      for (const auto& row : csv.rows) {
        const Bits in{test::parse_hex(row[c_in])};
        const Bits want{test::parse_hex(row[c_out])};
        // The tables hold no flags: compare codes only.
        log.check_lazy(Rounded{convert(in, f32, t).bits, 0}, Rounded{want, 0}, f, [&] {
          return path.filename().string() + " " + row[c_in] + " (" + row[csv.column("kind")] + ") column " + col.name;
        });
      }
    }
  }
  test::require_no_mismatches(log, 11 * 4 * 40000);
}

// TestFloat conversion files: "<from>_to_<to>.<mode>.<tininess>.txt".
struct ConversionFile {
  Format from, to;
  Target target;
};

ConversionFile parse_conversion_name(const fs::path& path) {
  static const std::map<std::string, std::string> formats = {
      {"f16", "binary16"}, {"bf16", "bfloat16"}, {"f32", "binary32"}, {"f64", "binary64"}};
  const std::string name = path.filename().string();  // f32_to_f16.rne.tafter.txt
  const size_t to = name.find("_to_"), dot1 = name.find('.'), dot2 = name.find('.', dot1 + 1),
               dot3 = name.find('.', dot2 + 1);
  ConversionFile c{parse_format(formats.at(name.substr(0, to))),
                   parse_format(formats.at(name.substr(to + 4, dot1 - to - 4))), Target{}};
  c.target.format = c.to;
  int sr_bits = 0;
  parse_rounding(name.substr(dot1 + 1, dot2 - dot1 - 1), c.target.rounding, sr_bits);
  const std::string tininess = name.substr(dot2 + 1, dot3 - dot2 - 1);
  REQUIRE((tininess == "tafter" || tininess == "tbefore"));
  c.target.tininess = tininess == "tafter" ? Tininess::AfterRounding : Tininess::BeforeRounding;
  return c;
}

bool is_nan_code(Bits b, const Format& f) {
  const Class c = classify(b, f);
  return c == Class::QuietNaN || c == Class::SignalingNaN;
}

// bf16 NaN payloads in these files carry a SoftFloat quirk (see the README): compare NaN results
// there as "NaN with the same sign", and flags exactly.
Rounded canonical_for_bf16(Rounded r, const ConversionFile& c) {
  const bool bf16 = c.from.name() == "bfloat16" || c.to.name() == "bfloat16";
  if (bf16 && is_nan_code(r.bits, c.to)) r.bits = Bits{(r.bits.v & c.to.sign_mask()) | c.to.default_nan(false).v};
  return r;
}

TEST_CASE("every TestFloat conversion file matches convert and the oracle, results and flags", "[tables]") {
  const auto dir = test::reference_dir("testfloat");
  if (!dir) return;
  std::vector<fs::path> files;
  for (const char* fn : {"f32_to_f16.", "f64_to_f16.", "f64_to_f32.", "f32_to_bf16.", "f16_to_f32.", "bf16_to_f32."}) {
    for (const fs::path& p : files_matching(*dir, ".txt", fn)) files.push_back(p);
    for (const fs::path& p : files_matching(*dir / "tininess_sensitive", ".txt", fn)) files.push_back(p);
  }
  CHECK(files.size() == 12 + 12 + 6 + 12 + 1 + 1 + 6 + 8);
  test::MismatchLog core_log, oracle_log;
  for (const fs::path& path : files) {
    const ConversionFile c = parse_conversion_name(path);
    for (const test::TestFloatLine& line : test::read_testfloat(path, 3)) {
      const Bits in{line.fields[0]};
      const Rounded want = canonical_for_bf16({Bits{line.fields[1]}, static_cast<uint8_t>(line.fields[2])}, c);
      auto what = [&] { return path.filename().string() + ":" + std::to_string(line.line); };
      core_log.check_lazy(canonical_for_bf16(convert(in, c.from, c.target), c), want, c.to, what);
      oracle_log.check_lazy(canonical_for_bf16(reference::oracle_convert(in, c.from, c.target), c), want, c.to, what);
    }
  }
  test::require_no_mismatches(core_log, 29000);
  test::require_no_mismatches(oracle_log, 29000);
}

}  // namespace
}  // namespace fpsim
