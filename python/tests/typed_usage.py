"""Checked by `mypy --strict` (make python-test): the package's types as a host uses them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

import warranty

text: str = warranty.call({"op": "version"})
lines: str = warranty.call_ndjson('{"op":"version"}\n')
result: Any = warranty.coverage(policy={}, warranty={}, as_of="2026-01-01T00:00:00Z")
engine = warranty.Engine()
loaded: Any = engine.load_catalog({"name": "shop", "policies": []})
answered: str = engine.call('{"op":"list_catalogs"}')
try:
    warranty.expiry(start="2026-01-01T00:00:00Z", duration={"value": 1, "unit": "years"})
except warranty.InvalidInput as e:
    where: str = e.path
    code: str = e.code
except warranty.WarrantyError as e:
    message: str = e.message
errors: Dict[str, type] = dict(warranty.ERRORS)
amount: Decimal = Decimal("1.50")
warranty.warranty_life_request(item={"price_paid": amount})
ops: tuple[str, ...] = warranty.OPERATIONS
answers: Any = warranty.call_arrow("expiry", {"start": ["2026-01-01T00:00:00Z"]}, fields=["end"],
                                   duration={"value": 1, "unit": "years"})
resolved: Any = engine.call_arrow("resolve", answers, catalog="shop", json_columns=["item"])
sold: Any = engine.resolve_arrow({"product": ["P1"]}, catalog="shop", zone="Europe/Lisbon")
due: Any = warranty.expiring_arrow({"id": ["IT-1"]}, as_of="2027-06-01T09:00:00Z",
                                   within={"value": 30, "unit": "days"}, kinds=["manufacturer"])
