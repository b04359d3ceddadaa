#!/usr/bin/env bash
# Scale benchmark (issues 5, 10): end-to-end `svcq report` at 1/4, 1/2, 1, 2 and 4x province scale
# from CSV (4x = 8 M calls), and at full scale from xlsx against a bare calamine decode of the
# same files measured in the same run.
# Usage: benches/scale.sh [RUNS]   (release build; writes to /tmp/svcq-scale)
set -euo pipefail
runs=${1:-3}
cd "$(dirname "$0")/.."
cargo build --release -q
cargo bench --bench ingest --no-run -q 2>/dev/null
svcq=./target/release/svcq
floor=$(ls -t target/release/deps/ingest-* | grep -v '\.d$' | head -1)
root=/tmp/svcq-scale
mkdir -p "$root"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_report() { # DIR LABEL
  local dir=$1 label=$2 times=() peak=0 stages=""
  for i in $(seq "$runs"); do
    rm -rf "$root/out"
    out=$( { /usr/bin/time -f "TIME %e %M" $svcq report -v --input "$dir" --month 2026-10 --out "$root/out" >/dev/null; } 2>&1 )
    times+=("$(echo "$out" | awk '/^TIME/ {print $2}')")
    peak=$(echo "$out" | awk '/^TIME/ {print $3}')
    stages=$(echo "$out" | grep '^svcq:' | tr '\n' ' ')
  done
  echo "$label: median $(printf '%s\n' "${times[@]}" | median) s of ${runs} (${times[*]}); peak RSS $((peak / 1024)) MB"
  echo "  stage starts (last run): $stages"
}

for scale in 167 333 667 1334 2668; do
  d="$root/csv-$scale"
  [ -d "$d" ] || $svcq sample --month 2026-10 --out "$d" --scale $scale --format csv >/dev/null
  run_report "$d" "csv scale $scale ($(du -sh "$d" | cut -f1))"
done

d="$root/xlsx-667"
[ -d "$d" ] || $svcq sample --month 2026-10 --out "$d" --scale 667 --format xlsx >/dev/null
ftimes=()
for i in $(seq "$runs"); do
  s=$(date +%s.%N); $floor floor "$d" >/dev/null; e=$(date +%s.%N)
  ftimes+=("$(echo "$e - $s" | bc)")
done
echo "xlsx bare calamine decode (all files, sequential): median $(printf '%s\n' "${ftimes[@]}" | median) s (${ftimes[*]})"
run_report "$d" "xlsx scale 667 ($(du -sh "$d" | cut -f1))"
