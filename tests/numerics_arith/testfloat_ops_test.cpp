// Berkeley TestFloat 3e operation vectors (f16/f32 add, sub, mul, div, sqrt, mulAdd; six modes;
// tininess before and after; tininess_sensitive/): every case, results and flags, with NaN payloads
// compared exactly under the x86 policy. Both the dispatching operations (with their fast paths)
// and the exact path are checked.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "numerics/arith.h"
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
  size_t files = 0, cases = 0, mismatches = 0, exact_mismatches = 0;
};

void check_dir(const fs::path& dir, Totals& totals) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const auto spec = io::parse_testfloat_name(entry.path().filename().string());
    if (!spec || spec->operation == "convert") continue;
    const ArithOp op = op_named(spec->operation);
    Target t;
    t.format = spec->result_format;
    t.rounding = spec->rounding;
    t.tininess = spec->tininess;
    ++totals.files;
    size_t shown = 0;
    for (const io::TestFloatCase& c : io::read_testfloat(entry.path(), spec->operand_formats, spec->result_format)) {
      ++totals.cases;
      const Rounded expected{c.result, c.flags};
      const Rounded got = apply(op, c.operands.data(), spec->operand_formats.data(), t);
      const Rounded got_exact = exact::apply(op, c.operands.data(), spec->operand_formats.data(), t);
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
}

}  // namespace
}  // namespace fpsim
