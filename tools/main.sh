#!/usr/bin/env bash
# The main job: installs what is missing, builds (Release), runs the default experiment sweep
# (experiments/quick.json: FP32 vs the FP8 paper recipe and two ablations on Fashion-MNIST) and
# writes its results and report under results/quick/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
./build/tools/fpsim sweep experiments/quick.json "$@"
./build/tools/fpsim report results/quick
