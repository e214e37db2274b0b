#!/usr/bin/env bash
# `make bench-serve` (docs/serve.md, "Load"): wty serve on SQLite with durable commits
# (WAL, synchronous=FULL) in target/, the fake partner answering 201, and the in-repo
# closed-loop load generator: activations (each one a transaction with its records, API log
# entry and outbox message, the worker delivering them meanwhile), a read from the store and
# the stateless coverage endpoint. The per-key rate limit is lifted for the run. STORE=pg runs
# the same on a throw-away PostgreSQL cluster (scripts/pg-cluster.sh) instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${SECONDS_EACH:-10}
CONNECTIONS=${CONNECTIONS:-32}
cargo build --quiet --release -p warranty-server
OUT=target/serve-bench
rm -rf "$OUT" && mkdir -p "$OUT"
PG=""
if [ "${STORE:-sqlite}" = pg ]; then
  pgdir=$(mktemp -d /tmp/wty-pg.XXXXXX)
  trap 'bash scripts/pg-cluster.sh stop "$pgdir"' EXIT
  PG="$(bash scripts/pg-cluster.sh start "$pgdir" 18792) dbname=postgres"
fi
bash scripts/serve-config.sh "$PWD/$OUT" 127.0.0.1:18790 http://127.0.0.1:18791 "$PG" > "$OUT/serve.toml"
target/release/fake-partner --script ok --listen 127.0.0.1:18791 > /dev/null &
P=$!
target/release/wty-serve --config "$OUT/serve.toml" > "$OUT/serve.log" 2>&1 &
S=$!
trap 'kill $S $P 2>/dev/null || true; [ -z "${pgdir:-}" ] || bash scripts/pg-cluster.sh stop "$pgdir"' EXIT
for _ in $(seq 100); do curl -fs http://127.0.0.1:18790/v1/health > /dev/null && break; sleep 0.1; done
for kind in activations read coverage; do
  target/release/serve-load --url http://127.0.0.1:18790 --key demo-till-key --kind "$kind" \
    --connections "$CONNECTIONS" --seconds "$SECONDS_EACH" | tee -a "$OUT/results.ndjson"
done
python3 - "$OUT/results.ndjson" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| endpoint | connections | requests/s | p50 ms | p99 ms | max ms | errors |")
print("|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['kind']} | {r['connections']} | {r['per_second']:,} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['errors']} |")
bad = [r for r in rows if r["errors"]]
sys.exit("requests failed" if bad else 0)
PY
