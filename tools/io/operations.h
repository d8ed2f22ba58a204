#pragma once
// Operations by name, for `fpsim eval` and `fpsim verify`: "convert", the arithmetic operations
// (ArithOp: "add", "sub", "mul", "div", "sqrt", "fma"), "minimum", "maximum", "minimum_number",
// "maximum_number", and integer conversions "to_int32", "from_uint8", ... (every width and sign).
// A name is resolved once (find_operation); evaluate() then dispatches on the resolved kind.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "numerics/arith/arith.h"
#include "numerics/core/integer.h"
#include "numerics/core/rounding.h"

namespace fpsim::io {

/// The IEEE 754-2019 9.6 selections, by name "minimum", "maximum", "minimum_number", "maximum_number".
enum class MinMaxOp : uint8_t { Minimum, Maximum, MinimumNumber, MaximumNumber };

struct Operation {
  enum class Kind : uint8_t { Convert, Arith, MinMax, ToInteger, FromInteger };
  std::string name;   ///< "convert", "add", … (TestFloat's "mulAdd" is "fma")
  int arity = 1;      ///< operands per case
  Kind kind = Kind::Convert;
  ArithOp arith = ArithOp::Add;          ///< Kind::Arith: which operation
  MinMaxOp minmax = MinMaxOp::Minimum;   ///< Kind::MinMax: which selection
  std::optional<IntFormat> int_operand{};  ///< from_int*: the operand is an integer of this type
  std::optional<IntFormat> int_result{};   ///< to_int*: the result is an integer of this type
};

/// Every operation this build can evaluate.
const std::vector<Operation>& operations();
/// nullopt when the name is not known to this build. Example: find_operation("fma")->arity == 3.
std::optional<Operation> find_operation(const std::string& name);

/// Evaluate `op` on operand codes (operand i in formats[i]) rounding into t; an integer operand is
/// its two's-complement pattern (formats ignored), an integer result likewise.
/// random_bits feeds stochastic rounding.
Rounded evaluate(const Operation& op, std::span<const Bits> operands, std::span<const Format> formats,
                 const Target& t, uint64_t random_bits);

}  // namespace fpsim::io
