"""Vectors for coverage stacks (docs/stacks.md): `stack_coverage`, `expiring`,
`statutory_presets`.

Expected answers come from an independent Python model of the rules in docs/stacks.md,
written on the time model of make_vectors.py (zoneinfo), not from the Rust code. The preset
table below is typed from the legal sources listed in docs/stacks.md.
"""
import json
from datetime import date, timedelta, timezone

T = None  # the time model (make_vectors' functions), set by add()

PRESETS_VERSION = "2026-12-06"
EU_FROM = "2022-01-01"
R2R_FROM = "2026-07-31"
ART_10_2A = "Directive (EU) 2019/771, Art. 10(2a), inserted by Directive (EU) 2024/1799 (right to repair)"


def row(j, rule, dur, max_repairs, frm, ref, condition=None):
    r = {"jurisdiction": j, "rule": rule}
    if dur:
        r["duration"] = {"value": dur[0], "unit": dur[1]}
    if max_repairs is not None:
        r["max_repairs"] = max_repairs
    if condition:
        r["condition"] = condition
    r["from"] = frm
    r["reference"] = ref
    return r


CHOSE = "consumer_chose_repair"
PRESETS = [
    row("EU", "period", (2, "years"), None, EU_FROM, "Directive (EU) 2019/771, Art. 10(1)"),
    row("EU", "burden", (1, "years"), None, EU_FROM, "Directive (EU) 2019/771, Art. 11(1)"),
    row("EU", "repair_extension", (12, "months"), 1, R2R_FROM, ART_10_2A, CHOSE),
    row("ES", "period", (3, "years"), None, EU_FROM, "Real Decreto Legislativo 1/2007 (TRLGDCU), art. 120.1, as amended by Real Decreto-ley 7/2021"),
    row("ES", "burden", (2, "years"), None, EU_FROM, "TRLGDCU, art. 121"),
    row("ES", "second_hand_floor", (1, "years"), None, EU_FROM, "TRLGDCU, art. 120.1, second paragraph"),
    row("ES", "repair_suspension", None, None, EU_FROM, "TRLGDCU, art. 119 ter (the repair suspends the period)"),
    row("ES", "returned_grace", (1, "years"), None, EU_FROM, "TRLGDCU, art. 119 ter (one year for the defect that was repaired)", "after_repair"),
    row("ES", "repair_extension", (12, "months"), 1, R2R_FROM, ART_10_2A, CHOSE),
    row("PT", "period", (3, "years"), None, EU_FROM, "Decreto-Lei n.º 84/2021, art. 12.º, n.º 1"),
    row("PT", "burden", (2, "years"), None, EU_FROM, "Decreto-Lei n.º 84/2021, art. 13.º, n.º 1"),
    row("PT", "second_hand_floor", (18, "months"), None, EU_FROM, "Decreto-Lei n.º 84/2021, art. 12.º (used goods: 18 months by agreement)"),
    row("PT", "repair_extension", (6, "months"), 4, EU_FROM, "Decreto-Lei n.º 84/2021, art. 18.º, n.º 4", CHOSE),
    row("PT", "replacement_restart", None, None, EU_FROM, "Decreto-Lei n.º 84/2021, art. 18.º (the substitute goods)"),
    row("PT", "repair_extension", (12, "months"), 1, R2R_FROM, ART_10_2A, CHOSE),
    row("FR", "period", (2, "years"), None, EU_FROM, "Code de la consommation, art. L217-3"),
    row("FR", "burden", (24, "months"), None, EU_FROM, "Code de la consommation, art. L217-7"),
    row("FR", "second_hand_burden", (12, "months"), None, EU_FROM, "Code de la consommation, art. L217-7"),
    row("FR", "repair_extension", (6, "months"), None, EU_FROM, "Code de la consommation, art. L217-13, first paragraph"),
    row("FR", "replacement_restart", None, None, EU_FROM, "Code de la consommation, art. L217-13, second paragraph", "instead_of_repair"),
    row("FR", "repair_extension", (12, "months"), 1, R2R_FROM, ART_10_2A, CHOSE),
    row("DE", "period", (2, "years"), None, EU_FROM, "BGB § 438(1) Nr. 3"),
    row("DE", "burden", (1, "years"), None, EU_FROM, "BGB § 477(1)"),
    row("DE", "second_hand_floor", (1, "years"), None, EU_FROM, "BGB § 476(2)"),
    row("DE", "returned_grace", (2, "months"), None, EU_FROM, "BGB § 475e(4)"),
    row("DE", "repair_extension", (12, "months"), 1, R2R_FROM, ART_10_2A, CHOSE),
    row("SE", "period", (3, "years"), None, "2022-05-01", "Konsumentköplag (2022:260): complaint within three years of receipt"),
    row("SE", "burden", (2, "years"), None, "2022-05-01", "Konsumentköplag (2022:260): defect within two years presumed at delivery"),
    row("SE", "repair_extension", (12, "months"), 1, R2R_FROM, ART_10_2A, CHOSE),
    row("UK", "open_period", (6, "years"), None, "2015-10-01", "Consumer Rights Act 2015, ss. 9-10 and 19; Limitation Act 1980, s. 5 (England and Wales)"),
    row("UK", "burden", (6, "months"), None, "2015-10-01", "Consumer Rights Act 2015, s. 19(14)-(15)"),
    row("NL", "open_period", None, None, EU_FROM, "Burgerlijk Wetboek, art. 7:17"),
    row("NL", "burden", (12, "months"), None, EU_FROM, "Burgerlijk Wetboek, art. 7:18(2)"),
    row("NL", "repair_extension", (12, "months"), 1, R2R_FROM, ART_10_2A, CHOSE),
]

REVIEW = {"USAGE_UNKNOWN", "REASON_UNDECIDED", "START_EVENT_MISSING", "NO_STATUTORY_RULE",
          "COMPONENT_UNKNOWN", "REPAIRED_DEFECT_ONLY", "BURDEN_ON_CONSUMER", "NO_FIXED_PERIOD"}
CODE_ORDER = ["NOT_UNDER_WARRANTY", "NOT_STARTED", "EXPIRED", "USAGE_LIMIT_EXCEEDED", "USAGE_UNKNOWN",
              "REASON_NOT_SUPPORTED", "REASON_EXCLUDED", "REASON_UNDECIDED", "REPLACEMENT_NOT_COVERED",
              "NO_POLICY_MATCH", "START_EVENT_MISSING", "NO_STATUTORY_RULE", "ATTACHED_AFTER_FAILURE",
              "VOIDED", "TRANSFERRED", "COMPONENT_NOT_IN_SCOPE", "COMPONENT_UNKNOWN",
              "NOT_A_LACK_OF_CONFORMITY", "REPAIRED_DEFECT_ONLY", "BURDEN_ON_CONSUMER", "NO_FIXED_PERIOD"]
KINDS = ["sold", "delivered", "installed", "repaired", "replaced", "voided", "transferred"]
PAYER = {"statutory": "seller", "seller": "seller", "manufacturer": "manufacturer", "extended": "plan_provider"}
RANK = {"manufacturer": 0, "seller": 1, "extended": 2, "statutory": 3}


def outcome(codes):
    if any(c not in REVIEW for c in codes):
        return "not_covered"
    return "needs_review" if codes else "covered"


class Model:
    """The rules of docs/stacks.md, applied to one item in one calendar."""

    def __init__(self, item, cal, overrides=()):
        self.item = item
        self.cal = cal
        self.rows = [r for r in PRESETS if r["jurisdiction"] not in {o["jurisdiction"] for o in overrides}]
        self.rows += list(overrides)

        def opt(x):
            return (x is not None, x or "")

        def key(e):
            return (T.parse(e["at"]).timestamp(), KINDS.index(e["event"]), opt(e.get("under")),
                    opt(T.parse(e["returned_at"]).timestamp() if "returned_at" in e else None),
                    opt(T.parse(e["requested_at"]).timestamp() if "requested_at" in e else None),
                    e.get("instead_of_repair", False), e.get("instead_of_replacement", False), opt(e.get("reason")), opt(e.get("layer")),
                    opt(e.get("component")), opt(e.get("to")))
        self.events = sorted(item.get("events", []), key=key)
        self.layers = {w["id"]: w for w in item.get("warranties", [])}
        self.memo = {}

    def first(self, kind):
        for e in self.events:
            if e["event"] == kind:
                return T.parse(e["at"])
        return None

    def add(self, t, d):
        return T.add(t, d["value"], d["unit"], self.cal)

    def in_force(self, j, rule, sold):
        rows = [r for r in self.rows if r["jurisdiction"] == j and r["rule"] == rule
                and date.fromisoformat(r["from"]) <= sold
                and ("until" not in r or sold < date.fromisoformat(r["until"]))]
        return rows

    def latest(self, j, rule, sold):
        rows = self.in_force(j, rule, sold)
        return max(rows, key=lambda r: r["from"]) if rows else None

    def timeline(self, lid):
        if lid not in self.memo:
            w = self.layers[lid]
            self.memo[lid] = self.statutory(w) if w["kind"] == "statutory" else self.commercial(w)
        return self.memo[lid]

    def commercial(self, w):
        terms = w["terms"]
        t = {"voided": None, "transferred": None, "no_warranty": None}
        for e in self.events:
            if e["event"] == "voided" and e.get("layer", w["id"]) == w["id"] and t["voided"] is None:
                t["voided"] = T.parse(e["at"])
        if not w.get("transferable", True):
            t["transferred"] = self.first("transferred")
        so = w.get("starts_on", "sold")
        start = self.timeline(so["after"])["end"] if isinstance(so, dict) else self.first(so)
        if start is None:
            t["missing"] = "START_EVENT_MISSING"
            return t
        end = T.expiry(start, terms["duration"]["value"], terms["duration"]["unit"],
                       terms.get("expiry", "exact"), self.cal)
        for e in self.events:
            if e["event"] != "replaced":
                continue
            req = T.parse(e.get("requested_at", e["at"]))
            issued = T.parse(e["at"])
            stopped = any(x is not None and x <= req for x in (t["voided"], t["transferred"], t["no_warranty"]))
            if req < start or req >= end or stopped:
                continue
            mode = terms.get("replacement", "no_warranty")
            for r in terms.get("reasons", []):
                if r["id"] == e.get("reason") and r.get("replacement"):
                    mode = r["replacement"]
            if mode == "carry_over":
                left = max(T.days(req, end, self.cal), 0)
                d = T.local(issued, self.cal).date() + timedelta(days=left)
                naive = T.local(end, self.cal).replace(year=d.year, month=d.month, day=d.day, tzinfo=None)
                end = T.local(T.resolve(naive, self.cal, end.utcoffset()), self.cal)
            elif mode == "apply_new":
                end = T.expiry(issued, terms["duration"]["value"], terms["duration"]["unit"],
                               terms.get("expiry", "exact"), self.cal)
            else:
                t["no_warranty"] = issued
                end = issued
        t["start"], t["end"] = start, end
        return t

    def statutory(self, w):
        j = w["jurisdiction"]
        start = self.first("delivered") or self.first("sold")
        if start is None:
            return {"missing": "START_EVENT_MISSING"}
        sold = T.local(self.first("sold") or start, self.cal).date()
        cands = [r for r in (self.latest(j, "period", sold), self.latest(j, "open_period", sold)) if r]
        if not cands:
            return {"missing": "NO_STATUTORY_RULE", "start": start}
        period = max(cands, key=lambda r: r["from"])
        second = self.item.get("second_hand", False)
        burden_row = (second and self.latest(j, "second_hand_burden", sold)) or self.latest(j, "burden", sold)
        floor = self.latest(j, "second_hand_floor", sold)

        def run(frm):
            end = self.add(frm, period["duration"]) if "duration" in period else None
            if end is not None and second and "agreed_period" in w and floor:
                end = min(max(self.add(frm, w["agreed_period"]), self.add(frm, floor["duration"])), end)
            burden = self.add(frm, burden_row["duration"]) if burden_row else None
            if burden is not None and end is not None:
                burden = min(burden, end)
            return end, burden

        base, burden = run(start)
        end, grace, repairs, chosen, pstart = base, None, 0, 0, start
        ext_rows = self.in_force(j, "repair_extension", sold)
        restart = self.latest(j, "replacement_restart", sold)
        grace_row = self.latest(j, "returned_grace", sold)
        suspension = self.latest(j, "repair_suspension", sold)
        for e in self.events:
            if e["event"] not in ("repaired", "replaced") or e.get("under") != w["id"]:
                continue
            at = T.parse(e["at"])
            limit = max([x for x in (end, grace) if x is not None], default=None)
            if at < pstart or (limit is not None and at >= limit):
                continue
            back = T.parse(e.get("returned_at", e["at"]))
            repaired = e["event"] == "repaired"
            if not repaired and restart and (restart.get("condition") != "instead_of_repair"
                                             or e.get("instead_of_repair")):
                pstart = back
                base, b2 = run(pstart)
                repairs = chosen = 0
                end = max(end, base) if end is not None and base is not None else (end or base)
                burden = max(burden, b2) if burden is not None and b2 is not None else (burden or b2)
            if repaired and suspension and back > at:
                away = back - at  # exact elapsed time: both are fixed-offset instants

                def shift(x):
                    return None if x is None else x.astimezone(timezone.utc) + away
                base, end = shift(base), shift(end)
            if repaired:
                repairs += 1
                chosen += 0 if e.get("instead_of_replacement") else 1
                if base is not None:
                    for r in ext_rows:
                        counted = chosen if r.get("condition") == CHOSE else repairs
                        n = counted if r.get("max_repairs") is None else min(counted, r["max_repairs"])
                        if n == 0:
                            continue
                        ext = self.add(base, {"value": r["duration"]["value"] * n, "unit": r["duration"]["unit"]})
                        if ext > end:
                            end = ext
            if grace_row and end is not None and (grace_row.get("condition") != "after_repair" or repaired):
                g = self.add(back, grace_row["duration"])
                if g > max(end, grace or end):
                    grace = g
        return {"start": start, "end": end, "burden": burden, "open": period["rule"] == "open_period",
                "grace": grace if grace is not None and end is not None and grace > end else None}

    def judge(self, w, failure, reason=None, component=None, usage=None):
        t = self.timeline(w["id"])
        codes = []
        reversed_ = None
        if t.get("missing"):
            codes.append(t["missing"])
        elif w["kind"] == "statutory":
            s, e = t["start"], t["end"]
            if failure < s:
                codes.append("NOT_STARTED")
            elif e is not None and failure >= e:
                codes.append("REPAIRED_DEFECT_ONLY" if t["grace"] and failure < t["grace"] else "EXPIRED")
            elif t["burden"] is None or failure >= t["burden"]:
                codes.append("NO_FIXED_PERIOD" if t["open"] else "BURDEN_ON_CONSUMER")
            if reason is not None and reason in w.get("excluded_reasons", []):
                codes.append("NOT_A_LACK_OF_CONFORMITY")
            reversed_ = (s <= failure and (e is None or failure < e)
                         and t["burden"] is not None and failure < t["burden"])
        else:
            terms = w["terms"]
            if failure < t["start"]:
                codes.append("NOT_STARTED")
            elif failure >= t["end"]:
                codes.append("EXPIRED")
            cap = terms.get("usage_limit")
            if cap:
                if usage is None:
                    codes.append("USAGE_UNKNOWN")
                elif float(usage) - float(w.get("usage_at_start", "0")) > float(cap["limit"]):
                    codes.append("USAGE_LIMIT_EXCEEDED")
            if reason is not None:
                listed = [r for r in terms.get("reasons", []) if r["id"] == reason]
                if not listed:
                    codes.append("REASON_NOT_SUPPORTED")
                elif listed[0]["provides_coverage"] is False:
                    codes.append("REASON_EXCLUDED")
                elif listed[0]["provides_coverage"] is None:
                    codes.append("REASON_UNDECIDED")
            for k, code in (("no_warranty", "REPLACEMENT_NOT_COVERED"), ("voided", "VOIDED"),
                            ("transferred", "TRANSFERRED")):
                if t[k] is not None and failure >= t[k]:
                    codes.append(code)
        if "attached_at" in w and T.parse(w["attached_at"]) > failure:
            codes.append("ATTACHED_AFTER_FAILURE")
        if w.get("components"):
            if component is None:
                codes.append("COMPONENT_UNKNOWN")
            elif component not in w["components"]:
                codes.append("COMPONENT_NOT_IN_SCOPE")
        codes = sorted(set(codes), key=CODE_ORDER.index)
        out = {"id": w["id"], "kind": w["kind"], "payer": PAYER[w["kind"]], "outcome": outcome(codes),
               "codes": codes}
        start, end = t.get("start"), t.get("end")
        out["start"] = T.render(T.local(start, self.cal)) if start else None
        out["end"] = T.render(T.local(end, self.cal)) if end else None
        out["remaining_days"] = None if end is None else (0 if failure >= end else max(T.days(failure, end, self.cal), 0))
        if w["kind"] == "statutory":
            if t.get("grace"):
                out["grace_end"] = T.render(T.local(t["grace"], self.cal))
            if t.get("burden"):
                out["burden_end"] = T.render(T.local(t["burden"], self.cal))
            if reversed_ is not None:
                out["burden_reversed"] = reversed_
        return out


def stack_answer(req):
    failure = T.parse(req["failure_at"])
    cal = T.cal_of(req.get("zone"), failure)
    m = Model(req["item"], cal, req.get("presets", []))
    ws = req["item"].get("warranties", [])
    layers = [m.judge(w, failure, req.get("reason"), req.get("component"), req.get("usage")) for w in ws]
    order = sorted(range(len(ws)), key=lambda i: (RANK[ws[i]["kind"]], not ws[i].get("components")))
    chosen = next((i for i in order if layers[i]["outcome"] == "covered"), None)
    if chosen is None:
        chosen = next((i for i in order if layers[i]["outcome"] == "needs_review"), None)
    return {
        "item": req["item"]["id"],
        "failure_at": T.render(T.local(failure, cal)),
        "outcome": layers[chosen]["outcome"] if chosen is not None else "not_covered",
        "answered_by": ws[chosen]["id"] if chosen is not None else None,
        "payer": layers[chosen]["payer"] if chosen is not None else None,
        "burden_reversed": any(l.get("burden_reversed") for l in layers),
        "layers": layers,
    }


def expiring_answer(req):
    as_of = T.parse(req["as_of"])
    cal = T.cal_of(req.get("zone"), as_of)
    until = T.expiry(as_of, req["within"]["value"], req["within"]["unit"], "exact", cal)
    found = []
    for item in req["items"]:
        m = Model(item, cal, req.get("presets", []))
        for w in item.get("warranties", []):
            if req.get("kinds") and w["kind"] not in req["kinds"]:
                continue
            t = m.timeline(w["id"])
            end = t.get("end")
            gone = any(t.get(k) is not None and t[k] <= as_of for k in ("voided", "transferred", "no_warranty"))
            if t.get("missing") or end is None or gone or end < as_of or end >= until:
                continue
            found.append((end.timestamp(), item["id"], w["id"], {
                "item": item["id"], "layer": w["id"], "kind": w["kind"], "payer": PAYER[w["kind"]],
                "end": T.render(T.local(end, cal)), "remaining_days": max(T.days(as_of, end, cal), 0)}))
    found.sort(key=lambda x: x[:3])
    return {"until": T.render(T.local(until, cal)), "count": len(found), "expiring": [f[3] for f in found]}


# ---- fixtures ---------------------------------------------------------------------------------

TV_TERMS = {"id": "TV-1Y", "duration": {"value": 1, "unit": "years"}, "replacement": "carry_over",
            "reasons": [{"id": "DEFECT", "provides_coverage": True}, {"id": "DROP", "provides_coverage": False},
                        {"id": "SURGE", "provides_coverage": None},
                        {"id": "DOA", "provides_coverage": True, "replacement": "apply_new"},
                        {"id": "FRAUD", "provides_coverage": True, "replacement": "no_warranty"}]}


def legal(j, **kw):
    w = {"id": "legal", "kind": "statutory", "jurisdiction": j}
    w.update(kw)
    return w


def mfr(terms=None, **kw):
    w = {"id": "MFR", "kind": "manufacturer", "terms": terms or TV_TERMS}
    w.update(kw)
    return w


def item(warranties, events, **kw):
    it = {"id": "TV-1", "serial": "SN1", "brand": "Philips", "events": events, "warranties": warranties}
    it.update(kw)
    return it


def ev(kind, at, **kw):
    e = {"event": kind, "at": at}
    e.update(kw)
    return e


SOLD = ev("sold", "2026-08-03T10:00:00+01:00")
DELIV = ev("delivered", "2026-08-05T10:00:00+01:00")
SOLD_2025 = ev("sold", "2025-03-20T10:00:00+00:00")
DELIV_2025 = ev("delivered", "2025-03-20T10:00:00+00:00")


def add(vec, ok, err, timefns):
    global T
    T = timefns

    def sc(name, it, failure_at, zone="Europe/Lisbon", **extra):
        req = {"op": "stack_coverage", "item": it, "failure_at": failure_at}
        if zone:
            req["zone"] = zone
        req.update(extra)
        vec("stack_" + name, req, ok(stack_answer(req)))

    def sc_err(name, it, path, failure_at="2027-01-01T10:00:00Z", **extra):
        req = {"op": "stack_coverage", "item": it, "failure_at": failure_at}
        req.update(extra)
        vec("stack_error_" + name, req, err("INVALID_INPUT", path))

    # -- every preset row ------------------------------------------------------------------
    eu = [SOLD, DELIV]
    sc("eu_period_first_year_burden_reversed", item([legal("EU")], eu), "2027-03-01T10:00:00Z")
    sc("eu_burden_ends_at_one_year", item([legal("EU")], eu), "2027-08-05T10:00:00+01:00")
    sc("eu_burden_last_second", item([legal("EU")], eu), "2027-08-05T09:59:59+01:00")
    sc("eu_period_second_year_needs_review", item([legal("EU")], eu), "2028-01-10T10:00:00Z")
    sc("eu_period_ends_at_two_years", item([legal("EU")], eu), "2028-08-05T10:00:00+01:00")
    sc("eu_period_counts_from_delivery_not_sale", item([legal("EU")], [SOLD, ev("delivered", "2026-09-30T10:00:00+01:00")]),
       "2028-09-15T10:00:00+01:00")
    sc("eu_no_delivery_counts_from_sale", item([legal("EU")], [SOLD]), "2028-08-04T10:00:00+01:00")
    # Art. 10(6) lets member states allow a shorter agreed period: the EU row has no floor, so an
    # agreed period is ignored (ES, PT and DE took the option; their rows have a floor).
    sc("eu_second_hand_agreed_period_ignored_without_a_floor",
       item([legal("EU", agreed_period={"value": 6, "unit": "months"})], eu, second_hand=True), "2027-06-01T10:00:00+01:00")
    sc("eu_second_hand_keeps_the_full_two_years",
       item([legal("EU", agreed_period={"value": 12, "unit": "months"})], eu, second_hand=True), "2028-08-05T09:59:59+01:00")
    sc("eu_agreed_period_ignored_when_not_second_hand",
       item([legal("EU", agreed_period={"value": 12, "unit": "months"})], eu), "2028-01-10T10:00:00Z")
    rep = ev("repaired", "2027-05-01T10:00:00+01:00", under="legal")
    sc("eu_repair_extends_once_by_12_months", item([legal("EU")], eu + [rep]), "2029-03-01T10:00:00Z")
    sc("eu_second_repair_does_not_extend_again",
       item([legal("EU")], eu + [rep, ev("repaired", "2028-01-10T10:00:00Z", under="legal")]), "2029-08-05T10:00:00+01:00")
    sc("eu_repair_before_right_to_repair_date_does_not_extend",
       item([legal("EU")], [ev("sold", "2026-07-30T10:00:00+01:00"), ev("delivered", "2026-07-30T10:00:00+01:00"), rep]),
       "2028-08-01T10:00:00+01:00")
    sc("eu_repair_under_the_manufacturer_does_not_extend",
       item([legal("EU"), mfr()], eu + [ev("repaired", "2027-05-01T10:00:00+01:00", under="MFR")]), "2028-09-01T10:00:00+01:00")
    sc("eu_repair_after_the_period_does_not_extend",
       item([legal("EU")], eu + [ev("repaired", "2028-09-01T10:00:00+01:00", under="legal")]), "2028-10-01T10:00:00+01:00")
    sc("eu_repair_instead_of_the_chosen_replacement_does_not_extend",
       item([legal("EU")], eu + [ev("repaired", "2027-05-01T10:00:00+01:00", under="legal", instead_of_replacement=True)]),
       "2028-09-01T10:00:00+01:00")
    sc("eu_chosen_repair_after_an_imposed_one_extends",
       item([legal("EU")], eu + [ev("repaired", "2027-05-01T10:00:00+01:00", under="legal", instead_of_replacement=True),
                                 ev("repaired", "2027-09-01T10:00:00+01:00", under="legal")]),
       "2029-03-01T10:00:00Z")
    sc("eu_before_delivery_not_started", item([legal("EU")], eu), "2026-08-04T10:00:00+01:00")
    sc("eu_excluded_reason_is_not_a_lack_of_conformity",
       item([legal("EU", excluded_reasons=["DROP"])], eu), "2027-01-10T10:00:00Z", reason="DROP")
    sc("eu_sale_before_directive_has_no_rule",
       item([legal("EU")], [ev("sold", "2021-06-01T10:00:00Z")]), "2022-01-10T10:00:00Z")

    es = [SOLD, DELIV]
    sc("es_three_years_burden_two", item([legal("ES")], es), "2028-06-01T10:00:00+01:00", zone="Europe/Madrid")
    sc("es_third_year_needs_review", item([legal("ES")], es), "2029-06-01T10:00:00+02:00", zone="Europe/Madrid")
    sc("es_ends_at_three_years", item([legal("ES")], es), "2029-08-05T11:00:00+02:00", zone="Europe/Madrid")
    sc("es_second_hand_floor_one_year",
       item([legal("ES", agreed_period={"value": 3, "unit": "months"})], es, second_hand=True),
       "2027-08-04T10:00:00+02:00", zone="Europe/Madrid")
    sc("es_repair_extends_12_months",
       item([legal("ES")], es + [ev("repaired", "2027-02-01T10:00:00+01:00", under="legal")]),
       "2030-03-01T10:00:00+01:00", zone="Europe/Madrid")

    es25 = [SOLD_2025, DELIV_2025]
    away = ev("repaired", "2026-01-10T10:00:00Z", under="legal", returned_at="2026-01-30T10:00:00Z")
    sc("es_repair_suspends_the_period", item([legal("ES")], es25 + [away]), "2028-04-09T11:59:59+02:00", zone="Europe/Madrid")
    sc("es_suspended_period_ends", item([legal("ES")], es25 + [away]), "2028-04-09T12:00:00+02:00", zone="Europe/Madrid")
    sc("es_repair_without_time_away_does_not_suspend",
       item([legal("ES")], es25 + [ev("repaired", "2026-01-10T10:00:00Z", under="legal")]), "2028-03-20T11:00:00+01:00",
       zone="Europe/Madrid")
    late_es = ev("repaired", "2028-03-01T10:00:00Z", under="legal", returned_at="2028-03-05T10:00:00Z")
    sc("es_repaired_defect_one_year_after_return", item([legal("ES")], es25 + [late_es]), "2028-09-01T10:00:00+02:00",
       zone="Europe/Madrid")
    sc("es_repaired_defect_window_ends", item([legal("ES")], es25 + [late_es]), "2029-03-05T11:00:00+01:00",
       zone="Europe/Madrid")
    sc("es_replacement_opens_no_repaired_defect_window",
       item([legal("ES")], es25 + [ev("replaced", "2028-03-01T10:00:00Z", under="legal", returned_at="2028-03-05T10:00:00Z")]),
       "2028-09-01T10:00:00+02:00", zone="Europe/Madrid")

    pt25 = [SOLD_2025, DELIV_2025]
    sc("pt_three_years_burden_two", item([legal("PT")], pt25), "2026-12-01T10:00:00Z")
    sc("pt_third_year_needs_review", item([legal("PT")], pt25), "2027-12-01T10:00:00Z")
    sc("pt_ends_at_three_years", item([legal("PT")], pt25), "2028-03-20T10:00:00Z")
    reps = [ev("repaired", "2025-%02d-10T10:00:00Z" % m, under="legal") for m in (5, 6, 7, 8, 9)]
    sc("pt_one_repair_adds_six_months_before_2026_07_31", item([legal("PT")], pt25 + reps[:1]), "2028-06-01T10:00:00+01:00")
    sc("pt_two_repairs_add_twelve_months", item([legal("PT")], pt25 + reps[:2]), "2029-03-01T10:00:00Z")
    sc("pt_five_repairs_add_at_most_four_times_six_months", item([legal("PT")], pt25 + reps), "2030-03-19T10:00:00Z")
    sc("pt_five_repairs_end_after_24_months", item([legal("PT")], pt25 + reps), "2030-03-20T10:00:00Z")
    sc("pt_repair_instead_of_the_chosen_replacement_does_not_extend",
       item([legal("PT")], pt25 + [ev("repaired", "2025-05-10T10:00:00Z", under="legal", instead_of_replacement=True)]),
       "2028-03-20T10:00:00Z")
    sc("pt_second_hand_agreed_period_raised_to_18_months",
       item([legal("PT", agreed_period={"value": 12, "unit": "months"})], pt25, second_hand=True), "2026-09-01T10:00:00+01:00")
    sc("pt_second_hand_18_months_end",
       item([legal("PT", agreed_period={"value": 12, "unit": "months"})], pt25, second_hand=True), "2026-09-20T10:00:00+01:00")
    sc("pt_second_hand_agreed_two_years_kept",
       item([legal("PT", agreed_period={"value": 2, "unit": "years"})], pt25, second_hand=True), "2027-03-01T10:00:00Z")
    sc("pt_second_hand_without_agreement_three_years", item([legal("PT")], pt25, second_hand=True), "2028-03-01T10:00:00Z")
    swap = ev("replaced", "2027-06-01T10:00:00+01:00", under="legal", returned_at="2027-06-08T10:00:00+01:00")
    sc("pt_replacement_starts_a_new_three_years", item([legal("PT")], pt25 + [swap]), "2030-06-01T10:00:00+01:00")
    sc("pt_replacement_new_period_ends", item([legal("PT")], pt25 + [swap]), "2030-06-08T10:00:00+01:00")
    sc("pt_replacement_restarts_the_burden", item([legal("PT")], pt25 + [swap]), "2029-01-10T10:00:00Z")
    pt26 = [SOLD, DELIV]
    r26 = [ev("repaired", "2027-%02d-10T10:00:00Z" % m, under="legal") for m in (1, 2, 3)]
    sc("pt_one_repair_after_2026_07_31_takes_the_eu_12_months", item([legal("PT")], pt26 + r26[:1]), "2030-06-01T10:00:00+01:00")
    sc("pt_three_repairs_after_2026_07_31_take_pt_18_months", item([legal("PT")], pt26 + r26), "2031-01-10T10:00:00Z")

    fr = [SOLD_2025, DELIV_2025]
    sc("fr_two_years_burden_24_months", item([legal("FR")], fr), "2027-03-01T10:00:00+01:00", zone="Europe/Paris")
    sc("fr_ends_at_two_years", item([legal("FR")], fr), "2027-03-20T11:00:00+01:00", zone="Europe/Paris")
    sc("fr_second_hand_burden_12_months", item([legal("FR")], fr, second_hand=True), "2026-06-01T10:00:00+02:00",
       zone="Europe/Paris")
    frr = [ev("repaired", "2025-%02d-10T10:00:00Z" % m, under="legal") for m in (6, 9, 12)]
    sc("fr_each_repair_adds_six_months", item([legal("FR")], fr + frr), "2028-09-01T10:00:00+02:00", zone="Europe/Paris")
    sc("fr_every_repair_extends_even_one_the_consumer_did_not_choose",
       item([legal("FR")], fr + [ev("repaired", "2025-06-10T10:00:00Z", under="legal", instead_of_replacement=True)]),
       "2027-08-01T10:00:00+02:00", zone="Europe/Paris")
    sc("fr_replacement_instead_of_repair_restarts",
       item([legal("FR")], fr + [ev("replaced", "2026-11-02T10:00:00Z", under="legal", instead_of_repair=True,
                                     returned_at="2026-11-05T10:00:00Z")]),
       "2028-10-01T10:00:00+02:00", zone="Europe/Paris")
    sc("fr_replacement_chosen_does_not_restart",
       item([legal("FR")], fr + [ev("replaced", "2026-11-02T10:00:00Z", under="legal")]),
       "2028-10-01T10:00:00+02:00", zone="Europe/Paris")
    sc("fr_replacement_restart_resets_the_burden",
       item([legal("FR")], fr + [ev("replaced", "2026-11-02T10:00:00Z", under="legal", instead_of_repair=True)]),
       "2028-06-01T10:00:00+02:00", zone="Europe/Paris")

    de = [SOLD_2025, DELIV_2025]
    sc("de_two_years_burden_one", item([legal("DE")], de), "2025-12-01T10:00:00+01:00", zone="Europe/Berlin")
    sc("de_second_year_needs_review", item([legal("DE")], de), "2026-06-01T10:00:00+02:00", zone="Europe/Berlin")
    sc("de_second_hand_floor", item([legal("DE", agreed_period={"value": 1, "unit": "months"})], de, second_hand=True),
       "2026-03-01T10:00:00+01:00", zone="Europe/Berlin")
    late = ev("repaired", "2027-02-20T10:00:00Z", under="legal", returned_at="2027-03-10T10:00:00Z")
    sc("de_grace_two_months_after_return", item([legal("DE")], de + [late]), "2027-04-20T10:00:00+02:00",
       zone="Europe/Berlin")
    sc("de_grace_ends", item([legal("DE")], de + [late]), "2027-05-10T12:00:00+02:00", zone="Europe/Berlin")
    sc("de_grace_inside_the_period_changes_nothing",
       item([legal("DE")], de + [ev("repaired", "2025-06-01T10:00:00Z", under="legal")]),
       "2027-03-21T10:00:00+01:00", zone="Europe/Berlin")
    sc("de_grace_after_replacement",
       item([legal("DE")], de + [ev("replaced", "2027-03-01T10:00:00Z", under="legal")]), "2027-04-15T10:00:00+02:00",
       zone="Europe/Berlin")

    se = [ev("sold", "2023-01-10T10:00:00+01:00")]
    sc("se_three_years_burden_two", item([legal("SE")], se), "2025-06-01T10:00:00+02:00", zone="Europe/Stockholm")
    sc("se_ends_at_three_years", item([legal("SE")], se), "2026-01-10T10:00:00+01:00", zone="Europe/Stockholm")
    sc("se_sale_before_the_act_has_no_rule", item([legal("SE")], [ev("sold", "2022-04-01T10:00:00+02:00")]),
       "2022-06-01T10:00:00+02:00", zone="Europe/Stockholm")

    uk = [ev("sold", "2024-01-15T10:00:00Z")]
    sc("uk_first_six_months_burden_reversed", item([legal("UK")], uk), "2024-05-01T10:00:00+01:00", zone="Europe/London")
    sc("uk_no_fixed_period_after_six_months", item([legal("UK")], uk), "2027-05-01T10:00:00+01:00", zone="Europe/London")
    sc("uk_six_year_limitation", item([legal("UK")], uk), "2030-01-15T10:00:00Z", zone="Europe/London")

    nl = [ev("sold", "2024-01-15T10:00:00+01:00")]
    sc("nl_first_year_burden_reversed", item([legal("NL")], nl), "2024-12-01T10:00:00+01:00", zone="Europe/Amsterdam")
    sc("nl_no_fixed_end", item([legal("NL")], nl), "2031-01-15T10:00:00+01:00", zone="Europe/Amsterdam")

    host = [row("PT", "period", (5, "years"), None, "2020-01-01", "host contract"),
            row("XX", "period", (90, "days"), None, "2020-01-01", "store policy")]
    sc("presets_host_rows_replace_a_jurisdiction", item([legal("PT")], pt25), "2029-03-01T10:00:00Z", presets=host)
    sc("presets_host_jurisdiction",
       item([legal("XX")], pt25), "2025-06-18T10:00:00+01:00", presets=host)

    # -- events on commercial layers --------------------------------------------------------------
    both = [legal("PT"), mfr()]
    sc("manufacturer_answers_before_the_legal_guarantee", item(both, [SOLD, DELIV]), "2027-01-10T10:00:00Z", reason="DEFECT")
    sc("legal_guarantee_after_the_manufacturer_ends", item(both, [SOLD, DELIV]), "2027-09-10T10:00:00+01:00", reason="DEFECT")
    sc("manufacturer_excludes_reason_legal_reviews", item(both, [SOLD, DELIV]), "2028-09-10T10:00:00+01:00", reason="DROP")
    sc("installed_starts_the_layer",
       item([mfr(starts_on="installed")], [SOLD, ev("installed", "2026-09-01T10:00:00+01:00")]), "2027-08-20T10:00:00+01:00")
    sc("installation_not_recorded", item([mfr(starts_on="installed")], [SOLD]), "2026-09-01T10:00:00+01:00")
    sc("delivered_starts_the_layer",
       item([mfr(starts_on="delivered")], [SOLD, ev("delivered", "2026-08-20T10:00:00+01:00")]), "2027-08-10T10:00:00+01:00")
    sc("carry_over_replacement_moves_the_end",
       item([mfr()], [SOLD, ev("replaced", "2027-03-10T10:00:00Z", requested_at="2027-02-20T10:00:00Z")]),
       "2027-08-20T10:00:00+01:00")
    sc("apply_new_replacement_restarts",
       item([mfr()], [SOLD, ev("replaced", "2026-08-10T10:00:00+01:00", reason="DOA")]), "2027-08-05T10:00:00+01:00")
    sc("no_warranty_replacement_ends_the_layer",
       item([mfr()], [SOLD, ev("replaced", "2027-01-10T10:00:00Z", reason="FRAUD")]), "2027-02-01T10:00:00Z")
    sc("replacement_after_the_end_changes_nothing",
       item([mfr()], [SOLD, ev("replaced", "2027-09-10T10:00:00+01:00", requested_at="2027-08-01T10:00:00+01:00")]),
       "2027-08-20T10:00:00+01:00")
    sc("replacement_moves_the_legal_guarantee_only_when_restarted",
       item([legal("PT"), mfr()], [SOLD, DELIV, ev("replaced", "2027-03-10T10:00:00Z", requested_at="2027-02-20T10:00:00Z")]),
       "2029-08-05T09:00:00+01:00")
    sc("repair_under_manufacturer_changes_nothing",
       item([mfr()], [SOLD, ev("repaired", "2027-01-10T10:00:00Z", under="MFR", component="panel")]),
       "2027-08-03T09:59:59+01:00")
    sc("voided_layer", item([legal("PT"), mfr()], [SOLD, DELIV, ev("voided", "2026-12-01T10:00:00Z", layer="MFR", reason="opened by the customer")]),
       "2027-01-10T10:00:00Z", reason="DEFECT")
    sc("failure_before_voiding_is_still_covered",
       item([mfr()], [SOLD, ev("voided", "2026-12-01T10:00:00Z")]), "2026-11-30T10:00:00Z")
    sc("void_without_layer_voids_every_commercial_layer",
       item([legal("PT"), mfr(), {"id": "PLAN", "kind": "extended", "terms": {"id": "EXT-3Y", "duration": {"value": 3, "unit": "years"}}}],
            [SOLD, DELIV, ev("voided", "2026-12-01T10:00:00Z")]), "2027-01-10T10:00:00Z")
    sc("transfer_ends_a_non_transferable_layer",
       item([mfr(transferable=False), {"id": "SELLER-2Y", "kind": "seller", "terms": {"id": "S2", "duration": {"value": 2, "unit": "years"}}}],
            [SOLD, ev("transferred", "2026-12-01T10:00:00Z", to="second owner")]), "2027-01-10T10:00:00Z")
    plan = {"id": "PLAN", "kind": "extended", "provider": "Warranty Life", "starts_on": {"after": "MFR"},
            "terms": {"id": "EXT-2Y", "name": "Extended 2 years", "duration": {"value": 2, "unit": "years"}}}
    sc("extended_plan_takes_over_after_the_manufacturer", item([mfr(), plan], [SOLD]), "2028-01-10T10:00:00Z")
    sc("extended_plan_not_started_during_the_manufacturer", item([mfr(), plan], [SOLD]), "2027-01-10T10:00:00Z")
    sc("extended_plan_ends", item([mfr(), plan], [SOLD]), "2029-08-03T10:00:00+01:00")
    sc("extended_plan_follows_a_carried_over_end",
       item([mfr(), plan], [SOLD, ev("replaced", "2027-03-10T10:00:00Z", requested_at="2027-02-20T10:00:00Z")]),
       "2029-08-20T10:00:00+01:00")
    comp = {"id": "COMPRESSOR-12Y", "kind": "manufacturer", "components": ["compressor"],
            "terms": {"id": "C12", "duration": {"value": 12, "unit": "years"}}}
    fridge = [mfr({"id": "PL-3Y", "duration": {"value": 3, "unit": "years"}}), comp]
    sc("component_layer_answers_for_its_component", item(fridge, [SOLD]), "2028-01-10T10:00:00Z", component="compressor")
    sc("component_layer_outlives_parts_and_labour", item(fridge, [SOLD]), "2035-01-10T10:00:00Z", component="compressor")
    sc("component_layer_does_not_cover_others", item(fridge, [SOLD]), "2035-01-10T10:00:00Z", component="door seal")
    sc("component_layer_needs_the_component", item(fridge, [SOLD]), "2035-01-10T10:00:00Z")
    sc("attached_after_failure",
       item([mfr(), dict(plan, starts_on="sold", attached_at="2026-10-01T10:00:00+01:00")], [SOLD]),
       "2026-09-15T10:00:00+01:00", reason="DEFECT")
    capped = {"id": "LOADER", "duration": {"value": 2, "unit": "years"}, "usage_limit": {"unit": "hours", "limit": "2000"}}
    sc("usage_cap_exceeded", item([mfr(capped, usage_at_start="10")], [SOLD]), "2027-01-10T10:00:00Z", usage="2011")
    sc("usage_cap_within", item([mfr(capped, usage_at_start="10")], [SOLD]), "2027-01-10T10:00:00Z", usage="2010")
    sc("usage_unknown_needs_review", item([mfr(capped)], [SOLD]), "2027-01-10T10:00:00Z")
    sc("reason_undecided_needs_review", item([mfr()], [SOLD]), "2027-01-10T10:00:00Z", reason="SURGE")
    sc("seller_warranty_pays_seller",
       item([{"id": "SELLER", "kind": "seller", "terms": {"id": "S3", "duration": {"value": 3, "unit": "years"}}}], [SOLD]),
       "2028-01-10T10:00:00Z")
    sc("events_in_any_order", item(both, [DELIV, ev("repaired", "2027-05-01T10:00:00+01:00", under="legal"), SOLD]),
       "2030-01-10T10:00:00Z", reason="DEFECT")
    sc("no_warranties_not_covered", item([], [SOLD]), "2027-01-10T10:00:00Z")
    sc("fixed_offset_without_zone", item([legal("EU")], eu), "2027-03-01T10:00:00+02:00", zone=None)

    # -- points docs/stacks.md pins down ----------------------------------------------------------
    def pin(name, it, failure_at, absent=None, **extra):
        req = {"op": "stack_coverage", "item": it, "failure_at": failure_at, "zone": "Europe/Lisbon"}
        req.update(extra)
        vec("stack_pin_" + name, req, ok(stack_answer(req)), absent)
    pin("extended_plan_payer_is_plan_provider", item([mfr(), plan], [SOLD]), "2028-01-10T10:00:00Z")
    pin("needs_review_answer_names_the_reviewed_layers_payer", item([legal("PT"), mfr()], [SOLD, DELIV]),
        "2028-09-10T10:00:00+01:00")
    pin("no_answer_has_null_payer", item([mfr()], [SOLD]), "2028-01-10T10:00:00Z")
    pin("layers_in_item_order_codes_in_code_order",
        item([dict(plan, starts_on="sold"), legal("PT"), mfr()], [SOLD, DELIV]), "2031-01-10T10:00:00Z", reason="WATER")
    pin("first_needs_review_layer_by_precedence_not_item_order",
        item([legal("PT"), mfr(dict(capped, id="LOADER-5Y", duration={"value": 5, "unit": "years"}))], [SOLD, DELIV]),
        "2028-09-10T10:00:00+01:00")
    pin("events_after_the_failure_count",
        item([legal("PT")], [SOLD, DELIV, ev("repaired", "2029-08-01T10:00:00+01:00", under="legal")]),
        "2029-07-20T10:00:00+01:00")
    pin("no_grace_end_without_a_grace", item([legal("PT")], [SOLD, DELIV]), "2027-01-10T10:00:00Z",
        absent=["result.layers[0].grace_end"])
    vec("expiring_pin_default_zone_is_the_offset_of_as_of",
        {"op": "expiring", "as_of": "2027-07-15T10:00:00-04:00", "within": {"value": 30, "unit": "days"},
         "items": [item([mfr()], [SOLD], id="A")]},
        ok(expiring_answer({"op": "expiring", "as_of": "2027-07-15T10:00:00-04:00",
                            "within": {"value": 30, "unit": "days"}, "items": [item([mfr()], [SOLD], id="A")]})))

    # -- errors -----------------------------------------------------------------------------------
    sc_err("unknown_jurisdiction", item([legal("ZZ")], [SOLD]), "item.warranties[0].jurisdiction")
    sc_err("statutory_without_jurisdiction", item([{"id": "legal", "kind": "statutory"}], [SOLD]),
           "item.warranties[0].jurisdiction")
    sc_err("statutory_with_terms", item([legal("PT", terms=TV_TERMS)], [SOLD]), "item.warranties[0].terms")
    sc_err("statutory_with_starts_on", item([legal("PT", starts_on="sold")], [SOLD]), "item.warranties[0].starts_on")
    sc_err("commercial_without_terms", item([{"id": "MFR", "kind": "manufacturer"}], [SOLD]), "item.warranties[0].terms")
    sc_err("commercial_with_jurisdiction", item([mfr(jurisdiction="PT")], [SOLD]), "item.warranties[0].jurisdiction")
    sc_err("duplicate_layer_id", item([mfr(), mfr()], [SOLD]), "item.warranties[1].id")
    sc_err("after_unknown_layer", item([mfr(starts_on={"after": "NOPE"})], [SOLD]), "item.warranties[0].starts_on.after")
    sc_err("after_the_legal_guarantee", item([legal("PT"), dict(plan, starts_on={"after": "legal"})], [SOLD]),
           "item.warranties[1].starts_on.after")
    sc_err("after_cycle", item([mfr(starts_on={"after": "PLAN"}), dict(plan, starts_on={"after": "MFR"})], [SOLD]),
           "item.warranties[0].starts_on")
    sc_err("under_unknown_layer", item([mfr()], [SOLD, ev("repaired", "2027-01-01T10:00:00Z", under="NOPE")]),
           "item.events[1].under")
    sc_err("legal_guarantee_cannot_be_voided", item([legal("PT")], [SOLD, ev("voided", "2027-01-01T10:00:00Z", layer="legal")]),
           "item.events[1].layer")
    sc_err("returned_before_repair", item([legal("PT")], [SOLD, ev("repaired", "2027-01-01T10:00:00Z", under="legal",
                                                                     returned_at="2026-12-01T10:00:00Z")]),
           "item.events[1].returned_at")
    sc_err("field_of_another_event", item([mfr()], [ev("sold", "2026-08-03T10:00:00Z", under="MFR")]), "item.events[0].under")
    sc_err("unknown_event", item([mfr()], [ev("stolen", "2026-08-03T10:00:00Z")]), "item.events[0].event")
    sc_err("starts_on_unknown", item([mfr(starts_on="opened")], [SOLD]), "item.warranties[0].starts_on")
    sc_err("preset_row_without_duration", item([legal("PT")], [SOLD]), "presets[0].duration",
           presets=[{"jurisdiction": "PT", "rule": "period", "from": "2020-01-01", "reference": "x"}])
    sc_err("preset_row_bad_date", item([legal("PT")], [SOLD]), "presets[0].from",
           presets=[{"jurisdiction": "PT", "rule": "period", "duration": {"value": 1, "unit": "years"},
                     "from": "2020-02-30", "reference": "x"}])
    sc_err("preset_row_condition_of_another_rule", item([legal("PT")], [SOLD]), "presets[1].condition",
           presets=[row("PT", "period", (3, "years"), None, "2020-01-01", "x"),
                    row("PT", "burden", (1, "years"), None, "2020-01-01", "x", "after_repair")])
    sc_err("preset_row_restart_with_a_duration", item([legal("PT")], [SOLD]), "presets[0].duration",
           presets=[row("PT", "replacement_restart", (1, "years"), None, "2020-01-01", "x")])
    sc_err("preset_row_unknown_condition", item([legal("PT")], [SOLD]), "presets[0].condition",
           presets=[row("PT", "repair_extension", (1, "years"), None, "2020-01-01", "x", "always")])
    sc_err("instead_of_replacement_on_a_replacement", item([legal("PT")], [SOLD, ev("replaced", "2027-01-01T10:00:00Z",
                                                                                      under="legal", instead_of_replacement=True)]),
           "item.events[1].instead_of_replacement")
    sc_err("too_many_layers", item([mfr(id="M%d" % i) for i in range(65)], [SOLD]), "item.warranties")

    # -- expiring -----------------------------------------------------------------------------------
    items = [
        item([legal("PT"), mfr()], [SOLD, DELIV], id="A"),
        item([legal("PT"), mfr()], [ev("sold", "2026-07-20T10:00:00+01:00")], id="B"),
        item([mfr()], [ev("sold", "2026-06-01T10:00:00+01:00")], id="C"),
        item([mfr()], [ev("sold", "2026-07-25T10:00:00+01:00"), ev("voided", "2027-01-01T10:00:00Z")], id="D"),
        item([legal("NL")], [ev("sold", "2024-01-15T10:00:00+01:00")], id="E"),
        item([mfr(), plan], [ev("sold", "2025-08-01T10:00:00+01:00")], id="F"),
    ]

    def xp(name, as_of, within, **extra):
        req = {"op": "expiring", "as_of": as_of, "within": within, "items": items, "zone": "Europe/Lisbon"}
        req.update(extra)
        vec("expiring_" + name, req, ok(expiring_answer(req)))

    xp("next_30_days_ordered_by_end", "2027-07-15T10:00:00+01:00", {"value": 30, "unit": "days"})
    xp("next_60_days", "2027-07-15T10:00:00+01:00", {"value": 60, "unit": "days"})
    xp("manufacturer_only", "2027-07-15T10:00:00+01:00", {"value": 3, "unit": "months"}, kinds=["manufacturer"])
    xp("statutory_only", "2029-07-01T10:00:00+01:00", {"value": 90, "unit": "days"}, kinds=["statutory"])
    xp("extended_plans", "2027-07-01T10:00:00+01:00", {"value": 2, "unit": "years"}, kinds=["extended"])
    xp("nothing_in_window", "2030-12-01T10:00:00Z", {"value": 30, "unit": "days"})
    vec("expiring_error_item_path",
        {"op": "expiring", "as_of": "2027-01-01T10:00:00Z", "within": {"value": 30, "unit": "days"},
         "items": [items[0], item([legal("ZZ")], [SOLD])]},
        err("INVALID_INPUT", "items[1].warranties[0].jurisdiction"))
    vec("expiring_error_unknown_kind",
        {"op": "expiring", "as_of": "2027-01-01T10:00:00Z", "within": {"value": 30, "unit": "days"}, "items": [],
         "kinds": ["legal"]},
        err("INVALID_INPUT", "kinds[0]"))

    # -- the preset table ---------------------------------------------------------------------------
    for j in ["EU", "ES", "PT", "FR", "DE", "SE", "UK", "NL"]:
        rows = [r for r in PRESETS if r["jurisdiction"] == j]
        absent = ["result.rows[%d].%s" % (i, k) for i, r in enumerate(rows)
                  for k in ("duration", "max_repairs", "condition", "until") if k not in r]
        vec("statutory_presets_" + j.lower(), {"op": "statutory_presets", "jurisdiction": j},
            ok({"version": PRESETS_VERSION, "jurisdictions": [j], "rows": rows}), absent)
    vec("statutory_presets_all", {"op": "statutory_presets"},
        ok({"version": PRESETS_VERSION, "jurisdictions": ["EU", "ES", "PT", "FR", "DE", "SE", "UK", "NL"],
            "rows": PRESETS}))
    vec("statutory_presets_unknown", {"op": "statutory_presets", "jurisdiction": "ZZ"},
        err("INVALID_INPUT", "jurisdiction"))
    json.dumps(PRESETS)
