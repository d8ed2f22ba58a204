#pragma once
// Operations by name, for `fpsim eval` and `fpsim verify`: "convert", and the arithmetic
// operations ("add", "sub", "mul", "div", "sqrt", "fma") once numerics provides them.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "numerics/rounding.h"

namespace fpsim::io {

struct Operation {
  std::string name;   ///< "convert", "add", … (TestFloat's "mulAdd" is "fma")
  int arity = 1;      ///< operands per case
};

/// Every operation this build can evaluate.
const std::vector<Operation>& operations();
/// nullopt when the name is not known to this build.
std::optional<Operation> find_operation(const std::string& name);

/// Evaluate `op` on operand codes (operand i in formats[i]) rounding into t.
/// random_bits feeds stochastic rounding.
Rounded evaluate(const Operation& op, std::span<const Bits> operands, std::span<const Format> formats,
                 const Target& t, uint64_t random_bits);

}  // namespace fpsim::io
