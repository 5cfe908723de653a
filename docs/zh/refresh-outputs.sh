#!/bin/sh
# Re-runs every command shown in the Chinese guides and pastes what jixiao prints today:
#
#   docs/zh/refresh-outputs.sh [FILE.md...]     (from the repository root; default: 入门.md 提示信息.md)
#
# In a page, a line `<!-- 运行: COMMAND -->` is followed by a fenced block; the block is replaced
# by `$ COMMAND` and the command's output (stdout and stderr). COMMAND runs with `jixiao` on the
# PATH (build/cli/jixiao, or $JIXIAO_BIN_DIR), in a fresh scratch copy of examples/入门/ to which
# the last ```jx, ```jx-error or ```jx-warning block above the marker is added as 示例.jx and the last ```csv
# block as 数据.csv. An optional line `<!-- 准备: SHELL -->` just before the marker runs first, in
# the same directory, and is not shown (it makes the mistake the page is about, e.g. with sed).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bin=${JIXIAO_BIN_DIR:-$root/build/cli}
case $bin in /*) ;; *) bin=$root/$bin ;; esac  # a relative directory is taken from the root
[ -x "$bin/jixiao" ] || { echo "refresh-outputs.sh: $bin/jixiao not found; build first" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
[ $# -gt 0 ] || set -- docs/zh/入门.md docs/zh/提示信息.md
for page in "$@"; do
  awk -v S="$scratch/run" -v BIN="$bin" -v ROOT="$root" '
    function run(setup, cmd,   line, sh) {
      system("rm -rf \"" S "\" && cp -r \"" ROOT "/examples/入门\" \"" S "\"")
      if (have_jx) { printf "%s", last_jx > (S "/示例.jx"); close(S "/示例.jx") }
      if (have_csv) { printf "%s", last_csv > (S "/数据.csv"); close(S "/数据.csv") }
      sh = "cd \"" S "\" && PATH=\"" BIN ":$PATH\" && export PATH && "
      if (setup != "") sh = sh "{ " setup " ; } >/dev/null 2>&1 && "
      sh = sh "{ " cmd " ; } 2>&1"
      print "$ " cmd
      while ((sh | getline line) > 0) print line
      close(sh)
    }
    /^<!-- 准备: .* -->$/ { setup = $0; sub(/^<!-- 准备: /, "", setup); sub(/ -->$/, "", setup); print; next }
    /^<!-- 运行: .* -->$/ { cmd = $0; sub(/^<!-- 运行: /, "", cmd); sub(/ -->$/, "", cmd); pending = 1; print; next }
    !inblock && /^```/ {
      inblock = 1; info = substr($0, 4); body = ""; print
      if (pending) { run(setup, cmd); pending = 0; setup = ""; replacing = 1 }
      next
    }
    inblock && /^```$/ {
      inblock = 0
      if (!replacing) {
        if (info == "jx" || info == "jx-error" || info == "jx-warning") { last_jx = body; have_jx = 1 }
        if (info == "csv") { last_csv = body; have_csv = 1 }
      }
      replacing = 0; print; next
    }
    inblock { body = body $0 "\n"; if (!replacing) print; next }
    { print }
  ' "$page" > "$scratch/page.md"
  cat "$scratch/page.md" > "$page"
done
