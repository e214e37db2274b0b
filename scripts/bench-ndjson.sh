#!/usr/bin/env bash
# Throughput of `wty call --ndjson` on one core: one load_catalog of 10,000 policies, then
# 1,000,000 resolve requests against it. Prints requests per second.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
cargo build --quiet --release --bin wty -p wty
cargo build --quiet --release -p warranty-benches --example gen_ndjson
mkdir -p target/bench
REQS=target/bench/resolve-$N.ndjson
[ -s "$REQS" ] || target/release/examples/gen_ndjson "$N" 10000 > "$REQS"
PIN=""; command -v taskset >/dev/null && PIN="taskset -c 0"
start=$(date +%s.%N)
$PIN target/release/wty call --ndjson "$REQS" > target/bench/responses.ndjson
end=$(date +%s.%N)
lines=$(wc -l < target/bench/responses.ndjson)
ok=$(grep -c '"ok":true' target/bench/responses.ndjson || true)
python3 - "$start" "$end" "$lines" "$ok" <<'PY'
import sys
start, end, lines, ok = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
secs = end - start
print(f"wty call --ndjson: {lines} responses ({ok} ok) in {secs:.2f} s = {lines/secs:,.0f} requests/s on one core")
PY
