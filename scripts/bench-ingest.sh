#!/usr/bin/env bash
# Ingest benchmark: our loader (Go reader -> Arrow -> DuckDB) against DuckDB's
# own read_csv / read_json on the same systemusers file, as ratios of wall time
# and peak memory. Each measured path runs in a process of its own under GNU
# time, so the peak RSS is that path's alone.
#
#   ROWS  systemusers rows to generate (default 1000000)
#   RUNS  runs per path; the table shows the median time (default 3)
#
# Run from anywhere; `make bench` calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-3}"
. scripts/gnu-time.sh

go build -tags=duckdb_arrow -o bin/ingestbench ./cmd/ingestbench

bench_workdir bench-ingest
export_dir="$work/export"
./bin/ingestbench gen --rows "$ROWS" --dir "$export_dir" >&2

csv="$export_dir/systemusers.csv"
json="$export_dir/json/systemusers.json"
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f", b / 1048576 }'; }

# measure NAME ARGS...: runs the tool RUNS times and sets, for NAME,
# rows, the median process wall time, the median in-process load time and
# the largest peak RSS (MB) seen over the runs.
declare -A ROWS_OF SECS_OF LOAD_OF RSS_OF
measure() {
  local name="$1"
  shift
  local walls=() loads=() rss=0 rows="" i out wall kb
  for ((i = 1; i <= RUNS; i++)); do
    if ! "$TIME" -f '%e %M' -o "$work/time" ./bin/ingestbench "$@" >"$work/out" 2>"$work/err"; then
      echo "bench-ingest: $name failed:" >&2
      cat "$work/err" "$work/out" >&2
      exit 1
    fi
    out="$(cat "$work/out")"
    read -r wall kb <"$work/time"
    rows="$(sed -n 's/^rows=\([0-9]*\).*/\1/p' <<<"$out" | head -1)"
    walls+=("$wall")
    loads+=("$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$out")")
    if ((kb > rss)); then rss="$kb"; fi
    echo "  $name run $i: wall ${wall}s, peak RSS $((kb / 1024)) MB, $out" >&2
  done
  if [ "$rows" != "$ROWS" ]; then
    echo "bench-ingest: $name loaded $rows rows, expected $ROWS" >&2
    exit 1
  fi
  ROWS_OF[$name]="$rows"
  SECS_OF[$name]="$(median "${walls[@]}")"
  LOAD_OF[$name]="$(median "${loads[@]}")"
  RSS_OF[$name]="$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0) ? "%.2fx" : "n/a", a / (b > 0 ? b : 1) }'; }

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "measuring $RUNS runs per path on $ROWS rows..." >&2
measure "DuckDB read_csv" duckdb-csv --file "$csv"
measure "ours, CSV" ours --dir "$export_dir"
measure "DuckDB read_json" duckdb-json --file "$json"
measure "ours, JSON" ours --dir "$export_dir/json"

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo
echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}, $(go version | cut -d' ' -f3-), $(uname -sr)"
# Other work on the machine skews every number; the load average tells.
echo "Load average before the runs: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Input: systemusers, $ROWS rows x 10 columns; CSV $(mb "$csv") MB, JSON array $(mb "$json") MB"
echo
echo "| path | rows | seconds (median of $RUNS) | load seconds, in-process | peak RSS MB (max of $RUNS) | time vs DuckDB | memory vs DuckDB |"
echo "|---|---|---|---|---|---|---|"
row() {
  local name="$1" ref="$2" t m
  if [ "$name" = "$ref" ]; then
    t="1.00x (reference)" m="1.00x (reference)"
  else
    t="$(ratio "${SECS_OF[$name]}" "${SECS_OF[$ref]}")"
    m="$(ratio "${RSS_OF[$name]}" "${RSS_OF[$ref]}")"
  fi
  echo "| $name | ${ROWS_OF[$name]} | ${SECS_OF[$name]} | ${LOAD_OF[$name]} | ${RSS_OF[$name]} | $t | $m |"
}
row "DuckDB read_csv" "DuckDB read_csv"
row "ours, CSV" "DuckDB read_csv"
row "DuckDB read_json" "DuckDB read_json"
row "ours, JSON" "DuckDB read_json"
echo
echo "seconds: whole process under GNU time (start, open DuckDB, load, exit). load seconds: the load"
echo "statement alone; for ours the whole ingest.Load (all tables, type checks, key and reference"
echo "checks, SHA-256 of every file). Ratios: ours / DuckDB's reader of the same format."
