#!/usr/bin/env bash
# Prints examples/serve.toml for a scripted run (`scripts/bench-serve.sh`,
# `scripts/serve-schemathesis.sh`): absolute paths, the store in DIR, listening on LISTEN,
# partners and subscribers at PARTNER, and the per-key rate limit lifted; with PG (a
# connection string) the store is that PostgreSQL database instead.
# usage: scripts/serve-config.sh DIR LISTEN PARTNER [PG]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1 listen=$2 partner=$3 pg=${4:-}
store="sqlite = \"$dir/warranty.db\""
[ -z "$pg" ] || store="postgres = \"$pg\""
sed -e "s|^rate_per_second = .*|rate_per_second = 10000000|" \
    -e "s|^rate_burst = .*|rate_burst = 10000000|" \
    -e "s|^listen = .*|listen = \"$listen\"|" \
    -e "s|^crm_com = .*|crm_com = \"$PWD/examples/crm-com-policies.json\"|" \
    -e "s|^sqlite = .*|$store|" \
    -e "s|http://127.0.0.1:8788|$partner|g" \
    examples/serve.toml
