"""Arrow batches: every row answered as `call` answers the same request (make python-test)."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from typing import Any, Dict, List, Optional

import pyarrow as pa
import pytest

import warranty

UTC = dt.timezone.utc
BRANDS = [f"B{i}" for i in range(30)]
FAMILIES = [f"F{i}" for i in range(8)]
TYPES = [f"T{i}" for i in range(20)]


def catalog(rng: random.Random) -> List[Dict[str, Any]]:
    """A skewed catalog: many policies per family, windows and business units."""
    policies = []
    for i in range(300):
        kind, key = rng.choice([("brand", rng.choice(BRANDS)), ("family", rng.choice(FAMILIES)),
                                ("product_type", rng.choice(TYPES)), ("product", f"P{rng.randrange(500)}")])
        p: Dict[str, Any] = {"id": f"POL-{i}", "number": f"{rng.randrange(50):03}",
                             "duration": {"value": rng.randrange(1, 37), "unit": rng.choice(["days", "weeks", "months", "years"])},
                             "covers": [{kind: key}]}
        if rng.random() < 0.6:
            start = dt.datetime(2015 + rng.randrange(10), rng.randrange(1, 13), 1, tzinfo=UTC)
            p["effective_from"] = start.isoformat()
            if rng.random() < 0.5:
                p["effective_until"] = (start + dt.timedelta(days=rng.randrange(30, 2000))).isoformat()
        if rng.random() < 0.15:
            p["business_units"] = [f"BU{rng.randrange(3)}"]
        if rng.random() < 0.1:
            p["state"] = "not_effective"
        policies.append(p)
    return policies


def maybe(rng: random.Random, values: List[str], p: float = 0.8) -> Optional[str]:
    return rng.choice(values) if rng.random() < p else None


def random_sales(rng: random.Random, n: int, prefix: str = "", far: Optional[int] = None) -> Dict[str, List[Any]]:
    """`n` sold items as columns (the item's keys named `prefix` + key), with bad rows among
    them: no sale date, a zone that does not exist, and (given `far`) that raw timestamp."""
    keys = [prefix + k for k in ["product", "product_type", "brand", "family"]]
    cols: Dict[str, List[Any]] = {k: [] for k in [*keys, "business_unit", "sold_at", "zone"]}
    for _ in range(n):
        cols[keys[0]].append(f"P{rng.randrange(500)}" if rng.random() < 0.7 else None)
        for k, values in zip(keys[1:], [TYPES, BRANDS, FAMILIES]):
            cols[k].append(maybe(rng, values))
        cols["business_unit"].append(maybe(rng, ["BU0", "BU1", "BU2"], 0.3))
        r = rng.random()
        cols["sold_at"].append(None if r < 0.01 else far if far is not None and r < 0.015 else
                               dt.datetime(2014, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=rng.randrange(16 * 365 * 86400),
                                                                                   microseconds=rng.randrange(1_000_000)))
        cols["zone"].append(rng.choice(["Europe/Lisbon", "America/New_York", "UTC", None, None, "Mars/Olympus"]))
    return cols


def test_resolve_over_100000_random_sold_items_equals_call_row_by_row() -> None:
    rng = random.Random(24)
    engine = warranty.Engine()
    engine.load_catalog(name="shop", policies=catalog(rng))
    n = 100_000
    cols = random_sales(rng, n, "item.")
    table = pa.table({k: pa.array(v, pa.timestamp("us", tz="UTC") if k == "sold_at" else pa.string())
                      for k, v in cols.items()})
    # Several batches: the answer keeps the rows' order across them.
    table = pa.Table.from_batches(table.to_batches(max_chunksize=7_777))
    out = engine.call_arrow("resolve", table, catalog="shop", fields=["policy", "end"])
    assert out.num_rows == n and out.num_columns == 7
    got = out.to_pydict()
    errors = 0
    for i in range(n):
        req: Dict[str, Any] = {"op": "resolve", "catalog": "shop"}
        item = {k.split(".")[1]: cols[k][i] for k in cols if k.startswith("item.") and cols[k][i] is not None}
        if item:
            req["item"] = item
        for k in ["business_unit", "zone"]:
            if cols[k][i] is not None:
                req[k] = cols[k][i]
        if cols["sold_at"][i] is not None:
            req["sold_at"] = cols["sold_at"][i].isoformat()
        want = json.loads(engine.call(json.dumps(req)))
        assert got["ok"][i] is want["ok"], i
        if want["ok"]:
            assert json.loads(got["result"][i]) == want["result"], i
            assert got["policy"][i] == want["result"]["policy"]
            assert got["end"][i] == want["result"]["end"]
        else:
            errors += 1
            e = want["error"]
            assert (got["error_code"][i], got["error_path"][i], got["error_message"][i]) == \
                (e["code"], e["path"], e["message"]), i
            assert got["result"][i] is None
    assert 1_000 < errors < 50_000


def test_json_columns_carry_items_for_stack_coverage_expiring_and_coverage() -> None:
    example = json.loads((warranty_root() / "examples" / "stacks" / "tv-lisbon.json").read_text())
    item = json.dumps(example["item"])
    table = pa.table({"item": [item, item, "{not json", None],
                      "failure_at": ["2027-01-10T10:00:00Z", "2031-01-10T10:00:00Z", "2027-01-10T10:00:00Z",
                                     "2027-01-10T10:00:00Z"]})
    out = warranty.call_arrow("stack_coverage", table, json_columns=["item"], zone="Europe/Lisbon",
                              fields=["outcome", "answered_by", "payer"]).to_pydict()
    for i in range(2):
        want = json.loads(warranty.call({"op": "stack_coverage", "item": example["item"],
                                         "failure_at": table["failure_at"][i].as_py(), "zone": "Europe/Lisbon"}))
        assert out["ok"][i] and json.loads(out["result"][i]) == want["result"]
        assert out["outcome"][i] == want["result"]["outcome"]
    assert (out["ok"][2], out["error_path"][2]) == (False, "item")
    assert out["error_message"][2].startswith("not JSON")
    assert (out["ok"][3], out["error_path"][3]) == (False, "item")
    items = pa.table({"items": [json.dumps([example["item"]])] * 3})
    soon = warranty.call_arrow("expiring", items, json_columns=["items"], as_of="2027-08-10T09:00:00+01:00",
                               within={"value": 30, "unit": "days"}, zone="Europe/Lisbon", fields=["count"])
    assert soon.column("count").to_pylist() == ["1"] * 3


def test_decimals_dates_integers_and_booleans_are_read_exactly() -> None:
    table = pa.table({"item.customer_id": ["c", "c"], "item.product_id": ["p", "p"],
                      "item.purchased_at": pa.array([dt.datetime(2026, 12, 1, 10, tzinfo=UTC)] * 2, pa.timestamp("ms", tz="UTC")),
                      "item.currency": ["USD", "USD"],
                      "item.price_paid": pa.array([Decimal("12345678901234567.89"), Decimal("0.00")], pa.decimal128(38, 2)),
                      "item.contract_years": pa.array([2, None], pa.int64()),
                      "item.has_damage": [True, False]})
    out = warranty.call_arrow("warranty_life_request", table, fields=["body"])
    bodies = out.column("body").to_pylist()
    assert '"pricePaid":12345678901234567.89' in bodies[0] and '"pricePaid":0.00' in bodies[1]
    assert '"contractYears":2' in bodies[0] and "contractYears" not in bodies[1]
    assert '"hasDamage":true' in bodies[0]
    dates = pa.table({"start": pa.array([dt.date(2026, 1, 31)], pa.date32())})
    got = warranty.call_arrow("expiry", dates, duration={"value": 1, "unit": "months"})
    assert got.column("ok").to_pylist() == [False]  # a date is not an instant: the row says so
    assert got.column("error_path").to_pylist() == ["start"]


def test_tables_the_library_cannot_read_are_refused_whole() -> None:
    with pytest.raises(ValueError, match="floats are not"):
        warranty.call_arrow("expiry", pa.table({"x": [1.5]}))
    with pytest.raises(ValueError, match="not in the table"):
        warranty.call_arrow("expiry", pa.table({"x": ["a"]}), json_columns=["y"])
    with pytest.raises(ValueError, match="not a request field"):
        warranty.call_arrow("expiry", pa.table({"op": ["a"]}))
    with pytest.raises(ValueError, match="also a fixed field"):
        warranty.call_arrow("expiry", pa.table({"start": ["a"]}), start="b")
    with pytest.raises(ValueError, match="also an object of other columns"):
        warranty.call_arrow("resolve", pa.table({"item.brand": ["X"], "item": ["{}"]}), json_columns=["item"])
    with pytest.raises(ValueError, match="inside another column"):
        warranty.call_arrow("resolve", pa.table({"item": ["{}"], "item.brand": ["X"]}), json_columns=["item"])
    with pytest.raises(ValueError, match="already an answer column"):
        warranty.call_arrow("expiry", pa.table({"start": ["a"]}), fields=["ok"])
    with pytest.raises(ValueError, match="zone"):
        warranty.call_arrow("expiry", pa.table({"start": pa.array([dt.datetime(2026, 1, 1)], pa.timestamp("s"))}))
    empty = warranty.call_arrow("expiry", pa.table({"start": pa.array([], pa.string())}), fields=["end"])
    assert empty.num_rows == 0 and empty.column_names == ["ok", "error_code", "error_path", "error_message", "end", "result"]


def warranty_root() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parents[2]
