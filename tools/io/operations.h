#pragma once
// Operations by name, for `fpsim eval` and `fpsim verify`: "convert", the arithmetic operations
// ("add", "sub", "mul", "div", "sqrt", "fma"), "minimum", "maximum", "minimum_number",
// "maximum_number", and integer conversions "to_int32", "from_uint8", ... (every width and sign).
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "numerics/core/integer.h"
#include "numerics/core/rounding.h"

namespace fpsim::io {

struct Operation {
  std::string name;   ///< "convert", "add", … (TestFloat's "mulAdd" is "fma")
  int arity = 1;      ///< operands per case
  std::optional<IntFormat> int_operand;  ///< from_int*: the operand is an integer of this type
  std::optional<IntFormat> int_result;   ///< to_int*: the result is an integer of this type
};

/// Every operation this build can evaluate.
const std::vector<Operation>& operations();
/// nullopt when the name is not known to this build.
std::optional<Operation> find_operation(const std::string& name);

/// Evaluate `op` on operand codes (operand i in formats[i]) rounding into t; an integer operand is
/// its two's-complement pattern (formats ignored), an integer result likewise.
/// random_bits feeds stochastic rounding.
Rounded evaluate(const Operation& op, std::span<const Bits> operands, std::span<const Format> formats,
                 const Target& t, uint64_t random_bits);

}  // namespace fpsim::io
