#!/usr/bin/env bash
# Checks one npm module's WebAssembly file against its gzip -9 budget (`make wasm`).
# usage: scripts/wasm-size.sh FILE MODULE_NAME MAX_GZIP_BYTES
set -euo pipefail
file=$1 name=$2 max=$3
raw=$(wc -c < "$file")
gz=$(gzip -9 -c "$file" | wc -c)
echo "wasm: $name ($(basename "$file")) $raw bytes, $gz bytes gzip -9 (limit $max)"
if [ "$gz" -gt "$max" ]; then
  echo "wasm: the $name module is over its limit by $((gz - max)) bytes" >&2
  exit 1
fi
