// fpsim eval <operation>: batch evaluation for scripts. One case per stdin line, operands as hex
// codes in TestFloat column order (A, A B, or A B C for fma = A*B+C); one "RESULT FLAGS" line out,
// the result as fixed-width hex of the target format and the flags as two hex digits. Integer
// operands (from_int32 ...) and results (to_int32 ...) are two's-complement hex of the type's width.
#include <fmt/core.h>

#include <iostream>
#include <sstream>

#include "numerics/core/random.h"
#include "tools/fpsim/command.h"
#include "tools/fpsim/target_options.h"
#include "tools/io/operations.h"
#include "tools/io/text.h"

namespace fpsim::cli {
namespace {

struct Options {
  TargetOptions target;
  std::vector<std::string> from;  // operand formats: none = the target format, one = all operands
};

int run(const io::Operation& op, const Options& o) {
  const Target t = o.target.target();
  std::vector<Format> formats;
  if (o.from.size() > 1 && static_cast<int>(o.from.size()) != op.arity)
    throw std::invalid_argument(
        fmt::format("--from given {} times: {} takes {} operands (give it once or {} times)", o.from.size(), op.name,
                    op.arity, op.arity));
  for (int i = 0; i < op.arity; ++i)
    formats.push_back(o.from.empty() ? t.format : parse_format(o.from[o.from.size() == 1 ? 0 : i]));
  const RandomStream stream(o.target.seed);
  std::string line, out;
  std::vector<Bits> operands(op.arity);
  for (uint64_t number = 1; std::getline(std::cin, line); ++number) {
    std::istringstream words(line);
    std::vector<std::string> fields;
    for (std::string w; words >> w;) fields.push_back(w);
    if (fields.empty()) continue;
    const std::string where = fmt::format("stdin line {}", number);
    if (static_cast<int>(fields.size()) < op.arity)
      throw std::invalid_argument(fmt::format("{}: {} needs {} operands, found {}", where, op.name, op.arity, fields.size()));
    for (int i = 0; i < op.arity; ++i) {
      const std::string operand = fmt::format("{}, operand {}", where, i + 1);
      operands[i] = op.int_operand ? Bits{io::parse_hex_bits(fields[i], op.int_operand->bits,
                                                             to_string(*op.int_operand), operand)}
                                   : io::parse_hex_code(fields[i], formats[i], operand);
    }
    const Rounded r = io::evaluate(op, operands, formats, t, stream.bits(number - 1));
    const std::string result = op.int_result ? fmt::format("{:0{}X}", r.bits.v, op.int_result->bits / 4)
                                             : io::hex_code(r.bits, t.format);
    out += fmt::format("{} {:02X}\n", result, r.flags);
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

const bool registered = [] {
  for (const io::Operation& op : io::operations()) {
    registry().push_back(Command{
        "eval " + op.name,
        fmt::format("Evaluate {} on hex operands from stdin ({} per line); prints RESULT FLAGS", op.name, op.arity),
        [op](CLI::App& app) {
          auto o = std::make_shared<Options>();
          o->target.add_to(app);
          app.add_option("--from", o->from,
                         "Operand format (default: the target format); give once for all operands or once per operand");
          return std::function<int()>([op, o] { return run(op, *o); });
        }});
  }
  return true;
}();

}  // namespace
}  // namespace fpsim::cli
