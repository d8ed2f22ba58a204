#include "tools/io/operations.h"

#include <stdexcept>

#include "numerics/convert.h"

namespace fpsim::io {

const std::vector<Operation>& operations() {
  static const std::vector<Operation> list = {{"convert", 1}};
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
  if (op.name == "convert") return convert(operands[0], formats[0], t, random_bits);
  throw std::invalid_argument("operation " + op.name + " is not implemented");
}

}  // namespace fpsim::io
