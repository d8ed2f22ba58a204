#pragma once
// Shared pieces of the Python module (tools/python): numpy array helpers and the bind_* functions,
// one per file. The module is an edge like the CLI: it parses Python arguments, checks shapes and
// dtypes, releases the GIL and calls the numerics/ and sim/ APIs; it decides no rounding itself.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "numerics/core/format.h"
#include "numerics/core/random.h"

namespace fpsim::py {

namespace pb = pybind11;

/// A C-contiguous numpy array of T (pybind11 copies only when the input is not one already).
template <class T>
using CArray = pb::array_t<T, pb::array::c_style | pb::array::forcecast>;

/// Element count and shape of an array, as vectors pybind11 accepts for new arrays.
std::vector<pb::ssize_t> shape_of(const pb::array& a);

/// TypeError unless `a` holds floats; returns true for float32, false for float64.
/// Example: is_float32(np.zeros(3, np.float32)) is true; an int64 array raises TypeError naming `what`.
bool is_float32(const pb::array& a, const std::string& what);

/// Codes of `f` as uint64 (TypeError unless `a` holds integers; ValueError naming `what` and the index when a
/// code is negative or has bits above the format). Example: codes_of(np.array([0x7e]), e4m3fn, "decode: codes").
std::vector<uint64_t> codes_of(const pb::array& a, const Format& f, const std::string& what);

/// A new array of `shape` holding codes of `f`: uint8, uint16, uint32 or uint64 by the format's width.
pb::array new_code_array(const Format& f, const std::vector<pb::ssize_t>& shape);
/// Store code `v` at flat index i of an array made by new_code_array.
void store_code(pb::array& a, pb::ssize_t i, uint64_t v);

/// The stream a call uses: `stream` when given, else RandomStream(seed) (the CLI's --seed).
RandomStream stream_or_seed(const pb::object& stream, uint64_t seed);

void bind_format(pb::module_& m);
void bind_random(pb::module_& m);
void bind_quantize(pb::module_& m);
void bind_arith(pb::module_& m);
void bind_block_scale(pb::module_& m);
void bind_gemm(pb::module_& m);
void bind_scaled_cast(pb::module_& m);
void bind_isa(pb::module_& m);

}  // namespace fpsim::py
