#!/usr/bin/env bash
# schemathesis (PyPI, pinned, in its own venv target/serve-venv) against a live `wty serve`
# on loopback, from docs/openapi.yaml: every operation with generated valid and invalid
# requests under the owner's key. Passes when no answer is a 5xx, every answer is JSON as
# documented and every status is one the document lists. Part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/serve-venv
want="schemathesis==4.32.5"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip freeze 2>/dev/null | grep -qx "$want" \
  || "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir "$want"
cargo build --quiet --release -p warranty-server
OUT=target/serve-schemathesis
rm -rf "$OUT" && mkdir -p "$OUT"
bash scripts/serve-config.sh "$PWD/$OUT" 127.0.0.1:0 http://127.0.0.1:9 > "$OUT/serve.toml"
target/release/wty-serve --config "$OUT/serve.toml" > "$OUT/serve.log" 2>&1 &
S=$!
trap 'kill $S 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "listening on" "$OUT/serve.log" && break; sleep 0.1; done
URL=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$OUT/serve.log")
[ -n "$URL" ] || { cat "$OUT/serve.log"; exit 1; }
"$venv/bin/schemathesis" run docs/openapi.yaml --url "$URL" \
  -H "Authorization: Bearer demo-owner-key" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance \
  --max-examples "${MAX_EXAMPLES:-25}" --seed 2026 --suppress-health-check all \
  --report junit --report-dir "$OUT"
kill -0 $S 2>/dev/null || { echo "wty serve died during the run"; cat "$OUT/serve.log"; exit 1; }
