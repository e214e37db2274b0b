"""Property tests with Hypothesis (make python-test): batches (generic and typed) answer as
`call`, an expiry never ends before its start nor an expiring layer before the report's
instant, and `resolve` orders candidates as PROTOCOL.md says. Derandomized, so
a run is the same run every time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

import warranty

UTC = dt.timezone.utc
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)
UNITS = ["days", "weeks", "months", "years"]
ZONES = ["Europe/Lisbon", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "UTC"]
instants = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 12, 31),
                        timezones=st.just(UTC))


@SETTINGS
@given(st.lists(st.tuples(instants, st.integers(min_value=0, max_value=400), st.sampled_from(UNITS),
                          st.one_of(st.none(), st.sampled_from(ZONES))), min_size=1, max_size=40))
def test_a_batch_answers_every_row_as_call(rows: List[Tuple[dt.datetime, int, str, Optional[str]]]) -> None:
    table = pa.table({"start": pa.array([r[0] for r in rows], pa.timestamp("us", tz="UTC")),
                      "duration.value": pa.array([r[1] for r in rows], pa.int64()),
                      "duration.unit": [r[2] for r in rows],
                      "zone": [r[3] for r in rows]})
    out = warranty.call_arrow("expiry", table).to_pydict()
    assert len(out["ok"]) == len(rows)
    for i, (start, value, unit, zone) in enumerate(rows):
        req: Dict[str, Any] = {"op": "expiry", "start": start.isoformat(), "duration": {"value": value, "unit": unit}}
        if zone is not None:
            req["zone"] = zone
        want = json.loads(warranty.call(req))
        assert out["ok"][i] is want["ok"]
        if want["ok"]:
            assert json.loads(out["result"][i]) == want["result"]
        else:
            assert (out["error_code"][i], out["error_path"][i]) == (want["error"]["code"], want["error"]["path"])


@SETTINGS
@given(instants, st.integers(min_value=0, max_value=1000), st.sampled_from(UNITS), st.sampled_from(ZONES))
def test_an_expiry_never_ends_before_its_start(start: dt.datetime, value: int, unit: str, zone: str) -> None:
    try:
        r = warranty.expiry(start=start, duration={"value": value, "unit": unit}, zone=zone)
    except warranty.InvalidInput:
        return  # past year 9999: refused, never wrapped
    end = dt.datetime.fromisoformat(r["end"])
    # Answers write instants to the second (PROTOCOL.md): compare with the start as written.
    assert end >= start.replace(microsecond=0)
    assert r["days"] >= 0


KINDS = ["product", "product_type", "brand", "family"]
policy = st.fixed_dictionaries({
    "kind": st.sampled_from(KINDS), "key": st.sampled_from(["A", "B"]),
    "from": st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
    "number": st.sampled_from(["001", "002", "010"]),
})


@SETTINGS
@given(st.lists(policy, min_size=1, max_size=25), st.sampled_from(["A", "B"]))
def test_resolve_orders_candidates_as_the_protocol_says(specs: List[Dict[str, Any]], key: str) -> None:
    base = dt.datetime(2020, 1, 1, tzinfo=UTC)
    policies = []
    for i, p in enumerate(specs):
        q: Dict[str, Any] = {"id": f"P{i:02}", "number": p["number"], "duration": {"value": 1, "unit": "years"},
                             "covers": [{p["kind"]: p["key"]}]}
        if p["from"] is not None:
            q["effective_from"] = (base + dt.timedelta(days=30 * p["from"])).isoformat()
        policies.append(q)
    item = {k: key for k in KINDS}
    sold = base + dt.timedelta(days=100)
    r = warranty.resolve(policies=policies, item=item, sold_at=sold)
    # The protocol's order: specificity, later effective_from first (null last), number, id.
    def order(i: int) -> Tuple[int, int, float, str, str]:
        p = specs[i]
        frm = p["from"]
        return (KINDS.index(p["kind"]), frm is None, -(frm if frm is not None else 0), p["number"], f"P{i:02}")

    applicable = [i for i, p in enumerate(specs) if p["key"] == key and (p["from"] is None or 30 * p["from"] <= 100)]
    want = [f"P{i:02}" for i in sorted(applicable, key=order)]
    assert [c["policy"] for c in r["candidates"]] == want
    assert r["policy"] == (want[0] if want else None)


VALID_LAYERS = [
    [{"id": "legal", "kind": "statutory", "jurisdiction": j}] for j in ["PT", "ES", "DE", "FR", "SE", "NL"]
] + [
    [{"id": "mfr", "kind": "manufacturer", "terms": {"id": "M", "duration": {"value": v, "unit": u}}},
     {"id": "ext", "kind": "extended", "starts_on": {"after": "mfr"},
      "terms": {"id": "X", "duration": {"value": 1, "unit": "years"}}}]
    for v in (6, 18, 30) for u in ("weeks", "months")
]
installed = st.tuples(instants, st.sampled_from(range(len(VALID_LAYERS))), st.booleans())


@SETTINGS
@given(st.lists(installed, min_size=1, max_size=30), instants, st.integers(min_value=1, max_value=400),
       st.sampled_from(ZONES))
def test_a_typed_expiring_batch_answers_as_call_and_never_before_as_of(
        items: List[Tuple[dt.datetime, int, bool]], as_of: dt.datetime, days: int, zone: str) -> None:
    layers = [json.dumps(VALID_LAYERS[k]) for _, k, _ in items]
    table = pa.table({"id": [f"I{i}" for i in range(len(items))],
                      "second_hand": [s for _, _, s in items],
                      "sold_at": pa.array([t for t, _, _ in items], pa.timestamp("us", tz="UTC")),
                      "warranties": layers})
    within = {"value": days, "unit": "days"}
    out = warranty.expiring_arrow(table, as_of=as_of, within=within, zone=zone).to_pydict()
    for i, (sold, k, second) in enumerate(items):
        req = {"op": "expiring", "as_of": as_of.isoformat(), "within": within, "zone": zone,
               "items": [{"id": f"I{i}", "second_hand": second, "events": [{"event": "sold", "at": sold.isoformat()}],
                          "warranties": VALID_LAYERS[k]}]}
        want = json.loads(warranty.call(req))
        assert out["ok"][i] is want["ok"]
        if not want["ok"]:
            assert (out["error_code"][i], out["error_path"][i]) == (want["error"]["code"], want["error"]["path"])
            continue
        assert out["count"][i] == want["result"]["count"]
        for e, w in zip(out["expiring"][i], want["result"]["expiring"]):
            assert (e["layer"], e["remaining_days"]) == (w["layer"], w["remaining_days"])
            assert e["end"] == dt.datetime.fromisoformat(w["end"])
            # Within the window, never before the report's instant (to the second).
            assert e["end"] >= as_of.replace(microsecond=0) and e["remaining_days"] >= 0
