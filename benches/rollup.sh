#!/usr/bin/env bash
# Roll-up benchmark (issue 14): `svcq rollup` of 31 provinces' metrics CSVs. Each part is the
# metrics CSV of a generated province month (scale 667: 2.0 M calls, ~500 k orders), copied
# into 31 folders (p01 … p31); the roll-up reads only those CSVs.
# Usage: benches/rollup.sh [RUNS]   (release build; writes to /tmp/svcq-rollup)
set -euo pipefail
runs=${1:-5}
cd "$(dirname "$0")/.."
cargo build --release -q
svcq=./target/release/svcq
root=/tmp/svcq-rollup
mkdir -p "$root"
if [ ! -f "$root/province/metrics-2026-10.csv" ]; then
  [ -d "$root/in" ] || $svcq sample --month 2026-10 --out "$root/in" --scale 667 --format csv
  $svcq report --input "$root/in" --month 2026-10 --out "$root/province" -q || [ $? -eq 3 ]
fi
for i in $(seq -w 1 31); do
  mkdir -p "$root/parts/p$i"
  cp "$root/province/metrics-2026-10.csv" "$root/parts/p$i/"
done
echo "one part: $(wc -l < "$root/province/metrics-2026-10.csv") lines, $(stat -c %s "$root/province/metrics-2026-10.csv") bytes"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
times=()
for _ in $(seq "$runs"); do
  rm -rf "$root/out"
  out=$( { /usr/bin/time -f "TIME %e %M" $svcq rollup --input "$root"/parts/p*/metrics-2026-10.csv --month 2026-10 --out "$root/out" -q; } 2>&1 )
  times+=("$(echo "$out" | awk '/^TIME/ {print $2}')")
  peak=$(echo "$out" | awk '/^TIME/ {print $3}')
done
echo "rollup of 31 parts: median $(printf '%s\n' "${times[@]}" | median) s of ${runs} (${times[*]}); peak RSS $((peak / 1024)) MB"
