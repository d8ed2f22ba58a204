// fpsim.add / sub / mul / div / fma / sqrt on arrays of codes, with flags OR-ed or per element.
//
//   codes, flags = fpsim.add(a, b, "binary16")                      # flags: int, OR of all elements
//   codes, flags = fpsim.fma(a, b, c, "binary32", formats=("e5m2", "e5m2", "binary32"), flags="each")
#include <pybind11/stl.h>

#include <optional>

#include "numerics/arith/arith.h"
#include "numerics/fast/fast_arrays.h"
#include "tools/python/args.h"
#include "tools/python/bindings.h"

namespace fpsim::py {
namespace {

pb::tuple apply_py(ArithOp op, const std::vector<pb::array>& operands, const Target& t,
                   const std::optional<std::vector<Format>>& formats, const std::string& flags, uint64_t seed,
                   const pb::object& stream, uint64_t offset) {
  const std::string name = to_string(op);
  const int n_ops = arity(op);
  if (flags != "or" && flags != "each")
    throw pb::value_error(name + ": flags=\"" + flags + "\": expected \"or\" (one int) or \"each\" (per element)");
  if (formats && static_cast<int>(formats->size()) != n_ops)
    throw pb::value_error(name + ": formats has " + std::to_string(formats->size()) + " entries; " + name + " takes " +
                          std::to_string(n_ops) + " operands");
  std::vector<Format> fmts(static_cast<std::size_t>(n_ops), t.format);
  if (formats) fmts = *formats;
  const char* letters = "abc";
  std::vector<std::vector<uint64_t>> codes;
  for (int i = 0; i < n_ops; ++i) {
    if (i > 0 && shape_of(operands[i]) != shape_of(operands[0]))
      throw pb::value_error(name + ": operand " + letters[i] + " has shape " +
                            std::string(pb::str(operands[i].attr("shape"))) + ", operand a has " +
                            std::string(pb::str(operands[0].attr("shape"))));
    codes.push_back(codes_of(operands[i], fmts[i], name + ": " + letters[i]));
  }
  const std::size_t n = codes[0].size();
  const RandomStream s = stream_or_seed(stream, seed);
  std::vector<uint64_t> result(n);
  std::vector<uint8_t> each(flags == "each" ? n : 0);
  uint8_t all = 0;
  bool narrow = t.format.total_bits() <= 32;
  for (const Format& f : fmts) narrow = narrow && f.total_bits() <= 32;
  {
    pb::gil_scoped_release nogil;
    if (flags == "or" && narrow) {  // the array entry point: op tables, vector lanes or scalar, one OR of the flags
      std::vector<std::vector<uint32_t>> c32(3);
      for (int i = 0; i < n_ops; ++i) c32[i].assign(codes[i].begin(), codes[i].end());
      std::vector<uint32_t> out(n);
      const Format& fb = n_ops > 1 ? fmts[1] : fmts[0];
      const Format& fc = n_ops > 2 ? fmts[2] : fmts[0];
      all = apply_array(op, c32[0], fmts[0], c32[1], fb, c32[2], fc, out, t, &s, offset);
      result.assign(out.begin(), out.end());
    } else {  // the scalar operation per element, element i drawing stream.bits(offset + i) as apply_array does
      const bool sr = t.rounding == Rounding::Stochastic;
      Bits ops[3];
      for (std::size_t i = 0; i < n; ++i) {
        for (int k = 0; k < n_ops; ++k) ops[k] = Bits{codes[k][i]};
        const Rounded r = apply(op, ops, fmts.data(), t, sr ? s.bits(offset + i) : 0);
        result[i] = r.bits.v;
        all |= r.flags;
        if (!each.empty()) each[i] = r.flags;
      }
    }
  }
  pb::array out = new_code_array(t.format, shape_of(operands[0]));
  for (std::size_t i = 0; i < n; ++i) store_code(out, static_cast<pb::ssize_t>(i), result[i]);
  if (flags == "or") return pb::make_tuple(out, all);
  pb::array_t<uint8_t> f(shape_of(operands[0]));
  std::copy(each.begin(), each.end(), f.mutable_data());
  return pb::make_tuple(out, f);
}

// The bound functions of one operation; the template arguments name the target and formats= arguments in errors.
template <ArgName TargetWhere, ArgName FormatsWhere>
auto unary(ArithOp op) {
  return [op](const pb::array& a, const TargetArg<TargetWhere>& t,
              const std::optional<FormatsArg<FormatsWhere>>& formats, const std::string& flags, uint64_t seed,
              const pb::object& stream, uint64_t offset) {
    return apply_py(op, {a}, t, formats, flags, seed, stream, offset);
  };
}

template <ArgName TargetWhere, ArgName FormatsWhere>
auto binary(ArithOp op) {
  return [op](const pb::array& a, const pb::array& b, const TargetArg<TargetWhere>& t,
              const std::optional<FormatsArg<FormatsWhere>>& formats, const std::string& flags, uint64_t seed,
              const pb::object& stream, uint64_t offset) {
    return apply_py(op, {a, b}, t, formats, flags, seed, stream, offset);
  };
}

}  // namespace

void bind_arith(pb::module_& m) {
  using namespace pybind11::literals;
  const char* doc =
      "Element-wise on arrays of codes (operand i in formats[i], default the target's format), rounded once "
      "into `target`. Returns (codes, flags): flags='or' gives the OR of every element's SoftFloat flags as an "
      "int, flags='each' a uint8 array. Stochastic rounding: element i uses stream.bits(offset + i).";
  auto def_binary = [&](ArithOp op, auto fn) {
    m.def(to_string(op), fn, "a"_a, "b"_a, "target"_a, pb::kw_only(), "formats"_a = pb::none(), "flags"_a = "or",
          "seed"_a = 0, "stream"_a = pb::none(), "offset"_a = 0, doc);
  };
  def_binary(ArithOp::Add, binary<"add: target", "add: formats">(ArithOp::Add));
  def_binary(ArithOp::Sub, binary<"sub: target", "sub: formats">(ArithOp::Sub));
  def_binary(ArithOp::Mul, binary<"mul: target", "mul: formats">(ArithOp::Mul));
  def_binary(ArithOp::Div, binary<"div: target", "div: formats">(ArithOp::Div));
  m.def("sqrt", unary<"sqrt: target", "sqrt: formats">(ArithOp::Sqrt), "a"_a, "target"_a, pb::kw_only(),
        "formats"_a = pb::none(), "flags"_a = "or", "seed"_a = 0, "stream"_a = pb::none(), "offset"_a = 0, doc);
  m.def(
      "fma",
      [](const pb::array& a, const pb::array& b, const pb::array& c, const TargetArg<"fma: target">& t,
         const std::optional<FormatsArg<"fma: formats">>& formats, const std::string& flags, uint64_t seed,
         const pb::object& stream, uint64_t offset) {
        return apply_py(ArithOp::Fma, {a, b, c}, t, formats, flags, seed, stream, offset);
      },
      "a"_a, "b"_a, "c"_a, "target"_a, pb::kw_only(), "formats"_a = pb::none(), "flags"_a = "or", "seed"_a = 0,
      "stream"_a = pb::none(), "offset"_a = 0, doc);
}

}  // namespace fpsim::py
