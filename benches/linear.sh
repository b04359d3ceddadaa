#!/usr/bin/env bash
# Issue 33, criterion 2: the 1x and the 8x province month, alternating in the same minutes
# (a noisy machine is compared fairly only this way), for each binary given; prints the
# medians, 8x / 1x of the medians and per round.
# Usage: benches/linear.sh N ONE_X_DIR EIGHT_X_DIR BIN...
#   e.g. benches/linear.sh 6 /tmp/svcq-scale/csv-667 /tmp/svcq-scale/csv-5336 ./target/release/svcq
# (the inputs: svcq sample --month 2026-10 --scale 667|5336 --format csv --out DIR)
set -euo pipefail
n=$1 one=$2 eight=$3
shift 3
tmp=$(mktemp -d)
for _ in $(seq "$n"); do
  for b in "$@"; do
    for d in "$one" "$eight"; do
      rm -rf "$tmp/out"
      s=$(date +%s.%N)
      "$b" report -q --input "$d" --month 2026-10 --out "$tmp/out"
      e=$(date +%s.%N)
      echo "$b $([ "$d" = "$one" ] && echo 1x || echo 8x) $(echo "$e - $s" | bc)"
    done
  done
done > "$tmp/runs"
python3 - "$tmp/runs" <<'PY'
import collections, statistics as st, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    b, s, t = line.split()
    d[(b, s)].append(float(t))
for b in dict.fromkeys(k[0] for k in d):
    a, c = d[(b, "1x")], d[(b, "8x")]
    rounds = " ".join(f"{y / x:.2f}" for x, y in zip(a, c))
    print(f"{b}: 1x {st.median(a):.2f} s, 8x {st.median(c):.2f} s, ratio of medians "
          f"{st.median(c) / st.median(a):.2f}; per round {rounds} (median {st.median([y / x for x, y in zip(a, c)]):.2f})")
PY
rm -rf "$tmp"
