#!/usr/bin/env bash
# install_consumer_test.sh BUILD_DIR CONSUMER_SRC CXX
# Installs BUILD_DIR into a temporary prefix, builds CONSUMER_SRC against it with find_package(fpsim) and with
# pkg-config, and checks that both binaries print the expected line. The prefix is removed afterwards.
set -euo pipefail
build=$1 src=$2 cxx=$3
tmp=$(mktemp -d /tmp/fpsim-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
want="7f 4000 0.09375 3.5 1024 2048"

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log"
for f in include/numerics/core/format.h include/sim/gemm/gemm.h lib/libfpsim_numerics.a \
         lib/libfpsim_sim.a lib/cmake/fpsim/fpsimConfig.cmake lib/pkgconfig/fpsim.pc; do
  [ -e "$tmp/prefix/$f" ] || { echo "install: $f is missing"; exit 1; }
done
if find "$tmp/prefix/include" -path '*/internal/*' | grep -q .; then
  echo "install: internal headers installed"
  exit 1
fi

# 1. CMake package: find_package(fpsim) -> fpsim::numerics, fpsim::sim
cmake -S "$src" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=Release >"$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/cmake-build" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
got=$("$tmp/cmake-build/fpsim_consumer")
[ "$got" = "$want" ] || { echo "find_package consumer printed '$got', expected '$want'"; exit 1; }

# 2. pkg-config, the prefix found from the .pc file's own location
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
# shellcheck disable=SC2046  # pkg-config prints several words on purpose
"$cxx" -O1 -o "$tmp/pc_consumer" "$src/main.cpp" $(pkg-config --cflags --libs fpsim)
got=$("$tmp/pc_consumer")
[ "$got" = "$want" ] || { echo "pkg-config consumer printed '$got', expected '$want'"; exit 1; }
echo "install consumer: find_package and pkg-config builds print '$got'"
