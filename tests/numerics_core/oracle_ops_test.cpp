// The oracle's arithmetic against SoftFloat: every TestFloat f16/f32 operation file (add, sub, mul,
// div, sqrt, mulAdd; six modes; tininess after and before; tininess_sensitive/), results, flags and
// x86 NaN payloads exactly. The default run checks every 31st line; [long] checks every line.
#include <catch2/catch.hpp>
#include <map>

#include "compare.h"
#include "numerics/reference/oracle.h"
#include "reference_dir.h"
#include "tables.h"

namespace fpsim {
namespace {

namespace fs = std::filesystem;
using reference::Op;

struct OpFile {
  Op op;
  size_t operands;
  Format format;
  Target target;
};

// "f16_mulAdd.rup.tbefore.txt" -> fma on binary16, rup, tininess before.
std::optional<OpFile> parse_op_name(const std::string& name) {
  static const std::map<std::string, std::pair<Op, size_t>> ops = {
      {"add", {Op::Add, 2}}, {"sub", {Op::Sub, 2}}, {"mul", {Op::Mul, 2}},
      {"div", {Op::Div, 2}}, {"sqrt", {Op::Sqrt, 1}}, {"mulAdd", {Op::Fma, 3}}};
  const size_t under = name.find('_'), dot1 = name.find('.'), dot2 = name.find('.', dot1 + 1),
               dot3 = name.find('.', dot2 + 1);
  if (under == std::string::npos || dot3 == std::string::npos) return std::nullopt;
  const std::string prefix = name.substr(0, under), op = name.substr(under + 1, dot1 - under - 1);
  if ((prefix != "f16" && prefix != "f32") || !ops.count(op)) return std::nullopt;
  OpFile f{ops.at(op).first, ops.at(op).second, parse_format(prefix == "f16" ? "binary16" : "binary32"), Target{}};
  f.target.format = f.format;
  int sr_bits = 0;
  parse_rounding(name.substr(dot1 + 1, dot2 - dot1 - 1), f.target.rounding, sr_bits);
  f.target.tininess = name.substr(dot2 + 1, dot3 - dot2 - 1) == "tbefore" ? Tininess::BeforeRounding
                                                                         : Tininess::AfterRounding;
  return f;
}

void check_op_files(size_t stride, size_t min_cases) {
  const auto dir = test::reference_dir("testfloat");
  if (!dir) return;
  std::vector<fs::path> files;
  for (const fs::path& d : {*dir, *dir / "tininess_sensitive"})
    for (const auto& entry : fs::directory_iterator(d))
      if (entry.is_regular_file() && parse_op_name(entry.path().filename().string())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  CHECK(files.size() == 6 * 2 * 6 + 6 * 5 + 16);  // f16 x 6 ops x 2 tininess x 6 modes, f32 x 5 ops, sensitive
  test::MismatchLog log;
  for (const fs::path& path : files) {
    const OpFile f = *parse_op_name(path.filename().string());
    const std::vector<Format> formats(f.operands, f.format);
    for (const test::TestFloatLine& line : test::read_testfloat(path, f.operands + 2, stride)) {
      std::vector<Bits> in;
      for (size_t k = 0; k < f.operands; ++k) in.push_back(Bits{line.fields[k]});
      const Rounded want{Bits{line.fields[f.operands]}, static_cast<uint8_t>(line.fields[f.operands + 1])};
      log.check_lazy(reference::oracle_op(f.op, in, formats, f.target), want, f.format,
                     [&] { return path.filename().string() + ":" + std::to_string(line.line); });
    }
  }
  test::require_no_mismatches(log, min_cases);
}

TEST_CASE("oracle arithmetic matches every 31st line of the TestFloat operation files", "[oracle_op]") {
  check_op_files(31, 30000);
}

TEST_CASE("oracle arithmetic matches every line of the TestFloat operation files", "[oracle_op][long]") {
  check_op_files(1, 1000000);
}

}  // namespace
}  // namespace fpsim
