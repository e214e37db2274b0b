#!/usr/bin/env python3
"""ERP records as the library's items, and where the ERP's own warranty dates differ.

ERPNext keeps a warranty on its `Serial No` doctype: `warranty_period` (days), and
`warranty_expiry_date` = the delivery date + that many days (a date, in the site's time zone);
`amc_expiry_date` is the maintenance contract's end, entered by hand. Odoo keeps a lot's
warranty on its repair side as a `guarantee_limit` date, and stores datetimes (the sale's
`date_order`) naive in UTC. This script maps a few such records onto `expiry` requests — the
sale instant with the shop's zone, the warranty as the duration the shop means — and prints
both ends side by side with the reason they differ. The cases are the usual ones:

- a year entered as 365 days across a 29 February (ERPNext counts days, the library a year);
- a month entered as 30 days from the 31st (the library ends on the last day of the month);
- a sale late in the evening in Tokyo, which is already the next day there, while the UTC
  date an integration copied says the day before (Odoo's naive UTC `date_order`);
- the end of the local day (`expiry: end_of_day`: the end moves to the start of the next local
  day, DESIGN.md §3) where the ERP's date means "through that day".

It checks each difference is the one it describes and prints `N passed, N failed`.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any, Dict, List, Tuple

import warranty


def erpnext_serial_no(rec: Dict[str, Any], zone: str, sold_at: str, meant: Dict[str, Any]) -> Tuple[dt.date, Dict[str, Any]]:
    """ERPNext's own expiry date, and the library's request for the same warranty."""
    theirs = rec["delivery_date"] + dt.timedelta(days=rec["warranty_period"])
    return theirs, {"start": sold_at, "duration": meant, "zone": zone}


def odoo_lot(lot: Dict[str, Any], zone: str) -> Tuple[dt.date, Dict[str, Any]]:
    """Odoo's `guarantee_limit` as an integration computed it (from the naive UTC date of the
    order), and the library's request: the same instant, read in the shop's zone."""
    utc = lot["date_order"].replace(tzinfo=dt.timezone.utc)
    theirs = utc.date() + dt.timedelta(days=lot["warranty_days"])
    return theirs, {"start": utc.isoformat(), "duration": {"value": lot["warranty_days"], "unit": "days"},
                    "zone": zone}


def main() -> int:
    cases: List[Tuple[str, dt.date, Dict[str, Any], int, str]] = []
    # 1. ERPNext: "1 year" entered as 365 days, delivered before 29 Feb 2028.
    theirs, req = erpnext_serial_no({"serial_no": "SN-1", "delivery_date": dt.date(2027, 6, 1), "warranty_period": 365},
                                    "Europe/Berlin", "2027-06-01T15:00:00+02:00", {"value": 1, "unit": "years"})
    cases.append(("ERPNext SN-1: 365 days for 1 year across 29 Feb", theirs, req, 1, "the library's year is one day longer"))
    # 2. ERPNext: "1 month" entered as 30 days from 31 January.
    theirs, req = erpnext_serial_no({"serial_no": "SN-2", "delivery_date": dt.date(2027, 1, 31), "warranty_period": 30},
                                    "Europe/Berlin", "2027-01-31T10:00:00+01:00", {"value": 1, "unit": "months"})
    cases.append(("ERPNext SN-2: 30 days for 1 month from 31 Jan", theirs, req, -2, "a calendar month from 31 Jan ends on 28 Feb"))
    # 3. Odoo: an order at 23:30 UTC is the next morning in Tokyo.
    theirs, req = odoo_lot({"name": "LOT-3", "date_order": dt.datetime(2027, 3, 31, 23, 30), "warranty_days": 90},
                           "Asia/Tokyo")
    cases.append(("Odoo LOT-3: naive UTC order date, shop in Tokyo", theirs, req, 1, "the sale is 1 Apr in Tokyo"))
    # 4. Odoo in Lisbon: 22:00 UTC is 23:00 local (summer time), still 31 March: no difference.
    theirs, req = odoo_lot({"name": "LOT-4", "date_order": dt.datetime(2027, 3, 31, 22, 0), "warranty_days": 90},
                           "Europe/Lisbon")
    cases.append(("Odoo LOT-4: 22:00 UTC is 23:00 in Lisbon", theirs, req, 0, "same local date: no difference"))
    # 5. "Through 24 May" in the ERP is, with `end_of_day`, the start of 25 May: one calendar day
    #    later as a date, the same coverage.
    theirs, req = erpnext_serial_no({"serial_no": "SN-5", "delivery_date": dt.date(2027, 5, 10), "warranty_period": 14},
                                    "Europe/Madrid", "2027-05-10T09:00:00+02:00", {"value": 2, "unit": "weeks"})
    req["expiry"] = "end_of_day"
    cases.append(("ERPNext SN-5: 14 days, end of the local day", theirs, req, 1,
                  "the library's end is the next day's 00:00: the same last day"))
    passed = failed = 0
    print(f"{'record':52} {'ERP says':12} {'library says':27} {'days':>4}  why")
    for name, theirs, req, want, why in cases:
        r = warranty.expiry(req)
        end = dt.datetime.fromisoformat(r["end"])
        local_end = end.date()
        diff = (local_end - theirs).days
        ok = diff == want
        passed += ok
        failed += not ok
        print(f"{name:52} {theirs.isoformat():12} {r['end']:27} {diff:>+4}  {why}{'' if ok else '  (UNEXPECTED)'}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
