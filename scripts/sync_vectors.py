"""Sync vectors (webhook_sign/verify, outbox_* errors and restores) and sync scenarios
(tests/scenarios: several requests through one engine), written from docs/sync.md and the
seeds. Signatures are computed here with Python's hmac, payload hashes with hashlib over
compact sorted JSON, and backoff delays with a Python model of the outbox's xorshift64* PRNG:
none of it comes from the Rust code. Imported by make_vectors.py."""
import base64
import copy
import datetime
import hashlib
import hmac
import json

import claim_vectors

MASK = (1 << 64) - 1
T0 = "2026-11-22T10:00:00+00:00"
T0_MS = 1795341600000

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TS = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def compact(v):
    """serde_json's compact form of a JSON value (object keys sorted)."""
    return json.dumps(v, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def sign(secret, msg_id, ts, body):
    key = base64.b64decode(secret[len("whsec_"):])
    tag = hmac.new(key, f"{msg_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(tag).decode()


class Prng:
    """xorshift64* as docs/sync.md describes it; a seed of 0 becomes 0x9E3779B97F4A7C15."""

    def __init__(self, seed):
        self.x = seed or 0x9E3779B97F4A7C15

    def next(self):
        x = self.x
        x ^= x >> 12
        x ^= (x << 25) & MASK
        x ^= x >> 27
        self.x = x
        return (x * 0x2545F4914F6CDD1D) & MASK


def ceiling(base, cap, attempt):
    return min(base * (1 << (attempt - 1)), cap)


def at(ms):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat()


def at_ceil(ms):
    """A response instant: whole seconds, rounded up."""
    return at(-(-ms // 1000) * 1000)


def add(vec, ok, err, scenario):
    # --- webhooks: the specification's test vector and the refusals -------------------------
    vec("webhook_sign_standard_webhooks_test_vector",
        {"op": "webhook_sign", "secret": SPEC_SECRET, "id": SPEC_ID, "timestamp": SPEC_TS, "body": SPEC_BODY},
        ok({"headers": {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TS), "webhook-signature": SPEC_SIG}}))
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY) == SPEC_SIG
    body = '{"type":"claim.status_changed"}'
    vec("webhook_sign_status_event",
        {"op": "webhook_sign", "secret": SPEC_SECRET, "id": "evt_1", "timestamp": 1795341600, "body": body},
        ok({"headers": {"webhook-signature": sign(SPEC_SECRET, "evt_1", 1795341600, body)}}))
    vec("webhook_sign_secret_not_base64",
        {"op": "webhook_sign", "secret": "whsec_not*base64", "id": "a", "timestamp": 1, "body": ""},
        err("INVALID_INPUT", "secret"))
    vec("webhook_sign_empty_id",
        {"op": "webhook_sign", "secret": SPEC_SECRET, "id": "", "timestamp": 1, "body": ""},
        err("INVALID_INPUT", "id"))

    def verify(name, headers, now_s, expect, body=SPEC_BODY, **extra):
        req = {"op": "webhook_verify", "secret": SPEC_SECRET, "headers": headers, "body": body, "now": at(now_s * 1000)}
        req.update(extra)
        vec("webhook_verify_" + name, req, expect)

    good = {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TS), "webhook-signature": SPEC_SIG}
    verify("spec_vector", good, SPEC_TS + 10, ok({"valid": True, "reason": None}))
    verify("header_names_any_case", {"Webhook-Id": SPEC_ID, "WEBHOOK-TIMESTAMP": str(SPEC_TS),
                                     "webhook-signature": "v1,bm9wZQ== " + SPEC_SIG},
           SPEC_TS, ok({"valid": True}))
    verify("changed_body", good, SPEC_TS, ok({"valid": False, "reason": "NO_MATCHING_SIGNATURE"}),
           body='{"test": 2432232315}')
    verify("too_old", good, SPEC_TS + 301, ok({"valid": False, "reason": "TIMESTAMP_TOO_OLD"}))
    verify("in_future", good, SPEC_TS - 301, ok({"valid": False, "reason": "TIMESTAMP_IN_FUTURE"}))
    verify("wider_tolerance", good, SPEC_TS + 3000, ok({"valid": True}), tolerance_seconds=3600)
    verify("missing_signature", {k: v for k, v in good.items() if k != "webhook-signature"}, SPEC_TS,
           ok({"valid": False, "reason": "MISSING_HEADER"}))
    verify("bad_timestamp", dict(good, **{"webhook-timestamp": "yesterday"}), SPEC_TS,
           ok({"valid": False, "reason": "BAD_TIMESTAMP"}))
    verify("v2_signature_ignored", dict(good, **{"webhook-signature": SPEC_SIG.replace("v1,", "v2,")}), SPEC_TS,
           ok({"valid": False, "reason": "NO_MATCHING_SIGNATURE"}))
    verify("negative_tolerance", good, SPEC_TS, err("INVALID_INPUT", "tolerance_seconds"), tolerance_seconds=-1)

    # --- outbox operations on an engine without that outbox ----------------------------------
    no_outbox = {
        "outbox_enqueue": {"partner": "cnh", "operation": "create_claim", "idempotency_key": "K", "payload": {},
                           "now": T0},
        "outbox_poll_transmit": {"now": T0},
        "outbox_handle_response": {"id": 1, "status": 200, "now": T0},
        "outbox_transport_error": {"id": 1, "now": T0},
        "outbox_poll_timeout": {},
        "outbox_poll_event": {},
        "outbox_snapshot": {},
        "outbox_report": {},
        "outbox_prune": {"enqueued_before": T0},
        "outbox_replay": {"id": 1, "now": T0},
        "outbox_drop": {},
    }
    for op, fields in no_outbox.items():
        vec(f"{op}_unknown_outbox", dict({"op": op, "outbox": "main"}, **fields), err("INVALID_INPUT", "outbox"))
    vec("outbox_handle_response_status_not_a_number",
        {"op": "outbox_handle_response", "outbox": "main", "id": 1, "status": "200", "now": T0},
        err("INVALID_INPUT", "status"))
    vec("outbox_enqueue_missing_payload",
        {"op": "outbox_enqueue", "outbox": "main", "partner": "cnh", "operation": "x", "idempotency_key": "K",
         "now": T0}, err("INVALID_INPUT", "payload"))

    # --- outbox_create ------------------------------------------------------------------------
    defaults = {"base_ms": 1000, "cap_ms": 300000, "max_attempts": 8, "deadline_ms": 86400000, "partners": {}}
    vec("outbox_create_defaults", {"op": "outbox_create", "outbox": "main", "seed": 7},
        ok({"outbox": "main", "header": {"name": "main", "config": defaults, "rng": "7", "next_id": 1}}))
    vec("outbox_create_seed_beyond_2_53_as_text",
        {"op": "outbox_create", "outbox": "main", "seed": "18446744073709551615"},
        ok({"header": {"rng": "18446744073709551615"}}))
    vec("outbox_create_seed_zero_is_replaced", {"op": "outbox_create", "outbox": "main", "seed": 0},
        ok({"header": {"rng": str(0x9E3779B97F4A7C15)}}))
    vec("outbox_create_seed_not_a_number", {"op": "outbox_create", "outbox": "main", "seed": "x1"},
        err("INVALID_INPUT", "seed"))
    vec("outbox_create_seed_negative", {"op": "outbox_create", "outbox": "main", "seed": -1},
        err("INVALID_INPUT", "seed"))
    vec("outbox_create_empty_name", {"op": "outbox_create", "outbox": "", "seed": 1}, err("INVALID_INPUT", "outbox"))
    vec("outbox_create_cap_below_base", {"op": "outbox_create", "outbox": "m", "seed": 1,
                                         "config": {"base_ms": 5000, "cap_ms": 1000}},
        err("INVALID_INPUT", "config.cap_ms"))
    vec("outbox_create_no_attempts", {"op": "outbox_create", "outbox": "m", "seed": 1, "config": {"max_attempts": 0}},
        err("INVALID_INPUT", "config.max_attempts"))
    vec("outbox_create_bad_webhook_secret",
        {"op": "outbox_create", "outbox": "m", "seed": 1,
         "config": {"partners": {"hooks": {"webhook_secret": "not-a-secret"}}}},
        err("INVALID_INPUT", "config.partners.hooks.webhook_secret"))
    vec("outbox_create_unknown_config_field",
        {"op": "outbox_create", "outbox": "m", "seed": 1, "config": {"retries": 3}},
        err("INVALID_INPUT", "config.retries"))
    vec("outbox_create_route_without_path",
        {"op": "outbox_create", "outbox": "m", "seed": 1,
         "config": {"partners": {"cnh": {"routes": {"create_claim": {"method": "POST"}}}}}},
        err("INVALID_INPUT", "config.partners.cnh.routes.create_claim.path"))

    # --- outbox_restore, one request ----------------------------------------------------------
    def message(mid, key, state, attempts=0, due=None, status=None, reason=None, payload=None):
        p = compact(payload if payload is not None else {"n": mid})
        return {"id": mid, "partner": "cnh", "operation": "create_claim", "idempotency_key": key, "payload": p,
                "payload_sha256": sha(p), "enqueued_ms": T0_MS, "attempts": attempts, "last_status": status,
                "state": state, "due_ms": due, "reason": reason}

    header = {"name": "main", "config": defaults, "rng": "12345", "next_id": 4}
    snap = {"header": header, "messages": [
        message(1, "A", "delivered", 1, status=200),
        message(2, "B", "in_flight", 2),
        message(3, "C", "pending", 1, due=T0_MS + 5000, status=503),
    ]}
    later = T0_MS + 60000
    resent = dict(message(2, "B", "pending", 2, due=later))
    vec("outbox_restore_resends_in_flight",
        {"op": "outbox_restore", "snapshot": snap, "now": at(later)},
        ok({"outbox": "main", "messages": 3, "header": header,
            "persist": {"rng": "12345", "next_id": 4, "messages": [resent], "events": []}}))
    vec("outbox_restore_without_resending",
        {"op": "outbox_restore", "snapshot": snap, "resend_in_flight": False},
        ok({"messages": 3, "persist": {"messages": [], "events": []}}))
    vec("outbox_restore_needs_now_to_resend", {"op": "outbox_restore", "snapshot": snap},
        err("INVALID_INPUT", "now"))
    vec("outbox_restore_other_name", {"op": "outbox_restore", "outbox": "other", "snapshot": snap, "now": T0},
        err("INVALID_INPUT", "outbox"))
    bad = copy.deepcopy(snap)
    bad["header"]["rng"] = "0"
    vec("outbox_restore_zero_prng", {"op": "outbox_restore", "snapshot": bad, "now": T0},
        err("INVALID_INPUT", "snapshot.header.rng"))
    bad = copy.deepcopy(snap)
    bad["messages"][2]["id"] = 4
    vec("outbox_restore_id_not_below_next_id", {"op": "outbox_restore", "snapshot": bad, "now": T0},
        err("INVALID_INPUT", "snapshot.messages[2].id"))
    bad = copy.deepcopy(snap)
    bad["messages"][2]["idempotency_key"] = "A"
    vec("outbox_restore_key_twice", {"op": "outbox_restore", "snapshot": bad, "now": T0},
        err("INVALID_INPUT", "snapshot.messages[2]"))
    bad = copy.deepcopy(snap)
    bad["messages"][2]["due_ms"] = None
    vec("outbox_restore_pending_without_due", {"op": "outbox_restore", "snapshot": bad, "now": T0},
        err("INVALID_INPUT", "snapshot.messages[2].due_ms"))
    bad = copy.deepcopy(snap)
    bad["messages"][1]["state"] = "lost"
    vec("outbox_restore_unknown_state", {"op": "outbox_restore", "snapshot": bad, "now": T0},
        err("INVALID_INPUT", "snapshot.messages[1].state"))
    bad = copy.deepcopy(snap)
    bad["header"]["config"]["cap_ms"] = 1
    vec("outbox_restore_bad_config", {"op": "outbox_restore", "snapshot": bad, "now": T0},
        err("INVALID_INPUT", "snapshot.header.config.cap_ms"))

    # --- activate_sale / claim_changed without their outbox -----------------------------------
    vec("activate_sale_unknown_outbox",
        {"op": "activate_sale", "outbox": "main", "policies": [], "now": T0, "sale": SALE},
        err("INVALID_INPUT", "outbox"))
    vec("activate_sale_catalog_and_policies",
        {"op": "activate_sale", "outbox": "main", "catalog": "c", "policies": [], "now": T0, "sale": SALE},
        err("INVALID_INPUT", "catalog"))

    # --- the adapters the dispatcher exposes ----------------------------------------------------
    claim = claim_vectors.CLAIM
    vec("cnh_claim_body_from_the_tractor_claim", {"op": "cnh_claim_body", "claim": claim},
        ok({"body": {"ClaimHeader": {
            "DealerCode": claim["dealer"], "WorkshopCode": claim["workshop"],
            "DmsClaimNumber": claim["dms_claim_number"], "JobOrderNumber": claim["job_order"],
            "ReferenceDate": claim["reference_date"], "SerialNumber": claim["serial"],
            "VehicleHours": claim["usage"], "WorkshopEntryDate": claim["failure_date"],
            "RepairStartDate": claim["repair_start"], "WorkshopLeaveDate": claim["repair_end"],
            "Failure": {"ComponentCode": "HYD-PUMP", "FailureCode": "LEAK", "FailureSeverityRating": "2",
                        "WarrantyType": "A", "SupplierCode": "000",
                        "FailureCause": [{"RowNumber": r["row"], "RowText": r["text"]}
                                         for r in claim["texts"]["cause"]],
                        "ItemPosition": [
                            {"PositionCategory": "PARTS", "MaterialCode": "87654321", "Quantity": "1",
                             "ClaimedAmount": "184.20", "AmountCurrency": "EUR"},
                            {"PositionCategory": "LABOUR", "Quantity": "2.5", "ClaimedAmount": "162.50",
                             "AmountCurrency": "EUR"},
                            {"PositionCategory": "SUBLET", "Quantity": "1", "ClaimedAmount": "40.00",
                             "AmountCurrency": "EUR", "ThirdPartyInvoiceNumber": "TP-991"}]}},
            "smartAlertFlag": "X", "attachmentFlag": "X", "language": "EN"}}))
    vec("cnh_claim_body_options",
        {"op": "cnh_claim_body", "claim": claim,
         "options": {"smart_alert": False, "attachment": False, "language": "IT"}},
        ok({"body": {"smartAlertFlag": "", "attachmentFlag": "", "language": "IT"}}))
    vec("cnh_claim_body_requires_the_dealer", {"op": "cnh_claim_body", "claim": dict(claim, dealer="")},
        err("INVALID_INPUT", "claim.dealer"))
    vec("cnh_claim_body_unknown_option", {"op": "cnh_claim_body", "claim": claim, "options": {"lang": "IT"}},
        err("INVALID_INPUT", "options.lang"))

    # CNH's answers to Create Claim (the seed's response attributes and response codes).
    answer = {"dealer_code": "0000123456", "dms_claim_number": "DMS-2026-0042", "cnh_claim_number": "202500006190",
              "status": "10", "status_description": "DRAFT", "claimed_value": "386.70", "currency": "EUR",
              "message": [{"row_number": "01", "row_text": "Claim Processing Completed."}], "zzext_clmno": ""}

    def cnh(name, status, body, expect):
        vec("cnh_read_response_" + name,
            {"op": "cnh_read_response", "status": status, "body": body, "at": "2026-11-21T10:00:00+01:00"}, expect)

    every = dict(answer, workshop_code="W1", job_order_number="JO-7", reference_date="20261120",
                 serial_number="HCCZFA10HMCJ11111", van_code="V12", dealer_name="Hoober, Inc.",
                 reimbursed_value="0.00", zzext_clmno="AS-778899")
    cnh("keeps_every_response_field", 200, json.dumps(every),
        ok({"disposition": "delivered",
            "response": {k: v for k, v in every.items() if k != "message"}}))
    cnh("created", 200, json.dumps(answer),
        ok({"disposition": "delivered", "claim_status": "draft", "messages": ["Claim Processing Completed."],
            "response": {"dms_claim_number": "DMS-2026-0042", "cnh_claim_number": "202500006190",
                         "status": "10", "status_description": "DRAFT", "claimed_value": "386.70",
                         "currency": "EUR"}}))
    cnh("400_dead_letter", 400, '{"statusCode":"400","message":"Required request body missing error!"}',
        ok({"disposition": "dead_letter", "response": None, "claim_status": None,
            "messages": ["Required request body missing error!", "400"]}))
    cnh("401_dead_letter", 401, "Access denied due to invalid credentials!",
        ok({"disposition": "dead_letter", "messages": ["Access denied due to invalid credentials!"]}))
    cnh("422_rows_kept", 422, json.dumps({"message": [{"row_number": "01", "row_text": "Serial not found"},
                                                       {"row_number": "02", "row_text": "Labour too high"}]}),
        ok({"disposition": "dead_letter", "messages": ["Serial not found", "Labour too high"]}))
    cnh("500_retry", 500, "Internal Server Error",
        ok({"disposition": "retry", "messages": ["Internal Server Error"]}))
    cnh("success_without_json_is_an_error", 200, "<html>gateway</html>", err("INVALID_INPUT", "body"))
    cnh("status_out_of_range", 99, "", err("INVALID_INPUT", "status"))

    # CRM.COM get_installed_item_coverage, built from our decision (the seed's example response).
    installed = {"state": "EFFECTIVE", "serial_number": "Smartcard2_001", "id": "791DF73677384DC8A00D8384F5FF85FF",
                 "alternative_code": "Smartcard2_001",
                 "product": {"id": "80EEE8F6F46767AE32E6ABE68603E9F2", "name": None, "description": "SmartCards 2",
                             "code": "Smartcard 2", "alternative_code": "SC2"}}
    crm_policy = {"id": "4B417948ADB44DFEAF735184B941D481", "number": "2", "name": "Policy1", "alternative_code": "p1",
                  "duration": {"value": 140, "unit": "days"}}
    crm_item = {"installed_item": installed, "policy": crm_policy, "warranty": {"start": "2016-03-02T17:31:06+02:00"}}
    seed_response = {"status": {"message": "", "description": "", "code": "OK"}, "data": [{
        "warehouse_issue_date": "2016-03-02 17:31:06.0",
        "warranty_policy": {"life_cycle_state": "EFFECTIVE", "number": "2", "id": "4B417948ADB44DFEAF735184B941D481",
                            "name": "Policy1", "alternative_code": "p1"},
        "installed_item": installed, "coverage": None,
        "warranty_expiration_date": "Wed Jul 20 17:31:06 EEST 2016",
        "warranty_remaining_coverage_period": 140}]}
    vec("crm_installed_item_coverage_seed_example",
        {"op": "crm_installed_item_coverage", "zone": "Europe/Nicosia", "as_of": "2016-03-02T17:31:06+02:00",
         "items": [crm_item]}, ok(seed_response))
    reasons = [{"id": "DEFECT", "provides_coverage": True}, {"id": "DROP", "provides_coverage": False}]
    vec("crm_installed_item_coverage_with_reasons",
        {"op": "crm_installed_item_coverage", "zone": "Europe/Nicosia", "as_of": "2016-05-01T10:00:00+03:00",
         "items": [dict(crm_item, policy=dict(crm_policy, reasons=reasons), reason="DEFECT",
                        issued_at="2016-03-01T09:00:00+02:00"),
                   dict(crm_item, policy=dict(crm_policy, reasons=reasons), reason="DROP")]},
        ok({"data": [{"coverage": 1, "warehouse_issue_date": "2016-03-01 09:00:00.0",
                      "warranty_remaining_coverage_period": 80},
                     {"coverage": 0, "warranty_expiration_date": "Wed Jul 20 17:31:06 EEST 2016"}]}))
    vec("crm_installed_item_coverage_winter_abbreviation",
        {"op": "crm_installed_item_coverage", "zone": "Europe/Nicosia", "as_of": "2016-01-01T10:00:00+02:00",
         "items": [dict(crm_item, policy=dict(crm_policy, duration={"value": 10, "unit": "months"}))]},
        ok({"data": [{"warranty_expiration_date":
                      datetime.date(2017, 1, 2).strftime("%a %b %d") + " 17:31:06 EET 2017"}]}))
    vec("crm_installed_item_coverage_policy_without_duration",
        {"op": "crm_installed_item_coverage", "zone": "Europe/Nicosia", "as_of": "2016-01-01T10:00:00+02:00",
         "items": [crm_item, dict(crm_item, policy={"id": "X"})]},
        err("INVALID_INPUT", "items[1].policy.duration"))
    vec("crm_installed_item_coverage_needs_a_zone",
        {"op": "crm_installed_item_coverage", "as_of": "2016-01-01T10:00:00+02:00", "items": []},
        err("INVALID_INPUT", "zone"))

    # Warranty Life plans (the seed's plan object) onto our plan model.
    wl_plan = {"id": "EXT-3Y", "applicableCategoryIds": ["tv"], "applicableProductFlags": [], "name": "3 years",
               "description": "x", "deductible": "none", "productMinPrice": 200.00, "productMaxPrice": 0.00,
               "duration": 3, "durationUnit": "years", "isDurationFixed": True, "partsDuration": 0,
               "partsDurationUnit": "years", "labourDuration": 1, "labourDurationUnit": "years",
               "rmaShippingCoverage": 2, "serviceLocation": "", "claimPhone": "",
               "planAvailableFrom": "2026-01-01T00:00:00Z", "planAvailableTo": None, "sellableDuration": 30,
               "sellableDurationUnit": "days", "srp": 199.99, "wholesaleCost": 80.0, "retailerCost": 80.0,
               "retailPrice": 149.99, "currencyCode": "USD", "billingPeriod": 0, "billingPeriodUnit": "months",
               "countryCode": "US", "termsUrl": "http://www.warrantylife.com/Terms_and_Conditions_Example.pdf",
               "updatedAt": "2026-01-01T00:00:00Z", "somethingNew": True}
    vec("warranty_life_plans_seed_plan", {"op": "warranty_life_plans", "plans": [wl_plan]},
        ok({"plans": [{"id": "EXT-3Y", "name": "3 years", "categories": ["tv"], "product_flags": [],
                       "min_price": "200.0", "max_price": None, "duration": {"value": 3, "unit": "years"},
                       "labour_duration": {"value": 1, "unit": "years"},
                       "sellable_within": {"value": 30, "unit": "days"},
                       "available_from": "2026-01-01T00:00:00+00:00", "available_to": None,
                       "country": "US"}]}))
    vec("warranty_life_plans_bounded_price_and_parts",
        {"op": "warranty_life_plans", "plans": [dict(wl_plan, productMaxPrice=2500, partsDuration=2,
                                                     partsDurationUnit="years")]},
        ok({"plans": [{"max_price": "2500", "parts_duration": {"value": 2, "unit": "years"}}]}))
    vec("warranty_life_plans_unknown_duration_unit",
        {"op": "warranty_life_plans", "plans": [wl_plan, {"id": "X", "duration": 1, "durationUnit": "weeks"}]},
        err("INVALID_INPUT", "plans[1].durationUnit"))
    vec("warranty_life_plans_not_an_object", {"op": "warranty_life_plans", "plans": ["EXT-3Y"]},
        err("INVALID_INPUT", "plans[0]"))
    vec("warranty_life_plans_none", {"op": "warranty_life_plans", "plans": []}, ok({"plans": []}))

    # --- CNH Defect/Failure code lookup (the seed's request table, its samples, and its answer) ---
    lookup_fields = [("DefCodeGroup", "defect_group"), ("DefCodeSub", "defect_sub"),
                     ("DefCodeSubSub", "defect_sub_sub"), ("DefDescGroup", "defect_description_group"),
                     ("DefDescSub", "defect_description_sub"), ("DefDescSubSub", "defect_description_sub_sub"),
                     ("FailCode", "failure_code"), ("FailDesc", "failure_description"), ("IRelobExt", "serial")]

    def lookup_body(l):
        b = {k: l.get(f, "") for k, f in lookup_fields}
        b["Lang"] = l.get("language") or "E"
        return {"ZcnWtClaimLookupEw20": b}

    seed_lookup = {"defect_group": "10", "defect_sub": "10102", "defect_sub_sub": "10102AK",
                   "defect_description_group": "Engine", "defect_description_sub": "Pan and covers",
                   "defect_description_sub_sub": "ENGIN BLOCK COVER", "failure_code": "001",
                   "failure_description": "SPECIAL INSPECTION CHECKS", "serial": "HAJF9N4LCMG247385", "language": "E"}
    path = "/external/services/warrantyclaim/defectfailure"
    for name, l in [("seed_samples", seed_lookup), ("everything_below_a_group", {"defect_group": "10", "defect_sub": "*"}),
                    ("nothing_given", {})]:
        vec("cnh_defect_failure_request_" + name, {"op": "cnh_defect_failure_request", "lookup": l},
            ok({"method": "POST", "path": path, "body": lookup_body(l)}))
    vec("cnh_defect_failure_request_language_two_letters",
        {"op": "cnh_defect_failure_request", "lookup": {"language": "EN"}}, err("INVALID_INPUT", "lookup.language"))
    vec("cnh_defect_failure_request_field_too_long",
        {"op": "cnh_defect_failure_request", "lookup": {"failure_description": "X" * 101}},
        err("INVALID_INPUT", "lookup.failure_description"))
    vec("cnh_defect_failure_request_unknown_field",
        {"op": "cnh_defect_failure_request", "lookup": {"DefCodeGroup": "10"}}, err("INVALID_INPUT", "lookup.DefCodeGroup"))

    R = "ZcnWtClaimLookupEw20Response"

    def answer(body):
        """The model: Item is one object or a list; Code/MatCode with its description."""
        root = body[R]
        out = {}
        for key, name, code, desc in [("defects", "ToutDefect", "Code", "Description"),
                                      ("failures", "ToutFailure", "Code", "Description"),
                                      ("materials", "ToutMaterial", "MatCode", "MaterialDescription"),
                                      ("operations", "ToutOperation", "MatCode", "MaterialDescription")]:
            items = (root.get(name) or {}).get("Item") or []
            if isinstance(items, dict):
                items = [items]
            out[key] = [{"code": x[code], "description": x.get(desc, "")} for x in items]
        return out

    lookup_answer = {R: {
        "ToutDefect": {"Item": [{"Code": "10102AK", "Description": "ENGIN BLOCK COVER"},
                                {"Code": "10102AL", "Description": "OIL PAN", "Extra": 1}]},
        "ToutFailure": {"Item": {"Code": "001", "Description": "SPECIAL INSPECTION CHECKS"}},
        "ToutMaterial": {"Item": [{"MatCode": "87800520", "MaterialDescription": "GASKET"}]},
        "ToutOperation": {"Item": []}}}
    vec("cnh_defect_failure_answer_tables", {"op": "cnh_defect_failure_answer", "body": json.dumps(lookup_answer)},
        ok(answer(lookup_answer)))
    only_failures = {R: {"ToutFailure": {"Item": [{"Code": "LEAK"}]}}}
    vec("cnh_defect_failure_answer_missing_tables", {"op": "cnh_defect_failure_answer", "body": json.dumps(only_failures)},
        ok(dict(answer(only_failures), defects=[], materials=[], operations=[])))
    vec("cnh_defect_failure_answer_item_without_code",
        {"op": "cnh_defect_failure_answer", "body": json.dumps({R: {"ToutDefect": {"Item": [{"Code": "A"}, {"Description": "x"}]}}})},
        err("INVALID_INPUT", f"body.{R}.ToutDefect.Item[1].Code"))
    vec("cnh_defect_failure_answer_not_the_answer",
        {"op": "cnh_defect_failure_answer", "body": json.dumps({"message": "E"})}, err("INVALID_INPUT", "body"))
    # A repeated key is refused, as in the Create Claim answer (which table would be meant?),
    # at the repeated key.
    vec("cnh_defect_failure_answer_repeated_key",
        {"op": "cnh_defect_failure_answer",
         "body": '{"%s": {"ToutFailure": {"Item": {"Code": "A"}}, "ToutFailure": {"Item": {"Code": "B"}}}}' % R},
        err("INVALID_INPUT", f"body.{R}.ToutFailure"))
    vec("cnh_defect_failure_answer_not_json", {"op": "cnh_defect_failure_answer", "body": "<html>"}, err("INVALID_INPUT", "body"))
    vec("cnh_defect_failure_answer_table_not_an_object",
        {"op": "cnh_defect_failure_answer", "body": json.dumps({R: {"ToutFailure": [1]}})},
        err("INVALID_INPUT", f"body.{R}.ToutFailure"))

    # --- Warranty Life writes (seed: warranty-life-api-201308.txt), from this model of the seed ---
    import base64
    import datetime as dt
    import decimal

    def wl_date(s):
        return dt.datetime.fromisoformat(s).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def wl_money(s):
        return float(decimal.Decimal(s))

    def basic(key, secret, sub=None):
        user = f"{key}/{sub}" if sub is not None else key
        return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()

    def put(m, k, v):
        if v is not None and (not isinstance(v, str) or v.strip()):
            m[k] = v

    def wl_model(kind, f):
        """The seed's request for one write: (method, path, body)."""
        b = {}
        if kind == "customer":
            for k, src in [("refId", "ref_id"), ("orderRefId", "order_ref_id"), ("email", "email"),
                           ("salesRepEmail", "sales_rep_email"), ("firstName", "first_name"),
                           ("lastName", "last_name"), ("companyName", "company_name"),
                           ("streetAddress", "street_address"), ("city", "city"), ("state", "state"),
                           ("postalCode", "postal_code"), ("phone", "phone"), ("country", "country"),
                           ("isWalkIn", "is_walk_in"), ("optIn", "opt_in")]:
                put(b, k, f.get(src))
            return "POST", "/api/201308/customers", b
        if kind == "item":
            for k, src in [("refId", "ref_id"), ("orderRefId", "order_ref_id"), ("customerId", "customer_id"),
                           ("productId", "product_id"), ("productSku", "product_sku")]:
                put(b, k, f.get(src))
            b["dateOfPurchase"] = wl_date(f["purchased_at"])
            b["purchasedCondition"] = f.get("condition", "NEW")
            put(b, "contractYears", f.get("contract_years"))
            b["pricePaid"] = wl_money(f["price_paid"])
            b["pricePaidCurrencyCode"] = f["currency"]
            for k, src in [("taxPaid", "tax_paid"), ("shippingPaid", "shipping_paid")]:
                if src in f:
                    b[k] = wl_money(f[src])
            put(b, "serialNumber", f.get("serial"))
            put(b, "serialNumberType", f.get("serial_type"))
            b["isRepaired"] = f.get("is_repaired", False)
            b["hasDamage"] = f.get("has_damage", False)
            put(b, "categoryId", f.get("category_id"))
            return "POST", "/api/201308/items", b
        if kind == "warranty":
            for k, src in [("refId", "ref_id"), ("registrationCode", "registration_code"),
                           ("orderRefId", "order_ref_id"), ("warrantyPlanId", "plan_id"), ("itemId", "item_id"),
                           ("customerId", "customer_id")]:
                put(b, k, f.get(src))
            b["dateOfPurchase"] = wl_date(f["sold_at"])
            b["pricePaid"] = wl_money(f["price_paid"])
            b["pricePaidCurrencyCode"] = f["currency"]
            if "tax_paid" in f:
                b["taxPaid"] = wl_money(f["tax_paid"])
            return "POST", "/api/201308/warranties", b
        if kind == "receipt":
            content = base64.b64decode(f["content_base64"], validate=True)
            return "POST", "/api/201308/receipts", {
                "orderRefId": f["order_ref_id"], "customerRefId": f["customer_ref_id"],
                "dateOfPurchase": wl_date(f["sold_at"]), "mimeType": f["mime_type"],
                "content": base64.b64encode(content).decode()}
        if kind == "voucher_batch":
            b = {"qty": f["qty"], "warrantyPlanId": f["plan_id"]}
            put(b, "note", f.get("note"))
            return "POST", "/api/201308/voucher-batch", b
        assert kind == "voucher_sold"
        put(b, "orderRefId", f.get("order_ref_id"))
        put(b, "refId", f.get("ref_id"))
        b["dateOfPurchase"] = wl_date(f["sold_at"])
        for k in ("model", "mpn", "make"):
            put(b, k, f.get(k))
        if "device_value" in f:
            b["deviceValue"] = wl_money(f["device_value"])
        return "PUT", "/api/201308/voucher/" + f["code"], b

    JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8"}

    def wl_vec(name, kind, fields, credentials=None):
        req = {"op": "warranty_life_request", kind: fields}
        headers = dict(JSON_HEADERS)
        if credentials:
            req["credentials"] = credentials
            headers["Authorization"] = basic(credentials["key"], credentials["secret"],
                                             credentials.get("sub_account"))
        method, path, body = wl_model(kind, fields)
        vec("warranty_life_request_" + name, req, ok({"method": method, "path": path, "headers": headers, "body": body}))

    def wl_bad(name, kind, fields, path, **extra):
        req = {"op": "warranty_life_request", kind: fields}
        req.update(extra)
        vec("warranty_life_request_" + name, req, err("INVALID_INPUT", path))

    sold = "2026-11-20T14:05:00-05:00"
    # The seed's sub-account example: key MqUax1IGBQdL acting for sub-account 43.
    seed_creds = {"key": "MqUax1IGBQdL", "secret": "s3cret", "sub_account": "43"}
    customer = {"ref_id": "C-9", "order_ref_id": "INV-1", "email": "ann@example.com", "first_name": "Ann",
                "last_name": "Lee", "street_address": "1 Main St", "city": "Albany", "state": "NY",
                "postal_code": "12207", "phone": "518-555-0100", "country": "US"}
    wl_vec("customer_full", "customer", customer, seed_creds)
    wl_vec("customer_walk_in_minimal", "customer", {"country": "CA", "is_walk_in": True, "opt_in": False,
                                                     "company_name": "Maple Ltd", "first_name": " "})
    wl_bad("customer_country", "customer", dict(customer, country="DE"), "customer.country")
    wl_bad("customer_state", "customer", dict(customer, state="New York"), "customer.state")
    wl_bad("customer_unknown_field", "customer", dict(customer, fax="1"), "customer.fax")
    item = {"customer_id": "cust-1", "ref_id": "L1", "order_ref_id": "INV-1", "product_sku": "TV-55X",
            "purchased_at": sold, "price_paid": "1899.99", "currency": "USD", "serial": "SN55X0001"}
    wl_vec("item_by_sku", "item", item)
    wl_vec("item_every_field", "item", {
        "customer_id": "cust-1", "product_id": "p-77", "product_sku": "PH-1", "purchased_at": "2026-12-31T23:30:00-08:00",
        "condition": "REFURBISHED", "contract_years": 2, "price_paid": "499", "currency": "CAD",
        "tax_paid": "64.87", "shipping_paid": "0.00", "serial": "490154203237518", "serial_type": "IMEI",
        "is_repaired": True, "has_damage": True, "category_id": "phones"}, seed_creds)
    wl_bad("item_no_product", "item", {k: v for k, v in item.items() if k != "product_sku"}, "item.product_sku")
    wl_bad("item_currency", "item", dict(item, currency="EUR"), "item.currency")
    wl_bad("item_condition", "item", dict(item, condition="BROKEN"), "item.condition")
    wl_bad("item_serial_type_without_serial", "item", dict(item, serial="", serial_type="ESN"), "item.serial_type")
    wl_bad("item_missing_date", "item", {k: v for k, v in item.items() if k != "purchased_at"}, "item.purchased_at")
    wl_bad("item_price_not_decimal", "item", dict(item, price_paid="12,50"), "item.price_paid")
    warranty = {"ref_id": "W1", "order_ref_id": "INV-1", "plan_id": "EXT-3Y", "item_id": "item-1",
                "customer_id": "cust-1", "sold_at": sold, "price_paid": "149.99", "currency": "USD"}
    wl_vec("warranty", "warranty", warranty, {"key": "MqUax1IGBQdL", "secret": "s3cret"})
    wl_vec("warranty_with_tax_and_code", "warranty", dict(warranty, tax_paid="13.31", registration_code="RC-1"))
    wl_bad("warranty_no_plan", "warranty", dict(warranty, plan_id=""), "warranty.plan_id")
    wl_bad("warranty_currency", "warranty", dict(warranty, currency="usd"), "warranty.currency")
    receipt = {"order_ref_id": "INV-1", "customer_ref_id": "C-9", "sold_at": sold, "mime_type": "application/pdf",
               "content_base64": base64.b64encode(b"%PDF-1.4 receipt").decode()}
    wl_vec("receipt_pdf", "receipt", receipt)
    wl_bad("receipt_not_base64", "receipt", dict(receipt, content_base64="JVBER*=="), "receipt.content_base64")
    wl_bad("receipt_empty", "receipt", dict(receipt, content_base64=""), "receipt.content_base64")
    wl_bad("receipt_mime_type", "receipt", dict(receipt, mime_type="pdf"), "receipt.mime_type")
    wl_vec("voucher_batch", "voucher_batch", {"qty": 25, "plan_id": "EXT-3Y", "note": "Black Friday"})
    wl_bad("voucher_batch_zero", "voucher_batch", {"qty": 0, "plan_id": "EXT-3Y"}, "voucher_batch.qty")
    wl_bad("voucher_batch_negative", "voucher_batch", {"qty": -1, "plan_id": "EXT-3Y"}, "voucher_batch.qty")
    wl_vec("voucher_sold", "voucher_sold", {"code": "VCH-0042", "sold_at": sold, "order_ref_id": "INV-1",
                                            "ref_id": "L1", "model": "iPhone XS 128GB", "mpn": "A1778",
                                            "make": "Apple", "device_value": "999.00"}, seed_creds)
    wl_vec("voucher_sold_minimal", "voucher_sold", {"code": "abc_9", "sold_at": "2026-11-20T00:00:00+14:00"})
    wl_bad("voucher_sold_code_in_url", "voucher_sold", {"code": "A/../B", "sold_at": sold}, "voucher_sold.code")
    vec("warranty_life_request_two_writes",
        {"op": "warranty_life_request", "customer": customer, "item": item}, err("INVALID_INPUT", ""))
    vec("warranty_life_request_nothing", {"op": "warranty_life_request"}, err("INVALID_INPUT", ""))
    wl_bad("credentials_key_with_colon", "customer", customer, "credentials.key",
           credentials={"key": "a:b", "secret": "s"})
    wl_bad("credentials_sub_account_slash", "customer", customer, "credentials.sub_account",
           credentials={"key": "k", "secret": "s", "sub_account": "4/3"})

    # The Authorization header alone (for GETs) and paging (the seed's startAt/limit example).
    for name, creds in [("seed_sub_account", seed_creds), ("primary_account", {"key": "MqUax1IGBQdL", "secret": "s3cret"})]:
        vec("warranty_life_auth_" + name, {"op": "warranty_life_auth", "credentials": creds},
            ok({"authorization": basic(creds["key"], creds["secret"], creds.get("sub_account"))}))
    vec("warranty_life_auth_empty_key", {"op": "warranty_life_auth", "credentials": {"key": "", "secret": "s"}},
        err("INVALID_INPUT", "credentials.key"))
    vec("warranty_life_auth_empty_sub_account",
        {"op": "warranty_life_auth", "credentials": {"key": "k", "secret": "s", "sub_account": ""}},
        err("INVALID_INPUT", "credentials.sub_account"))
    vec("warranty_life_auth_unknown_field",
        {"op": "warranty_life_auth", "credentials": {"key": "k", "secret": "s", "password": "x"}},
        err("INVALID_INPUT", "credentials.password"))
    for page, returned in [(0, 50), (1, 50), (2, 17)]:
        vec(f"warranty_life_page_{page}", {"op": "warranty_life_page", "page": page, "limit": 50, "returned": returned},
            ok({"query": f"startAt={page * 50}&limit=50", "start_at": page * 50, "limit": 50, "more": returned >= 50}))
    vec("warranty_life_page_without_returned", {"op": "warranty_life_page", "page": 3, "limit": 20},
        ok({"query": "startAt=60&limit=20", "start_at": 60, "limit": 20, "more": None}))
    # A count beyond 32 bits reads the same on every target (wasm32 included).
    vec("warranty_life_page_returned_beyond_32_bits",
        {"op": "warranty_life_page", "page": 1, "limit": 50, "returned": 2**64 - 1},
        ok({"query": "startAt=50&limit=50", "start_at": 50, "limit": 50, "more": True}))
    vec("warranty_life_page_limit_zero", {"op": "warranty_life_page", "page": 0, "limit": 0}, err("INVALID_INPUT", "limit"))
    vec("warranty_life_page_overflow", {"op": "warranty_life_page", "page": 2**64 - 1, "limit": 2},
        err("INVALID_INPUT", "page"))

    person = {"product_code": "TV-55", "first_name": "Ayşe", "last_name": "Yılmaz", "email": "ayse@example.com",
              "country": "TR", "external_order_id": "INV-1"}
    # Every phone format in the seed normalises to the same E.164 number.
    for i, phone in enumerate(["+905443332211", "905443332211", "05443332211", "5443332211", "(544) 333 22 11"]):
        vec(f"product_code_registration_phone_format_{i + 1}",
            {"op": "product_code_registration", "registration": dict(person, phone=phone),
             "now": "2026-11-22T14:05:00+03:00"},
            ok({"body": {"phone": "+905443332211", "purchaseDate": "22-11-2026 14:05"},
                "idempotency_key": "INV-1"}))
    body = {"countryCode": "TR", "email": "ayse@example.com", "externalLineId": "2", "externalOrderId": "INV-1",
            "firstName": "Ayşe", "lastName": "Yılmaz", "phone": "+905443332211", "productCode": "TV-55",
            "purchaseDate": "01-03-2026 09:30", "warrantyExpireDate": "01-03-2028 09:30"}
    vec("product_code_registration_expiry_from_the_product_warranty",
        {"op": "product_code_registration",
         "registration": dict(person, phone="0544 333 22 11", external_line_id="2",
                              purchased_at="2026-03-01T09:30:00+03:00"),
         "product_warranty": {"value": 2, "unit": "years"}, "zone": "Europe/Istanbul",
         "now": "2026-11-22T14:05:00+03:00"},
        ok({"body": body, "idempotency_key": "INV-1:2"}))
    # Landlines and mobiles of every accepted country, national (with the trunk prefix) and
    # international; expected E.164 written out by hand from each country's numbering plan.
    for name, country, phone, e164 in [
        ("berlin_landline_national", "DE", "030 1234567", "+49301234567"),
        ("berlin_landline_international", "DE", "+49 30 1234567", "+49301234567"),
        ("berlin_landline_after_idd", "DE", "0049 30 1234567", "+49301234567"),
        ("german_mobile", "DE", "0151 23456789", "+4915123456789"),
        ("dubai_landline_national", "AE", "04 123 4567", "+97141234567"),
        ("dubai_landline_international", "AE", "+971 4 123 4567", "+97141234567"),
        ("uae_mobile", "AE", "050 123 4567", "+971501234567"),
        ("us_with_trunk_one", "US", "1 (212) 555-0123", "+12125550123"),
        ("us_after_idd_011", "US", "011 1 212 555 0123", "+12125550123"),
        ("london_landline", "GB", "020 7946 0958", "+442079460958"),
        ("uk_mobile", "GB", "07700 900123", "+447700900123"),
        ("amsterdam_landline", "NL", "020-123 4567", "+31201234567"),
        ("dutch_mobile", "NL", "06 12345678", "+31612345678"),
        ("paris_landline", "FR", "01 23 45 67 89", "+33123456789"),
        ("french_mobile", "FR", "06.12.34.56.78", "+33612345678"),
        ("istanbul_landline", "TR", "0212 345 67 89", "+902123456789"),
    ]:
        vec(f"product_code_registration_phone_{name}",
            {"op": "product_code_registration", "registration": dict(person, phone=phone, country=country), "now": T0},
            ok({"body": {"phone": e164, "countryCode": country}}))
    for name, country, phone in [
        ("too_short_for_de", "DE", "030 12"),
        ("another_countrys_code", "TR", "+49 30 1234567"),
        ("idd_to_another_country", "DE", "001 212 555 0123"),
        ("us_area_code_cannot_start_with_1", "US", "(112) 555-0123"),
        ("letters", "GB", "020 7946 O958"),
        ("plus_inside", "FR", "06+12345678"),
    ]:
        vec(f"product_code_registration_phone_refused_{name}",
            {"op": "product_code_registration", "registration": dict(person, phone=phone, country=country), "now": T0},
            err("INVALID_INPUT", "registration.phone"))
    vec("product_code_registration_bad_phone",
        {"op": "product_code_registration", "registration": dict(person, phone="123"), "now": T0},
        err("INVALID_INPUT", "registration.phone"))
    vec("product_code_registration_country_not_accepted",
        {"op": "product_code_registration", "registration": dict(person, phone="+35799123456", country="CY"),
         "now": T0},
        err("INVALID_INPUT", "registration.country"))
    vec("product_code_registration_bad_email",
        {"op": "product_code_registration", "registration": dict(person, phone="5443332211", email="ayse@"),
         "now": T0},
        err("INVALID_INPUT", "registration.email"))

    scenarios(scenario, ok, err)


SALE = {
    "store": "IST-01", "order_id": "INV-2026-7781", "sold_at": "2026-11-22T14:05:00+03:00",
    "customer": {"first_name": "Ayşe", "last_name": "Yılmaz", "email": "ayse@example.com",
                 "phone": "0544 333 22 11", "country": "TR"},
    "lines": [
        {"line_id": "1", "item": {"product": "TV-55", "product_type": "TV"}, "price": "24999.00", "serial": "SN-TV-1"},
        {"line_id": "2", "item": {"product": "CABLE-2M", "product_type": "CABLE"}, "price": "199.00",
         "serial": "SN-C-2"},
    ],
}


def scenarios(scenario, ok, err):
    def step(request, expect):
        return {"request": request, "expect": expect}

    # 1. Full jitter: a 503 without Retry-After waits uniform(0, base) drawn from the PRNG.
    rng = Prng(7)
    r = rng.next()
    wait = r % (ceiling(1000, 8000, 1) + 1)
    payload = {"claim": "DMS-1", "amount": "184.20"}
    body = compact(payload)
    config = {"base_ms": 1000, "cap_ms": 8000, "partners": {"cnh": {
        "base_path": "/external/services/warrantyclaim", "headers": {"Authorization": "Bearer t"},
        "routes": {"create_claim": {"method": "POST", "path": "/createclaim"}}}}}
    t1 = T0_MS + 1000
    scenario("sync_backoff_full_jitter_then_delivered", [
        step({"op": "outbox_create", "outbox": "s1", "seed": 7, "config": config},
             ok({"header": {"rng": "7", "next_id": 1}})),
        step({"op": "outbox_enqueue", "outbox": "s1", "partner": "cnh", "operation": "create_claim",
              "idempotency_key": "DMS-1", "payload": payload, "now": T0},
             ok({"id": 1, "created": True, "persist": {"rng": "7", "next_id": 2, "messages": [
                 {"id": 1, "payload": body, "payload_sha256": sha(body), "state": "pending", "due_ms": T0_MS,
                  "attempts": 0}], "events": []}})),
        step({"op": "outbox_poll_transmit", "outbox": "s1", "now": T0},
             ok({"transmit": {"id": 1, "partner": "cnh", "operation": "create_claim", "method": "POST",
                              "path": "/external/services/warrantyclaim/createclaim",
                              "headers": {"authorization": "Bearer t", "content-type": "application/json",
                                          "idempotency-key": "DMS-1"},
                              "body": body, "attempt": 1, "idempotency_key": "DMS-1"},
                 "persist": {"messages": [{"state": "in_flight", "attempts": 1, "due_ms": None}],
                             "events": [{"event": "audit", "audit": {"outcome": "sent", "attempt": 1,
                                                                     "status": None, "source": "outbox:s1",
                                                                     "payload_sha256": sha(body),
                                                                     "at_ms": T0_MS}}]}})),
        step({"op": "outbox_handle_response", "outbox": "s1", "id": 1, "status": 503, "body": "", "now": at(t1)},
             ok({"message": {"state": "pending", "last_status": 503, "due_ms": t1 + wait},
                 "persist": {"rng": str(rng.x), "events": [{"event": "audit", "status": 503, "audit": {
                     "outcome": "retry", "retry_at_ms": t1 + wait}}]}})),
        step({"op": "outbox_poll_timeout", "outbox": "s1"},
             ok({"timeout_ms": t1 + wait, "timeout": at_ceil(t1 + wait)})),
        step({"op": "outbox_poll_transmit", "outbox": "s1", "now": at(t1 + wait - 1)},
             ok({"transmit": None, "persist": {"messages": [], "events": []}})),
        step({"op": "outbox_poll_transmit", "outbox": "s1", "now": at(t1 + wait)},
             ok({"transmit": {"attempt": 2, "body": body, "idempotency_key": "DMS-1"}})),
        step({"op": "outbox_handle_response", "outbox": "s1", "id": 1, "status": 201, "now": at(t1 + wait + 300)},
             ok({"message": {"state": "delivered", "last_status": 201, "due_ms": None},
                 "persist": {"events": [{"event": "audit", "audit": {"outcome": "delivered", "attempt": 2}},
                                        {"event": "delivered", "id": 1, "status": 201}]}})),
        step({"op": "outbox_poll_timeout", "outbox": "s1"}, ok({"timeout_ms": None, "timeout": None})),
        step({"op": "outbox_poll_event", "outbox": "s1"}, ok({"event": {"event": "audit", "audit": {"outcome": "sent"}}})),
        step({"op": "outbox_poll_event", "outbox": "s1"}, ok({"event": {"event": "audit", "audit": {"outcome": "retry"}}})),
        step({"op": "outbox_poll_event", "outbox": "s1"}, ok({"event": {"event": "audit", "audit": {"outcome": "sent"}}})),
        step({"op": "outbox_poll_event", "outbox": "s1"}, ok({"event": {"event": "audit", "audit": {"outcome": "delivered"}}})),
        step({"op": "outbox_poll_event", "outbox": "s1"}, ok({"event": {"event": "delivered"}})),
        step({"op": "outbox_poll_event", "outbox": "s1"}, ok({"event": None})),
        step({"op": "outbox_report", "outbox": "s1"},
             ok({"total": {"enqueued": 1, "delivered": 1, "pending": 0, "dead_lettered": 0, "attempts": 2,
                           "success_rate": "1.0000"},
                 "by_partner": {"cnh": {"delivered": 1}}})),
        step({"op": "outbox_prune", "outbox": "s1", "enqueued_before": T0},
             ok({"pruned": [], "messages": 1})),
        step({"op": "outbox_prune", "outbox": "s1", "enqueued_before": at(T0_MS + 1000)},
             ok({"pruned": [1], "messages": 0})),
        step({"op": "outbox_enqueue", "outbox": "s1", "partner": "cnh", "operation": "create_claim",
              "idempotency_key": "DMS-1", "payload": {"claim": "DMS-1", "amount": "0.00"}, "now": at(T0_MS + 60000)},
             ok({"id": 2, "created": True})),
        step({"op": "outbox_drop", "outbox": "s1"}, ok({"outbox": "s1", "messages": 1})),
    ])

    # 2. Retry-After (seconds) beats a smaller jitter; a 4xx dead-letters with the partner's
    # message; transport errors retry; the attempt cap gives up.
    rng = Prng(99)
    ra = 120_000
    j1 = rng.next() % (ceiling(1000, 4000, 1) + 1)
    assert j1 < ra
    t = T0_MS
    msgs = [("K1", {"n": 1}), ("K2", {"n": 2})]
    steps = [step({"op": "outbox_create", "outbox": "s2", "seed": 99,
                   "config": {"base_ms": 1000, "cap_ms": 4000, "max_attempts": 2}}, ok({"outbox": "s2"}))]
    for key, p in msgs:
        steps.append(step({"op": "outbox_enqueue", "outbox": "s2", "partner": "crm", "operation": "register",
                           "idempotency_key": key, "payload": p, "now": T0}, ok({"created": True})))
    steps += [
        step({"op": "outbox_poll_transmit", "outbox": "s2", "now": T0},
             ok({"transmit": {"id": 1, "method": "POST", "path": "/register", "attempt": 1}})),
        step({"op": "outbox_handle_response", "outbox": "s2", "id": 1, "status": 429,
              "headers": {"Retry-After": "120"}, "now": T0},
             ok({"message": {"state": "pending", "due_ms": t + ra}})),
        step({"op": "outbox_poll_transmit", "outbox": "s2", "now": T0},
             ok({"transmit": {"id": 2, "attempt": 1}})),
        step({"op": "outbox_transport_error", "outbox": "s2", "id": 2, "now": T0},
             ok({"message": {"state": "pending", "last_status": None}})),
        step({"op": "outbox_handle_response", "outbox": "s2", "id": 2, "status": 200, "now": T0},
             err("INVALID_INPUT", "id")),
        step({"op": "outbox_poll_transmit", "outbox": "s2", "now": at(T0_MS + 10_000)},
             ok({"transmit": {"id": 2, "attempt": 2}})),
        step({"op": "outbox_transport_error", "outbox": "s2", "id": 2, "now": at(T0_MS + 10_000)},
             ok({"message": {"state": "dead_lettered", "reason": "gave up after 2 attempts: transport error"},
                 "persist": {"events": [{"event": "audit", "status": None, "audit": {"outcome": "dead_letter"}},
                                        {"event": "dead_lettered", "id": 2,
                                         "reason": "gave up after 2 attempts: transport error"}]}})),
        step({"op": "outbox_poll_transmit", "outbox": "s2", "now": at(t + ra)},
             ok({"transmit": {"id": 1, "attempt": 2}})),
        step({"op": "outbox_handle_response", "outbox": "s2", "id": 1, "status": 422,
              "body": '{"error_code":"E12","status_text":"Unprocessable","message":"serial unknown"}',
              "now": at(t + ra)},
             ok({"message": {"state": "dead_lettered", "last_status": 422, "reason": "HTTP 422: serial unknown"}})),
        step({"op": "outbox_handle_response", "outbox": "s2", "id": 1, "status": 200, "now": at(t + ra)},
             err("INVALID_INPUT", "id")),
        step({"op": "outbox_handle_response", "outbox": "s2", "id": 9, "status": 200, "now": at(t + ra)},
             err("INVALID_INPUT", "id")),
        step({"op": "outbox_report", "outbox": "s2"},
             ok({"total": {"enqueued": 2, "delivered": 0, "dead_lettered": 2, "attempts": 4,
                           "success_rate": "0.0000"}})),
        # An operator replays dead letter 2: pending now, attempts and deadline afresh, same key.
        step({"op": "outbox_replay", "outbox": "s2", "id": 2, "now": at(t + ra + 5000)},
             ok({"message": {"id": 2, "state": "pending", "attempts": 0, "reason": None,
                             "enqueued_ms": t + ra + 5000, "due_ms": t + ra + 5000, "idempotency_key": "K2"},
                 "persist": {"messages": [{"id": 2, "state": "pending"}], "events": []}})),
        step({"op": "outbox_replay", "outbox": "s2", "id": 2, "now": at(t + ra + 5000)},
             err("INVALID_INPUT", "id")),
        step({"op": "outbox_replay", "outbox": "s2", "id": 9, "now": at(t + ra + 5000)},
             err("INVALID_INPUT", "id")),
        step({"op": "outbox_poll_transmit", "outbox": "s2", "now": at(t + ra + 5000)},
             ok({"transmit": {"id": 2, "attempt": 1, "idempotency_key": "K2"}})),
        step({"op": "outbox_handle_response", "outbox": "s2", "id": 2, "status": 201, "now": at(t + ra + 5100)},
             ok({"message": {"state": "delivered"}})),
        step({"op": "outbox_replay", "outbox": "s2", "id": 2, "now": at(t + ra + 6000)},
             err("INVALID_INPUT", "id")),
        step({"op": "outbox_drop", "outbox": "s2"}, ok({"messages": 2})),
    ]
    scenario("sync_retry_after_transport_errors_and_dead_letters", steps)

    # 3. Idempotency (Stripe's semantics), 202, and a restart from a snapshot.
    p1 = {"serial": "SN1", "amount": "10.00"}
    scenario("sync_idempotency_accepted_pending_and_restore", [
        step({"op": "outbox_create", "outbox": "s3", "seed": "5"}, ok({"outbox": "s3"})),
        step({"op": "outbox_enqueue", "outbox": "s3", "partner": "p", "operation": "op",
              "idempotency_key": "ORDER-1", "payload": p1, "now": T0}, ok({"id": 1, "created": True})),
        step({"op": "outbox_enqueue", "outbox": "s3", "partner": "p", "operation": "op",
              "idempotency_key": "ORDER-1", "payload": {"amount": "10.00", "serial": "SN1"}, "now": T0},
             ok({"id": 1, "created": False, "persist": {"messages": [], "events": []}})),
        step({"op": "outbox_enqueue", "outbox": "s3", "partner": "p", "operation": "op",
              "idempotency_key": "ORDER-1", "payload": {"serial": "SN2"}, "now": T0},
             err("INVALID_INPUT", "payload")),
        step({"op": "outbox_enqueue", "outbox": "s3", "partner": "other", "operation": "op",
              "idempotency_key": "ORDER-1", "payload": {"serial": "SN2"}, "now": T0},
             ok({"id": 2, "created": True})),
        step({"op": "outbox_enqueue", "outbox": "s3", "partner": "p", "operation": "op",
              "idempotency_key": "", "payload": {}, "now": T0}, err("INVALID_INPUT", "idempotency_key")),
        step({"op": "outbox_poll_transmit", "outbox": "s3", "now": T0}, ok({"transmit": {"id": 1}})),
        step({"op": "outbox_handle_response", "outbox": "s3", "id": 1, "status": 202, "now": T0},
             ok({"message": {"state": "accepted_pending"},
                 "persist": {"events": [{"event": "audit", "audit": {"outcome": "accepted"}},
                                        {"event": "accepted_pending", "status": 202}]}})),
        step({"op": "outbox_poll_transmit", "outbox": "s3", "now": T0},
             ok({"transmit": {"id": 2, "partner": "other"}})),
        step({"op": "outbox_handle_response", "outbox": "s3", "id": 2, "status": 700, "now": T0},
             err("INVALID_INPUT", "status")),
        step({"op": "outbox_snapshot", "outbox": "s3"},
             ok({"header": {"name": "s3", "next_id": 3, "rng": "5"},
                 "messages": [{"id": 1, "state": "accepted_pending"}, {"id": 2, "state": "in_flight"}]})),
        step({"op": "outbox_restore", "snapshot": {"header": {"name": "s3", "config": {
            "base_ms": 1000, "cap_ms": 300000, "max_attempts": 8, "deadline_ms": 86400000, "partners": {}},
            "rng": "5", "next_id": 3}, "messages": []}, "now": T0},
             err("INVALID_INPUT", "snapshot.header.name")),
        step({"op": "outbox_drop", "outbox": "s3"}, ok({"outbox": "s3", "messages": 2})),
        step({"op": "outbox_snapshot", "outbox": "s3"}, err("INVALID_INPUT", "outbox")),
    ])

    # 4. Signed partner: requests carry Standard Webhooks headers made at send time.
    event = {"type": "claim.status_changed", "data": {"claim": "DMS-2026-0042", "to": "approved"}}
    ebody = compact(event)
    send_s = (T0_MS + 2500) // 1000
    scenario("sync_signed_partner_requests", [
        step({"op": "outbox_create", "outbox": "s4", "seed": 3, "config": {"partners": {"dms": {
            "base_path": "/hooks", "webhook_secret": SPEC_SECRET,
            "routes": {"claim_status": {"method": "POST", "path": "/claims"}}}}}}, ok({"outbox": "s4"})),
        step({"op": "outbox_enqueue", "outbox": "s4", "partner": "dms", "operation": "claim_status",
              "idempotency_key": "evt-77", "payload": event, "now": T0}, ok({"id": 1})),
        step({"op": "outbox_poll_transmit", "outbox": "s4", "now": at(T0_MS + 2500)},
             ok({"transmit": {"path": "/hooks/claims", "body": ebody, "headers": {
                 "content-type": "application/json", "idempotency-key": "evt-77", "webhook-id": "evt-77",
                 "webhook-timestamp": str(send_s),
                 "webhook-signature": sign(SPEC_SECRET, "evt-77", send_s, ebody)}}})),
        step({"op": "webhook_verify", "secret": SPEC_SECRET, "body": ebody, "now": at(T0_MS + 3000),
              "headers": {"webhook-id": "evt-77", "webhook-timestamp": str(send_s),
                          "webhook-signature": sign(SPEC_SECRET, "evt-77", send_s, ebody)}},
             ok({"valid": True})),
        step({"op": "outbox_drop", "outbox": "s4"}, ok({"messages": 1})),
    ])

    # 5. A sale starts coverage and registers the covered line (product-code registration).
    policies = [{"id": "TV-2Y", "duration": {"value": 2, "unit": "years"}, "covers": [{"product_type": "TV"}]}]
    reg = {"countryCode": "TR", "email": "ayse@example.com", "externalLineId": "1",
           "externalOrderId": "INV-2026-7781", "firstName": "Ayşe", "lastName": "Yılmaz",
           "phone": "+905443332211", "productCode": "TV-55", "purchaseDate": "22-11-2026 14:05",
           "warrantyExpireDate": "22-11-2028 14:05"}
    rbody = compact(reg)
    scenario("sync_activate_sale_registers_covered_lines", [
        step({"op": "load_catalog", "name": "shop", "policies": policies}, ok({"name": "shop", "policies": 1})),
        step({"op": "outbox_create", "outbox": "s5", "seed": 11, "config": {"partners": {"product_code": {
            "routes": {"register_warranty": {"method": "POST",
                                             "path": "/individual-customers/warranty/with-product-code"}}}}}},
             ok({"outbox": "s5"})),
        step({"op": "activate_sale", "outbox": "s5", "catalog": "shop", "sale": SALE,
              "config": {"product_code": True}, "zone": "Europe/Istanbul", "now": "2026-11-22T14:06:00+03:00"},
             ok({"lines": [
                 {"line_id": "1", "serial": "SN-TV-1", "enqueued": [1],
                  "record": {"outcome": "covered", "policy": "TV-2Y", "start": "2026-11-22T14:05:00+03:00",
                             "end": "2028-11-22T14:05:00+03:00"}},
                 {"line_id": "2", "serial": "SN-C-2", "enqueued": [], "record": {"outcome": "not_covered"}}],
                 "persist": {"next_id": 2, "messages": [{"id": 1, "partner": "product_code",
                                                         "operation": "register_warranty",
                                                         "idempotency_key": "INV-2026-7781:1",
                                                         "payload": rbody, "payload_sha256": sha(rbody)}]}})),
        step({"op": "activate_sale", "outbox": "s5", "catalog": "shop", "sale": SALE,
              "config": {"product_code": True}, "zone": "Europe/Istanbul", "now": "2026-11-22T14:07:00+03:00"},
             ok({"lines": [{"enqueued": [1]}, {"enqueued": []}], "persist": {"next_id": 2}})),
        step({"op": "activate_sale", "outbox": "s5", "catalog": "shop",
              "sale": dict(SALE, customer=dict(SALE["customer"], phone="12")),
              "config": {"product_code": True}, "zone": "Europe/Istanbul", "now": T0},
             err("INVALID_INPUT", "sale.customer.phone")),
        step({"op": "activate_sale", "outbox": "s5", "catalog": "nope", "sale": SALE, "now": T0},
             err("INVALID_INPUT", "catalog")),
        step({"op": "outbox_poll_transmit", "outbox": "s5", "now": "2026-11-22T14:06:00+03:00"},
             ok({"transmit": {"path": "/individual-customers/warranty/with-product-code", "body": rbody,
                              "idempotency_key": "INV-2026-7781:1"}})),
        step({"op": "outbox_drop", "outbox": "s5"}, ok({"messages": 1})),
        step({"op": "unload_catalog", "name": "shop"}, ok({"policies": 1})),
    ])

    # 6. A claim's accepted transition notifies the dealer system (signed) and submits to CNH.
    at_claim = "2026-11-21T09:30:00+01:00"

    def audit_entry(claim, reason=""):
        e = {"claim": claim, "action": "submit", "actor": "u-17", "role": "sales_staff", "at": at_claim,
             "from": "draft", "to": "submitted", "reason": reason, "overridden": False, "prev_hash": None}
        e["hash"] = sha(json.dumps(e, separators=(",", ":"), ensure_ascii=False))
        return e

    audit = audit_entry("DMS-2026-0042")
    state = {"claim": "DMS-2026-0042", "status": "submitted", "validation": None, "overridden": False}
    transition = {"state": state, "audit": audit}
    note = {"type": "claim.status_changed", "timestamp": at_claim, "data": {
        "claim": "DMS-2026-0042", "from": "draft", "to": "submitted", "action": "submit", "actor": "u-17",
        "role": "sales_staff", "reason": "", "audit_hash": audit["hash"]}}
    nbody = compact(note)
    send_s = T0_MS // 1000
    tampered = dict(audit, reason="edited")
    other = audit_entry("DMS-OTHER")
    base = {"op": "claim_changed", "outbox": "s6", "claim": claim_vectors.CLAIM,
            "config": {"webhook_partner": "dms", "cnh": {}}, "now": T0}
    scenario("sync_claim_changed_notifies_and_submits", [
        step({"op": "outbox_create", "outbox": "s6", "seed": 21, "config": {"partners": {
            "dms": {"base_path": "/hooks", "webhook_secret": SPEC_SECRET,
                    "routes": {"claim_status": {"method": "POST", "path": "/claims"}}},
            "cnh": {"base_path": "/external/services/warrantyclaim",
                    "routes": {"create_claim": {"method": "POST", "path": "/createclaim"}}}}}},
             ok({"outbox": "s6"})),
        step(dict(base, transition=transition),
             ok({"enqueued": [1, 2], "persist": {"next_id": 3, "messages": [
                 {"id": 1, "partner": "dms", "operation": "claim_status", "idempotency_key": audit["hash"],
                  "payload": nbody, "payload_sha256": sha(nbody), "state": "pending"},
                 {"id": 2, "partner": "cnh", "operation": "create_claim", "idempotency_key": "DMS-2026-0042",
                  "state": "pending"}]}})),
        step(dict(base, transition=transition),
             ok({"enqueued": [1, 2], "persist": {"next_id": 3, "messages": []}})),
        step(dict(base, transition={"state": state, "audit": tampered}),
             err("INVALID_INPUT", "transition.audit.hash")),
        step(dict(base, transition={"state": state, "audit": other}),
             err("INVALID_INPUT", "transition.audit.claim")),
        step(dict(base, transition={"state": dict(state, status="approved"), "audit": audit}),
             err("INVALID_INPUT", "transition.state.status")),
        step({"op": "outbox_poll_transmit", "outbox": "s6", "now": T0},
             ok({"transmit": {"id": 1, "path": "/hooks/claims", "body": nbody, "headers": {
                 "webhook-id": audit["hash"], "webhook-timestamp": str(send_s),
                 "webhook-signature": sign(SPEC_SECRET, audit["hash"], send_s, nbody)}}})),
        step({"op": "outbox_poll_transmit", "outbox": "s6", "now": T0},
             ok({"transmit": {"id": 2, "path": "/external/services/warrantyclaim/createclaim",
                              "idempotency_key": "DMS-2026-0042"}})),
        step({"op": "outbox_drop", "outbox": "s6"}, ok({"messages": 2})),
    ])
