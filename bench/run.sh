#!/usr/bin/env bash
# The benchmark of issues 5 and 16, in one command (see docs/performance.md):
#
#   bench/run.sh            # 10,000, 100,000 and 600,000 rows, 600,000 × 5 years, 5 runs each;
#                           # both 3+X policies side by side with DuckDB and pandas at 600,000 rows
#   bench/run.sh --quick    # 10,000 and 100,000 rows, 10,000 × 5 years, side by side at 10,000, 3 runs
#
# Configures a Release build in build-bench/ (when it is not there yet), builds jixiao, the data
# generators, the hand-written baselines and the runner, generates the data into build-bench/data/
# (only what is missing or older than its generator: the files are deterministic), installs DuckDB's
# Node package into bench/duckdb/node_modules (npm ci, when missing) and Debian's python3-pandas
# (when missing, as root or through sudo), and runs the runner, which checks that all outputs are
# identical and then times them. The report (Markdown) is printed and kept in
# build-bench/bench-results.md. Any other option is passed to the runner
# (`build-bench/bench/jixiao_bench --help`), e.g. `--runs 9`.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-bench
data=$build/data
quick=0
for a in "$@"; do
  if [ "$a" = "--quick" ]; then quick=1; fi
  if [ "$a" = "-h" ] || [ "$a" = "--help" ]; then
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
  fi
done

say() { echo "bench: $*" >&2; }

# ---- build ----
if [ ! -f "$build/CMakeCache.txt" ]; then
  generator=()
  if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
  say "configuring a Release build in $build/"
  cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DJIXIAO_BUILD_TESTS=OFF >&2
else
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
  if [ "$build_type" != "Release" ]; then
    say "error: $build/ is configured as '$build_type', not Release; remove it and run again"
    exit 2
  fi
fi
say "building jixiao, the generators and the runner"
# Build logs go to stderr: stdout is the report.
cmake --build "$build" --target jixiao jixiao_gen_3x jixiao_gen_policy jixiao_bench >&2
baseline=$build/bench/jixiao_baseline_3x
for target in jixiao_baseline_3x jixiao_baseline_newcomer; do
  if cmake --build "$build" --target help 2>/dev/null | grep -qw "$target"; then
    say "building $target"
    cmake --build "$build" --target "$target" >&2
  else
    say "warning: there is no $target target; jixiao is measured without it"
    rm -f "$build/bench/$target"
  fi
done

# ---- DuckDB (npm) and pandas (Debian), for the side-by-side cases ----
if [ ! -f bench/duckdb/node_modules/@duckdb/node-api/package.json ]; then
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    say "installing DuckDB's Node package into bench/duckdb/node_modules (npm ci, from package-lock.json)"
    npm ci --prefix bench/duckdb --no-audit --no-fund >&2 || say "warning: npm ci failed; DuckDB is not measured"
  else
    say "warning: node and npm are needed for DuckDB (Debian: nodejs, npm); DuckDB is not measured"
  fi
fi
if ! /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo -n); fi
  if [ "$(id -u)" -eq 0 ] || [ ${#sudo_cmd[@]} -gt 0 ]; then
    say "installing python3-pandas (Debian) for the pandas runs"
    "${sudo_cmd[@]}" apt-get install -y --no-install-recommends python3-pandas >&2 ||
      say "warning: python3-pandas could not be installed; pandas is not measured"
  else
    say "warning: python3-pandas is missing and I am not root; pandas is not measured (apt-get install python3-pandas)"
  fi
fi

# ---- data ----
mkdir -p "$data"
gen3x=$build/bench/jixiao_gen_3x
genpolicy=$build/bench/jixiao_gen_policy
# make FILE GENERATOR ARGS...: runs the generator unless FILE exists and is newer than it.
make_file() {
  local file=$1 gen=$2
  shift 2
  if [ -f "$file" ] && [ "$file" -nt "$gen" ]; then return 0; fi
  say "generating $file"
  "$gen" "$@" --out "$file" >&2
}
if [ "$quick" = 1 ]; then
  sizes=(10000 100000)
  periods=(10000x5)
  compare=10000
else
  sizes=(10000 100000 600000)
  periods=(600000x5)
  compare=600000
fi
for rows in "${sizes[@]}"; do
  make_file "$data/3x-$rows.csv" "$gen3x" --rows "$rows" --seed 2024
done
for p in "${periods[@]}"; do
  make_file "$data/3x-$p.csv" "$gen3x" --rows "${p%x*}" --periods "${p#*x}" --seed 2024
done
make_file "$data/newcomer-$compare.csv" "$gen3x" --rows "$compare" --newcomer --seed 2024
make_file "$data/policy-1000.jx" "$genpolicy" --indicators 1000 --groups 10

# ---- run ----
revision=""
if command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1; then
  revision=$(git rev-parse --short HEAD 2>/dev/null || true)
  if [ -n "$revision" ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    revision="$revision with uncommitted changes"
  fi
fi
say "running the benchmark (progress on stderr; the report goes to $build/bench-results.md)"
"$build/bench/jixiao_bench" \
  --jixiao "$build/cli/jixiao" \
  --baseline "$baseline" \
  --newcomer-baseline "$build/bench/jixiao_baseline_newcomer" \
  --policy examples/3x/policy.jx \
  --periods-policy bench/policies/3x-periods.jx \
  --check-policy "$data/policy-1000.jx" \
  --data-dir "$data" \
  --work-dir "$build/bench-out" \
  --revision "$revision" \
  "$@" | tee "$build/bench-results.md"
