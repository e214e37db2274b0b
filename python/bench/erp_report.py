"""The 30/60/90-day expiring report two ways (make bench-python): `warranty.expiring_arrow` over
an Arrow table of N installed items (default 1,000,000: the fleet example's seeded base), and
the same report written in pure Python as an ERP would write it — each item's legal guarantee
and manufacturer's warranty ended with dateutil's `relativedelta`, counted per window. The
two are checked to agree on every item and window; prints items per second for both and the
ratio. The batch path counts the three windows in one pass (`expiring_windows` of the fleet
example) and, for comparison, with a call per window.

usage: erp_report.py [--items N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pyarrow.parquet as pq
from dateutil.relativedelta import relativedelta

import warranty

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))

from fleet_expiring import AS_OF, expiring_windows, generate  # noqa: E402

# What the ERP is configured with: the legal guarantee's years per country (goods sold from
# 2022 on), as `statutory_presets` lists them.
LEGAL_YEARS = {"PT": 3, "ES": 3, "DE": 2, "FR": 2}
WINDOWS = (30, 60, 90)


def erp_report(records: List[Tuple[dt.datetime, str, int]], as_of: dt.datetime) -> Dict[int, List[int]]:
    """Per window, per item: how many of its warranties end in [as_of, as_of + days)."""
    ends = [(as_of + dt.timedelta(days=d)) for d in WINDOWS]
    out: Dict[int, List[int]] = {d: [] for d in WINDOWS}
    for sold, legal, years in records:
        legal_end = sold + relativedelta(years=LEGAL_YEARS[legal])
        mfr_end = sold + relativedelta(years=years)
        for d, until in zip(WINDOWS, ends):
            out[d].append((as_of <= legal_end < until) + (as_of <= mfr_end < until))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=1_000_000)
    args = ap.parse_args()
    dataset = ROOT / "target" / "erp-bench" / f"installed_base_{args.items}"
    if not dataset.exists():
        shutil.rmtree(dataset.parent, ignore_errors=True)
        generate(args.items, 2026, dataset)
    table = pq.read_table(dataset, read_dictionary=["warranties"])
    base = table.select(["item_id", "sold_at", "warranties"]).rename_columns(["id", "sold_at", "warranties"])
    # The ERP's records: Python objects already (their loading is not timed).
    layers = {text: json.loads(text) for text in table.column("warranties").combine_chunks().dictionary.to_pylist()}
    records = []
    for sold, text in zip(table.column("sold_at").to_pylist(), table.column("warranties").to_pylist()):
        legal, mfr = layers[text]
        records.append((sold, legal["jurisdiction"], mfr["terms"]["duration"]["value"]))
    as_of = dt.datetime.fromisoformat(AS_OF)

    t0 = time.perf_counter()
    want = erp_report(records, as_of)
    python_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    got = expiring_windows(base, AS_OF, WINDOWS)
    arrow_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    each = {d: warranty.expiring_arrow(base, as_of=AS_OF, within={"value": d, "unit": "days"}).column("count")
            for d in WINDOWS}
    each_s = time.perf_counter() - t0
    differ = sum(got[d].to_pylist() != want[d] for d in WINDOWS)
    differ += sum(each[d].to_pylist() != want[d] for d in WINDOWS)
    n = len(records)
    print(f"erp-report: {n:,} items, 3 windows: pure Python (relativedelta) {n / python_s:,.0f} items/s "
          f"({python_s:.2f} s); expiring_arrow, one pass {n / arrow_s:,.0f} items/s ({arrow_s:.2f} s, "
          f"{python_s / arrow_s:.1f}x), a pass per window {n / each_s:,.0f} items/s ({each_s:.2f} s, "
          f"{python_s / each_s:.1f}x); counts {'agree on every item' if not differ else 'DIFFER'}")
    print(f"{6 - differ} passed, {differ} failed")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
