# Sourced by the bench scripts: makes sure GNU time is there (it reports the
# peak RSS, %M, which bash's `time` keyword cannot), installing Debian's
# `time` package when run as root.
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
  else
    echo "$(basename "$0"): $TIME (GNU time) is missing; install the 'time' package" >&2
    exit 1
  fi
fi

# bench_workdir NAME: a temporary directory in $work, removed when the
# script ends.
bench_workdir() {
  work="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
}

# machine_line: the line that heads every table of BENCHMARKS.md.
machine_line() {
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(go version | cut -d' ' -f3)"
}
