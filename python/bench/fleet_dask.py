"""The fleet job at installed-base size (make bench-python): N items (default 10,000,000) in
a seeded Parquet dataset, both jobs of examples/python/fleet_expiring.py (resolve every sale,
the 30/60/90-day expiring report) on Dask with one worker process and with two, and on Spark
`local[2]`. Prints the timings, the speed-up of two workers over one, each worker's peak
resident memory, and whether the three answers are equal row for row; then `N passed, N
failed`.

usage: fleet_dask.py [--items N] [--out DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))

from fleet_expiring import answer_schema, catalog, generate, with_dask, with_spark  # noqa: E402

SEED = 2026
GIB = 1024 ** 3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=10_000_000)
    ap.add_argument("--out", type=Path, default=ROOT / "target" / "fleet-bench")
    args = ap.parse_args()
    dataset = args.out / f"installed_base_{args.items}"
    if not dataset.exists():
        t0 = time.perf_counter()
        # Files of 250,000 items: the partitions stream through the workers.
        generate(args.items, SEED, dataset, files=max(2, args.items // 250_000))
        print(f"fleet-bench: {args.items:,} items written in {time.perf_counter() - t0:.1f} s")
    policies = catalog(SEED)
    runs = {}
    for workers in (1, 2):
        out = args.out / f"dask-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        runs[workers], peaks = with_dask(dataset, out, policies, workers)
        print(f"fleet-bench: dask, {workers} worker(s): {runs[workers]:.1f} s (the job, the cluster up) "
              f"({args.items / runs[workers]:,.0f} items/s, both jobs); peak memory per worker: "
              + ", ".join(f"{p / GIB:.2f} GiB" for p in peaks))
        failures_mem = [p for p in peaks if p > 1.5 * 10 ** 9]
        if failures_mem:
            print(f"fleet-bench: a worker went over 1.5 GB: {failures_mem}")
    print(f"fleet-bench: two workers / one worker: {runs[1] / runs[2]:.2f}x")
    out = args.out / "spark"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    with_spark(dataset, out, policies)
    print(f"fleet-bench: spark local[2]: {time.perf_counter() - t0:.1f} s")
    tables = {name: pq.read_table(args.out / name, schema=answer_schema()).sort_by("item_id")
              for name in ("dask-1", "dask-2", "spark")}
    want = tables["dask-1"]
    failures = 0
    for name, t in tables.items():
        same = t.num_rows == args.items and t.equals(want)
        failures += not same
        print(f"fleet-bench: {name}: {t.num_rows:,} rows, {'equal to' if same else 'DIFFERENT from'} dask-1")
    print(f"{len(tables) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
