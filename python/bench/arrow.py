"""Arrow batch throughput (make bench-python): `resolve` with the winner only over N sold
items against a retailer-shaped catalog of 10,000 policies, through `Engine.call_arrow`
(one process, one thread) and through `wty call --ndjson` with the same requests. Prints
rows per second for both."""

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
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
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
    t0 = time.perf_counter()
    out = engine.call_arrow("resolve", table, catalog="store", candidates="none",
                            fields=["policy", "end"], result=False)
    arrow_s = time.perf_counter() - t0
    assert out.num_rows == n
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
    print(f"arrow: resolve over {n} sold items, 10,000 policies: call_arrow {n / arrow_s:,.0f} rows/s "
          f"({arrow_s:.2f} s), wty call --ndjson {n / cli_s:,.0f} rows/s ({cli_s:.2f} s, catalog load included)")


main()
