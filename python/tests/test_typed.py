"""Typed Arrow batches (`Engine.resolve_arrow`, `warranty.expiring_arrow`): every row answered
as `call` answers the request the row stands for (docs/python.md writes it out), on random
tables with bad rows among the good ones (make python-test)."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any, Dict, List, Optional

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import warranty

from test_arrow import catalog, random_sales

UTC = dt.timezone.utc
AS_OF = "2027-06-01T09:00:00+01:00"
WITHIN = {"value": 120, "unit": "days"}
# An instant past the protocol's years (9999): the typed path leaves such a row to the
# dispatcher, which refuses it.
FAR = 260_000_000_000 * 1_000_000


def seconds(text: Optional[str]) -> Optional[int]:
    return None if text is None else int(dt.datetime.fromisoformat(text).timestamp())


def stamp(v: Optional[dt.datetime]) -> Optional[int]:
    return None if v is None else int(v.timestamp())


def micros(values: List[Any]) -> pa.Array:
    """Timestamps in µs (UTC) from datetimes, None and raw integers (out-of-range values)."""
    raw = [None if v is None else v if isinstance(v, int) else
           (v - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1) for v in values]
    return pa.array(raw, pa.int64()).cast(pa.timestamp("us", tz="UTC"))


def iso(v: Any) -> str:
    return v.isoformat() if isinstance(v, dt.datetime) else ""


def test_resolve_arrow_over_100000_random_sold_items_equals_call_row_by_row() -> None:
    rng = random.Random(22)
    engine = warranty.Engine()
    engine.load_catalog(name="shop", policies=catalog(rng))
    n = 100_000
    cols = random_sales(rng, n, far=FAR)
    table = pa.table({k: micros(v) if k == "sold_at" else pa.array(v, pa.string()) for k, v in cols.items()})
    # Several batches, one column dictionary-encoded: the rows keep their order.
    table = pa.Table.from_batches(table.to_batches(max_chunksize=7_777))
    table = table.set_column(1, "product_type", pc.dictionary_encode(table.column("product_type")))
    out = engine.resolve_arrow(table, catalog="shop")
    assert out.column_names == ["ok", "error_code", "error_path", "error_message", "policy", "matched_by",
                                "start", "end"]
    assert str(out.schema.field("end").type) == "timestamp[s, tz=UTC]"
    got = out.to_pydict()
    assert len(got["ok"]) == n
    errors = covered = 0
    for i in range(n):
        req: Dict[str, Any] = {"op": "resolve", "catalog": "shop", "candidates": "none",
                               "item": {k: cols[k][i] for k in ["product", "product_type", "brand", "family"]
                                        if cols[k][i] is not None}}
        sold = cols["sold_at"][i]
        if sold is not None:
            req["sold_at"] = iso(sold) or "+10209-01-01T00:00:00Z"
        for k in ["business_unit", "zone"]:
            if cols[k][i] is not None:
                req[k] = cols[k][i]
        want = json.loads(engine.call(req))
        assert got["ok"][i] is want["ok"], (i, req, want)
        if want["ok"]:
            res = want["result"]
            covered += res["policy"] is not None
            assert (got["policy"][i], got["matched_by"][i]) == (res["policy"], res["matched_by"]), (i, req)
            assert (stamp(got["start"][i]), stamp(got["end"][i])) == (seconds(res["start"]), seconds(res["end"]))
        else:
            errors += 1
            e = want["error"]
            assert (got["error_code"][i], got["error_path"][i]) == (e["code"], e["path"]), (i, req)
            if sold is not FAR:
                assert got["error_message"][i] == e["message"]
    assert 1_000 < errors < n // 2 and covered > n // 4


# Layer sets an installed base carries, and some a host may get wrong.
LAYERS: List[Any] = [
    [{"id": "legal", "kind": "statutory", "jurisdiction": j},
     {"id": "mfr", "kind": "manufacturer", "terms": {"id": f"M{y}", "duration": {"value": y, "unit": "years"}}}]
    for j in ["PT", "ES", "DE", "FR", "EU"] for y in (1, 2, 3)
] + [
    [{"id": "mfr", "kind": "manufacturer", "terms": {"id": "M2", "duration": {"value": 2, "unit": "years"}}},
     {"id": "ext", "kind": "extended", "starts_on": {"after": "mfr"},
      "terms": {"id": "X1", "duration": {"value": 12, "unit": "months"}}}],
    [{"id": "shop", "kind": "seller", "starts_on": "delivered", "transferable": False,
      "terms": {"id": "S6", "duration": {"value": 26, "unit": "weeks"}, "expiry": "end_of_day"}}],
    [{"id": "legal", "kind": "statutory", "jurisdiction": "XX"}],
    [{"id": "a", "kind": "seller", "terms": {"id": "S", "duration": {"value": 1, "unit": "years"}}},
     {"id": "a", "kind": "seller", "terms": {"id": "S", "duration": {"value": 1, "unit": "years"}}}],
    [{"id": "x", "kind": "nonsense"}],
]


def random_item(rng: random.Random) -> Dict[str, Any]:
    sold = dt.datetime(2023, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=rng.randrange(4 * 365 * 86400))
    row: Dict[str, Any] = {
        "id": f"IT-{rng.randrange(10**6)}" if rng.random() < 0.99 else None,
        "second_hand": rng.choice([True, False, False, None]),
        "sold_at": sold if rng.random() < 0.97 else None,
        "delivered_at": sold + dt.timedelta(days=rng.randrange(20)) if rng.random() < 0.4 else None,
        "installed_at": sold + dt.timedelta(days=rng.randrange(40)) if rng.random() < 0.1 else None,
        "events": None,
        "warranties": None,
    }
    r = rng.random()
    if r < 0.9:
        row["warranties"] = json.dumps(rng.choice(LAYERS), separators=(",", ":"))
    elif r < 0.93:
        row["warranties"] = "[{not json"
    r = rng.random()
    if r < 0.1:
        at = sold + dt.timedelta(days=rng.randrange(30, 600))
        row["events"] = json.dumps([{"event": "repaired", "at": at.isoformat(), "under": "legal",
                                     "returned_at": (at + dt.timedelta(days=rng.randrange(1, 40))).isoformat()}])
    elif r < 0.13:
        row["events"] = json.dumps([{"event": "voided", "at": (sold + dt.timedelta(days=100)).isoformat()}])
    elif r < 0.14:
        row["events"] = '{"event": "sold"}'
    return row


def expiring_request(row: Dict[str, Any]) -> Any:
    """The request a row of `expiring_arrow` stands for (docs/python.md), or None when the
    row has none (its `events` not an array, its `warranties` not JSON)."""
    item: Dict[str, Any] = {}
    if row["id"] is not None:
        item["id"] = row["id"]
    if row["second_hand"] is not None:
        item["second_hand"] = row["second_hand"]
    events = [{"event": k, "at": row[f"{k}_at"].isoformat()} for k in ["sold", "delivered", "installed"]
              if row[f"{k}_at"] is not None]
    if row["events"] is not None:
        more = json.loads(row["events"])
        if not isinstance(more, list):
            return None
        events += more
    if events or row["events"] is not None:
        item["events"] = events
    if row["warranties"] is not None:
        try:
            item["warranties"] = json.loads(row["warranties"])
        except ValueError:
            return None
    return {"op": "expiring", "as_of": AS_OF, "within": WITHIN, "zone": "Europe/Lisbon", "items": [item]}


def expiring_table(rows: List[Dict[str, Any]]) -> pa.Table:
    cols = {k: [r[k] for r in rows] for k in rows[0]}
    return pa.table({
        "id": pa.array(cols["id"], pa.string()),
        "second_hand": pa.array(cols["second_hand"], pa.bool_()),
        **{k: pa.array(cols[k], pa.timestamp("us", tz="UTC")) for k in ["sold_at", "delivered_at", "installed_at"]},
        "events": pa.array(cols["events"], pa.string()),
        "warranties": pa.array(cols["warranties"], pa.string()),
    })


def test_expiring_arrow_over_100000_random_installed_items_equals_call_row_by_row() -> None:
    rng = random.Random(24)
    rows = [random_item(rng) for _ in range(100_000)]
    table = expiring_table(rows)
    out = warranty.expiring_arrow(table, as_of=AS_OF, within=WITHIN, zone="Europe/Lisbon")
    assert out.column_names == ["ok", "error_code", "error_path", "error_message", "count", "expiring"]
    got = out.to_pydict()
    errors = listed = 0
    for i, row in enumerate(rows):
        req = expiring_request(row)
        if req is None:
            assert got["ok"][i] is False and got["error_code"][i] == "INVALID_INPUT"
            assert got["error_path"][i] in ("events", "warranties")
            errors += 1
            continue
        want = json.loads(warranty.call(req))
        assert got["ok"][i] is want["ok"], (i, req, want)
        if want["ok"]:
            res = want["result"]
            assert got["count"][i] == res["count"]
            mine = [(e["layer"], e["kind"], e["payer"], stamp(e["end"]), e["remaining_days"]) for e in got["expiring"][i]]
            assert mine == [(e["layer"], e["kind"], e["payer"], seconds(e["end"]), e["remaining_days"])
                            for e in res["expiring"]], (i, req)
            listed += len(mine)
        else:
            errors += 1
            e = want["error"]
            assert (got["error_code"][i], got["error_path"][i], got["error_message"][i]) == \
                (e["code"], e["path"], e["message"]), (i, req)
            assert got["count"][i] is None and got["expiring"][i] is None
    assert 2_000 < errors < 20_000 and listed > 4_000
    # Dictionary-encoded layers (as Parquet's dictionary pages read them) answer the same.
    coded = table.set_column(6, "warranties", pc.dictionary_encode(table.column("warranties")))
    assert warranty.expiring_arrow(coded, as_of=AS_OF, within=WITHIN, zone="Europe/Lisbon").equals(out)


def test_a_wrong_query_is_every_row_s_error_and_a_wrong_table_a_value_error() -> None:
    rows = [r for r in (random_item(random.Random(k)) for k in range(40)) if expiring_request(r)][:20]
    table = expiring_table(rows)
    out = warranty.expiring_arrow(table, as_of="yesterday", within=WITHIN).to_pydict()
    want = json.loads(warranty.call({"op": "expiring", "as_of": "yesterday", "within": WITHIN, "items": []}))
    assert set(out["error_path"]) == {want["error"]["path"]} and not any(out["ok"])
    with pytest.raises(ValueError, match="not a column of expiring_arrow"):
        warranty.expiring_arrow(table.append_column("colour", pa.array(["red"] * 20)), as_of=AS_OF, within=WITHIN)
    with pytest.raises(ValueError, match="must be timestamps with a zone"):
        warranty.expiring_arrow(pa.table({"id": ["a"], "sold_at": pa.array([dt.datetime(2026, 1, 1)])}),
                                as_of=AS_OF, within=WITHIN)
    engine = warranty.Engine()
    sales = pa.table({"product": ["P1"], "sold_at": micros([dt.datetime(2026, 1, 1, tzinfo=UTC)])})
    # No such catalog: the row's error, as `call` gives it.
    out = engine.resolve_arrow(sales, catalog="nowhere").to_pydict()
    assert (out["ok"], out["error_path"]) == ([False], ["catalog"])
    with pytest.raises(ValueError, match="both a column and a fixed field"):
        engine.resolve_arrow(sales.append_column("zone", pa.array(["UTC"])), catalog="x", zone="UTC")
    with pytest.raises(ValueError, match="must be strings"):
        engine.resolve_arrow(pa.table({"product": [1]}), catalog="x")
    empty = engine.resolve_arrow(sales.slice(0, 0), catalog="nowhere")
    assert empty.num_rows == 0 and empty.num_columns == 8


def test_a_dictionary_key_outside_its_dictionary_never_crashes_the_batch() -> None:
    # Arrow forbids it; a producer may still hand one over (pyarrow with safe=False).
    layers = pa.DictionaryArray.from_arrays(pa.array([0, 7], pa.int32()), pa.array([json.dumps(LAYERS[0])]),
                                            safe=False)
    table = pa.table({"id": ["a", "b"], "sold_at": micros([dt.datetime(2026, 1, 1, tzinfo=UTC)] * 2),
                      "warranties": layers})
    out = warranty.expiring_arrow(table, as_of=AS_OF, within={"value": 3, "unit": "years"}).to_pydict()
    # The legal guarantee (to 2029) is within the window; the manufacturer's year ended in 2027.
    assert out["ok"] == [True, True] and out["count"] == [1, 0]
