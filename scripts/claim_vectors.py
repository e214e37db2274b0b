"""Claim vectors (validate_claim, transition_claim, verify_audit, apply_partner_status,
claims_report), written out by hand from DESIGN.md section 8 and docs/claims.md. Audit hashes
are computed here with Python's hashlib over the documented canonical form, independently of
the Rust code. Imported by make_vectors.py."""
import copy
from decimal import Decimal
import base64
import hashlib
import hmac
import json

AS_OF = "2026-11-20T16:00:00+01:00"
ZONE = "Europe/Rome"

POLICY = {
    "id": "TRACTOR-2Y",
    "duration": {"value": 2, "unit": "years"},
    "usage_limit": {"unit": "hours", "limit": "2000"},
    "reasons": [
        {"id": "DEFECT", "provides_coverage": True},
        {"id": "MISUSE", "provides_coverage": False},
        {"id": "CORROSION", "provides_coverage": None},
    ],
}

CLAIM = {
    "dealer": "0000123456",
    "workshop": "WS01",
    "dms_claim_number": "DMS-2026-0042",
    "job_order": "JO-7781",
    "reference_date": "2026-11-20",
    "serial": "HCCZFA10HMCJ11111",
    "usage": "812.5",
    "failure_date": "2026-11-10",
    "repair_start": "2026-11-12",
    "repair_end": "2026-11-14",
    "warranty_type": "A",
    "failure": {"component": "HYD-PUMP", "failure_code": "LEAK", "severity": "2",
                "description": "Hydraulic pump leaks at the shaft seal"},
    "texts": {
        "complaint": [{"row": "01", "text": "Oil under the tractor after work"}],
        "cause": [{"row": "01", "text": "Shaft seal worn"}, {"row": "02", "text": "No external damage"}],
        "correction": [{"row": "01", "text": "Replaced pump seal kit"}],
    },
    "lines": [
        {"category": "parts", "material_code": "87654321", "quantity": "1", "amount": "184.20", "currency": "EUR"},
        {"category": "labour", "quantity": "2.5", "amount": "162.50", "currency": "EUR"},
        {"category": "sublet", "quantity": "1", "amount": "40.00", "currency": "EUR", "third_party_invoice": "TP-991"},
    ],
    "total": "386.70",
    "evidence": [{"kind": "pos_invoice", "reference": "INV-2025-3312"}, {"kind": "photo", "reference": "IMG-0042"}],
    "reason": "DEFECT",
    "policy": POLICY,
    "warranty": {"start": "2025-03-01T10:00:00+01:00", "usage_at_start": "12"},
}


def setpath(obj, path, value):
    """Sets `a.b[2].c` in obj; value DELETE removes the key."""
    parts = []
    for piece in path.split("."):
        while "[" in piece:
            head, rest = piece.split("[", 1)
            if head:
                parts.append(head)
            idx, piece = rest.split("]", 1)
            parts.append(int(idx))
        if piece:
            parts.append(piece)
    cur = obj
    for p in parts[:-1]:
        cur = cur[p]
    if value is DELETE:
        del cur[parts[-1]]
    else:
        cur[parts[-1]] = value


DELETE = object()


def claim_with(**changes):
    c = copy.deepcopy(CLAIM)
    for path, value in changes.items():
        setpath(c, path.replace("__", "."), value)
    return c


def add(vec, ok, err):
    def validate(name, claim, outcome, findings, as_of=AS_OF, zone=ZONE, extra_expect=None, **extra):
        req = {"op": "validate_claim", "claim": claim, "as_of": as_of}
        if zone:
            req["zone"] = zone
        req.update(extra)
        result = {"outcome": outcome, "findings": [{"code": c, "path": p} for c, p in findings]}
        if extra_expect:
            result.update(extra_expect)
        vec("claim_" + name, req, ok(result))

    def reject1(name, code, path, claim, **kw):
        validate(name, claim, "reject", [(code, path)], **kw)

    # --- a claim that satisfies every rule ---------------------------------------------------
    validate("valid_is_accepted", claim_with(), "accept", [], extra_expect={
        "totals": [{"currency": "EUR", "claimed": "386.70"}],
        "coverage": {"outcome": "covered", "codes": [], "end": "2027-03-01T10:00:00+01:00",
                     "facts": {"as_of": "2026-11-10T00:00:00+01:00", "usage_used": "800.5"}}})

    # --- required fields -------------------------------------------------------------------------
    for field in ["dealer", "workshop", "dms_claim_number", "reference_date", "serial", "failure_date",
                  "warranty_type", "failure.component", "failure.failure_code", "reason"]:
        reject1("missing_" + field.replace(".", "_"), "REQUIRED_FIELD_MISSING", "claim." + field,
                claim_with(**{field.replace(".", "__"): ""}))
    reject1("absent_dealer_key", "REQUIRED_FIELD_MISSING", "claim.dealer", claim_with(dealer=DELETE))
    reject1("blank_serial_is_missing", "REQUIRED_FIELD_MISSING", "claim.serial", claim_with(serial="   "))
    reject1("missing_policy", "REQUIRED_FIELD_MISSING", "claim.policy", claim_with(policy=DELETE))
    reject1("missing_warranty", "REQUIRED_FIELD_MISSING", "claim.warranty", claim_with(warranty=DELETE))
    reject1("no_lines", "REQUIRED_FIELD_MISSING", "claim.lines", claim_with(lines=[], total=DELETE))
    for i, field in [(0, "category"), (1, "quantity"), (1, "amount"), (2, "currency"), (0, "material_code"),
                     (2, "third_party_invoice")]:
        reject1(f"missing_line_{field}", "REQUIRED_FIELD_MISSING", f"claim.lines[{i}].{field}",
                claim_with(**{f"lines[{i}]__{field}": ""}))
    reject1("missing_evidence_reference", "REQUIRED_FIELD_MISSING", "claim.evidence[1].reference",
            claim_with(**{"evidence[1]__reference": ""}))
    reject1("unknown_evidence_kind", "EVIDENCE_KIND_UNKNOWN", "claim.evidence[1].kind",
            claim_with(**{"evidence[1]__kind": "video"}))

    # --- warranty types --------------------------------------------------------------------------
    reject1("unknown_warranty_type", "WARRANTY_TYPE_UNKNOWN", "claim.warranty_type", claim_with(warranty_type="X"))
    reject1("warranty_type_is_case_sensitive", "WARRANTY_TYPE_UNKNOWN", "claim.warranty_type",
            claim_with(warranty_type="a"))
    validate("spare_parts_type_needs_invoice_and_installed_date", claim_with(warranty_type="D"), "reject",
             [("REQUIRED_FOR_WARRANTY_TYPE", "claim.spare_part_invoice"),
              ("REQUIRED_FOR_WARRANTY_TYPE", "claim.installed_date")])
    validate("spare_parts_type_complete", claim_with(warranty_type="D", spare_part_invoice="SP-55",
                                                     installed_date="2026-01-10"), "accept", [])
    reject1("installed_after_failure", "DATE_ORDER", "claim.failure_date",
            claim_with(warranty_type="D", spare_part_invoice="SP-55", installed_date="2026-11-11"))
    reject1("campaign_type_needs_campaign_number", "REQUIRED_FOR_WARRANTY_TYPE", "claim.campaign_number",
            claim_with(warranty_type="H"))
    validate("campaign_type_complete", claim_with(warranty_type="H", campaign_number="PIP-24-017"), "accept", [])
    reject1("ppp_type_needs_policy_number", "REQUIRED_FOR_WARRANTY_TYPE", "claim.ppp_policy_number",
            claim_with(warranty_type="Y"))
    validate("ppp_type_complete", claim_with(warranty_type="Y", ppp_policy_number="PPP-9"), "accept", [])
    validate("numeric_warranty_type_ev_battery", claim_with(warranty_type="5"), "accept", [])

    # --- dates -----------------------------------------------------------------------------------
    reject1("failure_date_not_a_calendar_date", "DATE_INVALID", "claim.failure_date",
            claim_with(failure_date="2026-02-30"))
    reject1("failure_date_wrong_format", "DATE_INVALID", "claim.failure_date", claim_with(failure_date="2026/11/10"))
    reject1("failure_date_single_digit_month", "DATE_INVALID", "claim.failure_date", claim_with(failure_date="2026-1-10"))
    reject1("repair_start_before_failure", "DATE_ORDER", "claim.repair_start", claim_with(repair_start="2026-11-09"))
    reject1("repair_end_before_repair_start", "DATE_ORDER", "claim.repair_end", claim_with(repair_end="2026-11-11"))
    reject1("reference_before_failure", "DATE_ORDER", "claim.reference_date", claim_with(reference_date="2026-11-09"))
    reject1("repair_end_in_future", "DATE_IN_FUTURE", "claim.repair_end", claim_with(repair_end="2026-11-21"))
    validate("today_is_not_future_in_the_zone", claim_with(repair_end="2026-11-21", reference_date="2026-11-21"),
             "accept", [], as_of="2026-11-20T23:30:00+00:00", zone="Europe/Rome")
    validate("today_without_zone_uses_as_of_offset",
             claim_with(repair_end="2026-11-21", reference_date="2026-11-21"), "reject",
             [("DATE_IN_FUTURE", "claim.reference_date"), ("DATE_IN_FUTURE", "claim.repair_end")],
             as_of="2026-11-20T23:30:00+00:00", zone=None)
    validate("failure_in_future", claim_with(failure_date="2026-11-21"), "reject",
             [("DATE_IN_FUTURE", "claim.failure_date"), ("DATE_ORDER", "claim.repair_start"),
              ("DATE_ORDER", "claim.reference_date")])
    late = dict(failure_date="2026-10-08", repair_start="2026-10-09", repair_end="2026-10-10")
    validate("filing_deadline_passed", claim_with(**late), "reject", [("FILING_DEADLINE_PASSED", "claim.reference_date")],
             extra_expect={"findings": [{"code": "FILING_DEADLINE_PASSED", "params": {"days": "41", "deadline_days": "30"}}]})
    validate("filing_on_the_deadline_day", claim_with(failure_date="2026-10-19", repair_start="2026-10-20",
                                                      repair_end="2026-10-21"), "accept", [])
    validate("filing_deadline_from_rules", claim_with(**late), "accept", [], rules={"filing_deadline_days": 60})
    reject1("filing_deadline_counts_from_failure_without_repair", "FILING_DEADLINE_PASSED", "claim.reference_date",
            claim_with(failure_date="2026-10-15", repair_start=DELETE, repair_end=DELETE))

    # --- usage ----------------------------------------------------------------------------------
    reject1("usage_not_a_number", "USAGE_INVALID", "claim.usage", claim_with(usage="lots"))
    reject1("usage_below_reading_at_start", "USAGE_NOT_MONOTONIC", "claim.usage", claim_with(usage="10"))
    reject1("usage_below_known_claim_reading", "USAGE_NOT_MONOTONIC", "claim.usage", claim_with(), known_claims=[
        {"dms_claim_number": "DMS-2026-0007", "serial": "HCCZFA10HMCJ11111", "component": "CAB-DOOR",
         "failure_date": "2026-06-01", "usage": "900"}])
    validate("usage_above_known_reading_of_other_serial_is_fine", claim_with(), "accept", [], known_claims=[
        {"dms_claim_number": "DMS-2026-0007", "serial": "OTHER", "component": "HYD-PUMP",
         "failure_date": "2026-11-09", "usage": "900"}])
    validate("usage_over_cap", claim_with(usage="2100"), "reject", [("USAGE_LIMIT_EXCEEDED", "claim.usage")],
             extra_expect={"coverage": {"outcome": "not_covered", "codes": ["USAGE_LIMIT_EXCEEDED"]}})
    validate("usage_exactly_at_cap", claim_with(usage="2012"), "accept", [])
    validate("usage_missing_with_cap_needs_review", claim_with(usage=DELETE), "needs_review",
             [("USAGE_UNKNOWN", "claim.usage")], extra_expect={"findings": [{"severity": "warning"}]})

    # --- text rows --------------------------------------------------------------------------------
    reject1("row_one_digit", "ROW_NUMBER_INVALID", "claim.texts.complaint[0].row",
            claim_with(**{"texts__complaint[0]__row": "1"}))
    reject1("row_zero", "ROW_NUMBER_INVALID", "claim.texts.complaint[0].row",
            claim_with(**{"texts__complaint[0]__row": "00"}))
    reject1("row_three_digits", "ROW_NUMBER_INVALID", "claim.texts.complaint[0].row",
            claim_with(**{"texts__complaint[0]__row": "001"}))
    reject1("row_not_digits", "ROW_NUMBER_INVALID", "claim.texts.correction[0].row",
            claim_with(**{"texts__correction[0]__row": "A1"}))
    reject1("row_duplicate", "ROW_NUMBER_DUPLICATE", "claim.texts.cause[1].row",
            claim_with(**{"texts__cause[1]__row": "01"}))
    reject1("row_gap", "ROW_NUMBERS_NOT_CONSECUTIVE", "claim.texts.cause[1].row",
            claim_with(**{"texts__cause[1]__row": "03"}))
    reject1("rows_must_start_at_01", "ROW_NUMBERS_NOT_CONSECUTIVE", "claim.texts.correction[0].row",
            claim_with(**{"texts__correction[0]__row": "02"}))
    validate("rows_01_to_99", claim_with(**{"texts__complications": [
        {"row": "%02d" % i, "text": "row %d" % i} for i in range(1, 100)]}), "accept", [])
    validate("row_100_is_invalid", claim_with(**{"texts__special_instructions": [
        {"row": "%02d" % i, "text": "x"} for i in range(1, 101)]}), "reject",
        [("ROW_NUMBER_INVALID", "claim.texts.special_instructions[99].row")])
    validate("rows_checked_per_block", claim_with(**{"texts__complaint[0]__row": "02",
                                                    "texts__special_instructions": [{"row": "01", "text": "x"},
                                                                                     {"row": "01", "text": "y"}]}),
             "reject", [("ROW_NUMBERS_NOT_CONSECUTIVE", "claim.texts.complaint[0].row"),
                        ("ROW_NUMBER_DUPLICATE", "claim.texts.special_instructions[1].row")])

    # --- money ---------------------------------------------------------------------------------
    reject1("currency_unknown", "CURRENCY_UNKNOWN", "claim.lines[0].currency", claim_with(**{"lines[0]__currency": "EUX"}))
    reject1("currency_lowercase_unknown", "CURRENCY_UNKNOWN", "claim.lines[0].currency",
            claim_with(**{"lines[0]__currency": "eur"}))
    reject1("currency_mixed", "CURRENCY_MIXED", "claim.lines[2].currency", claim_with(**{"lines[2]__currency": "USD"}))
    reject1("amount_too_many_decimals", "AMOUNT_PRECISION", "claim.lines[0].amount",
            claim_with(**{"lines[0]__amount": "184.205"}, total="386.705"))
    validate("amount_trailing_zeros_are_fine", claim_with(**{"lines[0]__amount": "184.200"}), "accept", [])
    jpy = [dict(l, currency="JPY") for l in CLAIM["lines"]]
    jpy[0]["amount"], jpy[1]["amount"], jpy[2]["amount"] = "18420", "16250", "4000"
    validate("jpy_whole_amounts", claim_with(lines=jpy, total="38670"), "accept", [],
             extra_expect={"totals": [{"currency": "JPY", "claimed": "38670"}]})
    jpy_bad = copy.deepcopy(jpy)
    jpy_bad[0]["amount"] = "18420.5"
    reject1("jpy_has_no_minor_units", "AMOUNT_PRECISION", "claim.lines[0].amount", claim_with(lines=jpy_bad, total="38670.5"))
    kwd = [dict(l, currency="KWD") for l in CLAIM["lines"]]
    kwd[0]["amount"] = "184.205"
    validate("kwd_three_minor_units", claim_with(lines=kwd, total="386.705"), "accept", [])
    reject1("amount_negative", "AMOUNT_NEGATIVE", "claim.lines[1].amount", claim_with(**{"lines[1]__amount": "-162.50"}))
    reject1("amount_exponent_not_allowed", "AMOUNT_INVALID", "claim.lines[1].amount", claim_with(**{"lines[1]__amount": "1e3"}))
    huge = [{"category": "other", "quantity": "1", "amount": "79228162514264337593543950335", "currency": "JPY"}] * 2
    reject1("amounts_overflow", "AMOUNT_OVERFLOW", "claim.lines", claim_with(lines=huge, total=DELETE))
    reject1("quantity_zero", "QUANTITY_NOT_POSITIVE", "claim.lines[0].quantity", claim_with(**{"lines[0]__quantity": "0"}))
    reject1("quantity_negative", "QUANTITY_NOT_POSITIVE", "claim.lines[0].quantity", claim_with(**{"lines[0]__quantity": "-1"}))
    reject1("quantity_not_a_number", "QUANTITY_INVALID", "claim.lines[0].quantity", claim_with(**{"lines[0]__quantity": "one"}))
    validate("total_mismatch", claim_with(total="386.71"), "reject", [("TOTAL_MISMATCH", "claim.total")],
             extra_expect={"findings": [{"params": {"declared": "386.71", "computed": "386.70"}}]})
    validate("total_equal_in_value_is_exact", claim_with(total="386.7"), "accept", [])
    validate("total_optional", claim_with(total=DELETE), "accept", [])
    reject1("total_not_a_number", "AMOUNT_INVALID", "claim.total", claim_with(total="about 400"))
    reject1("line_category_unknown", "LINE_CATEGORY_UNKNOWN", "claim.lines[2].category",
            claim_with(**{"lines[2]__category": "travel"}))

    # --- evidence ---------------------------------------------------------------------------------
    reject1("no_pos_invoice", "POS_INVOICE_MISSING", "claim.evidence",
            claim_with(evidence=[{"kind": "photo", "reference": "IMG-0042"}]))
    reject1("no_evidence_at_all", "POS_INVOICE_MISSING", "claim.evidence", claim_with(evidence=DELETE))
    reject1("no_pos_invoice_even_with_everything_else", "POS_INVOICE_MISSING", "claim.evidence",
            claim_with(evidence=[{"kind": "photo", "reference": "a"}, {"kind": "document", "reference": "b"}]),
            rules={"required_evidence": {"*": ["photo", "document"]}})
    validate("evidence_required_by_type", claim_with(), "reject", [("EVIDENCE_MISSING", "claim.evidence")],
             rules={"required_evidence": {"A": ["photo", "document"]}},
             extra_expect={"findings": [{"params": {"kind": "document"}}]})
    validate("evidence_required_for_every_type_satisfied", claim_with(), "accept", [],
             rules={"required_evidence": {"*": ["photo"], "D": ["document"]}})

    # --- coverage at the failure ------------------------------------------------------------------
    early = dict(failure_date="2025-02-27", repair_start="2025-02-28", repair_end="2025-02-28",
                 reference_date="2025-03-01")
    validate("failure_before_warranty_start", claim_with(**early), "reject", [("NOT_STARTED", "claim.failure_date")],
             extra_expect={"coverage": {"outcome": "not_covered"}})
    validate("failure_on_start_day_is_covered", claim_with(failure_date="2025-03-01", repair_start="2025-03-01",
                                                           repair_end="2025-03-02", reference_date="2025-03-03"),
             "accept", [], extra_expect={"coverage": {"facts": {"as_of": "2025-03-01T10:00:00+01:00"}}})
    validate("failure_on_last_day_is_covered", claim_with(failure_date="2027-03-01", repair_start="2027-03-02",
                                                          repair_end="2027-03-03", reference_date="2027-03-05"),
             "accept", [], as_of="2027-03-10T12:00:00+01:00")
    reject1("failure_after_expiry", "EXPIRED", "claim.failure_date",
            claim_with(failure_date="2027-03-02", repair_start="2027-03-02", repair_end="2027-03-03",
                       reference_date="2027-03-05"), as_of="2027-03-10T12:00:00+01:00")
    reject1("carried_over_end_is_used", "EXPIRED", "claim.failure_date",
            claim_with(warranty={"start": "2025-03-01T10:00:00+01:00", "end": "2026-11-01T10:00:00+01:00",
                                 "usage_at_start": "12"}))
    reject1("reason_excluded", "REASON_EXCLUDED", "claim.reason", claim_with(reason="MISUSE"))
    reject1("reason_not_on_policy", "REASON_NOT_SUPPORTED", "claim.reason", claim_with(reason="FLOOD"))
    validate("reason_undecided_needs_review", claim_with(reason="CORROSION"), "needs_review",
             [("REASON_UNDECIDED", "claim.reason")])
    parts6 = dict(POLICY, parts_duration={"value": 6, "unit": "months"})
    reject1("parts_window_expired", "PARTS_WINDOW_EXPIRED", "claim.lines[0]", claim_with(policy=parts6))
    labour1 = dict(POLICY, labour_duration={"value": 1, "unit": "years"})
    reject1("labour_window_expired", "LABOUR_WINDOW_EXPIRED", "claim.lines[1]", claim_with(policy=labour1))
    long_parts = dict(POLICY, parts_duration={"value": 3, "unit": "years"}, labour_duration={"value": 21, "unit": "months"})
    validate("parts_and_labour_windows_open", claim_with(policy=long_parts), "accept", [])

    # --- duplicates -------------------------------------------------------------------------------
    def known(number, component="HYD-PUMP", date="2026-10-20", serial="HCCZFA10HMCJ11111"):
        return {"dms_claim_number": number, "serial": serial, "component": component, "failure_date": date}
    reject1("duplicate_claim_number", "DUPLICATE_CLAIM_NUMBER", "claim.dms_claim_number", claim_with(),
            known_claims=[known("DMS-2026-0042", component="OTHER")])
    validate("same_serial_component_within_window", claim_with(), "needs_review",
             [("POSSIBLE_DUPLICATE", "claim.failure.component")], known_claims=[known("DMS-2026-0031")],
             extra_expect={"findings": [{"severity": "warning", "params": {"days_apart": "21"}}]})
    validate("same_serial_component_on_window_edge", claim_with(), "needs_review",
             [("POSSIBLE_DUPLICATE", "claim.failure.component")], known_claims=[known("DMS-2026-0031", date="2026-10-11")])
    validate("same_serial_component_outside_window", claim_with(), "accept", [],
             known_claims=[known("DMS-2026-0031", date="2026-10-10")])
    validate("same_serial_other_component", claim_with(), "accept", [],
             known_claims=[known("DMS-2026-0031", component="CAB-DOOR")])
    validate("duplicate_window_from_rules", claim_with(), "needs_review",
             [("POSSIBLE_DUPLICATE", "claim.failure.component")],
             known_claims=[known("DMS-2026-0031", date="2026-09-26")], rules={"duplicate_window_days": 60})

    # --- allowed defect and failure codes (rules.defect_codes / failure_codes, e.g. from CNH's lookup) ---
    codes = {"defect_codes": ["HYD-PUMP", "HYD-VALVE"], "failure_codes": ["LEAK", "CRACK"]}
    validate("codes_from_the_lookup_allowed", claim_with(), "accept", [], rules=codes)
    validate("defect_code_not_in_the_lookup", claim_with(**{"failure.component": "CAB-DOOR"}), "reject",
             [("DEFECT_CODE_UNKNOWN", "claim.failure.component")], rules=codes,
             extra_expect={"findings": [{"severity": "error", "params": {"code": "CAB-DOOR"}}]})
    validate("failure_code_not_in_the_lookup", claim_with(**{"failure.failure_code": "NOISE"}), "reject",
             [("FAILURE_CODE_UNKNOWN", "claim.failure.failure_code")], rules={"failure_codes": ["LEAK"]})
    validate("both_codes_unknown_after_duplicates", claim_with(**{"failure.component": "X", "failure.failure_code": "Y"}),
             "reject", [("POSSIBLE_DUPLICATE", "claim.failure.component"),
                        ("DEFECT_CODE_UNKNOWN", "claim.failure.component"),
                        ("FAILURE_CODE_UNKNOWN", "claim.failure.failure_code")],
             rules=codes, known_claims=[known("DMS-2026-0031", component="X")])
    validate("empty_code_list_allows_nothing", claim_with(), "reject",
             [("FAILURE_CODE_UNKNOWN", "claim.failure.failure_code")], rules={"failure_codes": []})
    validate("blank_component_is_only_missing", claim_with(**{"failure.component": ""}), "reject",
             [("REQUIRED_FIELD_MISSING", "claim.failure.component")], rules=codes)
    validate("codes_compared_exactly", claim_with(**{"failure.failure_code": "leak"}), "reject",
             [("FAILURE_CODE_UNKNOWN", "claim.failure.failure_code")], rules=codes)

    # --- EZ Labor (rules.ez_labor, from cnh_ez_labor_answer) and PIP parts (rules.pip_parts) ---------
    # The model: a claim uses EZ Labor when the rule is given or it carries an id; the rule's id must
    # be the claim's; exactly one labour line; its quantity equals freeze_wu as a number.
    def ez_model(claim, rule):
        out = []
        uid = claim["failure"].get("ez_labor_unique_id", "")
        if rule is None and not uid.strip():
            return out
        if rule is not None:
            if not uid.strip():
                out.append(("EZ_LABOR_ID_MISSING", "claim.failure.ez_labor_unique_id"))
            elif uid.strip() != rule["unique_id"].strip():
                out.append(("EZ_LABOR_ID_MISMATCH", "claim.failure.ez_labor_unique_id"))
        labour = [i for i, l in enumerate(claim["lines"]) if l.get("category") == "labour"]
        if len(labour) != 1:
            out.append(("EZ_LABOR_LINES", "claim.lines"))
        elif rule is not None and rule.get("freeze_wu") is not None:
            i = labour[0]
            if Decimal(claim["lines"][i]["quantity"]) != Decimal(rule["freeze_wu"]):
                out.append(("EZ_LABOR_WORK_UNITS", f"claim.lines[{i}].quantity"))
        return out

    def pip_model(claim, parts):
        out = []
        for p in parts:
            if not p.get("mandatory"):
                continue
            mine = [l for l in claim["lines"] if l.get("category") == "parts"
                    and l.get("material_code", "").strip() == p["material_code"].strip()]
            if not mine:
                out.append(("PIP_PART_MISSING", "claim.lines"))
            elif sum(Decimal(l["quantity"]) for l in mine) < Decimal(p["quantity"]):
                out.append(("PIP_PART_SHORT", "claim.lines"))
        return out

    def with_lines(extra, **changes):
        c = claim_with(**changes)
        c["lines"] = c["lines"] + extra
        c["total"] = str(sum(Decimal(l["amount"]) for l in c["lines"]))
        return c

    ez = {"unique_id": "6f1c2a9e-77b0-4b8e-9d52-1a2b3c4d5e6f", "freeze_wu": "2.5"}
    ez_id = {"failure.ez_labor_unique_id": ez["unique_id"]}
    extra_labour = {"category": "labour", "quantity": "1", "amount": "65.00", "currency": "EUR"}
    for name, claim, rule in [
        ("ez_labor_as_cnh_froze_it", claim_with(**ez_id), ez),
        ("ez_labor_work_units_compared_as_numbers", claim_with(**ez_id), dict(ez, freeze_wu="2.50")),
        ("ez_labor_without_work_units", claim_with(**ez_id), {"unique_id": ez["unique_id"]}),
        ("ez_labor_id_missing", claim_with(), ez),
        ("ez_labor_id_mismatch", claim_with(**{"failure.ez_labor_unique_id": "0000"}), ez),
        ("ez_labor_work_units_differ", claim_with(**ez_id), dict(ez, freeze_wu="3")),
        ("ez_labor_two_labour_lines", with_lines([extra_labour], **ez_id), ez),
        ("ez_labor_no_labour_line_and_wrong_id",
         claim_with(**{"failure.ez_labor_unique_id": "0000", "lines": CLAIM["lines"][:1], "total": "184.20"}), ez),
        ("ez_labor_id_without_rule_two_lines", with_lines([extra_labour], **ez_id), None),
        ("ez_labor_id_without_rule_one_line", claim_with(**ez_id), None),
    ]:
        findings = ez_model(claim, rule)
        rules = {} if rule is None else {"ez_labor": rule}
        validate(name, claim, "reject" if findings else "accept", findings, rules=rules)

    pip = [{"pip_code": "P24-017", "level": "1", "defect_code": "10102AK", "mandatory": True,
            "material_type": "ZPAR", "material_code": "87654321", "quantity": "1"},
           {"pip_code": "P24-017", "mandatory": False, "material_code": "47132800", "quantity": "4"}]
    two_seals = {"category": "parts", "material_code": "87654321", "quantity": "1", "amount": "184.20", "currency": "EUR"}
    for name, claim, parts in [
        ("pip_mandatory_part_on_the_claim", claim_with(), pip),
        ("pip_mandatory_part_missing", claim_with(), [dict(pip[0], material_code="99999999")] + pip[1:]),
        ("pip_mandatory_part_short", claim_with(), [dict(pip[0], quantity="2")]),
        ("pip_part_lines_added_up", with_lines([two_seals]), [dict(pip[0], quantity="2")]),
        ("pip_optional_part_may_be_absent", claim_with(), pip[1:]),
        ("pip_labour_line_is_not_a_part", claim_with(), [dict(pip[0], material_code="")]),
        ("pip_two_mandatory_parts_missing", claim_with(),
         [dict(pip[0], material_code="A1"), dict(pip[0], material_code="B2", quantity="0.5")]),
    ]:
        findings = pip_model(claim, parts)
        validate(name, claim, "reject" if findings else "accept", findings, rules={"pip_parts": parts})
    validate("pip_and_ez_findings_in_rule_order", claim_with(**{"failure.ez_labor_unique_id": "0000"}), "reject",
             [("EZ_LABOR_ID_MISMATCH", "claim.failure.ez_labor_unique_id"), ("PIP_PART_MISSING", "claim.lines")],
             rules={"ez_labor": ez, "pip_parts": [dict(pip[0], material_code="A1")]})
    validate("pip_missing_part_params", claim_with(), "reject", [("PIP_PART_MISSING", "claim.lines")],
             rules={"pip_parts": [dict(pip[0], material_code="A1", quantity="3")]},
             extra_expect={"findings": [{"severity": "error",
                                         "params": {"material_code": "A1", "quantity": "3", "found": "0"}}]})
    verr_rules = [("ez_labor_rule_unknown_field", {"ez_labor": dict(ez, attempts=2)}, "rules.ez_labor.attempts"),
                  ("ez_labor_rule_negative_work_units", {"ez_labor": dict(ez, freeze_wu="-1")}, "rules.ez_labor.freeze_wu"),
                  ("pip_part_quantity_not_a_decimal", {"pip_parts": [dict(pip[0], quantity="two")]},
                   "rules.pip_parts[0].quantity")]
    for name, rules, path in verr_rules:
        vec("claim_" + name, {"op": "validate_claim", "claim": claim_with(), "as_of": AS_OF, "zone": ZONE,
                              "rules": rules}, err("INVALID_INPUT", path))

    # --- several findings at once, in the documented order --------------------------------------------
    validate("findings_in_rule_order", claim_with(dealer="", warranty_type="D", repair_end="2026-11-11",
                                                  usage="5", **{"lines[0]__currency": "USD"},
                                                  evidence=[], reason="MISUSE"), "reject",
             [("REQUIRED_FIELD_MISSING", "claim.dealer"),
              ("REQUIRED_FOR_WARRANTY_TYPE", "claim.spare_part_invoice"),
              ("REQUIRED_FOR_WARRANTY_TYPE", "claim.installed_date"),
              ("DATE_ORDER", "claim.repair_end"),
              ("USAGE_NOT_MONOTONIC", "claim.usage"),
              ("CURRENCY_MIXED", "claim.lines[1].currency"),
              ("CURRENCY_MIXED", "claim.lines[2].currency"),
              ("POS_INVOICE_MISSING", "claim.evidence"),
              ("REASON_EXCLUDED", "claim.reason")])

    # --- request errors -----------------------------------------------------------------------------
    def verr(name, req, path):
        vec("error_validate_claim_" + name, req, err("INVALID_INPUT", path))
    base = {"op": "validate_claim", "claim": claim_with(), "as_of": AS_OF}
    verr("lines_not_a_list", dict(base, claim=claim_with(lines={})), "claim.lines")
    verr("unknown_claim_field", dict(base, claim=claim_with(colour="red")), "claim.colour")
    verr("amount_as_number", dict(base, claim=claim_with(**{"lines[0]__amount": 184.2})), "claim.lines[0].amount")
    verr("missing_as_of", {"op": "validate_claim", "claim": claim_with()}, "as_of")
    verr("policy_without_duration", dict(base, claim=claim_with(policy={"id": "P"})), "claim.policy.duration")
    verr("unknown_rule", dict(base, rules={"deadline": 5}), "rules.deadline")

    # --- lifecycle ---------------------------------------------------------------------------------
    def state(status, validation=None, overridden=False, **more):
        s = {"claim": "DMS-2026-0042", "status": status, "validation": validation, "overridden": overridden}
        s.update(more)
        return s

    def tr(status, action, role, validation=None, overridden=False, reason="", prev=None, actor="u-17"):
        req = {"op": "transition_claim", "state": state(status, validation, overridden), "action": action,
               "actor": {"id": actor, "role": role}, "at": "2026-11-21T09:30:00+01:00"}
        if reason:
            req["reason"] = reason
        if prev is not None:
            req["prev_hash"] = prev
        return req

    def entry(claim, action, actor, role, at, frm, to, reason, overridden, prev):
        e = {"claim": claim, "action": action, "actor": actor, "role": role, "at": at, "from": frm, "to": to,
             "reason": reason, "overridden": overridden, "prev_hash": prev}
        canonical = json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode()
        e["hash"] = hashlib.sha256(canonical).hexdigest()
        return e

    allowed = [
        ("submit_draft_by_sales_staff", "draft", "submit", "sales_staff", None, False, "", "submitted"),
        ("submit_after_info_by_owner", "needs_info", "submit", "owner", None, False, "", "submitted"),
        ("submit_by_system_admin", "draft", "submit", "system_admin", None, False, "", "submitted"),
        ("approve_accepted_by_manager", "submitted", "approve", "warranty_manager", "accept", False, "", "approved"),
        ("approve_needs_review_by_owner", "submitted", "approve", "owner", "needs_review", False, "checked photos", "approved"),
        ("approve_overridden_errors", "submitted", "approve", "warranty_manager", "reject", True, "", "approved"),
        ("reject_by_manager", "submitted", "reject", "warranty_manager", "reject", False, "No proof of purchase", "rejected"),
        ("reject_after_info_by_owner", "needs_info", "reject", "owner", None, False, "Dealer did not answer", "rejected"),
        ("request_info_by_finance", "submitted", "request_info", "finance_user", "accept", False, "Invoice unreadable", "needs_info"),
        ("repair_by_manager", "approved", "repair", "warranty_manager", "accept", False, "", "repair"),
        ("replace_by_owner", "approved", "replace", "owner", "accept", False, "", "replace"),
        ("refund_by_finance", "approved", "refund", "finance_user", "accept", False, "", "refund"),
        ("close_repair_by_finance", "repair", "close", "finance_user", "accept", False, "", "closed"),
        ("close_rejected_by_manager", "rejected", "close", "warranty_manager", "reject", False, "", "closed"),
        ("close_replace_by_owner", "replace", "close", "owner", "accept", False, "", "closed"),
        ("close_refund_by_finance", "refund", "close", "finance_user", "accept", False, "", "closed"),
        ("cancel_submitted_by_manager", "submitted", "cancel", "warranty_manager", "accept", False, "Duplicate entry", "cancelled"),
        ("cancel_needs_info_by_sales_staff", "needs_info", "cancel", "sales_staff", None, False, "Customer withdrew", "cancelled"),
        ("cancel_draft_by_sales_staff", "draft", "cancel", "sales_staff", None, False, "Customer withdrew", "cancelled"),
        ("cancel_approved_by_system_admin", "approved", "cancel", "system_admin", "accept", False, "Entered twice", "cancelled"),
        ("override_by_manager", "submitted", "override", "warranty_manager", "reject", False, "Invoice seen on paper", "submitted"),
        ("override_by_owner_after_info", "needs_info", "override", "owner", "reject", False, "Known customer", "needs_info"),
    ]
    prev = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    for i, (name, frm, action, role, validation, overridden, reason, to) in enumerate(allowed):
        p = prev if i % 2 else None
        over = overridden or action == "override"
        audit = entry("DMS-2026-0042", action, "u-17", role, "2026-11-21T09:30:00+01:00", frm, to, reason, over, p)
        vec("transition_" + name, tr(frm, action, role, validation, overridden, reason, p),
            ok({"state": {"claim": "DMS-2026-0042", "status": to, "validation": validation, "overridden": over},
                "audit": audit}))

    def refused(name, req, path):
        vec("transition_refused_" + name, req, err("TRANSITION_REFUSED", path))

    refused("sales_staff_approve", tr("submitted", "approve", "sales_staff", "accept"), "actor.role")
    refused("sales_staff_approve_even_overridden", tr("submitted", "approve", "sales_staff", "reject", True), "actor.role")
    refused("finance_approve", tr("submitted", "approve", "finance_user", "accept"), "actor.role")
    refused("system_admin_reject", tr("submitted", "reject", "system_admin", "accept", reason="x"), "actor.role")
    refused("sales_staff_refund", tr("approved", "refund", "sales_staff", "accept"), "actor.role")
    refused("finance_cancel", tr("approved", "cancel", "finance_user", "accept", reason="x"), "actor.role")
    refused("sales_staff_override", tr("submitted", "override", "sales_staff", "reject", reason="x"), "actor.role")
    refused("finance_override", tr("submitted", "override", "finance_user", "reject", reason="x"), "actor.role")
    refused("approve_draft", tr("draft", "approve", "owner", "accept"), "action")
    refused("approve_with_errors", tr("submitted", "approve", "warranty_manager", "reject"), "state.validation")
    refused("approve_unvalidated", tr("submitted", "approve", "owner", None), "state.validation")
    refused("override_without_reason", tr("submitted", "override", "warranty_manager", "reject"), "reason")
    refused("override_blank_reason", tr("submitted", "override", "warranty_manager", "reject", reason="  \t"), "reason")
    refused("override_nothing", tr("submitted", "override", "warranty_manager", "accept", reason="x"), "state.validation")
    refused("override_twice", tr("submitted", "override", "owner", "reject", True, reason="x"), "state.overridden")
    refused("override_approved_claim", tr("approved", "override", "owner", "reject", True, reason="x"), "action")
    refused("reject_without_reason", tr("submitted", "reject", "warranty_manager", "reject"), "reason")
    refused("request_info_without_reason", tr("submitted", "request_info", "owner"), "reason")
    refused("cancel_without_reason", tr("draft", "cancel", "owner"), "reason")
    refused("submit_closed", tr("closed", "submit", "owner"), "action")
    refused("repair_submitted", tr("submitted", "repair", "owner", "accept"), "action")
    refused("close_approved", tr("approved", "close", "owner", "accept"), "action")
    refused("cancel_closed", tr("closed", "cancel", "owner", reason="x"), "action")
    refused("cancel_cancelled", tr("cancelled", "cancel", "owner", reason="x"), "action")
    refused("refund_rejected", tr("rejected", "refund", "owner", "reject"), "action")
    refused("request_info_twice", tr("needs_info", "request_info", "owner", reason="x"), "action")
    vec("error_transition_unknown_action", tr("draft", "escalate", "owner"), err("INVALID_INPUT", "action"))
    vec("error_transition_unknown_role", tr("draft", "submit", "intern"), err("INVALID_INPUT", "actor.role"))
    vec("error_transition_missing_at", {k: v for k, v in tr("draft", "submit", "owner").items() if k != "at"},
        err("INVALID_INPUT", "at"))

    # --- audit chains --------------------------------------------------------------------------------
    at = ["2026-11-20T10:00:00+01:00", "2026-11-21T09:30:00+01:00", "2026-11-22T14:05:00+01:00"]
    e0 = entry("DMS-2026-0042", "submit", "u-3", "sales_staff", at[0], "draft", "submitted", "", False, None)
    e1 = entry("DMS-2026-0042", "override", "u-17", "warranty_manager", at[1], "submitted", "submitted",
               "Invoice seen on paper", True, e0["hash"])
    e2 = entry("DMS-2026-0042", "approve", "u-17", "warranty_manager", at[2], "submitted", "approved", "", True,
               e1["hash"])
    chain = [e0, e1, e2]
    vec("audit_chain_verifies", {"op": "verify_audit", "entries": chain},
        ok({"valid": True, "entries": 3, "first_broken": None, "problem": None}))
    vec("audit_empty_chain_verifies", {"op": "verify_audit", "entries": []},
        ok({"valid": True, "entries": 0, "first_broken": None}))
    tampered = copy.deepcopy(chain)
    tampered[1]["reason"] = "Invoice seen"
    vec("audit_edited_reason_breaks_that_entry", {"op": "verify_audit", "entries": tampered},
        ok({"valid": False, "entries": 3, "first_broken": 1}))
    tampered = copy.deepcopy(chain)
    tampered[2]["role"] = "sales_staff"
    vec("audit_edited_role_breaks_that_entry", {"op": "verify_audit", "entries": tampered},
        ok({"valid": False, "first_broken": 2}))
    rehashed = copy.deepcopy(chain)
    rehashed[1] = entry("DMS-2026-0042", "override", "u-17", "warranty_manager", at[1], "submitted", "submitted",
                        "Manager said so", True, e0["hash"])
    vec("audit_rehashed_entry_breaks_the_next_link", {"op": "verify_audit", "entries": rehashed},
        ok({"valid": False, "first_broken": 2}))
    vec("audit_removed_entry_breaks_the_chain", {"op": "verify_audit", "entries": [e0, e2]},
        ok({"valid": False, "first_broken": 1}))
    vec("audit_first_entry_must_start_the_chain", {"op": "verify_audit", "entries": [e1, e2]},
        ok({"valid": False, "first_broken": 0}))
    lines = [json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in chain]
    vec("audit_stored_lines_verify", {"op": "verify_audit", "entries": lines}, ok({"valid": True, "entries": 3}))
    spaced = list(lines)
    spaced[1] = spaced[1].replace('"reason":', '"reason": ')
    vec("audit_stored_line_must_be_canonical", {"op": "verify_audit", "entries": spaced},
        ok({"valid": False, "first_broken": 1}))
    vec("audit_entry_not_an_object", {"op": "verify_audit", "entries": [e0, 42, e2]},
        ok({"valid": False, "first_broken": 1}))
    vec("error_audit_entries_not_a_list", {"op": "verify_audit", "entries": {}}, err("INVALID_INPUT", "entries"))

    # --- keyed audit: HMAC-SHA256 of each entry's hash under the host's key ---------------------------
    secret = b"host audit key: 32 bytes long!!!"
    key = {"id": "2026-q4", "secret": base64.b64encode(secret).decode()}
    other = {"id": "2026-q4", "secret": base64.b64encode(b"another key, also long enough").decode()}

    def keyed(e, k_id="2026-q4", k=secret):
        e = {f: v for f, v in e.items() if f not in ("hash", "mac", "key_id")}
        e["key_id"] = k_id
        e["hash"] = hashlib.sha256(json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
        e["mac"] = hmac.new(k, e["hash"].encode(), hashlib.sha256).hexdigest()
        return e

    k0 = keyed(e0)
    k1 = keyed(entry("DMS-2026-0042", "override", "u-17", "warranty_manager", at[1], "submitted", "submitted",
                     "Invoice seen on paper", True, k0["hash"]))
    k2 = keyed(entry("DMS-2026-0042", "approve", "u-17", "warranty_manager", at[2], "submitted", "approved", "", True,
                     k1["hash"]))
    kchain = [k0, k1, k2]
    first = tr("draft", "submit", "sales_staff")
    first["actor"]["id"] = "u-3"
    first["at"] = at[0]
    first["audit_key"] = key
    vec("transition_keyed_entry_carries_key_id_and_mac", first,
        ok({"state": {"status": "submitted"}, "audit": k0}))
    second = tr("submitted", "override", "warranty_manager", "reject", reason="Invoice seen on paper", prev=k0["hash"])
    second["audit_key"] = key
    vec("transition_keyed_entry_chains_on_the_keyed_hash", second, ok({"audit": k1}))
    vec("audit_keyed_chain_verifies_with_the_key", {"op": "verify_audit", "entries": kchain, "keys": [key]},
        ok({"valid": True, "entries": 3, "first_broken": None, "problem": None, "authenticated": True}))
    vec("audit_keyed_chain_verifies_as_a_plain_chain", {"op": "verify_audit", "entries": kchain},
        ok({"valid": True, "entries": 3, "authenticated": False}))
    vec("audit_plain_chain_is_not_authenticated", {"op": "verify_audit", "entries": chain},
        ok({"valid": True, "authenticated": False}))
    # An insider edits entry 1 and recomputes every hash after it: the plain chain still
    # verifies, the MACs do not.
    forged1 = dict(k1, reason="Manager said so")
    forged1 = {f: v for f, v in forged1.items() if f not in ("hash", "mac")}
    forged1["hash"] = hashlib.sha256(json.dumps(forged1, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    forged1["mac"] = k1["mac"]
    forged2 = {f: v for f, v in k2.items() if f not in ("hash", "mac")}
    forged2["prev_hash"] = forged1["hash"]
    forged2["hash"] = hashlib.sha256(json.dumps(forged2, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    forged2["mac"] = k2["mac"]
    forged = [k0, forged1, forged2]
    vec("audit_rehashed_edit_passes_the_plain_chain", {"op": "verify_audit", "entries": forged},
        ok({"valid": True, "authenticated": False}))
    vec("audit_rehashed_edit_is_caught_by_the_key", {"op": "verify_audit", "entries": forged, "keys": [key]},
        ok({"valid": False, "first_broken": 1, "authenticated": False}))
    stripped = [k0, entry("DMS-2026-0042", "override", "u-17", "warranty_manager", at[1], "submitted", "submitted",
                          "Manager said so", True, k0["hash"])]
    vec("audit_entry_without_mac_fails_when_keys_are_given", {"op": "verify_audit", "entries": stripped, "keys": [key]},
        ok({"valid": False, "first_broken": 1}))
    vec("audit_wrong_secret_fails_at_the_first_entry", {"op": "verify_audit", "entries": kchain, "keys": [other]},
        ok({"valid": False, "first_broken": 0}))
    vec("audit_unknown_key_id_fails", {"op": "verify_audit", "entries": kchain, "keys": [dict(key, id="2025-q1")]},
        ok({"valid": False, "first_broken": 0}))
    rotated = [k0, keyed(entry("DMS-2026-0042", "override", "u-17", "warranty_manager", at[1], "submitted", "submitted",
                               "Invoice seen on paper", True, k0["hash"]), "2027-q1", b"next quarter's key, 32 bytes!!!")]
    vec("audit_rotated_keys_verify_together", {"op": "verify_audit", "entries": rotated,
        "keys": [key, {"id": "2027-q1", "secret": base64.b64encode(b"next quarter's key, 32 bytes!!!").decode()}]},
        ok({"valid": True, "authenticated": True}))
    half = dict(k0)
    del half["mac"]
    vec("audit_key_id_without_mac_is_broken", {"op": "verify_audit", "entries": [half]},
        ok({"valid": False, "first_broken": 0}))
    klines = [json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in kchain]
    vec("audit_keyed_stored_lines_verify", {"op": "verify_audit", "entries": klines, "keys": [key]},
        ok({"valid": True, "authenticated": True}))
    vec("error_audit_key_too_short", {"op": "verify_audit", "entries": [], "keys": [{"id": "k", "secret": "c2hvcnQ="}]},
        err("INVALID_INPUT", "keys[0].secret"))
    vec("error_audit_key_not_base64", dict(first, audit_key={"id": "k", "secret": "not base64!"}),
        err("INVALID_INPUT", "audit_key.secret"))
    vec("error_audit_key_empty_id", dict(first, audit_key={"id": " ", "secret": key["secret"]}),
        err("INVALID_INPUT", "audit_key.id"))

    # --- partner status ------------------------------------------------------------------------------
    def ps(name, st, update, expect, prev=None):
        req = {"op": "apply_partner_status", "state": st, "update": update}
        if prev:
            req["prev_hash"] = prev
        vec("partner_" + name, req, expect)

    t = "2026-11-25T08:00:00+01:00"
    ps("claim_paid_closes_approved", state("approved", "accept"), {"status": "80", "status_description": "CLAIM PAID", "at": t},
       ok({"applied": True, "ignored": None, "partner_status": "closed",
           "state": {"status": "closed", "partner_at": t},
           "audit": entry("DMS-2026-0042", "partner_status", "partner:cnh", "partner", t, "approved", "closed",
                          "CLAIM PAID", False, None)}))
    vec("partner_keyed_entry_under_the_host_key",
        {"op": "apply_partner_status", "state": state("approved", "accept"),
         "update": {"status": "80", "status_description": "CLAIM PAID", "at": t}, "audit_key": key},
        ok({"applied": True, "audit": keyed(entry("DMS-2026-0042", "partner_status", "partner:cnh", "partner", t, "approved",
                                                 "closed", "CLAIM PAID", False, None))}))
    ps("awaiting_info", state("submitted", "accept"), {"status_description": "AWAITING ADDITIONAL DEALER INFO", "at": t},
       ok({"applied": True, "partner_status": "needs_info", "state": {"status": "needs_info"}}))
    ps("draft_never_moves_back", state("submitted", "accept"), {"status_description": "DRAFT", "at": t},
       ok({"applied": False, "ignored": "STALE", "partner_status": "draft", "state": {"status": "submitted"}, "audit": None}))
    ps("paid_twice_is_no_change", state("closed", "accept"), {"status_description": "CLAIM PAID", "at": t},
       ok({"applied": False, "ignored": "NO_CHANGE", "state": {"status": "closed"}}))
    ps("cancelled_after_closed_is_stale", state("closed", "accept"), {"status_description": "CLAIM CANCELLED", "at": t},
       ok({"applied": False, "ignored": "STALE", "state": {"status": "closed"}}))
    ps("older_update_is_out_of_order", state("submitted", "accept", partner_at="2026-11-26T08:00:00+01:00"),
       {"status_description": "CLAIM PAID", "at": t},
       ok({"applied": False, "ignored": "OUT_OF_ORDER", "state": {"status": "submitted", "partner_at": "2026-11-26T08:00:00+01:00"}}))
    ps("numeric_80_is_paid", state("approved", "accept"), {"status": "80", "at": t},
       ok({"applied": True, "partner_status": "closed"}))
    ps("numeric_z080_is_paid", state("repair", "accept"), {"status": "Z080", "at": t},
       ok({"applied": True, "partner_status": "closed", "state": {"status": "closed"}}))
    ps("numeric_90_is_cancelled", state("submitted", "accept"), {"status": "90", "at": t},
       ok({"applied": True, "partner_status": "cancelled"}))
    ps("description_wins_over_code", state("submitted", "accept"), {"status": "80", "status_description": "AWAITING ADDITIONAL DEALER INFO", "at": t},
       ok({"applied": True, "partner_status": "needs_info"}))
    ps("description_case_and_spaces", state("approved", "accept"), {"status_description": " claim  paid ", "at": t},
       ok({"applied": True, "partner_status": "closed"}))
    ps("cancelled_replaced", state("submitted", "accept"), {"status_description": "CLAIM CANCELLED/REPLACED", "at": t},
       ok({"applied": True, "partner_status": "cancelled", "audit": {"reason": "CLAIM CANCELLED/REPLACED", "prev_hash": prev}}),
       prev=prev)
    ps("error_unknown_description", state("submitted"), {"status_description": "CLAIM LOST", "at": t},
       err("INVALID_INPUT", "update.status_description"))
    ps("error_unknown_code", state("submitted"), {"status": "77", "at": t}, err("INVALID_INPUT", "update.status"))
    ps("error_no_status", state("submitted"), {"at": t}, err("INVALID_INPUT", "update"))

    # --- reports -----------------------------------------------------------------------------------
    claims = [
        {"id": "C1", "status": "submitted", "validation": "accept", "reason": "DEFECT", "currency": "EUR",
         "claimed": "386.70", "submitted_at": "2026-11-01T09:00:00+01:00"},
        {"id": "C2", "status": "closed", "validation": "accept", "reason": "DEFECT", "currency": "EUR",
         "claimed": "100.00", "reimbursed": "90.00", "submitted_at": "2026-10-01T09:00:00+02:00",
         "approved_at": "2026-10-03T09:00:00+02:00"},
        {"id": "C3", "status": "rejected", "validation": "reject", "reason": "MISUSE", "currency": "USD",
         "claimed": "50", "submitted_at": "2026-10-05T09:00:00-05:00"},
        {"id": "C4", "status": "repair", "validation": "needs_review", "reason": "DEFECT", "currency": "EUR",
         "claimed": "20.5", "submitted_at": "2026-10-10T08:00:00Z", "approved_at": "2026-10-10T20:00:00Z"},
        {"id": "C5", "status": "draft"},
    ]
    vec("claims_report_counts_and_totals", {"op": "claims_report", "claims": claims}, ok({
        "claims": 5, "open": 3,
        "by_status": {"closed": 1, "draft": 1, "rejected": 1, "repair": 1, "submitted": 1},
        "by_validation": {"accept": 2, "needs_review": 1, "reject": 1, "unvalidated": 1},
        "by_reason": {"DEFECT": 3, "MISUSE": 1, "none": 1},
        "approval_lead_time": {"count": 2, "min_seconds": 43200, "median_seconds": 108000, "mean_seconds": 108000,
                               "max_seconds": 172800},
        "totals": [{"currency": "EUR", "claims": 3, "claimed": "507.20", "reimbursed": "90.00", "unrecovered": "417.20"},
                   {"currency": "USD", "claims": 1, "claimed": "50", "reimbursed": "0", "unrecovered": "50"}]}))
    vec("claims_report_empty", {"op": "claims_report", "claims": []}, ok({
        "claims": 0, "open": 0, "by_status": {}, "by_validation": {}, "by_reason": {},
        "approval_lead_time": {"count": 0, "median_seconds": None}, "totals": []}))
    vec("error_claims_report_unknown_currency", {"op": "claims_report", "claims": [
        {"id": "C1", "status": "draft", "currency": "EURO", "claimed": "1"}]}, err("INVALID_INPUT", "claims[0].currency"))
    vec("error_claims_report_approved_before_submitted", {"op": "claims_report", "claims": [
        claims[0], {"id": "C2", "status": "approved", "submitted_at": "2026-10-03T09:00:00Z",
                    "approved_at": "2026-10-02T09:00:00Z"}]}, err("INVALID_INPUT", "claims[1].approved_at"))
    vec("error_claims_report_unknown_status", {"op": "claims_report", "claims": [{"id": "C1", "status": "lost"}]},
        err("INVALID_INPUT", "claims[0].status"))
