"""The Python package against the CLI and the protocol (make python-test).

The vector files are those the C and Node tests use (`make c-vectors`: each request's bytes
and what `wty call` printed for them)."""

from __future__ import annotations

import json
import os
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, List, Tuple

import pytest

import warranty

ROOT = Path(__file__).resolve().parents[2]
VECTORS = Path(os.environ.get("WARRANTY_C_VECTORS", ROOT / "target" / "c" / "vectors"))


def manifest() -> List[Tuple[Path, Path, str]]:
    rows = []
    for line in (VECTORS / "manifest.txt").read_text().splitlines():
        req, cli, name = line.split(" ")
        rows.append((ROOT / req, ROOT / cli, name))
    return rows


def test_every_vector_gives_the_cli_bytes() -> None:
    rows = manifest()
    assert len(rows) > 900
    for req, cli, name in rows:
        got = warranty.call(req.read_bytes().decode("utf-8"))
        assert got + "\n" == cli.read_text(encoding="utf-8"), name


def test_the_ndjson_stream_and_the_scenarios_give_the_cli_bytes() -> None:
    stream = (VECTORS / "all.ndjson").read_text(encoding="utf-8")
    want = (VECTORS / "all.cli").read_text(encoding="utf-8")
    assert warranty.call_ndjson(stream) == want
    assert warranty.Engine().call_ndjson(stream) == want


def test_a_function_and_a_method_for_every_operation_of_version() -> None:
    ops = warranty.version()["operations"]
    assert list(warranty.OPERATIONS) == ops
    engine = warranty.Engine()
    for op in ops:
        assert callable(getattr(engine, op)), op
        if op in warranty.STATEFUL:
            assert not hasattr(warranty, op), op
        else:
            assert callable(getattr(warranty, op)), op
    assert set(warranty.STATEFUL) < set(ops)


def test_answers_are_plain_values_with_exact_numbers() -> None:
    r = warranty.warranty_life_answer(status=200, resource="products",
                                      body='{"id": "P", "msrp": 12345678901234567.25}')
    assert r["products"][0]["msrp"] == "12345678901234567.25"
    # A JSON number in an answer is a Decimal, never a float.
    assert warranty._core.answer('{"ok":true,"result":{"x":1.10,"n":3}}') == {"x": Decimal("1.10"), "n": 3}
    raw = json.loads(warranty.call('{"op":"warranty_life_page","page":1,"limit":50}'))["result"]
    assert raw["start_at"] == 50
    text = '{"op":"outbox_create","outbox":"o","seed":1}'
    e = warranty.Engine()
    assert json.loads(e.call(text))["ok"] is True


def test_keywords_mappings_decimals_and_datetimes_are_requests() -> None:
    import datetime as dt

    start = dt.datetime(2026, 1, 31, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    a = warranty.expiry(start=start, duration={"value": 1, "unit": "months"})
    b = warranty.expiry({"start": "2026-01-31T10:00:00+01:00", "duration": {"value": 1, "unit": "months"}})
    assert a == b and a["end"] == "2026-02-28T10:00:00+01:00"
    with pytest.raises(ValueError):
        warranty.expiry(start=dt.datetime(2026, 1, 31), duration={"value": 1, "unit": "months"})
    with pytest.raises(TypeError):
        warranty.expiry(op="coverage")
    item = {"customer_id": "c", "product_id": "p", "purchased_at": "2026-12-01T10:00:00Z",
            "price_paid": Decimal("12345678901234567.89"), "currency": "USD"}
    body = warranty.warranty_life_request(item=item)["body"]
    assert body["pricePaid"] == Decimal("12345678901234567.89")


def test_errors_carry_code_path_and_message_with_a_class_per_code() -> None:
    with pytest.raises(warranty.InvalidInput) as e:
        warranty.coverage(policy={"id": "P"}, warranty={"start": "x"}, as_of="2026-01-01T00:00:00Z")
    assert e.value.code == "INVALID_INPUT" and e.value.path.startswith(("policy", "warranty"))
    assert isinstance(e.value, warranty.WarrantyError) and e.value.message
    with pytest.raises(warranty.UnknownOp):
        warranty.Engine().call_ndjson("")  # nothing to answer is not an error
        warranty._core.answer(warranty.call('{"op":"nope"}'))
    with pytest.raises(warranty.InvalidJson) as j:
        warranty._core.answer(warranty.call("{"))
    assert j.value.path == ""
    assert set(warranty.ERRORS) == {"INVALID_JSON", "UNKNOWN_OP", "INVALID_INPUT", "TRANSITION_REFUSED", "INTERNAL"}
    # A bad request never raises from `call`: the answer is the envelope.
    assert json.loads(warranty.call("[]"))["ok"] is False


def test_an_engine_keeps_its_catalogs() -> None:
    policy = {"id": "P-2Y", "duration": {"value": 2, "unit": "years"}, "covers": [{"brand": "X"}]}
    e = warranty.Engine()
    e.load_catalog(name="shop", policies=[policy])
    assert e.list_catalogs()["catalogs"] == [{"name": "shop", "policies": 1}]
    got = e.resolve(catalog="shop", item={"brand": "X"}, sold_at="2026-11-20T10:00:00Z", candidates="none")
    assert (got["policy"], got["candidates"]) == ("P-2Y", [])
    with pytest.raises(warranty.InvalidInput) as err:
        warranty.Engine().resolve(catalog="shop", item={"brand": "X"}, sold_at="2026-11-20T10:00:00Z")
    assert err.value.path == "catalog"


def test_the_gil_is_released_while_rust_works() -> None:
    # A long batch in a thread; the main thread keeps running Python meanwhile. With the GIL
    # held for the whole batch the counter could not move until the batch is over.
    stream = (VECTORS / "all.ndjson").read_text(encoding="utf-8") * 20
    done = threading.Event()
    result: List[Any] = []

    def work() -> None:
        result.append(warranty.call_ndjson(stream))
        done.set()

    t = threading.Thread(target=work)
    ticks = 0
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    t.join()
    assert result and result[0].count("\n") == stream.count("\n")
    assert ticks > 100, ticks
