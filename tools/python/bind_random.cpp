// fpsim.RandomStream: the counter-based Philox stream stochastic rounding draws from.
//
//   s = fpsim.RandomStream(3); s.bits(0)     # the word `fpsim random --seed 3` prints first
#include "numerics/core/random.h"
#include "tools/python/bindings.h"

namespace fpsim::py {

void bind_random(pb::module_& m) {
  using namespace pybind11::literals;
  pb::class_<RandomStream>(m, "RandomStream",
                           "Philox4x32-10 stream keyed by a seed and up to three ids; element i always gets bits(i). "
                           "RandomStream(seed) is the stream of the CLI's --seed.")
      .def(pb::init<uint64_t, uint64_t, uint64_t, uint64_t>(), "seed"_a, "id0"_a = 0, "id1"_a = 0, "id2"_a = 0)
      .def("bits", &RandomStream::bits, "index"_a, "The 64-bit word of element `index`.")
      .def(
          "fill",
          [](const RandomStream& s, uint64_t first, pb::ssize_t count) {
            if (count < 0) throw pb::value_error("RandomStream.fill: count " + std::to_string(count) + " is negative");
            pb::array_t<uint64_t> out(count);
            uint64_t* data = out.mutable_data();
            {
              pb::gil_scoped_release nogil;
              s.fill(first, std::span<uint64_t>(data, static_cast<std::size_t>(count)));
            }
            return out;
          },
          "first"_a, "count"_a, "uint64 array of bits(first), bits(first + 1), ... (count words).")
      .def_property_readonly("key", &RandomStream::key);
  m.def("stream_id", &stream_id, "name"_a,
        "Stable 64-bit id of a name (FNV-1a), to key a stream by a parameter name. "
        "Example: fpsim.RandomStream(1, fpsim.stream_id('fc1.weight'))");
}

}  // namespace fpsim::py
