#!/usr/bin/env bash
# The hostile-input run (docs/fuzzing.md): N generated hostile requests (default 1,000,000)
# through `wty call --ndjson`, through the C library's wty_call_batch built with
# ASan+UBSan, and through the WASM module in Node. Passes when no binding panics or aborts,
# every answer is a well-formed envelope (one line per request) and the three answer streams
# are byte-identical. `make test` runs it with 20,000 requests, `make hostile` with 10^6.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
OUT=target/hostile
mkdir -p "$OUT"
cargo build --quiet --release --workspace
cargo build --quiet --release -p warranty-benches --example gen_hostile
target/release/examples/gen_hostile tests/vectors:tests/scenarios "$N" > "$OUT/requests.ndjson"
echo "hostile: $N requests, $(( $(wc -c < "$OUT/requests.ndjson") / 1048576 )) MiB"
secs() { python3 -c 'import time; print(f"{time.monotonic():.3f}")'; }

t0=$(secs)
target/release/wty call --ndjson < "$OUT/requests.ndjson" > "$OUT/cli.ndjson" || [ $? -eq 1 ]
t1=$(secs)
python3 - "$OUT/cli.ndjson" "$N" <<'PY'
import json, sys
ok = failed = 0
with open(sys.argv[1], "rb") as f:
    for i, line in enumerate(f):
        v = json.loads(line)
        if v.get("ok") is True and "result" in v:
            ok += 1
        elif v.get("ok") is False and all(isinstance(v["error"].get(k), str) for k in ("code", "path", "message")):
            failed += 1
        else:
            sys.exit(f"line {i + 1} is not an envelope: {line[:200]!r}")
if ok + failed != int(sys.argv[2]):
    sys.exit(f"{ok + failed} answers for {sys.argv[2]} requests")
print(f"hostile: every answer is an envelope ({ok} ok:true, {failed} ok:false)")
PY

clang -std=c99 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Iinclude \
  -o "$OUT/hostile_asan" tests/c/hostile.c target/release/libwarranty.a -lpthread -ldl -lm
t2=$(secs)
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$OUT/hostile_asan" "$OUT/requests.ndjson" > "$OUT/c.ndjson"
t3=$(secs)
cmp "$OUT/cli.ndjson" "$OUT/c.ndjson" || { echo "hostile: the C answers differ from the CLI's"; exit 1; }

t4=$(secs)
node tests/node/hostile.mjs "$OUT/requests.ndjson" > "$OUT/wasm.ndjson"
t5=$(secs)
cmp "$OUT/cli.ndjson" "$OUT/wasm.ndjson" || { echo "hostile: the WASM answers differ from the CLI's"; exit 1; }
python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$N" <<'PY'
import sys
t = list(map(float, sys.argv[1:7])); n = int(sys.argv[7])
print(f"hostile: CLI {t[1]-t[0]:.1f} s, C under ASan+UBSan {t[3]-t[2]:.1f} s, WASM in Node {t[5]-t[4]:.1f} s "
      f"for {n} requests; the three answer streams are byte-identical")
PY
