#!/usr/bin/env bash
# Builds everything twice and runs every test (unit, golden, hostile inputs, fuzz replays,
# examples) with ctest in each build: first with AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan/, docs/reliability.md), then the release build with warnings as errors (build/). The
# output ends with the release run's ctest summary. Installs missing packages first.
set -euo pipefail
cd "$(dirname "$0")"
.ci/install-deps.sh
jobs=$(nproc)

# 1. Sanitizers: every target, libraries and tests, built with ASan and UBSan; the first report
#    fails its test. The libraries at -O1, the command line and tests at -O0 (CMakeLists.txt).
#    (Warnings are not errors here: GCC 12 warns falsely inside libstdc++ at -O1 with
#    sanitizers; the release build below checks the warnings.)
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" -DJIXIAO_SANITIZE=ON >/dev/null
cmake --build build-asan
(cd build-asan && ctest --output-on-failure -j "$jobs")

# 2. The release build, as users get it.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIXIAO_WERROR=ON >/dev/null
cmake --build build
cd build
ctest --output-on-failure -j "$jobs"
