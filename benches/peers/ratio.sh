#!/usr/bin/env bash
# Issue 33, criterion 1: svcq's whole report against the two peers' first-round metrics on the
# same files, N alternating triples in the same minutes (a noisy machine is compared fairly
# only this way); prints each run, the medians and svcq ÷ the faster peer per triple.
# Usage: benches/peers/ratio.sh [N] [INPUT_DIR] [SVCQ_BINARY]
#   e.g. benches/peers/ratio.sh 9 /tmp/svcq-scale/csv-667 ./target/release/svcq
# Needs: pip install polars duckdb
set -euo pipefail
n=${1:-5}
input=${2:-/tmp/svcq-scale/csv-667}
svcq=${3:-./target/release/svcq}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
for _ in $(seq "$n"); do
  rm -rf "$tmp/out"
  /usr/bin/time -f "svcq %e %M" "$svcq" report -q --input "$input" --month 2026-10 --out "$tmp/out" 2>&1 | tail -1
  /usr/bin/time -f "polars %e %M" python3 "$here/polars_metrics.py" "$input" 2026-10 "$tmp/polars.csv" 2>&1 | tail -1
  /usr/bin/time -f "duckdb %e %M" python3 "$here/duckdb_metrics.py" "$input" 2026-10 "$tmp/duckdb.csv" 2>&1 | tail -1
done > "$tmp/runs"
python3 - "$tmp/runs" <<'PY'
import collections, statistics as st, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, secs, kib = line.split()
    runs[name].append((float(secs), int(kib)))
for name, v in runs.items():
    t = [s for s, _ in v]
    print(f"{name:7} {' '.join(f'{s:.2f}' for s in t)} s; median {st.median(t):.2f} s; peak {min(k for _, k in v)}-{max(k for _, k in v)} KiB")
ratios = [s / min(p, d) for (s, _), (p, _), (d, _) in zip(runs["svcq"], runs["polars"], runs["duckdb"])]
print("svcq / faster peer, per triple:", " ".join(f"{r:.3f}" for r in ratios), f"(median {st.median(ratios):.3f})")
PY
rm -rf "$tmp"
