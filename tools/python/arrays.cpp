// numpy helpers of the Python module: dtype checks, code arrays sized by the format's width.
#include <stdexcept>

#include "tools/python/bindings.h"

namespace fpsim::py {

std::vector<pb::ssize_t> shape_of(const pb::array& a) { return {a.shape(), a.shape() + a.ndim()}; }

bool is_float32(const pb::array& a, const std::string& what) {
  if (a.dtype().is(pb::dtype::of<float>())) return true;
  if (a.dtype().is(pb::dtype::of<double>())) return false;
  throw pb::type_error(what + " has dtype " + std::string(pb::str(a.dtype())) + "; expected float32 or float64");
}

std::vector<uint64_t> codes_of(const pb::array& a, const Format& f, const std::string& what) {
  const char kind = a.dtype().kind();
  if (kind != 'u' && kind != 'i')
    throw pb::type_error(what + " has dtype " + std::string(pb::str(a.dtype())) +
                         "; expected an integer array of codes");
  // Signed arrays are read as int64 so that a negative code is reported, not wrapped.
  std::vector<uint64_t> codes(static_cast<std::size_t>(a.size()));
  auto check = [&](std::size_t i, uint64_t v, bool negative) {
    if (negative || (v & ~f.code_mask()) != 0)
      throw pb::value_error(what + "[" + std::to_string(i) + "] = " +
                            (negative ? std::string("a negative value") : std::to_string(v)) + " is not a code of " +
                            f.to_string() + " (" + std::to_string(f.total_bits()) + " bits)");
    codes[i] = v;
  };
  if (kind == 'u') {
    const auto u = CArray<uint64_t>::ensure(a);
    for (std::size_t i = 0; i < codes.size(); ++i) check(i, u.data()[i], false);
  } else {
    const auto s = CArray<int64_t>::ensure(a);
    for (std::size_t i = 0; i < codes.size(); ++i) check(i, static_cast<uint64_t>(s.data()[i]), s.data()[i] < 0);
  }
  return codes;
}

pb::array new_code_array(const Format& f, const std::vector<pb::ssize_t>& shape) {
  const int bits = f.total_bits();
  if (bits <= 8) return pb::array_t<uint8_t>(shape);
  if (bits <= 16) return pb::array_t<uint16_t>(shape);
  if (bits <= 32) return pb::array_t<uint32_t>(shape);
  return pb::array_t<uint64_t>(shape);
}

void store_code(pb::array& a, pb::ssize_t i, uint64_t v) {
  void* p = a.mutable_data();
  switch (a.itemsize()) {
    case 1: static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(v); break;
    case 2: static_cast<uint16_t*>(p)[i] = static_cast<uint16_t>(v); break;
    case 4: static_cast<uint32_t*>(p)[i] = static_cast<uint32_t>(v); break;
    default: static_cast<uint64_t*>(p)[i] = v; break;
  }
}

RandomStream stream_or_seed(const pb::object& stream, uint64_t seed) {
  return stream.is_none() ? RandomStream(seed) : stream.cast<RandomStream>();
}

}  // namespace fpsim::py
