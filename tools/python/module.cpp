// `import fpsim`: the Python module over numpy arrays. Each bind_*.cpp file binds one part of the API.
#include "tools/python/bindings.h"

PYBIND11_MODULE(fpsim, m) {
  m.doc() =
      "fpsim: bit-exact emulation of small floating-point formats over numpy arrays "
      "(formats, rounding targets, quantisation, codes, arithmetic with flags, MX block scaling, scaled casts, emulated GEMM).";
  fpsim::py::bind_format(m);
  fpsim::py::bind_random(m);
  fpsim::py::bind_quantize(m);
  fpsim::py::bind_arith(m);
  fpsim::py::bind_block_scale(m);
  fpsim::py::bind_gemm(m);
  fpsim::py::bind_scaled_cast(m);
  fpsim::py::bind_isa(m);
}
