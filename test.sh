#!/usr/bin/env bash
# Builds everything with warnings as errors and runs every test (unit, golden, examples) with
# ctest; the output ends with ctest's summary. Installs missing packages first.
set -euo pipefail
cd "$(dirname "$0")"
.ci/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIXIAO_WERROR=ON >/dev/null
cmake --build build
cd build
ctest --output-on-failure -j "$(nproc)"
