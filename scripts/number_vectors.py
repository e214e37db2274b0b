"""Vectors for exact numbers and arithmetic that cannot panic (issue 21): sums past
rust_decimal's range are INVALID_INPUT at the value that overflowed; JSON numbers in partner
answers are read from their text; a repeated key is refused at the key. Expected amounts come
from Python's decimal (28 digits of precision are not enough for 2^96 - 1: a context of 60)."""

import json
from decimal import Context, Decimal

MAX = "79228162514264337593543950335"  # 2^96 - 1, rust_decimal's largest magnitude
EXACT = Context(prec=60)


def raw(obj, **numbers):
    """obj as JSON text with each "@name" string replaced by the raw number text given."""
    text = json.dumps(obj)
    for k, v in numbers.items():
        text = text.replace(json.dumps("@" + k), v)
    return text


def fits(d):
    return abs(d) <= Decimal(MAX)


def add(vec, vec_text, ok, err):
    claim = {"id": "C1", "status": "submitted", "currency": "EUR", "partner_claim_number": "P1"}

    def line(doc, amount, claim_number="P1", currency="EUR"):
        return {"claim_number": claim_number, "document": doc, "amount": amount, "currency": currency}

    # Sums that leave the range, at the line that overflowed them; a model checks they do.
    for name, claims, lines, path in [
        ("sum_paid_overflows", [claim], [line("1", MAX), line("2", "1")], "lines[1].amount"),
        ("sum_paid_underflows", [claim], [line("1", "-" + MAX), line("2", "-1")], "lines[1].amount"),
        ("matched_total_across_claims_overflows",
         [claim, dict(claim, id="C2", partner_claim_number="P2")],
         [line("1", MAX), line("2", "0.5", "P2")], "lines[1].amount"),
        ("unmatched_total_overflows", [claim], [line("1", MAX, "NOBODY"), line("2", MAX, "NOBODY")],
         "lines[1].amount"),
        ("difference_overflows", [dict(claim, claimed=MAX)], [line("1", "-" + MAX)], "claims[0].claimed"),
    ]:
        paid = sum((Decimal(l["amount"]) for l in lines), Decimal(0))
        assert not fits(EXACT.add(paid, 0)) or path.startswith("claims") or name.startswith("matched")
        vec("overflow_cnh_invoice_reconcile_" + name,
            {"op": "cnh_invoice_reconcile", "claims": claims, "lines": lines}, err("INVALID_INPUT", path))
    # The largest sums that fit are still answered, exactly.
    vec("overflow_cnh_invoice_reconcile_largest_sum_fits",
        {"op": "cnh_invoice_reconcile", "claims": [claim],
         "lines": [line("1", str(EXACT.subtract(Decimal(MAX), 1))), line("2", "1")]},
        ok({"matched": [{"claim": "C1", "paid": MAX}], "totals": [{"currency": "EUR", "matched": MAX}]}))

    # A claims report whose totals overflow names the claim that overflowed them.
    vec("overflow_claims_report_total",
        {"op": "claims_report", "claims": [
            {"id": "A", "status": "submitted", "currency": "EUR", "claimed": MAX},
            {"id": "B", "status": "submitted", "currency": "EUR", "claimed": "1"}]},
        err("INVALID_INPUT", "claims[1].claimed"))

    # CNH invoice answers: numbers read from their text, never through f64.
    R = "ZcnWtDmsInvoiceDlyReportResponse"

    def daily(**numbers):
        detail = {"zzwtybukrs": "G183", "zzwtybelnr": "D1", "zzwtygjahr": 2025, "pncnt": 1,
                  "clmno": "1", "zzclaimdealer": "C1", "waers": "EUR", "wrbtr": "@n"}
        return raw({R: {"Dailyreport": {"invoiceDetail": [detail]}}}, **numbers)

    # The CNH SAP answers keep every number's text (sap::parse): exact, exponent included.
    for name, text, want in [
        ("beyond_f64_digits", "90071992547409.93", "90071992547409.93"),
        ("twenty_digits", "12345678.123456789012", "12345678.123456789012"),
        ("exponent", "1.5e3", "1500"),
        ("negative_exponent", "15E-1", "1.5"),
        ("largest", MAX, MAX),
    ]:
        assert Decimal(text) == Decimal(want)
        vec("exact_cnh_invoice_answer_" + name, {"op": "cnh_invoice_answer", "body": daily(n=text)},
            ok({"lines": [{"amount": want}]}))
    for name, text in [("below_precision", "1e-400"), ("beyond_range", "79228162514264337593543950336"),
                       ("exponent_beyond_range", "1e29"), ("boolean", "true"), ("object", "{}"),
                       ("array", "[1]")]:
        vec("exact_cnh_invoice_answer_refuses_" + name, {"op": "cnh_invoice_answer", "body": daily(n=text)},
            err("INVALID_INPUT", f"body.{R}.Dailyreport.invoiceDetail[0].wrbtr"))
    vec("exact_cnh_invoice_answer_whole_number_not_boolean",
        {"op": "cnh_invoice_answer",
         "body": raw({R: {"Dailyreport": {"invoiceDetail": [{"zzwtygjahr": "@y", "wrbtr": "1"}]}}}, y="true")},
        err("INVALID_INPUT", f"body.{R}.Dailyreport.invoiceDetail[0].zzwtygjahr"))

    # Repeated keys in partner answers, at the repeated key.
    E = "ZcnWtClaimEzLaborResponse"
    for name, op, body, path in [
        ("create_claim_answer", "cnh_read_response",
         '{"dms_claim_number": "D1", "status": "S", "dms_claim_number": "D2"}', "body.dms_claim_number"),
        ("invoice_answer", "cnh_invoice_answer",
         '{"%s": {"Dailyreport": {"invoiceDetail": [{"wrbtr": "1", "wrbtr": "2"}]}}}' % R,
         f"body.{R}.Dailyreport.invoiceDetail[0].wrbtr"),
        ("ez_labor_answer", "cnh_ez_labor_answer", '{"message": "a", "message": "b"}', "body.message"),
    ]:
        req = {"op": op, "body": body}
        if op == "cnh_read_response":
            req.update(status=200, at="2026-12-01T10:00:00Z")
        vec("repeated_key_" + name, req, err("INVALID_INPUT", path))

    # Warranty Life: prices keep every digit, both ways.
    creds = {"key": "K", "secret": "S"}
    for name, price in [("seventeen_digits", "12345678901234567"), ("cents", "1234567890123.45"),
                        ("zero_cents", "0.00")]:
        vec("exact_warranty_life_price_" + name,
            {"op": "warranty_life_request",
             "item": {"customer_id": "c", "product_id": "p", "purchased_at": "2026-12-01T10:00:00Z",
                      "price_paid": price, "currency": "USD"}, "credentials": creds},
            ok({"body": {"pricePaid": json.loads(price) if "." not in price else float(price)}}))
    plan = {"id": "P", "applicableCategoryIds": ["tv"], "duration": 1, "durationUnit": "years",
            "productMaxPrice": "@p"}
    vec_text("exact_warranty_life_plans_price_seventeen_digits",
             raw({"op": "warranty_life_plans", "plans": [plan]}, p="12345678901234567"),
             ok({"plans": [{"max_price": "12345678901234567"}]}))
