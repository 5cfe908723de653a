#!/usr/bin/env bash
# Quick start: install what is missing, build jixiao, check the bundled 3+X example policy and
# evaluate it over its 200 communities. The results go to out/3x-results.csv.
set -euo pipefail
cd "$(dirname "$0")"
.ci/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIXIAO_WERROR=ON >/dev/null
cmake --build build --target jixiao
mkdir -p out
build/cli/jixiao check examples/3x/policy.jx
build/cli/jixiao eval examples/3x/policy.jx --data examples/3x/data/communities.csv --out out/3x-results.csv
