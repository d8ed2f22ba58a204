#!/usr/bin/env bash
# Installs what fpsim needs from Debian packages (idempotent; silent when everything is present).
set -euo pipefail
packages=(
  g++ cmake make                      # toolchain
  libboost-dev libmpfr-dev libgmp-dev # Boost.Multiprecision + the MPFR oracle
  catch2 nlohmann-json3-dev libfmt-dev libcli11-dev
  librandom123-dev libhwy-dev         # Philox counter-based RNG, portable SIMD
  libomp-dev                          # OpenMP runtime headers
  dataset-fashion-mnist               # /usr/share/datasets/fashion-mnist
  gnuplot-nox                         # SVG plots in reports
  chromium poppler-utils              # report tests: headless rendering, print to PDF, pdfinfo page count
  zlib1g-dev                          # gzip IDX files of Fashion-MNIST
  pkg-config                          # the installed library's fpsim.pc (tests/install)
  python3-dev pybind11-dev python3-pybind11 python3-numpy   # `import fpsim` (tools/python), for /usr/bin/python3
  python3-pytest python3-torch        # the Python test suite and the PyTorch example
  libopenblas0-openmp                 # the BLAS Debian's PyTorch loads for torch_baseline.py (else reference BLAS)
  slurm-wlm munge                     # the single-node Slurm job-array test (tests/slurm)
  fortunes                            # /usr/share/games/fortunes: default text corpus (see experiments/README.md)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then echo "setup: need root to install packages: ${missing[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
