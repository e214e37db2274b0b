#!/usr/bin/env bash
# Throughput of the expiry batch on one core: N `expiring` requests, one installed item each
# (a Portuguese legal guarantee and a manufacturer warranty), through `wty call --ndjson`.
# Prints items per second and how many layers end within the window.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
cargo build --quiet --release --bin wty -p wty
cargo build --quiet --release -p warranty-benches --example gen_expiring
mkdir -p target/bench
REQS=target/bench/expiring-$N.ndjson
[ -s "$REQS" ] || target/release/examples/gen_expiring "$N" > "$REQS"
PIN=""; command -v taskset >/dev/null && PIN="taskset -c 0"
start=$(date +%s.%N)
$PIN target/release/wty call --ndjson "$REQS" > target/bench/expiring-answers.ndjson
end=$(date +%s.%N)
lines=$(wc -l < target/bench/expiring-answers.ndjson)
ok=$(grep -c '"ok":true' target/bench/expiring-answers.ndjson || true)
due=$(grep -c '"count":[1-9]' target/bench/expiring-answers.ndjson || true)
python3 - "$start" "$end" "$lines" "$ok" "$due" <<'PY'
import sys
start, end, lines, ok, due = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
secs = end - start
print(f"expiring batch: {lines} items ({ok} ok, {due} with a layer ending within 30 days) in {secs:.2f} s "
      f"= {lines/secs:,.0f} items/s on one core")
PY
