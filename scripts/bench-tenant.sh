#!/usr/bin/env bash
# Tenant benchmark: `d365audit run` on generated tenants of several
# environments (issue 17), every report included, with wall time and peak
# memory per stage (the run's own stage lines) and in total (GNU time).
# Results go to stdout as Markdown for BENCHMARKS.md.
#
#   TENANTS  "ENVIRONMENTS:USERS ..." (default "1:100000 5:100000 20:100000"):
#            USERS is the tenant's people; every one has a user in prod, and
#            the generator spreads them over the other environments
#   FORMAT   json (what export writes; default) or csv
#   SEED     generator seed (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."

TENANTS="${TENANTS:-1:100000 5:100000 20:100000}"
FORMAT="${FORMAT:-json}"
SEED="${SEED:-1}"
. scripts/gnu-time.sh

go build -tags=duckdb_arrow -o bin/d365audit ./cmd/d365audit

bench_workdir bench-tenant

machine_line
echo
echo "| environments | people | systemusers rows | export MB | stage | seconds | peak RSS MB |"
echo "|---|---|---|---|---|---|---|"
for t in $TENANTS; do
  envs="${t%%:*}"
  users="${t##*:}"
  tenant="$work/tenant-$envs-$users"
  ./bin/d365audit sample --users "$users" --environments "$envs" --seed "$SEED" --format "$FORMAT" --out "$tenant" >/dev/null
  mb=$(du -sm "$tenant" | cut -f1)
  out="$work/out-$envs-$users"
  $TIME -f '%e %M' -o "$work/time" ./bin/d365audit run --verbose --input "$tenant" --out "$out" >/dev/null 2>"$work/log" || {
    code=$?; [ "$code" -eq 1 ] || { cat "$work/log" >&2; exit "$code"; }; }
  rows=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(sum(e.get("users",0) for e in m.get("environments",[])) or "")' "$out/manifest.json" 2>/dev/null || true)
  grep -E '^d365audit: [a-z]+ +[0-9]' "$work/log" | while read -r _ stage secs _ _ _ mem _; do
    echo "| $envs | $users | $rows | $mb | $stage | $secs | $mem |"
  done
  read -r wall rss < "$work/time"
  echo "| $envs | $users | $rows | $mb | **total (process)** | **$wall** | **$((rss / 1024))** |"
  rm -rf "$tenant" "$out"
done
