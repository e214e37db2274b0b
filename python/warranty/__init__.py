"""warranty: is this covered, until when, and may this claim go through?

The library's rules and sync layer from Python, answering exactly what `wty call`, the C
library and the WASM module answer (PROTOCOL.md). Three ways in:

- `warranty.call(request)`: a request (JSON text or a mapping) in, the response text out,
  byte for byte the CLI's; never raises for a bad request.
- one function per operation, `warranty.coverage(policy=..., warranty=..., as_of=...)`: the
  `result` as plain Python values (numbers as `Decimal`, exact), an `ok:false` answer raised
  as `WarrantyError` (a subclass per code: `InvalidInput`, …, with `code`, `path`, `message`);
- `warranty.Engine()`: catalogs and outboxes loaded once and kept, with a method per
  operation, `call` and `call_ndjson`.

The GIL is released while the library works: threads answering their own batches run in
parallel. docs/python.md has the details.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from . import _native
from ._core import (
    ERRORS,
    arrow_table,
    typed_table,
    Internal,
    InvalidInput,
    InvalidJson,
    Request,
    TransitionRefused,
    UnknownOp,
    WarrantyError,
    answer,
    request_text,
)
from ._ops import *  # noqa: F401,F403  (one function per operation)
from ._ops import OPERATIONS, STATEFUL, _Operations

__version__: str = _native.__version__

__all__ = [
    "Engine",
    "ERRORS",
    "Internal",
    "InvalidInput",
    "InvalidJson",
    "OPERATIONS",
    "STATEFUL",
    "TransitionRefused",
    "UnknownOp",
    "WarrantyError",
    "call",
    "call_arrow",
    "call_ndjson",
    "expiring_arrow",
    *[op for op in OPERATIONS if op not in STATEFUL],
]


def call(request: Request) -> str:
    """Answers one request with a fresh engine: the response text, as `wty call` prints it."""
    return _native.call(request_text(request))


def call_ndjson(requests: str) -> str:
    """Answers an NDJSON stream through one engine: the bytes of `wty call --ndjson`."""
    return _native.call_ndjson(requests)


def call_arrow(
    op: str,
    data: Any,
    *,
    fields: Sequence[str] = (),
    json_columns: Sequence[str] = (),
    result: bool = True,
    **fixed: Any,
) -> Any:
    """Runs `op` on every row of a pyarrow table with one fresh engine (docs/python.md):
    each row is one request (`op`, the `fixed` keywords, one field per column, `item.brand`
    nested), answered as `call` would answer it. Returns a `pyarrow.Table` with the input's
    rows in order: `ok`, `error_code`, `error_path`, `error_message`, one string column per
    name in `fields` (a top-level field of the result) and `result` (its JSON text). A bad row
    gets its error in the error columns and never fails the batch; a table the library cannot
    read (a float column, say) is a `ValueError`."""
    return arrow_table(_native.call_arrow, op, data, tuple(fields), tuple(json_columns), result, fixed)


def expiring_arrow(
    data: Any,
    *,
    as_of: Any,
    within: Mapping[str, Any],
    kinds: Optional[Sequence[str]] = None,
    zone: Optional[str] = None,
    presets: Optional[Sequence[Mapping[str, Any]]] = None,
) -> Any:
    """`expiring` for every row of a pyarrow table of installed items, typed columns in and
    out (docs/python.md): `id`, `second_hand`, `sold_at`, `delivered_at`, `installed_at`,
    `events` (JSON text), `warranties` (JSON text) in; `ok`, the error columns, `count` and
    `expiring` (a list of `{layer, kind, payer, end, remaining_days}`, soonest first) out.
    Each row's answer is that of the `expiring` request the row stands for."""
    return typed_table(_native.expiring_arrow, data, {
        "as_of": as_of, "within": within, "kinds": kinds, "zone": zone, "presets": presets})


class Engine(_Operations):
    """An engine that keeps catalogs and outboxes between calls, as the C and WASM engines.
    Safe to share between threads (its calls are serialised); use one engine per thread for
    parallel work."""

    def __init__(self) -> None:
        self._native = _native.Engine()

    def call(self, request: Request) -> str:
        """Answers one request against this engine: the response text."""
        return self._native.call(request_text(request))

    def call_ndjson(self, requests: str) -> str:
        """Answers an NDJSON stream against this engine, one response line per request."""
        return self._native.call_ndjson(requests)

    def call_arrow(
        self,
        op: str,
        data: Any,
        *,
        fields: Sequence[str] = (),
        json_columns: Sequence[str] = (),
        result: bool = True,
        **fixed: Any,
    ) -> Any:
        """`warranty.call_arrow` against this engine (its catalogs: `resolve` with
        `catalog="…"` over a table of sold items)."""
        return arrow_table(self._native.call_arrow, op, data, tuple(fields), tuple(json_columns), result, fixed)

    def resolve_arrow(
        self,
        data: Any,
        *,
        catalog: str,
        zone: Optional[str] = None,
        business_unit: Optional[str] = None,
    ) -> Any:
        """`resolve` with the winner only for every row of a pyarrow table of sold items,
        against this engine's catalog `catalog`, typed columns in and out (docs/python.md):
        `product`, `product_type`, `brand`, `family`, `business_unit`, `zone`, `sold_at` in;
        `ok`, the error columns, `policy`, `matched_by`, `start`, `end` out. Each row's
        answer is that of the `resolve` request the row stands for."""
        return typed_table(self._native.resolve_arrow, data, {
            "catalog": catalog, "zone": zone, "business_unit": business_unit})

    # It keeps no state: the module's function, the same answers.
    expiring_arrow = staticmethod(expiring_arrow)

    def _run(self, op: str, request: Optional[Mapping[str, Any]], more: Mapping[str, Any]) -> Any:
        from ._core import fields

        return answer(self._native.call(request_text(fields(request, more), op)))
