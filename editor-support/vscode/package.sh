#!/bin/sh
# Builds the VS Code extension and packages it as jixiao-VERSION.vsix in this directory.
# Needs Node.js 18+ and npm (the npm registry is used for vscode-languageclient, TypeScript and
# @vscode/vsce, at the versions package-lock.json pins). Not run by the test suite: see
# docs/editor.md ("VS Code").
set -eu
cd "$(dirname "$0")"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
npx tsc -p ./
npx vsce package --allow-missing-repository --skip-license
ls -l ./*.vsix
