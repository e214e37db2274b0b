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
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pyarrow as pa
import pyarrow.parquet as pq

import warranty

AS_OF = "2027-06-01T09:00:00+00:00"
FAMILIES = [f"FAM-{i}" for i in range(25)]
BRANDS = [f"BRAND-{i}" for i in range(300)]
TYPES = [f"TYPE-{i}" for i in range(120)]
ZONES = ["Europe/Lisbon", "Europe/Madrid", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]
RESOLVE_FIELDS = ["policy", "matched_by", "start", "end"]


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


def generate(n: int, seed: int, path: Path, files: int = 8) -> None:
    """The installed base as a Parquet dataset of `files` files."""
    rng = random.Random(seed)
    per = -(-n // files)
    path.mkdir(parents=True)
    base = dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc)
    for f in range(files):
        rows = range(f * per, min(n, (f + 1) * per))
        cols: Dict[str, List[Any]] = {k: [] for k in ["item_id", "product", "product_type", "brand",
                                                      "family", "sold_at", "zone", "items"]}
        for i in rows:
            sold = base + dt.timedelta(seconds=rng.randrange(5 * 365 * 86_400))
            zone = rng.choice(ZONES)
            cols["item_id"].append(f"ITEM-{i:08}")
            cols["product"].append(f"P-{rng.randrange(5_000)}")
            cols["product_type"].append(rng.choice(TYPES))
            cols["brand"].append(rng.choice(BRANDS))
            cols["family"].append(rng.choice(FAMILIES))
            cols["sold_at"].append(sold)
            cols["zone"].append(zone)
            years = rng.choice([1, 2, 3])
            legal = rng.choice(["PT", "ES", "DE", "FR"])
            cols["items"].append(
                '[{"id":"ITEM-%08d","events":[{"event":"sold","at":"%s"}],"warranties":['
                '{"id":"legal","kind":"statutory","jurisdiction":"%s"},'
                '{"id":"mfr","kind":"manufacturer","starts_on":"sold","terms":{"id":"MFR-%dY",'
                '"duration":{"value":%d,"unit":"years"}}}]}]' % (i, sold.isoformat(), legal, years, years))
        schema = pa.schema([("item_id", pa.string()), ("product", pa.string()),
                            ("product_type", pa.string()), ("brand", pa.string()),
                            ("family", pa.string()), ("sold_at", pa.timestamp("us", tz="UTC")),
                            ("zone", pa.string()), ("items", pa.string())])
        pq.write_table(pa.table(cols, schema=schema), path / f"part-{f:02}.parquet")


def answer_schema() -> pa.Schema:
    return pa.schema([("item_id", pa.string()), ("ok", pa.bool_()), ("error_code", pa.string()),
                      ("error_path", pa.string()), ("error_message", pa.string()),
                      *[(f, pa.string()) for f in RESOLVE_FIELDS],
                      ("within_30", pa.int64()), ("within_60", pa.int64()), ("within_90", pa.int64())])


def answer(table: pa.Table, policies: List[Dict[str, Any]]) -> pa.Table:
    """Both jobs for one partition: resolve every sale, and count each item's layers ending
    within 30, 60 and 90 days of AS_OF."""
    engine = warranty.Engine()
    engine.load_catalog(name="store", policies=policies)
    # Dotted names nest a field (`item.brand` is `{"item": {"brand": …}}`); Spark wants plain
    # column names in the dataset, so they are given here.
    sales = table.select(["product", "product_type", "brand", "family", "sold_at", "zone"]).rename_columns(
        ["item.product", "item.product_type", "item.brand", "item.family", "sold_at", "zone"])
    r = engine.call_arrow("resolve", sales, catalog="store", candidates="none", fields=RESOLVE_FIELDS, result=False)
    cols: Dict[str, Any] = {"item_id": table.column("item_id")}
    for c in ["ok", "error_code", "error_path", "error_message", *RESOLVE_FIELDS]:
        cols[c] = r.column(c)
    items = table.select(["items"])
    for days in (30, 60, 90):
        e = warranty.call_arrow("expiring", items, json_columns=["items"], as_of=AS_OF,
                                within={"value": days, "unit": "days"}, fields=["count"], result=False)
        cols[f"within_{days}"] = pa.array([int(c) if c is not None else None for c in e.column("count").to_pylist()],
                                          pa.int64())
    return pa.table(cols, schema=answer_schema())


def single(dataset: Path, out: Path, policies: List[Dict[str, Any]]) -> pa.Table:
    t = answer(pq.read_table(dataset), policies)
    pq.write_table(t, out)
    return t


def with_dask(dataset: Path, out: Path, policies: List[Dict[str, Any]]) -> None:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    def part(pdf: "pd.DataFrame") -> "pd.DataFrame":
        t = answer(pa.Table.from_pandas(pdf, preserve_index=False), policies)
        return t.to_pandas(types_mapper=pd.ArrowDtype)

    meta = answer_schema().empty_table().to_pandas(types_mapper=pd.ArrowDtype)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster, \
            Client(cluster):
        ddf = dd.read_parquet(str(dataset), engine="pyarrow", dtype_backend="pyarrow")
        ddf.map_partitions(part, meta=meta).to_parquet(str(out), engine="pyarrow", write_index=False,
                                                        schema=answer_schema())


def with_spark(dataset: Path, out: Path, policies: List[Dict[str, Any]]) -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # On loopback only, as every service a test starts.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("fleet_expiring")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        def batches(it: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for b in it:
                yield from answer(pa.Table.from_batches([b]), policies).to_batches()

        ddl = ", ".join(f"`{f.name}` {'boolean' if f.type == pa.bool_() else 'bigint' if f.type == pa.int64() else 'string'}"
                        for f in answer_schema())
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
    runners = {"dask": with_dask, "spark": with_spark}
    for name in engines:
        if name == "single":
            continue
        t0 = time.perf_counter()
        runners[name](dataset, args.out / name, policies)
        took = time.perf_counter() - t0
        got = read_sorted(args.out / name)
        same = got.equals(want)
        failures += not same
        print(f"fleet: {name}: {took:.1f} s, {got.num_rows} rows, {'equal to' if same else 'DIFFERENT from'} "
              "the single-process answers")
    covered = sum(1 for p in want.column("policy").to_pylist() if p is not None)
    counts = {d: sum(want.column(f"within_{d}").to_pylist()) for d in (30, 60, 90)}
    print(f"fleet: {covered} of {want.num_rows} sales resolved to a policy; layers ending within "
          f"30/60/90 days of {AS_OF}: {counts[30]}/{counts[60]}/{counts[90]}")
    print(f"{len(engines) - 1 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
