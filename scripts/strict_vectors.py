"""Strict JSON vectors (docs/protocol.md, "Strict JSON"): an array where an object belongs,
a repeated key, a number where text belongs, each refused as INVALID_INPUT at its path.

Repeated keys cannot live in a JSON value, so those vectors carry `request_text`: the exact
bytes to send. Paths are written out by hand from the rule: the value at fault, or the second
of two equal keys.
"""
import json

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
POLICY = {"id": "TV-2Y", "duration": {"value": 2, "unit": "years"},
          "reasons": [{"id": "DEFECT", "provides_coverage": True}]}
COVERAGE = {"op": "coverage", "policy": POLICY, "warranty": {"start": "2025-06-01T09:00:00+02:00"},
            "as_of": "2026-11-22T15:00:00+01:00", "reason": "DEFECT", "zone": "Europe/Berlin"}
RESOLVE = {"op": "resolve", "policies": [{"id": "A", "duration": {"value": 1, "unit": "years"}, "covers": [{"brand": "Acme"}]}],
           "item": {"brand": "Acme"}, "sold_at": "2026-05-01T12:00:00+02:00"}
ENQUEUE = '{"op":"outbox_enqueue","outbox":"pos","partner":"cnh","operation":"create_claim","idempotency_key":"DMS-1","payload":%s,"now":"2026-11-22T10:00:00Z"}'
VERIFY_HEADERS = '{"webhook-id":"msg_p5jXN8AQM9LWM0D4loKWxJek","webhook-timestamp":"1614265330","webhook-signature":"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="%s}'


def with_(base, **changes):
    out = json.loads(json.dumps(base))
    for k, v in changes.items():
        out[k] = v
    return out


def add(vec, vec_text, ok, err):
    bad = lambda path: err("INVALID_INPUT", path)  # noqa: E731

    # Arrays where objects belong: serde alone would read them field by field.
    vec("strict_array_for_duration_object", {"op": "expiry", "start": "2024-01-31T10:00:00+01:00", "duration": [1, "months"]},
        bad("duration"))
    vec("strict_array_for_policy_object", with_(COVERAGE, policy=["TV-2Y", {"value": 2, "unit": "years"}]), bad("policy"))
    vec("strict_array_for_nested_duration", with_(COVERAGE, policy=with_(POLICY, duration=[2, "years"])), bad("policy.duration"))
    vec("strict_array_for_warranty_record", with_(COVERAGE, warranty=["2025-06-01T09:00:00+02:00"]), bad("warranty"))
    vec("strict_array_for_reason_entry", with_(COVERAGE, policy=with_(POLICY, reasons=[["DEFECT", True]])), bad("policy.reasons[0]"))
    vec("strict_array_for_item", with_(RESOLVE, item=["Acme"]), bad("item"))
    vec("strict_array_for_policy_in_list", with_(RESOLVE, policies=[["A", {"value": 1, "unit": "years"}]]), bad("policies[0]"))
    vec("strict_array_for_cover_entry", with_(RESOLVE, policies=[{"id": "A", "duration": {"value": 1, "unit": "years"}, "covers": [["brand", "Acme"]]}]),
        bad("policies[0].covers[0]"))
    vec("strict_array_for_outbox_config", {"op": "outbox_create", "outbox": "m", "seed": 1, "config": [1000, 300000]}, bad("config"))
    vec("strict_array_for_webhook_headers", {"op": "webhook_verify", "secret": SECRET, "headers": [["webhook-id", "x"]],
                                            "body": "{}", "now": "2021-02-25T15:02:20+00:00"}, bad("headers"))
    # The same request with objects is fine (the control).
    vec("strict_objects_are_read", {"op": "expiry", "start": "2024-01-31T10:00:00+01:00", "duration": {"value": 1, "unit": "months"}},
        ok({"end": "2024-02-29T10:00:00+01:00"}))

    # Repeated keys: in a struct (a field), in a map (headers, partners), inside free JSON.
    vec_text("strict_repeated_top_level_field",
             '{"op":"expiry","start":"2024-01-31T10:00:00+01:00","start":"2025-01-31T10:00:00+01:00","duration":{"value":1,"unit":"months"}}',
             bad("start"))
    vec_text("strict_repeated_op",
             '{"op":"expiry","start":"2024-01-31T10:00:00+01:00","duration":{"value":1,"unit":"months"},"op":"expiry"}', bad("op"))
    vec_text("strict_repeated_nested_field",
             '{"op":"expiry","start":"2024-01-31T10:00:00+01:00","duration":{"value":1,"unit":"months","unit":"days"}}',
             bad("duration.unit"))
    vec_text("strict_repeated_header_name",
             '{"op":"webhook_verify","secret":"%s","headers":%s,"body":"{\\"test\\": 2432232314}","now":"2021-02-25T15:02:20+00:00"}'
             % (SECRET, VERIFY_HEADERS % ',"webhook-id":"msg_other"'), bad("headers.webhook-id"))
    vec_text("strict_unique_header_names_verify",
             '{"op":"webhook_verify","secret":"%s","headers":%s,"body":"{\\"test\\": 2432232314}","now":"2021-02-25T15:02:20+00:00"}'
             % (SECRET, VERIFY_HEADERS % ""), ok({"valid": True, "reason": None}))
    vec_text("strict_repeated_partner_in_config",
             '{"op":"outbox_create","outbox":"m","seed":1,"config":{"partners":{"cnh":{"base_path":"/a"},"cnh":{"base_path":"/b"}}}}',
             bad("config.partners.cnh"))
    vec_text("strict_repeated_key_in_payload", ENQUEUE % '{"claim":{"a":1,"a":2}}', bad("payload.claim.a"))
    vec_text("strict_repeated_key_inside_free_json",
             '{"op":"import_crm_com","zone":"UTC","response":{"status":{"code":"OK"},"data":[],"data":[{"id":"A"}]}}',
             bad("response.data"))
    vec_text("strict_repeated_key_deep_in_free_json",
             '{"op":"import_crm_com","zone":"UTC","response":{"status":{"code":"OK","code":"ERROR"},"data":[]}}',
             bad("response.status.code"))
    vec_text("strict_equal_keys_in_sibling_objects_are_fine",
             '{"op":"resolve","policies":[{"id":"A","duration":{"value":1,"unit":"years"},"covers":[{"brand":"Acme"}]},'
             '{"id":"B","duration":{"value":1,"unit":"years"},"covers":[{"brand":"Other"}]}],'
             '"item":{"brand":"Acme"},"sold_at":"2026-05-01T12:00:00+02:00"}',
             ok({"policy": "A"}))

    # Numbers (and other non-text) where text belongs.
    vec("strict_number_for_instant", {"op": "expiry", "start": 20240131, "duration": {"value": 1, "unit": "months"}}, bad("start"))
    vec("strict_number_for_unit", {"op": "expiry", "start": "2024-01-31T10:00:00+01:00", "duration": {"value": 1, "unit": 2}},
        bad("duration.unit"))
    vec("strict_array_for_unit", {"op": "expiry", "start": "2024-01-31T10:00:00+01:00", "duration": {"value": 1, "unit": ["months"]}},
        bad("duration.unit"))
    vec("strict_null_for_expiry_mode", {"op": "expiry", "start": "2024-01-31T10:00:00+01:00", "duration": {"value": 1, "unit": "months"},
                                        "expiry": None}, bad("expiry"))
    vec("strict_text_for_count", {"op": "expiry", "start": "2024-01-31T10:00:00+01:00", "duration": {"value": "1", "unit": "months"}},
        bad("duration.value"))
    vec("strict_number_for_policy_id", with_(COVERAGE, policy=with_(POLICY, id=7)), bad("policy.id"))
    vec("strict_number_for_reason", with_(COVERAGE, reason=404), bad("reason"))
    vec("strict_number_for_item_brand", with_(RESOLVE, item={"brand": 5}), bad("item.brand"))
    vec("strict_bool_for_zone", with_(COVERAGE, zone=True), bad("zone"))
    vec("strict_number_for_outbox_name", {"op": "outbox_create", "outbox": 1, "seed": 1}, bad("outbox"))
    vec("strict_number_for_header_value", {"op": "webhook_verify", "secret": SECRET, "headers": {"webhook-id": 1},
                                           "body": "{}", "now": "2021-02-25T15:02:20+00:00"}, bad("headers.webhook-id"))
    vec("strict_object_for_webhook_body", {"op": "webhook_sign", "secret": SECRET, "id": "m", "timestamp": 1, "body": {"a": 1}},
        bad("body"))
