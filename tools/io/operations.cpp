#include "tools/io/operations.h"

#include <stdexcept>

#include "numerics/arith.h"
#include "numerics/convert.h"

namespace fpsim::io {

const std::vector<Operation>& operations() {
  // TestFloat's operation files map onto these names: f16_add -> add, f32_mulAdd -> fma (A·B + C).
  static const std::vector<Operation> list = {{"convert", 1}, {"add", 2}, {"sub", 2}, {"mul", 2},
                                              {"div", 2},     {"sqrt", 1}, {"fma", 3}};
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
  if (op.name == "convert") return convert(x[0], f[0], t, random_bits);
  if (op.name == "add") return add(x[0], f[0], x[1], f[1], t, random_bits);
  if (op.name == "sub") return sub(x[0], f[0], x[1], f[1], t, random_bits);
  if (op.name == "mul") return mul(x[0], f[0], x[1], f[1], t, random_bits);
  if (op.name == "div") return div(x[0], f[0], x[1], f[1], t, random_bits);
  if (op.name == "sqrt") return sqrt(x[0], f[0], t, random_bits);
  if (op.name == "fma") return fma(x[0], f[0], x[1], f[1], x[2], f[2], t, random_bits);
  throw std::invalid_argument("operation " + op.name + " is not implemented");
}

}  // namespace fpsim::io
