#!/usr/bin/env bash
# Alternate two svcq builds on one input month, N pairs, printing when each stage starts
# (from `svcq report -v`), wall time, user CPU and peak RSS of every run. A noisy machine is
# compared fairly only this way: same minutes, alternating.
# Usage: benches/ab.sh OLD_BINARY NEW_BINARY [PAIRS] [INPUT_DIR]
#   e.g. benches/ab.sh /tmp/svcq-before ./target/release/svcq 3 /tmp/svcq-scale/csv-667
set -euo pipefail
pairs=${3:-3}
input=${4:-/tmp/svcq-scale/csv-667}
out=$(mktemp -d)
for _ in $(seq "$pairs"); do
  for b in "$1" "$2"; do
    rm -rf "$out/run"
    log=$( { /usr/bin/time -f "TIME %e %U %M" "$b" report -v --input "$input" --month 2026-10 --out "$out/run" >/dev/null; } 2>&1 )
    stages=$(echo "$log" | awk '/^svcq:/ {sub(/^svcq: +/, ""); split($0, a, "  "); printf "%s@%s ", a[2], a[1]}')
    echo "$b: $(echo "$log" | awk '/^TIME/ {printf "wall %s s, user %s s, peak %d MiB", $2, $3, $4/1024}')"
    echo "  $stages"
  done
done
rm -rf "$out"
