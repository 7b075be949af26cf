#!/bin/sh
# tests/run.sh: install what is missing, build everything (warnings are
# errors), run the whole ctest suite: host unit tests, runner tests and
# boot tests of every variant and workload under TCG icount.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${ASILAB_BUILD:-$top/build}
"$top/cmake/install-deps.sh"
cmake -S "$top" -B "$build" -G Ninja -DASILAB_WERROR=ON >/dev/null
cmake --build "$build"
cd "$build"
ctest --output-on-failure -j "$(nproc)"
