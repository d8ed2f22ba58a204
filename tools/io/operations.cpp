#include "tools/io/operations.h"

#include <stdexcept>
#include <utility>

#include "numerics/arith/arith.h"
#include "numerics/core/convert.h"
#include "numerics/core/integer.h"

namespace fpsim::io {

const std::vector<Operation>& operations() {
  // TestFloat's operation files map onto these names: f16_add -> add, f32_mulAdd -> fma (A·B + C).
  static const std::vector<Operation> list = [] {
    std::vector<Operation> ops;
    const std::pair<const char*, int> float_ops[] = {{"convert", 1}, {"add", 2}, {"sub", 2}, {"mul", 2},
                                                      {"div", 2}, {"sqrt", 1}, {"fma", 3}, {"minimum", 2},
                                                      {"maximum", 2}, {"minimum_number", 2}, {"maximum_number", 2}};
    for (const auto& [name, arity] : float_ops) ops.push_back(Operation{name, arity, std::nullopt, std::nullopt});
    for (bool is_signed : {true, false})
      for (int bits : {8, 16, 32, 64}) {
        const IntFormat f{bits, is_signed};
        ops.push_back(Operation{"to_" + to_string(f), 1, std::nullopt, f});
        ops.push_back(Operation{"from_" + to_string(f), 1, f, std::nullopt});
      }
    return ops;
  }();
  return list;
}

std::optional<Operation> find_operation(const std::string& name) {
  for (const Operation& op : operations())
    if (op.name == name) return op;
  return std::nullopt;
}

Rounded evaluate(const Operation& op, std::span<const Bits> operands, std::span<const Format> formats,
                 const Target& t, uint64_t random_bits) {
  if (static_cast<int>(operands.size()) != op.arity || formats.size() != operands.size())
    throw std::invalid_argument("operation " + op.name + " takes " + std::to_string(op.arity) + " operands");
  const Bits* x = operands.data();
  const Format* f = formats.data();
  if (op.int_operand) return from_integer(x[0].v, *op.int_operand, t, random_bits);
  if (op.int_result) return to_integer(x[0], f[0], *op.int_result, t, random_bits);
  if (op.name == "convert") return convert(x[0], f[0], t, random_bits);
  if (op.name == "add") return add(x[0], f[0], x[1], f[1], t, random_bits);
  if (op.name == "sub") return sub(x[0], f[0], x[1], f[1], t, random_bits);
  if (op.name == "mul") return mul(x[0], f[0], x[1], f[1], t, random_bits);
  if (op.name == "div") return div(x[0], f[0], x[1], f[1], t, random_bits);
  if (op.name == "sqrt") return sqrt(x[0], f[0], t, random_bits);
  if (op.name == "fma") return fma(x[0], f[0], x[1], f[1], x[2], f[2], t, random_bits);
  if (op.name == "minimum") return minimum(x[0], f[0], x[1], f[1], t);
  if (op.name == "maximum") return maximum(x[0], f[0], x[1], f[1], t);
  if (op.name == "minimum_number") return minimum_number(x[0], f[0], x[1], f[1], t);
  if (op.name == "maximum_number") return maximum_number(x[0], f[0], x[1], f[1], t);
  throw std::invalid_argument("operation " + op.name + " is not implemented");
}

}  // namespace fpsim::io
