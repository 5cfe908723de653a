#!/usr/bin/env bash
# Runs one fuzz target for a while: fuzz/run.sh TARGET SECONDS [extra libFuzzer flags]
#   TARGET: policy | csv | column_map | test_file | record | xlsx (fuzz/*_fuzz.cpp)
# Builds build-fuzz/ with clang 14 (libFuzzer, ASan, UBSan) when needed, seeds the corpus
# (build-fuzz/corpus/TARGET, kept between runs) from the repository's own files of that kind and
# from fuzz/seeds/TARGET/ and fuzz/regressions/TARGET/, and runs on one core. A crash, leak, timeout or out-of-memory
# input is written to build-fuzz/findings/TARGET/; copy it to fuzz/regressions/TARGET/ (with the
# target's file ending) once fixed, so the test run replays it. One line per run is appended to
# build-fuzz/runs.log: date, target, seconds, executions, corpus size, findings.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer flags]}
seconds=${2:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer flags]}
shift 2
schedule=()
case "$target" in
  # The policy target has over 100,000 coverage features (the grammar's templates): libFuzzer's
  # entropic schedule then spends two thirds of the time updating feature frequencies
  # (fuzzer::InputCorpus::UpdateFeatureFrequency, measured with perf); without it, 3.4 times
  # the executions per second.
  policy) ext=.jx; seeds=(stdlib-rules examples tests/golden tests/hostile docs); max_len=8192; schedule=(-entropic=0) ;;
  csv) ext=.csv; seeds=(examples tests/golden tests/hostile); max_len=16384 ;;
  column_map) ext=.toml; seeds=(examples tests/golden/eval); max_len=4096 ;;
  test_file) ext=.toml; seeds=(stdlib-rules examples tests/golden/cli); max_len=8192 ;;
  record) ext=.toml; seeds=(tests/golden/cli); max_len=8192 ;;
  # Workbooks, and the parts of workbooks that the target packs itself (fuzz/xlsx_fuzz.cpp).
  xlsx) ext=.xlsx; ext2=.parts; seeds=(); max_len=65536 ;;
  *) echo "fuzz/run.sh: unknown target \`$target\` (policy, csv, column_map, test_file, record, xlsx)" >&2; exit 2 ;;
esac
for p in clang++-14 dpkg-query; do command -v "$p" >/dev/null || { echo "fuzz/run.sh: needs $p (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }; done
dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok installed" ||
  { echo "fuzz/run.sh: needs libclang-rt-14-dev (apt-get install libclang-rt-14-dev)" >&2; exit 2; }

build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DJIXIAO_FUZZ=ON -DJIXIAO_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target "jixiao_fuzz_$target"

corpus=$build/corpus/$target
findings=$build/findings/$target
mkdir -p "$corpus" "$findings"
# Seeds: every file of the target's kind in the repository (a copy named by its content's hash,
# so seeding again adds nothing twice), and every regression input.
while IFS= read -r -d '' f; do
  cp "$f" "$corpus/seed-$(sha1sum "$f" | cut -c1-16)"
done < <(find "${seeds[@]}" fuzz/seeds/"$target" fuzz/regressions/"$target" -type f \( -name "*$ext" -o -name "*${ext2:-$ext}" \) -size -64k -print0 2>/dev/null)

dict=()
if [ "$target" = policy ]; then
  # The language's keywords, and the punctuation of its syntax, as a libFuzzer dictionary (bytes
  # outside printable ASCII, quotes and backslashes written as \xNN).
  { grep -v '^#' editor-support/keywords.txt | grep -v '^$'
    printf '%s\n' '{' '}' '(' ')' '[' ']' '..' '%' '元' '万元' '==' '>=' '<=' '!=' ',' ';' ':' '"' '#' 'inf' '总分' '等级'
  } | perl -ne 'chomp; s/([^\x20-\x7e]|["\\])/sprintf("\\x%02X", ord($1))/ge; print "\"$_\"\n"' > "$build/policy.dict"
  dict=(-dict="$build/policy.dict")
fi

log=$build/last-$target.log
started=$build/started-$target
touch "$started"
set +e
"$build/fuzz/jixiao_fuzz_$target" "$corpus" "${dict[@]}" "${schedule[@]}" -max_total_time="$seconds" -max_len="$max_len" \
  -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$findings/" "$@" 2>&1 | tee "$log" | grep -E "^#[0-9]+.*(pulse|DONE)|ERROR|SUMMARY|Test unit written" 
status=${PIPESTATUS[0]}
set -e
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
count=$(find "$corpus" -type f | wc -l)
found=$(find "$findings" -type f -newer "$started" | wc -l)  # this run's findings
echo "$(date -u +%FT%TZ) $target ${seconds}s executions=$execs corpus=$count findings=$found exit=$status" | tee -a "$build/runs.log"
exit "$status"
