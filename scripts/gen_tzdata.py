#!/usr/bin/env python3
"""Packs chrono-tz's time-zone tables into core/src/time/tz/data.bin + core/src/time/tz/names.rs.

chrono-tz compiles every IANA zone into `(i64, FixedTimespan)` tables: 24 bytes a
transition, 930 KB in the WASM module. The core only needs each span's total UTC offset,
so this script reads the tables chrono-tz generated (its src/prebuilt/timezones.rs, found
through `cargo metadata`) and writes them packed: zones with identical tables share one
record; a record is LEB128 varints:

    n_offsets, per offset: seconds (zigzag) and abbreviation (index into ABBRS + 1, 0 for
    none: chrono-tz then names the offset numerically, "+0530"),
    first span's offset index, n_transitions,
    per transition: time delta from the previous transition (the first from 0), as
    zigzag(delta / unit) << 2 | u with unit = UNITS[u] (half hours, minutes or seconds:
    the largest that divides it),
    then per transition one byte: its offset index.

The deltas in units and the indices apart, and the records ordered by their last
transitions (zones of one rule side by side), make the file compress to ~16 KB gzip where
seconds interleaved with indices took ~22 KB.

core/src/time/tz/mod.rs decodes a record once per zone and reproduces chrono-tz's lookups;
core/tests/tz_vs_chrono_tz.rs checks every zone against chrono-tz at every transition, so
when Cargo.lock moves chrono-tz the test fails until this script is run again
(`make tzdata`).
"""

import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "core", "src", "time", "tz")


def chrono_tz_source():
    meta = json.loads(
        subprocess.check_output(
            ["cargo", "metadata", "--format-version", "1", "--locked"], cwd=ROOT
        )
    )
    pkgs = [p for p in meta["packages"] if p["name"] == "chrono-tz"]
    if len(pkgs) != 1:
        sys.exit("gen_tzdata: expected exactly one chrono-tz in Cargo.lock")
    pkg = pkgs[0]
    src = os.path.join(os.path.dirname(pkg["manifest_path"]), "src", "prebuilt", "timezones.rs")
    return pkg["version"], open(src, encoding="utf-8").read()


SPAN = re.compile(r"utc_offset:\s*(-?\d+),\s*dst_offset:\s*(-?\d+),\s*name:\s*(None|Some\(\"([^\"]*)\"\))")
TRANSITION = re.compile(
    r"\((-?\d+), FixedTimespan \{ utc_offset: (-?\d+), dst_offset: (-?\d+), name: (None|Some\(\"([^\"]*)\"\))"
)


def parse(text):
    names = dict(re.findall(r'^\s*Tz::(\w+) => "([^"]+)",$', text, re.M))
    body = text[text.index("fn timespans(&self)") :]
    zones = {}
    for m in re.finditer(r"Tz::(\w+) => \{(.*?)rest: REST", body, re.S):
        ident, block = m.group(1), m.group(2)
        rest_part, first_part = block.split("FixedTimespanSet", 1)
        u, d, _, abbr = SPAN.search(first_part).groups()
        first = (int(u) + int(d), abbr or None)
        trans = [
            (int(t), (int(u) + int(d), abbr or None))
            for t, u, d, _, abbr in TRANSITION.findall(rest_part)
        ]
        zones[names[ident]] = (first, trans)
    if len(zones) != len(names):
        sys.exit(f"gen_tzdata: parsed {len(zones)} tables for {len(names)} names")
    return zones


def varint(n, out):
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return


def zigzag(n):
    return (n << 1) if n >= 0 else ((-n) << 1) - 1


def record(first, trans, abbrs):
    offsets = []
    for o in [first] + [o for _, o in trans]:
        if o not in offsets:
            offsets.append(o)
    out = bytearray()
    varint(len(offsets), out)
    for o, abbr in offsets:
        varint(zigzag(o), out)
        varint(0 if abbr is None else abbrs.index(abbr) + 1, out)
    varint(offsets.index(first), out)
    varint(len(trans), out)
    prev = 0
    for t, _ in trans:
        delta = t - prev
        u = next(i for i, unit in enumerate(UNITS) if delta % unit == 0)
        varint((zigzag(delta // UNITS[u]) << 2) | u, out)
        prev = t
    if len(offsets) > 255:
        sys.exit("gen_tzdata: more than 255 offsets in one zone")
    out += bytes(offsets.index(o) for _, o in trans)
    return bytes(out)


# The units of a transition's delta (core/src/time/tz/mod.rs has the same table).
UNITS = (1800, 60, 1)


def rust_array(doc, name, ty, items):
    """The lines of a documented `pub(crate) static` array, one item a line."""
    return [f"/// {doc}", f"pub(crate) static {name}: [{ty}; {len(items)}] = ["] + [
        f"    {i}," for i in items
    ] + ["];", ""]


def main():
    version, text = chrono_tz_source()
    zones = parse(text)
    names = sorted(zones, key=lambda s: s.encode())
    abbrs = sorted(
        {a for f, t in zones.values() for _, a in [f] + [x for _, x in t] if a is not None}
    )
    blob = bytearray()
    starts = {}
    # Records in the order of their last transitions, so that zones following one rule
    # (most of Europe, say) sit within gzip's window of each other.
    tail = lambda name: tuple(t for t, _ in zones[name][1][-10:])
    for name in sorted(names, key=lambda n: (tail(n), n.encode())):
        rec = record(*zones[name], abbrs)
        if rec not in starts:
            starts[rec] = len(blob)
            blob += rec
    zone_start = [starts[record(*zones[name], abbrs)] for name in names]
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "data.bin"), "wb") as f:
        f.write(blob)
    ends, at = [], 0
    for n in names:
        at += len(n.encode())
        ends.append(at)
    if at > 0xFFFF:
        sys.exit("gen_tzdata: the zone names no longer fit u16 offsets")
    lines = [
        f"// @generated by scripts/gen_tzdata.py from chrono-tz {version}; do not edit.",
        "",
        f'/// The chrono-tz release the tables were taken from.',
        f'pub(crate) const SOURCE: &str = "chrono-tz {version}";',
        "",
        "/// Every zone name, sorted by bytes, one after the other (`NAME_ENDS` cuts them).",
        "pub(crate) static NAME_TEXT: &str = concat!(",
    ]
    lines += [f'    "{n}",' for n in names]
    lines += [");", ""]
    lines += rust_array(
        "Where each name of `NAME_TEXT` ends (it starts where the one before ends).",
        "NAME_ENDS", "u16", [str(e) for e in ends])
    lines += rust_array(
        "Where each zone's record starts in `data.bin` (same index as `NAME_ENDS`).",
        "STARTS", "u32", [str(s) for s in zone_start])
    lines += rust_array(
        "Zone abbreviations (`EEST`); a record's offset names index this from 1 (0: none).",
        "ABBRS", "&str", [f'"{a}"' for a in abbrs])
    with open(os.path.join(OUT_DIR, "names.rs"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(
        f"gen_tzdata: {len(names)} zones, {len(starts)} distinct tables, "
        f"{sum(len(z[1]) for z in zones.values())} transitions -> {len(blob)} bytes"
    )


if __name__ == "__main__":
    main()
