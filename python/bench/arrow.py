"""Arrow batch throughput (make bench-python): `resolve` with the winner only over N sold
items against a retailer-shaped catalog of 10,000 policies, through the typed
`Engine.resolve_arrow`, the generic `Engine.call_arrow` (one process, one thread) and
`wty call --ndjson` with the same requests; the answers of the typed and generic batches
checked equal row by row. Prints rows per second for each."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

import warranty

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    from fleet_expiring import BRANDS, FAMILIES, TYPES, catalog

    rng = random.Random(7)
    families, brands, types = FAMILIES, BRANDS, TYPES
    policies = catalog(7, 10_000)
    base = dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc)
    cols = {"item.product": [f"P-{rng.randrange(5_000)}" for _ in range(n)],
            "item.product_type": [rng.choice(types) for _ in range(n)],
            "item.brand": [rng.choice(brands) for _ in range(n)],
            "item.family": [rng.choice(families) for _ in range(n)],
            "sold_at": [base + dt.timedelta(seconds=rng.randrange(5 * 365 * 86_400)) for _ in range(n)]}
    table = pa.table({**{k: v for k, v in cols.items() if k != "sold_at"},
                      "sold_at": pa.array(cols["sold_at"], pa.timestamp("us", tz="UTC"))})
    engine = warranty.Engine()
    engine.load_catalog(name="store", policies=policies)
    sales = table.rename_columns([c.split(".")[-1] for c in table.column_names])
    typed_s = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        typed = engine.resolve_arrow(sales, catalog="store")
        typed_s = min(typed_s, time.perf_counter() - t0)
    t0 = time.perf_counter()
    out = engine.call_arrow("resolve", table, catalog="store", candidates="none",
                            fields=["policy", "end"], result=False)
    arrow_s = time.perf_counter() - t0
    assert out.num_rows == n == typed.num_rows
    assert typed.column("policy").to_pylist() == out.column("policy").to_pylist()
    ends = [None if e is None else int(dt.datetime.fromisoformat(e).timestamp()) for e in out.column("end").to_pylist()]
    assert [None if e is None else int(e.timestamp()) for e in typed.column("end").to_pylist()] == ends
    with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False) as f:
        f.write(json.dumps({"op": "load_catalog", "name": "store", "policies": policies}) + "\n")
        for i in range(n):
            item = {k.split(".")[1]: cols[k][i] for k in cols if k.startswith("item.")}
            f.write(json.dumps({"op": "resolve", "catalog": "store", "item": item, "candidates": "none",
                                "sold_at": cols["sold_at"][i].isoformat()}) + "\n")
    t0 = time.perf_counter()
    subprocess.run([str(ROOT / "target" / "release" / "wty"), "call", "--ndjson", f.name], check=True,
                   stdout=subprocess.DEVNULL)
    cli_s = time.perf_counter() - t0
    print(f"arrow: resolve over {n:,} sold items, 10,000 policies: resolve_arrow {n / typed_s:,.0f} rows/s "
          f"({typed_s:.2f} s), call_arrow {n / arrow_s:,.0f} rows/s ({arrow_s:.2f} s), "
          f"wty call --ndjson {n / cli_s:,.0f} rows/s ({cli_s:.2f} s, catalog load included); "
          f"resolve_arrow / wty: {cli_s / typed_s:.1f}x")


main()
