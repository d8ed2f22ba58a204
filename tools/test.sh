#!/usr/bin/env bash
# Installs what is missing, builds, and runs every default test:
#   1. the numerics tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/);
#   2. the whole suite in Release with -Werror (build/): C++ tests, the Python module's pytest suite, the
#      install + out-of-tree consumer test and the single-node Slurm job-array test.
# `tools/test.sh --long` runs the long exhaustive sweeps (CTest label "long") instead of step 1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
jobs=$(nproc)
# The Python module is built for and tested with Debian's interpreter, which sees Debian's python3-* packages
# (a pyenv `python3` earlier on PATH would not).
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFPSIM_WERROR=ON -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build build -j"$jobs"
if [ "${1:-}" = "--long" ]; then
  (cd build && ctest -L long --output-on-failure)
  exit 0
fi
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFPSIM_SANITIZE=ON -DFPSIM_ONLY_NUMERICS=ON \
  -DFPSIM_WERROR=ON -DFPSIM_LONG_TESTS=OFF >/dev/null
cmake --build build-asan -j"$jobs"
echo "== numerics tests under ASan + UBSan =="
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest -L default --output-on-failure)
echo "== all tests (Release) =="
(cd build && ctest -L default --output-on-failure)
