#!/usr/bin/env bash
# wty serve's suites on PostgreSQL (`make serve-pg-test`, part of `make test`): a throw-away
# cluster of Debian's postgresql in a temp dir on loopback (scripts/pg-cluster.sh), the API and
# hostile-body suites with every test's store a fresh database there, and the kill -9 fault
# runs with two instances sharing one database, one of them killed each run
# (WTY_FAULT_RUNS, 12 by default). The cluster is stopped and removed after.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/wty-pg.XXXXXX)
trap 'bash scripts/pg-cluster.sh stop "$dir"' EXIT
# A port below the ephemeral range (the suites' own client connections use that), and
# another one if it is taken.
for attempt in 1 2 3; do
  port=${PG_PORT:-$(( 20000 + RANDOM % 10000 ))}
  url=$(bash scripts/pg-cluster.sh start "$dir" "$port") && break
  [ "$attempt" = 3 ] && { cat "$dir/log" 2>/dev/null; exit 1; }
done
echo "serve-pg-test: PostgreSQL on 127.0.0.1:$port ($dir)"
WTY_TEST_PG="$url" cargo test --release -p warranty-server --test api --test hostile --test faults -- --nocapture
