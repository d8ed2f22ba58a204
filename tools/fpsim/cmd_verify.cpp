// fpsim verify TABLE… | --all DIR: check reference tables (TestFloat vectors, ml_dtypes and gfloat CSVs) against
// fpsim and print, per file, cases and mismatches, the first few mismatches in full, and a total.
// Exit status 1 on any mismatch. Operations a table needs that this build lacks are reported as
// skipped, never as passed.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "numerics/core/convert.h"
#include "tools/fpsim/command.h"
#include "tools/io/operations.h"
#include "tools/io/reference_tables.h"
#include "tools/io/text.h"

namespace fpsim::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::vector<std::string> tables;
  std::vector<std::string> all;
  // Explicit settings for tables whose names say nothing (they override what a name implies).
  std::string op, format, rounding, tininess, flags = "check", nan = "exact";
  std::vector<std::string> from;
  size_t show = 3;
};

struct FileResult {
  size_t cases = 0, mismatches = 0;
  size_t documented = 0;  // differences that are a documented choice (counted apart, described in the note)
  std::string skipped;  // reason, when not checked
  std::string note;
  std::vector<std::string> examples;
};

void mismatch(FileResult& r, size_t limit, std::string text) {
  ++r.mismatches;
  if (r.examples.size() < limit) r.examples.push_back(std::move(text));
}

bool is_nan(Bits b, const Format& f) {
  const Class c = classify(b, f);
  return c == Class::QuietNaN || c == Class::SignalingNaN;
}

FileResult verify_testfloat(const fs::path& path, io::TestFloatFile spec, const Options& o) {
  FileResult r;
  if (!o.op.empty()) spec.operation = o.op;
  if (!o.format.empty()) spec.result_format = parse_format(o.format);
  if (!o.from.empty())
    for (size_t i = 0; i < spec.operand_formats.size(); ++i)
      spec.operand_formats[i] = parse_format(o.from[std::min(i, o.from.size() - 1)]);
  if (!o.rounding.empty()) {
    int k = 0;
    parse_rounding(o.rounding, spec.rounding, k);
  }
  if (!o.tininess.empty()) spec.tininess = parse_tininess(o.tininess);
  const auto op = io::find_operation(spec.operation);
  if (!op) {
    r.skipped = "operation " + spec.operation + " is not implemented in this build";
    return r;
  }
  Target t;
  t.format = spec.result_format;
  t.rounding = spec.rounding;
  t.tininess = spec.tininess;
  // bfloat16 conversions: the reference's NaN payloads are shifted by one bit (see its README).
  const bool bf16 = std::any_of(spec.operand_formats.begin(), spec.operand_formats.end(),
                                [](const Format& f) { return f == parse_format("bfloat16"); }) ||
                    spec.result_format == parse_format("bfloat16");
  const bool nan_any = o.nan == "any" || (bf16 && spec.operation == "convert");
  if (nan_any && o.nan != "any") r.note = "NaN payloads compared as is-NaN (bf16 reference quirk)";
  const bool check_flags = o.flags != "ignore";
  for (const io::TestFloatCase& c : io::read_testfloat(path, spec.operand_formats, spec.result_format)) {
    ++r.cases;
    const Rounded got = io::evaluate(*op, c.operands, spec.operand_formats, t, 0);
    bool same = got.bits == c.result || (nan_any && is_nan(got.bits, t.format) && is_nan(c.result, t.format));
    if (check_flags && got.flags != c.flags) same = false;
    if (!same) {
      std::string operands;
      for (size_t i = 0; i < c.operands.size(); ++i) operands += io::hex_code(c.operands[i], spec.operand_formats[i]) + " ";
      mismatch(r, o.show,
               fmt::format("line {}: {}-> expected {} {:02X}, got {} {:02X}", c.line, operands,
                           io::hex_code(c.result, t.format), c.flags, io::hex_code(got.bits, t.format), got.flags));
    }
  }
  return r;
}

FileResult verify_mldtypes(const fs::path& path, const Format& f, const std::string& kind, const Options& o) {
  FileResult r;
  const int digits = std::max(2, io::hex_width(f));
  if (kind == "decode") {
    for (const io::MlDtypesDecodeRow& row : io::read_mldtypes_decode(path)) {
      ++r.cases;
      const float got = static_cast<float>(decode(row.code, f));
      const float want = float_from_bits(row.f32);
      const bool same = std::isnan(want) ? std::isnan(got) && std::signbit(got) == std::signbit(want)
                                         : bits_of(got) == row.f32;
      if (!same)
        mismatch(r, o.show, fmt::format("line {}: code {:0{}x} -> expected {:08x}, got {:08x}", row.line, row.code.v,
                                        digits, row.f32, bits_of(got)));
    }
    return r;
  }
  // from_f32: four columns, each a (rounding, overflow) pair, all with ml_dtypes' conversion conventions.
  struct Column {
    const char* name;
    Rounding rounding;
    Overflow overflow;
    Bits io::MlDtypesEncodeRow::*expected;
  };
  const Column columns[] = {{"rne", Rounding::NearestEven, Overflow::NonSaturating, &io::MlDtypesEncodeRow::rne},
                            {"rne_sat", Rounding::NearestEven, Overflow::Saturate, &io::MlDtypesEncodeRow::rne_sat},
                            {"rtz", Rounding::Truncate, Overflow::NonSaturating, &io::MlDtypesEncodeRow::rtz},
                            {"rtz_sat", Rounding::Truncate, Overflow::Saturate, &io::MlDtypesEncodeRow::rtz_sat}};
  static const Format binary32 = parse_format("binary32");
  for (const io::MlDtypesEncodeRow& row : io::read_mldtypes_encode(path)) {
    for (const Column& col : columns) {
      ++r.cases;
      Target t;
      t.format = f;
      t.rounding = col.rounding;
      t.overflow = col.overflow;
      t.compat = Compat::MlDtypes;
      const Rounded got = convert(Bits{row.input}, binary32, t);
      const Bits want = row.*col.expected;
      if (got.bits != want)
        mismatch(r, o.show,
                 fmt::format("line {} ({}, {}): {:08x} -> expected {:0{}x}, got {:0{}x}", row.line, row.kind, col.name,
                             row.input, want.v, digits, got.bits.v, digits));
    }
  }
  r.note = "rne/rne_sat/rtz/rtz_sat checked as rne+nonsat, rne+saturate, trunc+nonsat, trunc+saturate, compat=ml_dtypes";
  return r;
}

// gfloat's IEEE P3109 tables: every code decoded, and binary64 inputs rounded in six modes, each without
// saturation (Overflow::Ieee: by rounding direction) and with it (Overflow::Saturate).
FileResult verify_p3109(const fs::path& path, const Format& f, const std::string& kind, const Options& o) {
  FileResult r;
  if (kind == "decode") {
    for (const io::P3109DecodeRow& row : io::read_p3109_decode(path)) {
      ++r.cases;
      const double got = decode(row.code, f);
      const bool same = std::isnan(got) ? is_nan(row.code, f) && std::isnan(double_from_bits(row.value))
                                        : bits_of(got) == row.value;
      if (!same)
        mismatch(r, o.show, fmt::format("line {}: code {:02X} -> expected {:016X}, got {:016X}", row.line,
                                        row.code.v, row.value, bits_of(got)));
    }
    return r;
  }
  const Bits max = f.max_code();
  size_t max_not_inf_overflow = 0, rna_below_midpoint = 0;
  for (const io::P3109RoundRow& row : io::read_p3109_round(path)) {
    for (int mode = 0; mode < 6; ++mode)
      for (int sat = 0; sat < 2; ++sat) {
        ++r.cases;
        Target t;
        t.format = f;
        t.rounding = io::p3109_modes[mode];
        t.overflow = sat ? Overflow::Saturate : Overflow::Ieee;
        const double x = double_from_bits(row.input);
        const Bits got = encode(x, t).bits;
        const Bits want = row.codes[2 * mode + sat];
        if (got == want) continue;
        // Documented choice: fpsim's round to odd overflows to ±max in every format (truncate, then
        // set the last bit: the largest finite magnitude), where gfloat gives ±inf (the NaN when finite).
        const Bits signed_max{(std::signbit(x) ? f.sign_mask() : 0) | max.v};
        const Class wc = classify(want, f);
        if (t.rounding == Rounding::Odd && !sat && std::isfinite(x) && got == signed_max &&
            (wc == Class::Infinite || wc == Class::QuietNaN)) {
          ++max_not_inf_overflow;
          continue;
        }
        // gfloat's rna computes floor(y + 0.5) in binary64: y one ulp below a midpoint (0.49999999999999994)
        // plus 0.5 rounds to the integer, so it rounds away what lies below the midpoint. Its answer is then
        // the correct one for the next binary64 value away from zero, the midpoint itself.
        if (t.rounding == Rounding::NearestAway && std::isfinite(x) &&
            encode(std::nextafter(x, std::copysign(INFINITY, x)), t).bits == want) {
          ++rna_below_midpoint;
          continue;
        }
        mismatch(r, o.show, fmt::format("line {} ({}{}): {:016X} -> expected {:02X}, got {:02X}", row.line,
                                        to_string(t.rounding), sat ? "_sat" : "", row.input, want.v, got.v));
      }
  }
  r.note = "columns checked as <mode> + overflow=ieee and <mode>_sat + overflow=saturate";
  r.documented = max_not_inf_overflow + rna_below_midpoint;
  if (max_not_inf_overflow)
    r.note += fmt::format("; documented: {} rodd overflows give ±max where gfloat gives inf/NaN", max_not_inf_overflow);
  if (rna_below_midpoint)
    r.note += fmt::format("; documented: {} inputs one ulp below a midpoint round down in rna (gfloat: away)",
                          rna_below_midpoint);
  return r;
}

FileResult verify_file(const fs::path& path, const Options& o) {
  const std::string name = path.filename().string();
  if (auto p3109 = io::parse_p3109_name(name)) return verify_p3109(path, p3109->first, p3109->second, o);
  if (auto tf = io::parse_testfloat_name(name)) return verify_testfloat(path, *tf, o);
  if (auto ml = io::parse_mldtypes_name(name)) return verify_mldtypes(path, ml->first, ml->second, o);
  if (!o.op.empty() && !o.format.empty()) {
    // An unnamed table in TestFloat's line format, described by the explicit options.
    io::TestFloatFile spec;
    spec.function = name;
    const auto op = io::find_operation(o.op);
    spec.operand_formats.assign(op ? op->arity : 1, parse_format(o.format));
    spec.result_format = parse_format(o.format);
    return verify_testfloat(path, spec, o);
  }
  FileResult r;
  r.skipped = "table kind not recognised from its name (give --op and --format)";
  return r;
}

int run(const Options& o) {
  std::vector<fs::path> files;
  for (const std::string& t : o.tables) {
    if (!fs::is_regular_file(t)) throw std::invalid_argument("reference table not found: " + t);
    files.emplace_back(t);
  }
  for (const std::string& dir : o.all) {
    if (!fs::is_directory(dir)) throw std::invalid_argument("reference directory not found: " + dir);
    std::vector<fs::path> found;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      const std::string n = e.path().filename().string();
      if (!e.is_regular_file() || n == "types.csv") continue;
      if (io::parse_testfloat_name(n) || io::parse_mldtypes_name(n) || io::parse_p3109_name(n))
        found.push_back(e.path());
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  if (files.empty()) throw std::invalid_argument("no reference tables given (name files or use --all DIR)");
  size_t cases = 0, mismatches = 0, skipped = 0, documented = 0;
  for (const fs::path& p : files) {
    const FileResult r = verify_file(p, o);
    if (!r.skipped.empty()) {
      ++skipped;
      fmt::print("{}: skipped: {}\n", p.string(), r.skipped);
      continue;
    }
    cases += r.cases;
    mismatches += r.mismatches;
    documented += r.documented;
    fmt::print("{}: {} cases, {} mismatches{}\n", p.string(), r.cases, r.mismatches,
               r.note.empty() ? "" : " (" + r.note + ")");
    for (const std::string& e : r.examples) fmt::print("  {}\n", e);
  }
  fmt::print("verify: {} files, {} cases, {} mismatches, {} skipped{}\n", files.size() - skipped, cases, mismatches,
             skipped, documented ? fmt::format(", {} documented differences", documented) : "");
  // A check over nothing (every table skipped, or empty tables) must not pass.
  if (cases == 0)
    throw std::invalid_argument(fmt::format("nothing was checked ({} table(s), {} skipped, 0 cases)", files.size(),
                                            skipped));
  return mismatches ? 1 : 0;
}

Registration reg{{"verify", "Check reference tables (TestFloat, ml_dtypes, gfloat P3109) and report mismatches", [](CLI::App& app) {
                    auto o = std::make_shared<Options>();
                    app.add_option("tables", o->tables, "Table files");
                    app.add_option("--all", o->all, "Check every recognised table under DIR (recursively)");
                    app.add_option("--op", o->op, "Operation for tables whose name does not say (convert, add, ...)");
                    app.add_option("--format", o->format, "Result format");
                    app.add_option("--from", o->from, "Operand format(s)");
                    app.add_option("--rounding", o->rounding, "Rounding mode");
                    app.add_option("--tininess", o->tininess, "after | before");
                    app.add_option("--flags", o->flags, "check | ignore")->check(CLI::IsMember({"check", "ignore"}));
                    app.add_option("--nan", o->nan, "exact | any (compare NaN results as is-NaN)")
                        ->check(CLI::IsMember({"exact", "any"}));
                    app.add_option("--show", o->show, "Mismatches shown per file")->capture_default_str();
                    return std::function<int()>([o] { return run(*o); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
