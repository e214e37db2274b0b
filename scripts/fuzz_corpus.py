#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the project's own data (run by `make fuzz-corpus`; the
result is committed, and the fuzzer adds what it finds when run at length):

- dispatch: every vector's and scenario step's request bytes;
- partner_answers: the partner bodies found in the vectors (CNH answers, Warranty Life
  plans, CRM.COM responses), behind a two-byte HTTP status;
- dates: the HTTP-date and CRM.COM date forms the docs list, and every instant in the vectors;
- tz_record: the records of core/src/time/tz/data.bin.
File names are the SHA-1 of the content, as libFuzzer names them.
"""
import glob
import hashlib
import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "fuzz", "corpus")


def put(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def request_bytes(v):
    if "request_text" in v:
        return v["request_text"].encode()
    return json.dumps(v["request"], ensure_ascii=False, separators=(",", ":")).encode()


def walk(v, out):
    if isinstance(v, dict):
        for k, x in v.items():
            if k in ("body", "response", "plans", "plan") and not isinstance(x, (int, float, bool, type(None))):
                out.append(x)
            walk(x, out)
    elif isinstance(v, list):
        for x in v:
            walk(x, out)
    elif isinstance(v, str) and len(v) >= 10 and v[:4].isdigit() and v[4] == "-":
        out.append(("date", v))


def main():
    bodies, dates = [], set()
    files = sorted(glob.glob(os.path.join(ROOT, "tests", "vectors", "*.json")))
    steps = []
    for f in files:
        v = json.load(open(f, encoding="utf-8"))
        steps.append(v)
    for f in sorted(glob.glob(os.path.join(ROOT, "tests", "scenarios", "*.json"))):
        steps.extend(json.load(open(f, encoding="utf-8"))["steps"])
    for v in steps:
        put("dispatch", request_bytes(v))
        found = []
        walk(v.get("request"), found)
        for x in found:
            if isinstance(x, tuple):
                dates.add(x[1])
            else:
                bodies.append(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False))
    for status in (200, 201, 202, 400, 401, 404, 422, 429, 500, 503):
        for b in bodies[:60]:
            put("partner_answers", struct.pack(">H", status) + b.encode())
    for b in bodies:  # every partner body once, as a success
        put("partner_answers", struct.pack(">H", 200) + b.encode())
    for d in sorted(dates) + ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                              "Sun Nov  6 08:49:37 1994", "120", "2016-03-15 00:00:00.0", "2016-03-03T14:13:11",
                              "2016-03-15", "2024-02-29T12:00:00Z", "2026-03-08T02:30:00-05:00"]:
        put("dates", d.encode())
    data = open(os.path.join(ROOT, "core", "src", "time", "tz", "data.bin"), "rb").read()
    # Records are not delimited in the file; slices of it exercise the decoder all the same.
    for i in range(0, min(len(data), 64 * 512), 512):
        put("tz_record", data[i:i + 512])
    counts = {t: len(os.listdir(os.path.join(OUT, t))) for t in sorted(os.listdir(OUT))}
    print("fuzz corpus:", ", ".join(f"{t} {n}" for t, n in counts.items()))


main()
