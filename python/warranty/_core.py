"""The Python layer's plumbing: request text, answers, errors. Not public: import from
`warranty`."""

from __future__ import annotations

import datetime as _dt
import json
from decimal import Decimal
from typing import Any, Callable, Dict, Mapping, Optional, Type, Union

Request = Union[str, Mapping[str, Any]]


class WarrantyError(Exception):
    """An `ok:false` answer: `code` (e.g. `INVALID_INPUT`), `path` (the request field at
    fault, `""` for the whole request) and `message`, as every binding reports them
    (PROTOCOL.md). Each code has its subclass (`InvalidInput`, …); catch `WarrantyError` for
    all of them."""

    code: str
    path: str
    message: str

    def __init__(self, code: str, path: str, message: str) -> None:
        super().__init__(f"{code} at `{path}`: {message}")
        self.code = code
        self.path = path
        self.message = message


class InvalidJson(WarrantyError):
    """`INVALID_JSON`: the request is not JSON (or not UTF-8)."""


class UnknownOp(WarrantyError):
    """`UNKNOWN_OP`: `op` is missing or names no operation."""


class InvalidInput(WarrantyError):
    """`INVALID_INPUT`: a field is missing, of the wrong type, out of range, unknown, or not a
    real date or zone."""


class TransitionRefused(WarrantyError):
    """`TRANSITION_REFUSED`: a claim transition the lifecycle or the role matrix refuses."""


class Internal(WarrantyError):
    """`INTERNAL`: a bug in the library, not in the request; please report the request."""


ERRORS: Dict[str, Type[WarrantyError]] = {
    "INVALID_JSON": InvalidJson,
    "UNKNOWN_OP": UnknownOp,
    "INVALID_INPUT": InvalidInput,
    "TRANSITION_REFUSED": TransitionRefused,
    "INTERNAL": Internal,
}


def _plain(o: object) -> object:
    # Amounts are decimal strings in the protocol; instants carry their offset.
    if isinstance(o, Decimal):
        if not o.is_finite():
            raise ValueError(f"{o} is not an amount")
        return format(o, "f")
    if isinstance(o, _dt.datetime):
        if o.tzinfo is None or o.utcoffset() is None:
            raise ValueError(f"{o!r} has no UTC offset: the protocol's instants carry one")
        return o.isoformat()
    if isinstance(o, _dt.date):
        return o.isoformat()
    raise TypeError(f"{type(o).__name__} is not JSON")


def request_text(request: Request, op: Optional[str] = None) -> str:
    """The request as the JSON text the library reads. A `str` is sent as it is; a mapping is
    written compactly, `Decimal` as its digits (a string), `datetime` (with an offset) and
    `date` in ISO 8601."""
    if isinstance(request, str):
        if op is not None:
            raise TypeError("give the operation's fields as a mapping or keywords, not text")
        return request
    body: Dict[str, Any] = dict(request)
    if op is not None:
        body = {"op": op, **body}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_plain)


def answer(text: str) -> Any:
    """The `result` of a response, numbers read exactly (`Decimal`); raises the
    `WarrantyError` subclass of an `ok:false` answer."""
    v = json.loads(text, parse_float=Decimal)
    if v.get("ok") is True:
        return v.get("result")
    e = v.get("error") or {}
    code = str(e.get("code", "INTERNAL"))
    raise ERRORS.get(code, WarrantyError)(code, str(e.get("path", "")), str(e.get("message", "")))


def fields(request: Optional[Mapping[str, Any]], more: Mapping[str, Any]) -> Dict[str, Any]:
    """A request's fields from a mapping and keywords (keywords win)."""
    out: Dict[str, Any] = dict(request or {})
    out.update(more)
    if "op" in out:
        raise TypeError("the operation is the function's name: leave `op` out")
    return out


Caller = Callable[[str], str]


# Rows per native call: the answers' buffers of a batch this size stay in the allocator's
# heap between calls (a batch of millions of rows would map fresh pages every call, which
# threads of one process wait on each other for).
BATCH_ROWS = 65_536


def arrow_table(
    native_call: Callable[..., Any],
    op: str,
    data: Any,
    fields: "tuple[str, ...] | list[str]",
    json_columns: "tuple[str, ...] | list[str]",
    result: bool,
    fixed: Mapping[str, Any],
) -> Any:
    """Runs `op` on every row of a pyarrow table (or record batch, or anything
    `pyarrow.table` takes) through `native_call`; returns the answers as a `pyarrow.Table`
    with exactly the input's rows, in order."""
    import pyarrow as pa

    if "op" in fixed:
        raise TypeError("the operation is the first argument: leave `op` out")
    table = data if isinstance(data, pa.Table) else pa.table(data)
    batches = table.to_batches(max_chunksize=BATCH_ROWS) or [pa.RecordBatch.from_pylist([], schema=table.schema)]
    fixed_text = json.dumps(dict(fixed), ensure_ascii=False, separators=(",", ":"), default=_plain)
    out = []
    for batch in batches:
        schema_capsule, array_capsule = batch.__arrow_c_array__()
        s, a = native_call(op, schema_capsule, array_capsule, fixed_text, list(fields),
                           list(json_columns), result)
        out.append(pa.RecordBatch._import_from_c_capsule(s, a))
    return pa.Table.from_batches(out)


def typed_table(native_call: Callable[..., Any], data: Any, fixed: Mapping[str, Any]) -> Any:
    """Runs a typed batch function (`resolve_arrow`, `expiring_arrow`) on every record batch
    of a pyarrow table; the answers as one `pyarrow.Table` with the input's rows, in order.
    Fixed fields given as `None` are left out."""
    import pyarrow as pa

    table = data if isinstance(data, pa.Table) else pa.table(data)
    batches = table.to_batches(max_chunksize=BATCH_ROWS) or [pa.RecordBatch.from_pylist([], schema=table.schema)]
    given = {k: v for k, v in fixed.items() if v is not None}
    fixed_text = json.dumps(given, ensure_ascii=False, separators=(",", ":"), default=_plain)
    out = []
    for batch in batches:
        schema_capsule, array_capsule = batch.__arrow_c_array__()
        s, a = native_call(schema_capsule, array_capsule, fixed_text)
        out.append(pa.RecordBatch._import_from_c_capsule(s, a))
    return pa.Table.from_batches(out)
