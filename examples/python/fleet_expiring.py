#!/usr/bin/env python3
"""A manufacturer's installed base on real engines: writes a seeded Parquet dataset of N sold
items (default 1,000,000), then runs two jobs with the `warranty` package's Arrow batches —
resolve every sale against the catalog (policy, start, end) and the 30/60/90-day expiring
report — in one process, with Dask (`distributed.LocalCluster`, two worker processes,
`map_partitions` over the Parquet dataset) and with PySpark (`local[2]`, `mapInArrow`). Each
engine writes its results to Parquet; the script checks them equal to the single-process
answers and prints the timings.

usage: fleet_expiring.py [--items N] [--out DIR] [--seed S] [--engines single,dask,spark]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import warranty

AS_OF = "2027-06-01T09:00:00+00:00"
FAMILIES = [f"FAM-{i}" for i in range(25)]
BRANDS = [f"BRAND-{i}" for i in range(300)]
TYPES = [f"TYPE-{i}" for i in range(120)]
ZONES = ["Europe/Lisbon", "Europe/Madrid", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]


def catalog(seed: int, size: int = 2_000) -> List[Dict[str, Any]]:
    """The retailer-shaped catalog of the benches (benches/src/lib.rs's shape): 40% products,
    25% product types, 20% brands, 15% families, many policies per family, windows, ties."""
    rng = random.Random(seed)
    out = []
    for i in range(size):
        r = rng.random()
        cover = ({"product": f"P-{rng.randrange(5_000)}"} if r < 0.4 else
                 {"product_type": rng.choice(TYPES)} if r < 0.65 else
                 {"brand": rng.choice(BRANDS)} if r < 0.85 else {"family": rng.choice(FAMILIES)})
        p: Dict[str, Any] = {"id": f"POL-{i:05}", "number": f"{rng.randrange(100):03}",
                             "duration": {"value": rng.randrange(1, 37),
                                          "unit": rng.choice(["days", "weeks", "months", "years"])},
                             "covers": [cover]}
        if rng.random() < 0.85:
            start = dt.datetime(2016 + rng.randrange(10), rng.randrange(1, 13), 1, tzinfo=dt.timezone.utc)
            p["effective_from"] = start.isoformat()
            if rng.random() < 0.65:
                p["effective_until"] = (start + dt.timedelta(days=rng.randrange(180, 3_000))).isoformat()
        else:
            p["state"] = "not_effective"
        out.append(p)
    return out


LAYER_TEXTS = [
    '[{"id":"legal","kind":"statutory","jurisdiction":"%s"},'
    '{"id":"mfr","kind":"manufacturer","starts_on":"sold","terms":{"id":"MFR-%dY",'
    '"duration":{"value":%d,"unit":"years"}}}]' % (legal, years, years)
    for legal in ["PT", "ES", "DE", "FR"] for years in (1, 2, 3)
]


def generate(n: int, seed: int, path: Path, files: int = 8) -> None:
    """The installed base as a Parquet dataset of `files` files, drawn column by column
    (numpy, seeded): product, type, brand, family, sale instant (five years from 2022), zone,
    and the item's warranty layers (the legal guarantee of one of four countries and a
    manufacturer's 1, 2 or 3 years: few distinct texts, so Parquet keeps them as a
    dictionary and the batches parse each one once)."""
    rng = np.random.default_rng(seed)
    per = -(-n // files)
    path.mkdir(parents=True)
    base_us = int(dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc).timestamp()) * 1_000_000

    def named(prefix: str, ints: "np.ndarray") -> pa.Array:
        return pc.binary_join_element_wise(prefix, pc.cast(pa.array(ints), pa.string()), "")

    def pick(values: List[str], count: int) -> pa.Array:
        return pc.take(pa.array(values), pa.array(rng.integers(0, len(values), count)))

    for f in range(files):
        lo, hi = f * per, min(n, (f + 1) * per)
        k = max(hi - lo, 0)
        ids = pc.utf8_lpad(pc.cast(pa.array(np.arange(lo, hi)), pa.string()), 8, "0")
        table = pa.table({
            "item_id": pc.binary_join_element_wise("ITEM-", ids, ""),
            "product": named("P-", rng.integers(0, 5_000, k)),
            "product_type": pick(TYPES, k),
            "brand": pick(BRANDS, k),
            "family": pick(FAMILIES, k),
            "sold_at": pa.array(base_us + rng.integers(0, 5 * 365 * 86_400, k) * 1_000_000,
                                pa.int64()).cast(pa.timestamp("us", tz="UTC")),
            "zone": pick(ZONES, k),
            "warranties": pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, len(LAYER_TEXTS), k), pa.int32()), pa.array(LAYER_TEXTS)),
        })
        pq.write_table(table, path / f"part-{f:03}.parquet")


UTC_US = pa.timestamp("us", tz="UTC")


def answer_schema() -> pa.Schema:
    return pa.schema([("item_id", pa.string()), ("ok", pa.bool_()), ("error_code", pa.string()),
                      ("error_path", pa.string()), ("error_message", pa.string()),
                      ("policy", pa.string()), ("matched_by", pa.string()), ("start", UTC_US), ("end", UTC_US),
                      ("within_30", pa.int64()), ("within_60", pa.int64()), ("within_90", pa.int64())])


def expiring_windows(base: pa.Table, as_of: str, windows: Tuple[int, ...] = (30, 60, 90)) -> Dict[int, pa.Array]:
    """How many of each item's layers end within each window of days from `as_of` (null for
    an item whose answer is an error), in one pass: `expiring` over the longest window lists
    the layers with their ends, and those of a shorter window are the ones ending before
    `as_of` + its days (no zone is given, so the calendar is `as_of`'s offset: a day is 24
    hours, and the window's end is exactly that many days later)."""
    e = warranty.expiring_arrow(base, as_of=as_of, within={"value": max(windows), "unit": "days"})
    e = e.combine_chunks()
    listed = e.column("expiring").chunk(0) if e.num_rows else pa.array([], e.schema.field("expiring").type)
    ends = pc.struct_field(pc.list_flatten(listed), "end")
    parents = pc.list_parent_indices(listed).to_numpy()
    start = dt.datetime.fromisoformat(as_of)
    out = {}
    for days in windows:
        inside = pc.less(ends, pa.scalar(start + dt.timedelta(days=days), ends.type)).to_numpy(zero_copy_only=False)
        counts = pa.array(np.bincount(parents[inside], minlength=e.num_rows), pa.int64())
        out[days] = pc.if_else(e.column("ok"), counts, pa.nulls(e.num_rows, pa.int64()))
    return out


def answer(table: pa.Table, policies: List[Dict[str, Any]]) -> pa.Table:
    """Both jobs for one partition, on the typed batches: resolve every sale (policy, start,
    end), and count each item's layers ending within 30, 60 and 90 days of AS_OF."""
    engine = warranty.Engine()
    engine.load_catalog(name="store", policies=policies)
    sales = table.select(["product", "product_type", "brand", "family", "sold_at", "zone"])
    r = engine.resolve_arrow(sales, catalog="store")
    cols: Dict[str, Any] = {"item_id": table.column("item_id")}
    for c in ["ok", "error_code", "error_path", "error_message", "policy", "matched_by"]:
        cols[c] = r.column(c)
    # Spark and Parquet keep instants in microseconds.
    for c in ["start", "end"]:
        cols[c] = r.column(c).cast(UTC_US)
    base = table.select(["item_id", "sold_at", "warranties"]).rename_columns(["id", "sold_at", "warranties"])
    cols.update({f"within_{d}": c for d, c in expiring_windows(base, AS_OF).items()})
    return pa.table(cols, schema=answer_schema())


def single(dataset: Path, out: Path, policies: List[Dict[str, Any]]) -> pa.Table:
    # The layers as Parquet stores them: a dictionary (each distinct text parsed once).
    t = answer(pq.read_table(dataset, read_dictionary=["warranties"]), policies)
    pq.write_table(t, out)
    return t


def with_dask(dataset: Path, out: Path, policies: List[Dict[str, Any]], workers: int = 2) -> Tuple[float, List[int]]:
    """The job on a `LocalCluster` of `workers` worker processes (one thread each); returns
    the job's seconds (the cluster already up) and each worker's peak resident memory in
    bytes."""
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    def part(pdf: "pd.DataFrame") -> "pd.DataFrame":
        t = answer(pa.Table.from_pandas(pdf, preserve_index=False), policies)
        return t.to_pandas(types_mapper=pd.ArrowDtype)

    def peak() -> int:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    meta = answer_schema().empty_table().to_pandas(types_mapper=pd.ArrowDtype)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(workers)
        t0 = time.perf_counter()
        ddf = dd.read_parquet(str(dataset), engine="pyarrow", dtype_backend="pyarrow")
        ddf.map_partitions(part, meta=meta).to_parquet(str(out), engine="pyarrow", write_index=False,
                                                        schema=answer_schema())
        took = time.perf_counter() - t0
        return took, sorted(client.run(peak).values())


def with_spark(dataset: Path, out: Path, policies: List[Dict[str, Any]]) -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # On loopback only, as every service a test starts.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Spark's Python workers import this module (the job's functions live here).
    here = str(Path(__file__).resolve().parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in [here, os.environ.get("PYTHONPATH")] if p)
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("fleet_expiring")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        def batches(it: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for b in it:
                yield from answer(pa.Table.from_batches([b]), policies).to_batches()

        sql = {pa.bool_(): "boolean", pa.int64(): "bigint", UTC_US: "timestamp"}
        ddl = ", ".join(f"`{f.name}` {sql.get(f.type, 'string')}" for f in answer_schema())
        spark.read.parquet(str(dataset)).mapInArrow(batches, ddl).write.parquet(str(out))
    finally:
        spark.stop()


def read_sorted(path: Path) -> pa.Table:
    t = pq.read_table(path, schema=answer_schema())
    return t.sort_by("item_id")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("target/fleet"))
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--engines", default="single,dask,spark")
    args = ap.parse_args()
    engines = args.engines.split(",")
    if args.out.exists():
        shutil.rmtree(args.out)
    dataset = args.out / "installed_base"
    t0 = time.perf_counter()
    generate(args.items, args.seed, dataset)
    policies = catalog(args.seed)
    print(f"fleet: {args.items} items written to {dataset} in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    want = single(dataset, args.out / "single.parquet", policies).sort_by("item_id")
    print(f"fleet: one process: {time.perf_counter() - t0:.1f} s")
    failures = 0
    # The three windows come from one pass (the 90-day one): check them against a pass each.
    base = pq.read_table(dataset).sort_by("item_id").select(["item_id", "sold_at", "warranties"])
    base = base.rename_columns(["id", "sold_at", "warranties"])
    one_pass = all(
        warranty.expiring_arrow(base, as_of=AS_OF, within={"value": d, "unit": "days"}).column("count").to_pylist()
        == want.column(f"within_{d}").to_pylist() for d in (30, 60, 90))
    failures += not one_pass
    print(f"fleet: the 30/60/90-day counts of one pass {'equal' if one_pass else 'DIFFER from'} a pass per window")
    runners = {"dask": with_dask, "spark": with_spark}
    for name in engines:
        if name == "single":
            continue
        t0 = time.perf_counter()
        runners[name](dataset, args.out / name, policies)
        took = time.perf_counter() - t0  # the cluster's start included
        got = read_sorted(args.out / name)
        same = got.equals(want)
        failures += not same
        print(f"fleet: {name}: {took:.1f} s, {got.num_rows} rows, {'equal to' if same else 'DIFFERENT from'} "
              "the single-process answers")
    covered = want.num_rows - want.column("policy").null_count
    counts = {d: sum(want.column(f"within_{d}").to_pylist()) for d in (30, 60, 90)}
    print(f"fleet: {covered} of {want.num_rows} sales resolved to a policy; layers ending within "
          f"30/60/90 days of {AS_OF}: {counts[30]}/{counts[60]}/{counts[90]}")
    print(f"{len(engines) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
