#!/usr/bin/env bash
# Cross-builds bin/d365audit.exe (windows/amd64) and runs it under Wine on
# samples/contoso: --version, then a whole run whose findings.csv,
# findings.json and access.parquet must equal, byte for byte, those of the
# Linux build on the same input and clock. Installs what it needs from
# Debian (the MinGW-w64 toolchain of scripts/mingw-ucrt.sh, wine64). Not
# part of `make test`: the first build takes minutes. `make windows`.
#
# Wine 8.0 (Debian 12) lacks bcryptprimitives.dll, whose ProcessPrng the Go
# runtime (1.22 and later) loads at start ("fatal error:
# bcryptprimitives.dll not found"); every Windows 10 and later has it. A
# stand-in over RtlGenRandom is built into the Wine prefix only.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${VERSION:-$(scripts/version.sh)}"
toolchain="$(scripts/mingw-ucrt.sh)" # CC=... CXX=...
win_cc="$(echo "$toolchain" | sed -n 's/^CC=\([^ ]*\) .*/\1/p')"
win_cxx="$(echo "$toolchain" | sed -n 's/.* CXX=\([^ ]*\)$/\1/p')"

wine=/usr/lib/wine/wine64
if [ ! -x "$wine" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64 >/dev/null
fi
export WINEPREFIX="$PWD/.tmp/wine" WINEDEBUG=-all
if [ ! -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
  "$wine" cmd /c exit >/dev/null 2>&1 || true # creates the prefix
  src="$(mktemp -d)"
  cat > "$src/prng.c" <<'C'
#include <windows.h>
#include <ntsecapi.h>
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!RtlGenRandom(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
C
  x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" "$src/prng.c" -ladvapi32
  rm -rf "$src"
fi

ldflags="-X main.version=$VERSION"
echo "building bin/d365audit.exe ($VERSION) with $win_cc"
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC="$win_cc" CXX="$win_cxx" go build -tags=duckdb_arrow -ldflags "$ldflags" -o bin/d365audit.exe ./cmd/d365audit
go build -tags=duckdb_arrow -ldflags "$ldflags" -o bin/d365audit ./cmd/d365audit

"$wine" bin/d365audit.exe --version
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$wine" bin/d365audit.exe run --input 'Z:'"$PWD/samples/contoso" --out 'Z:'"$out/windows" --now 2026-11-20 | tail -1
bin/d365audit run --input samples/contoso --out "$out/linux" --now 2026-11-20 >/dev/null
for f in findings.csv findings.json access.parquet; do
  cmp "$out/windows/$f" "$out/linux/$f"
done
echo "windows/amd64 under Wine: findings.csv, findings.json and access.parquet equal the Linux build's"
