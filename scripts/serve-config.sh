#!/usr/bin/env bash
# Prints examples/serve.toml for a scripted run (`scripts/bench-serve.sh`,
# `scripts/serve-schemathesis.sh`): absolute paths, the store in DIR, listening on LISTEN,
# partners and subscribers at PARTNER, and the per-key rate limit lifted.
# usage: scripts/serve-config.sh DIR LISTEN PARTNER
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1 listen=$2 partner=$3
sed -e "s|^rate_per_second = .*|rate_per_second = 10000000|" \
    -e "s|^rate_burst = .*|rate_burst = 10000000|" \
    -e "s|^listen = .*|listen = \"$listen\"|" \
    -e "s|^crm_com = .*|crm_com = \"$PWD/examples/crm-com-policies.json\"|" \
    -e "s|^sqlite = .*|sqlite = \"$dir/warranty.db\"|" \
    -e "s|http://127.0.0.1:8788|$partner|g" \
    examples/serve.toml
