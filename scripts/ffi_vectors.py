#!/usr/bin/env python3
"""Prepares the C and Node tests' view of tests/vectors: for each vector, the request bytes
(NNN.req) and what the CLI prints for them (NNN.cli, from `wty call NNN.req`); all requests,
then every scenario's steps (tests/scenarios, in order: they share the engine), as one NDJSON
file and what `wty call --ndjson` prints for it; and a manifest of the pairs.

usage: ffi_vectors.py WTY VECTOR_DIR OUT_DIR [SCENARIO_DIR]
"""
import json
import pathlib
import subprocess
import sys


def request_bytes(v) -> bytes:
    """`request_text` verbatim when the vector has one, else `request` as compact JSON."""
    if "request_text" in v:
        return v["request_text"].encode()
    return json.dumps(v["request"], ensure_ascii=False, separators=(",", ":")).encode()


def main() -> int:
    wty, vdir, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    manifest, lines = [], []
    for i, f in enumerate(sorted(vdir.glob("*.json"))):
        body = request_bytes(json.loads(f.read_text(encoding="utf-8")))
        req = out / f"{i:03}.req"
        req.write_bytes(body)
        cli = out / f"{i:03}.cli"
        with open(cli, "wb") as fh:
            subprocess.run([wty, "call", str(req)], stdout=fh, check=False)
        manifest.append(f"{req} {cli} {f.name}")
        lines.append(body)
    steps = 0
    if len(sys.argv) > 4:
        for f in sorted(pathlib.Path(sys.argv[4]).glob("*.json")):
            for step in json.loads(f.read_text(encoding="utf-8"))["steps"]:
                lines.append(request_bytes(step))
                steps += 1
    (out / "manifest.txt").write_text("\n".join(manifest) + "\n")
    nd = out / "all.ndjson"
    nd.write_bytes(b"\n".join(lines) + b"\n")
    with open(out / "all.cli", "wb") as fh, open(nd, "rb") as src:
        subprocess.run([wty, "call", "--ndjson"], stdin=src, stdout=fh, check=True)
    print(f"ffi_vectors: {len(manifest)} vectors and {steps} scenario steps prepared in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
