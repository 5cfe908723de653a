#!/usr/bin/env bash
# Installs the Debian 12 packages jixiao needs, only those that are missing. Runs apt-get as root,
# or through sudo when not root. Safe to run again: it does nothing when everything is present.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  tao-pegtl-dev           # the grammar (PEGTL 3.2)
  libboost-graph-dev      # the dependency graph (Boost.Graph)
  libspdlog-dev           # logging (with libfmt-dev)
  libtomlplusplus-dev     # column maps and test cases (toml++)
  libgtest-dev            # unit and golden tests (GoogleTest)
  libssl-dev              # SHA-256 of audit records (OpenSSL libcrypto)
  libzip-dev libexpat1-dev  # reading Excel workbooks (.xlsx): the ZIP archive and its XML parts
  libxlsxwriter-dev       # writing Excel workbooks (`--out 结果.xlsx`)
  python3-openpyxl        # tests: an independent XLSX reader and writer (Debian's python3)
  chromium                # tests: `jixiao report` rendered and printed by a real browser (headless)
  fonts-noto-cjk          # tests: a CJK font for that browser (the report names Noto CJK first)
  poppler-utils           # tests: pdftotext reads the printed report back
  nlohmann-json3-dev      # `jixiao lsp`: JSON-RPC messages (header-only; included by cli/lsp/jsonrpc.cpp only)
  neovim                  # tests: `jixiao lsp` end to end with Neovim's built-in LSP client
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "jixiao: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "jixiao: error: these packages are missing and I am not root: ${missing[*]}" >&2
    echo "hint: run this command as root, or install sudo" >&2
    exit 2
  fi
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
