#!/usr/bin/env bash
# Cross C toolchains for `make dist` (DuckDB is linked through cgo, so every
# target needs a C/C++ compiler for it): Debian's aarch64 gcc for
# linux/arm64, and Debian's MinGW-w64 set up for UCRT (scripts/mingw-ucrt.sh)
# for windows/amd64. Run as root (CI and the development machines are). A target
# whose compiler is missing is skipped by scripts/dist.sh, which says so.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if ! command -v aarch64-linux-gnu-g++ >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null
fi
aarch64-linux-gnu-gcc --version | head -1
scripts/mingw-ucrt.sh >/dev/null
