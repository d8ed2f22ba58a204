#include "tools/io/operations.h"

#include <stdexcept>

#include "numerics/core/convert.h"

namespace fpsim::io {

const std::vector<Operation>& operations() {
  // TestFloat's operation files map onto these names: f16_add -> add, f32_mulAdd -> fma (A·B + C).
  static const std::vector<Operation> list = [] {
    std::vector<Operation> ops;
    ops.push_back(Operation{.name = "convert", .arity = 1, .kind = Operation::Kind::Convert});
    for (ArithOp op : kArithOps)
      ops.push_back(Operation{.name = to_string(op), .arity = arity(op), .kind = Operation::Kind::Arith, .arith = op});
    const std::pair<const char*, MinMaxOp> selections[] = {{"minimum", MinMaxOp::Minimum},
                                                           {"maximum", MinMaxOp::Maximum},
                                                           {"minimum_number", MinMaxOp::MinimumNumber},
                                                           {"maximum_number", MinMaxOp::MaximumNumber}};
    for (const auto& [name, which] : selections)
      ops.push_back(Operation{.name = name, .arity = 2, .kind = Operation::Kind::MinMax, .minmax = which});
    for (bool is_signed : {true, false})
      for (int bits : {8, 16, 32, 64}) {
        const IntFormat f{bits, is_signed};
        ops.push_back(Operation{.name = "to_" + to_string(f), .kind = Operation::Kind::ToInteger, .int_result = f});
        ops.push_back(
            Operation{.name = "from_" + to_string(f), .kind = Operation::Kind::FromInteger, .int_operand = f});
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
  switch (op.kind) {
    case Operation::Kind::Convert: return convert(x[0], f[0], t, random_bits);
    case Operation::Kind::Arith: return apply(op.arith, x, f, t, random_bits);
    case Operation::Kind::ToInteger: return to_integer(x[0], f[0], *op.int_result, t, random_bits);
    case Operation::Kind::FromInteger: return from_integer(x[0].v, *op.int_operand, t, random_bits);
    case Operation::Kind::MinMax:
      switch (op.minmax) {
        case MinMaxOp::Minimum: return minimum(x[0], f[0], x[1], f[1], t);
        case MinMaxOp::Maximum: return maximum(x[0], f[0], x[1], f[1], t);
        case MinMaxOp::MinimumNumber: return minimum_number(x[0], f[0], x[1], f[1], t);
        case MinMaxOp::MaximumNumber: return maximum_number(x[0], f[0], x[1], f[1], t);
      }
  }
  throw std::invalid_argument("operation " + op.name + " is not implemented");
}

}  // namespace fpsim::io
