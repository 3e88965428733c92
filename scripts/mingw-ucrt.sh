#!/usr/bin/env bash
# A Windows (amd64) C/C++ toolchain that links DuckDB's prebuilt Windows
# library, made from Debian's packages, into .tmp/mingw-ucrt; prints the
# CC and CXX to give `go build` (scripts/dist.sh and scripts/windows.sh
# use it).
#
# DuckDB's library is built with a MinGW-w64 GCC on the UCRT runtime and
# POSIX threads. Debian's mingw-w64 links against msvcrt by default, where
# the library's __stdio_common_vsnprintf_s, __imp___tzname and
# __imp___timezone do not exist. So the compilers here are Debian's POSIX
# thread model ones with a specs file that links ucrt instead of msvcrt,
# and three symbols that Debian's msvcrt-built libstdc++ and winpthreads
# miss under UCRT are supplied:
#   std::streambuf::seekpos(fpos<_Mbstatet>, ...)  (libstdc++ has it for an
#       int mbstate_t): instantiated here with UCRT's mbstate_t;
#   _snprintf  (UCRT has it only inline): a function over vsnprintf;
#   _setjmp    (winpthreads'; UCRT calls it __intrinsic_setjmp): aliased.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/.tmp/mingw-ucrt"
gcc=x86_64-w64-mingw32-gcc-posix
gxx=x86_64-w64-mingw32-g++-posix
if ! command -v "$gxx" >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends gcc-mingw-w64-x86-64-posix g++-mingw-w64-x86-64-posix mingw-w64-x86-64-dev >&2
fi
if [ ! -f "$dir/libucrtshim.a" ]; then
  mkdir -p "$dir"
  "$gcc" -dumpspecs | sed 's/-lmsvcrt/-lucrt/g' > "$dir/ucrt.specs"
  cat > "$dir/seekpos.cpp" <<'CPP'
#include <streambuf>
template std::streambuf::pos_type std::streambuf::seekpos(std::streambuf::pos_type, std::ios_base::openmode);
CPP
  cat > "$dir/snprintf.c" <<'C'
#include <stdarg.h>
#include <stddef.h>
int vsnprintf(char *, size_t, const char *, va_list);
int _snprintf(char *buf, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  return r;
}
C
  "$gxx" -D_UCRT -O2 -c "$dir/seekpos.cpp" -o "$dir/seekpos.o"
  "$gcc" -O2 -c "$dir/snprintf.c" -o "$dir/snprintf.o"
  x86_64-w64-mingw32-ar rcs "$dir/libucrtshim.a" "$dir/seekpos.o" "$dir/snprintf.o"
  for tool in cc:"$gcc" c++:"$gxx"; do
    cat > "$dir/${tool%%:*}" <<SH
#!/bin/sh
# ${tool#*:} on UCRT (scripts/mingw-ucrt.sh); a link also gets the shims.
case " \$* " in
  *" -c "*|*" -E "*|*" -S "*) exec ${tool#*:} -specs="$dir/ucrt.specs" "\$@" ;;
esac
exec ${tool#*:} -specs="$dir/ucrt.specs" "\$@" -L"$dir" -lucrtshim -Wl,--defsym,_setjmp=__intrinsic_setjmp
SH
    chmod +x "$dir/${tool%%:*}"
  done
fi
echo "CC=$dir/cc CXX=$dir/c++"
