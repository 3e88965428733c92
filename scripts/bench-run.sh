#!/usr/bin/env bash
# End-to-end benchmark: `d365audit run` on generated tenants, with wall time
# and peak memory per stage (from the run's own stage lines) and in total
# (GNU time), and the floor: the same export read by DuckDB's own readers
# alone. Results go to stdout as Markdown for BENCHMARKS.md.
#
#   SIZES  user counts (default "1000 10000 100000")
#   SEED   generator seed (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="${SIZES:-1000 10000 100000}"
SEED="${SEED:-1}"
. scripts/gnu-time.sh

go build -tags=duckdb_arrow -o bin/d365audit ./cmd/d365audit
go build -tags=duckdb_arrow -o bin/ingestbench ./cmd/ingestbench

bench_workdir bench-run

machine_line
echo
echo "| users | export MB | stage | seconds | peak RSS MB |"
echo "|---|---|---|---|---|"
for n in $SIZES; do
  export_dir="$work/export-$n"
  ./bin/d365audit sample --users "$n" --seed "$SEED" --out "$export_dir" >/dev/null
  mb=$(du -sm "$export_dir" | cut -f1)
  out="$work/out-$n"
  $TIME -f '%e %M' -o "$work/time-$n" ./bin/d365audit run --verbose --input "$export_dir" --out "$out" >/dev/null 2>"$work/log-$n"
  # stage lines: "d365audit: ingest     1.23 s  (peak memory 456 MB)"
  grep -E '^d365audit: [a-z]+ +[0-9]' "$work/log-$n" | while read -r _ stage secs _ _ _ mem _; do
    echo "| $n | $mb | $stage | $secs | $mem |"
  done
  read -r wall rss < "$work/time-$n"
  echo "| $n | $mb | **total (process)** | **$wall** | **$((rss / 1024))** |"
  $TIME -f '%e %M' -o "$work/floor-$n" ./bin/ingestbench floor --dir "$export_dir" >/dev/null
  read -r fwall frss < "$work/floor-$n"
  echo "| $n | $mb | floor: DuckDB readers alone | $fwall | $((frss / 1024)) |"
done
