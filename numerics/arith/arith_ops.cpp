// ArithOp names, arities, and dispatch by ArithOp (for tables, tools and tests).
#include "numerics/arith/arith.h"

namespace fpsim {

const char* to_string(ArithOp op) {
  switch (op) {
    case ArithOp::Add: return "add";
    case ArithOp::Sub: return "sub";
    case ArithOp::Mul: return "mul";
    case ArithOp::Div: return "div";
    case ArithOp::Sqrt: return "sqrt";
    case ArithOp::Fma: return "fma";
  }
  return "?";
}

Rounded apply(ArithOp op, const Bits* x, const Format* f, const Target& t, uint64_t r) {
  switch (op) {
    case ArithOp::Add: return add(x[0], f[0], x[1], f[1], t, r);
    case ArithOp::Sub: return sub(x[0], f[0], x[1], f[1], t, r);
    case ArithOp::Mul: return mul(x[0], f[0], x[1], f[1], t, r);
    case ArithOp::Div: return div(x[0], f[0], x[1], f[1], t, r);
    case ArithOp::Sqrt: return sqrt(x[0], f[0], t, r);
    case ArithOp::Fma: return fma(x[0], f[0], x[1], f[1], x[2], f[2], t, r);
  }
  return {};
}

Rounded exact::apply(ArithOp op, const Bits* x, const Format* f, const Target& t, uint64_t r) {
  switch (op) {
    case ArithOp::Add: return exact::add(x[0], f[0], x[1], f[1], t, r);
    case ArithOp::Sub: return exact::sub(x[0], f[0], x[1], f[1], t, r);
    case ArithOp::Mul: return exact::mul(x[0], f[0], x[1], f[1], t, r);
    case ArithOp::Div: return exact::div(x[0], f[0], x[1], f[1], t, r);
    case ArithOp::Sqrt: return exact::sqrt(x[0], f[0], t, r);
    case ArithOp::Fma: return exact::fma(x[0], f[0], x[1], f[1], x[2], f[2], t, r);
  }
  return {};
}

}  // namespace fpsim
