// Berkeley TestFloat 3e operation vectors (f16/f32 add, sub, mul, div, sqrt, mulAdd; six modes;
// tininess before and after; tininess_sensitive/): every case, results and flags, with NaN payloads
// compared exactly under the x86 policy. The dispatching operations (with their fast paths), the exact
// path, an ArithPlan per file (numerics/arith/arith_plan.h), and array arithmetic over each whole file
// (apply_array: op tables, the vector lane kernel; results element by element, flags as their OR) are
// checked. The f32_to_* conversion files are checked through EncodePlan as well.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "numerics/arith/arith.h"
#include "numerics/arith/arith_plan.h"
#include "numerics/core/convert.h"
#include "numerics/core/encode_plan.h"
#include "numerics/fast/fast_arrays.h"
#include "reference_dir.h"
#include "tools/io/operations.h"
#include "tools/io/reference_tables.h"
#include "tools/io/text.h"

namespace fpsim {
namespace {

namespace fs = std::filesystem;

ArithOp op_named(const std::string& name) {
  static const std::map<std::string, ArithOp> ops = {{"add", ArithOp::Add}, {"sub", ArithOp::Sub},
                                                     {"mul", ArithOp::Mul}, {"div", ArithOp::Div},
                                                     {"sqrt", ArithOp::Sqrt}, {"fma", ArithOp::Fma}};
  return ops.at(name);
}

struct Totals {
  size_t files = 0, cases = 0, mismatches = 0, exact_mismatches = 0, array_mismatches = 0, plan_mismatches = 0;
  size_t encode_cases = 0, encode_mismatches = 0;
};

// The whole file through apply_array; returns mismatching results (+1 if the OR of flags differs).
size_t array_mismatches(ArithOp op, const std::vector<io::TestFloatCase>& cases, const std::vector<Format>& formats,
                        const Target& t) {
  const size_t n = cases.size();
  std::vector<uint32_t> operand[3], out(n);
  uint8_t want_flags = 0;
  for (auto& v : operand) v.resize(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < cases[i].operands.size(); ++k) operand[k][i] = uint32_t(cases[i].operands[k].v);
    want_flags |= cases[i].flags;
  }
  const Format fb = formats.size() > 1 ? formats[1] : formats[0], fc = formats.size() > 2 ? formats[2] : formats[0];
  const uint8_t flags = apply_array(op, operand[0], formats[0], operand[1], fb, operand[2], fc, out, t, nullptr, 0);
  size_t bad = flags != want_flags;
  for (size_t i = 0; i < n; ++i) bad += Bits{out[i]} != cases[i].result;
  return bad;
}

void check_dir(const fs::path& dir, Totals& totals) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const auto spec = io::parse_testfloat_name(entry.path().filename().string());
    if (!spec) continue;
    Target t;
    t.format = spec->result_format;
    t.rounding = spec->rounding;
    t.tininess = spec->tininess;
    if (spec->operation == "convert") {
      if (!(spec->operand_formats[0] == parse_format("binary32"))) continue;
      const EncodePlan encode_plan(t);
      for (const io::TestFloatCase& c : io::read_testfloat(entry.path(), spec->operand_formats, t.format)) {
        ++totals.encode_cases;
        const Rounded got = encode_plan(float_from_bits(static_cast<uint32_t>(c.operands[0].v)));
        // The bf16 files' NaN payloads carry a SoftFloat quirk (their README; reference_tables_test.cpp):
        // a NaN result there is checked as a NaN of the same sign, with the same flags.
        const bool bf16_nans = spec->result_format.total_bits() == 16 && spec->result_format.exp_bits() == 8 &&
                               classify(got.bits, t.format) >= Class::QuietNaN &&
                               classify(c.result, t.format) >= Class::QuietNaN &&
                               ((got.bits.v ^ c.result.v) & t.format.sign_mask()) == 0 && got.flags == c.flags;
        if (got == Rounded{c.result, c.flags} || bf16_nans) continue;
        ++totals.encode_mismatches;
      }
      continue;
    }
    const ArithOp op = op_named(spec->operation);
    const ArithPlan plan(op, spec->operand_formats, t);
    ++totals.files;
    size_t shown = 0;
    const auto cases = io::read_testfloat(entry.path(), spec->operand_formats, spec->result_format);
    totals.array_mismatches += array_mismatches(op, cases, spec->operand_formats, t);
    for (const io::TestFloatCase& c : cases) {
      ++totals.cases;
      const Rounded expected{c.result, c.flags};
      const Rounded got = apply(op, c.operands.data(), spec->operand_formats.data(), t);
      const Rounded got_exact = exact::apply(op, c.operands.data(), spec->operand_formats.data(), t);
      const Bits* x = c.operands.data();
      const Rounded got_plan = arity(op) == 1 ? plan(x[0]) : arity(op) == 2 ? plan(x[0], x[1]) : plan(x[0], x[1], x[2]);
      if (got_plan != expected) ++totals.plan_mismatches;
      if (got != expected) {
        ++totals.mismatches;
        if (shown++ < 3) {
          std::string operands;
          for (size_t i = 0; i < c.operands.size(); ++i)
            operands += io::hex_code(c.operands[i], spec->operand_formats[i]) + " ";
          UNSCOPED_INFO(entry.path().filename().string() << ":" << c.line << ": " << operands << "expected "
                                                         << io::hex_code(c.result, t.format) << " "
                                                         << int(c.flags) << ", got "
                                                         << io::hex_code(got.bits, t.format) << " " << int(got.flags));
        }
      }
      if (got_exact != expected) ++totals.exact_mismatches;
    }
  }
}

TEST_CASE("every TestFloat operation vector matches in result, flags and NaN payload", "[testfloat]") {
  const auto dir = test::reference_dir("testfloat");
  if (!dir) return;
  Totals totals;
  check_dir(*dir, totals);
  if (fs::is_directory(*dir / "tininess_sensitive")) check_dir(*dir / "tininess_sensitive", totals);
  INFO(totals.files << " files, " << totals.cases << " cases");
  CHECK(totals.files >= 100);       // 104 top-level operation files plus tininess_sensitive/
  CHECK(totals.cases >= 1800000);
  CHECK(totals.mismatches == 0);
  CHECK(totals.exact_mismatches == 0);
  CHECK(totals.array_mismatches == 0);
  CHECK(totals.plan_mismatches == 0);
  INFO(totals.encode_cases << " binary32 conversion cases through EncodePlan");
  CHECK(totals.encode_cases > 0);
  CHECK(totals.encode_mismatches == 0);
}

}  // namespace
}  // namespace fpsim
