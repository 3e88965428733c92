#!/usr/bin/env bash
# Release archives in dist/: d365audit-VERSION-OS-ARCH.tar.gz (.zip for
# Windows), each with the binary and README.md, and SHA256SUMS over them.
# DuckDB is linked through cgo, so each target needs a C/C++ cross compiler:
#
#   linux/amd64    the machine's gcc (on an amd64 machine)
#   linux/arm64    aarch64-linux-gnu-gcc (scripts/install-cross.sh)
#   windows/amd64  Debian's MinGW-w64 set up for UCRT by
#                  scripts/mingw-ucrt.sh (scripts/install-cross.sh runs it)
#
# A target without its compiler is skipped and named at the end (the script
# fails only when no archive was built). CC_OS_ARCH / CXX_OS_ARCH override
# a compiler; TARGETS chooses the targets; VERSION defaults to
# scripts/version.sh. Archives are reproducible: sorted entries, the
# commit's time, no owner names.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${VERSION:-$(scripts/version.sh)}"
TARGETS="${TARGETS:-linux/amd64 linux/arm64 windows/amd64}"
EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
host="$(go env GOHOSTOS)/$(go env GOHOSTARCH)"

# compilers OS/ARCH prints "CC CXX" for a target, or fails.
compilers() {
  local key="${1/\//_}" cc cxx
  cc="$(eval echo "\${CC_$key:-}")"
  cxx="$(eval echo "\${CXX_$key:-}")"
  if [ -z "$cc" ]; then
    case "$1" in
      "$host") cc=gcc cxx=g++ ;;
      linux/arm64) cc=aarch64-linux-gnu-gcc cxx=aarch64-linux-gnu-g++ ;;
      linux/amd64) cc=x86_64-linux-gnu-gcc cxx=x86_64-linux-gnu-g++ ;;
      windows/amd64) cc="$PWD/.tmp/mingw-ucrt/cc" cxx="$PWD/.tmp/mingw-ucrt/c++" ;;
      *) return 1 ;;
    esac
  fi
  command -v "${cc%% *}" >/dev/null || return 1
  echo "$cc|$cxx"
}

rm -rf dist
mkdir -p dist
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
built=0
skipped=()
for target in $TARGETS; do
  os="${target%/*}" arch="${target#*/}"
  if ! ccs="$(compilers "$target")"; then
    skipped+=("$target (no C compiler for it: see the top of scripts/dist.sh)")
    continue
  fi
  name="d365audit-$VERSION-$os-$arch"
  exe=d365audit
  [ "$os" = windows ] && exe=d365audit.exe
  mkdir -p "$work/$name"
  echo "building $name with ${ccs%%|*}"
  CGO_ENABLED=1 GOOS="$os" GOARCH="$arch" CC="${ccs%%|*}" CXX="${ccs#*|}" \
    go build -tags=duckdb_arrow -trimpath -ldflags "-s -w -X main.version=$VERSION" -o "$work/$name/$exe" ./cmd/d365audit
  cp README.md "$work/$name/"
  touch -d "@$EPOCH" "$work/$name" "$work/$name"/*
  if [ "$os" = windows ]; then
    (cd "$work" && TZ=UTC zip -qrX "$OLDPWD/dist/$name.zip" "$name")
  else
    tar -C "$work" --sort=name --mtime="@$EPOCH" --owner=0 --group=0 --numeric-owner -cf - "$name" | gzip -n > "dist/$name.tar.gz"
  fi
  built=$((built + 1))
done
(cd dist && sha256sum -- * > SHA256SUMS)
echo
ls -l dist
for s in "${skipped[@]}"; do echo "skipped: $s"; done
[ "$built" -gt 0 ]
