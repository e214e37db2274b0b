"""Vectors for the rest of the Warranty Life 201308 calls and answers, and CNH's DEP
authentication and v2.6 Create Claim fields (issue 21), written from the seeds by hand.

Imported by make_vectors.py: `add(vec, ok, err)`.
"""
import base64
import json


def add(vec, vec_text, ok, err, scenario):
    P = "/api/201308"
    J = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8"}
    GET = {"Accept": "application/json"}

    def wl(name, request, expect, absent=None):
        vec("warranty_life_" + name, dict({"op": "warranty_life_request"}, **request), expect, absent)

    sold = {"plan_id": "EXT-3Y", "item_id": "item 7", "customer_id": "cust-1",
            "sold_at": "2026-11-20T14:05:00-05:00", "price_paid": "149.99", "currency": "USD"}

    # --- writes ---------------------------------------------------------------------------
    vec("exact_warranty_life_price_seventeen_digits_and_cents",
        {"op": "warranty_life_request", "item": {"customer_id": "c", "product_id": "p",
         "purchased_at": "2026-12-01T10:00:00Z", "price_paid": "12345678901234567.89", "currency": "USD"}},
        ok({"body": {"pricePaid": 12345678901234567.89}}))
    wl("request_customer_update", {"customer_update": {"id": "cust 1", "city": "Reno", "state": "NV",
                                                        "company_name": "", "opt_in": True}},
       ok({"method": "PUT", "path": P + "/customers/cust%201", "headers": J,
           "body": {"city": "Reno", "state": "NV", "companyName": "", "optIn": True}}),
       absent=["result.body.firstName", "result.body.country"])
    wl("request_customer_update_nothing", {"customer_update": {"id": "cust-1"}},
       err("INVALID_INPUT", "customer_update"))
    wl("request_customer_update_bad_state", {"customer_update": {"id": "c", "state": "Nevada"}},
       err("INVALID_INPUT", "customer_update.state"))
    wl("request_manufacturer", {"manufacturer": {"name": "Sony"}},
       ok({"method": "POST", "path": P + "/manufacturers", "headers": J, "body": {"name": "Sony"}}))
    wl("request_manufacturer_blank", {"manufacturer": {"name": " "}}, err("INVALID_INPUT", "manufacturer.name"))
    wl("request_product", {"product": {"category_id": "tv", "manufacturer_id": "M1", "model": "Bravia 55",
                                        "mpn": "KD-55", "msrp": "1299.00", "msrp_currency": "USD",
                                        "upc": "027242923232", "sku": "TV-55X"}},
       ok({"method": "POST", "path": P + "/products", "headers": J,
           "body": {"categoryId": "tv", "manufacturerId": "M1", "model": "Bravia 55", "mpn": "KD-55",
                    "msrp": 1299, "msrpCurrency": "USD", "upc": "027242923232", "sku": "TV-55X"}}),
       absent=["result.body.ean"])
    wl("request_product_msrp_without_currency",
       {"product": {"category_id": "tv", "manufacturer_id": "M1", "model": "X", "msrp": "10"}},
       err("INVALID_INPUT", "product.msrp_currency"))
    wl("request_product_short_upc",
       {"product": {"category_id": "tv", "manufacturer_id": "M1", "model": "X", "upc": "12345"}},
       err("INVALID_INPUT", "product.upc"))
    wl("request_item_warranty", {"item_warranty": sold},
       ok({"method": "POST", "path": P + "/items/item%207/warranties", "headers": J,
           "body": {"warrantyPlanId": "EXT-3Y", "itemId": "item 7", "customerId": "cust-1",
                    "dateOfPurchase": "2026-11-20T19:05:00Z", "pricePaid": 149.99,
                    "pricePaidCurrencyCode": "USD"}}))
    wl("request_item_warranty_bad_currency", {"item_warranty": dict(sold, currency="EUR")},
       err("INVALID_INPUT", "item_warranty.currency"))
    wl("request_warranty_invalidate", {"warranty_invalidate": {"id": "W-9"},
                                        "credentials": {"key": "K", "secret": "S"}},
       ok({"method": "DELETE", "path": P + "/warranties/W-9",
           "headers": {"Accept": "application/json", "Authorization": "Basic " + base64.b64encode(b"K:S").decode()}}),
       absent=["result.body", "result.headers.Content-Type"])
    wl("request_get_and_a_write", {"get": {"resource": "categories"}, "manufacturer": {"name": "Sony"}},
       err("INVALID_INPUT", ""))

    # --- lookups ----------------------------------------------------------------------------
    def get(name, g, path=None, error=None):
        if error is not None:
            wl("get_" + name, {"get": g}, err("INVALID_INPUT", error))
        else:
            wl("get_" + name, {"get": g}, ok({"method": "GET", "path": P + path, "headers": GET}),
               absent=["result.body", "result.headers.Content-Type"])

    get("categories", {"resource": "categories"}, "/categories")
    get("category", {"resource": "categories", "id": "tv"}, "/categories/tv")
    get("plan", {"resource": "warranty_plans", "id": "EXT-3Y"}, "/warranty-plans/EXT-3Y")
    get("plans_of_a_category", {"resource": "warranty_plans", "by": {"category_id": "tv"}},
        "/warranty-plans?categoryId=tv")
    get("customer_by_email", {"resource": "customers", "by": {"email": "ann+tv@example.com"}},
        "/customers?email=ann%2Btv%40example.com")
    get("customer_by_ref", {"resource": "customers", "by": {"ref_id": "C-9"}}, "/customers?refId=C-9")
    get("customers_unsearched", {"resource": "customers"}, error="get")
    get("customer_two_searches", {"resource": "customers", "by": {"email": "a@b.c", "ref_id": "C"}},
        error="get.by")
    get("manufacturer_by_name", {"resource": "manufacturers", "by": {"name": "Son*"}},
        "/manufacturers/?name=Son*")
    get("manufacturers_page", {"resource": "manufacturers", "page": 2, "limit": 50},
        "/manufacturers/?startAt=100&limit=50")
    get("product_by_sku", {"resource": "products", "by": {"sku": "TV-55X"}}, "/products?sku=TV-55X")
    get("products_by_query_with_plans_at_msrp",
        {"resource": "products", "by": {"q": "123456789012"}, "include_plans": True,
         "include_plans_at_price": "MSRP"},
        "/products?q=123456789012&includePlans=1&includePlansAtPrice=MSRP")
    get("products_by_terms_paged",
        {"resource": "products", "by": {"model": "Nexus S3", "manufacturer_name": "Samsung"},
         "include_plans": True, "include_plans_at_price": "333.33", "page": 1, "limit": 25},
        "/products?manufacturerName=Samsung&model=Nexus%20S3&includePlans=1&includePlansAtPrice=333.33"
        "&startAt=25&limit=25")
    get("products_sku_with_terms", {"resource": "products", "by": {"sku": "A", "model": "B"}}, error="get.by")
    get("products_plans_at_a_bad_price",
        {"resource": "products", "by": {"q": "x"}, "include_plans": True, "include_plans_at_price": "1e3"},
        error="get.include_plans_at_price")
    get("products_unknown_search", {"resource": "products", "by": {"colour": "red"}}, error="get.by.colour")
    get("item_by_order", {"resource": "items", "by": {"order_ref_id": "INV-1"}}, "/items?orderRefId=INV-1")
    get("items_paged", {"resource": "items", "by": {"ref_id": "L1"}, "limit": 10}, error="get.limit")
    get("warranties_of_an_item", {"resource": "warranties", "by": {"item_id": "I-1"}}, "/items/I-1/warranties")
    get("warranty_by_ref", {"resource": "warranties", "by": {"ref_id": "W/1"}}, "/warranties?refId=W%2F1")
    get("receipt", {"resource": "receipts", "id": "R-1"}, "/receipts/R-1")
    get("receipt_search", {"resource": "receipts", "by": {"order_ref_id": "INV-1"}}, error="get.by.order_ref_id")
    get("unknown_resource", {"resource": "invoices"}, error="get.resource")

    # --- answers ----------------------------------------------------------------------------
    def ans(name, request, expect, absent=None):
        vec("warranty_life_answer_" + name, dict({"op": "warranty_life_answer"}, **request), expect, absent)

    ans("created_customer", {"status": 201, "location": P + "/customers/cust-42", "resource": "customers"},
        ok({"disposition": "delivered", "status": 201, "id": "cust-42", "location": P + "/customers/cust-42"}),
        absent=["result.error", "result.customers"])
    ans("created_elsewhere", {"status": 201, "location": P + "/items/i-1", "resource": "customers"},
        err("INVALID_INPUT", "location"))
    ans("created_without_location", {"status": 201, "body": "", "resource": "items"},
        err("INVALID_INPUT", "location"))
    ans("accepted_warranty", {"status": 202, "body": '{"id": "W-77"}', "resource": "warranties"},
        ok({"disposition": "delivered", "status": 202, "id": "W-77"}))
    ans("accepted_without_id", {"status": 202, "body": "{}"}, err("INVALID_INPUT", "body.id"))
    ans("voucher_batch", {"status": 201, "resource": "voucher_batches",
                          "body": json.dumps({"id": "VB-1", "voucherCodes": ["WL-AAA1", "WL-AAA2"],
                                              "warrantyPlanId": "EXT-3Y", "note": "Black Friday"})},
        ok({"disposition": "delivered", "status": 201, "id": "VB-1",
            "voucher_batches": [{"id": "VB-1", "voucher_codes": ["WL-AAA1", "WL-AAA2"],
                                 "plan_id": "EXT-3Y", "note": "Black Friday"}]}))
    ans("deleted", {"status": 204}, ok({"disposition": "delivered", "status": 204}))
    ans("deleted_with_a_body", {"status": 204, "body": "{}"}, err("INVALID_INPUT", "body"))
    ans("error_body", {"status": 404, "body": json.dumps(
        {"error_code": 0, "status_text": "Bad Request", "message": "The ID specified does not exist."})},
        ok({"disposition": "dead_letter", "status": 404,
            "error": {"error_code": 0, "status_text": "Bad Request", "message": "The ID specified does not exist."}}))
    ans("unauthorized_without_body", {"status": 401},
        ok({"disposition": "dead_letter", "status": 401,
            "error": {"error_code": 401, "status_text": "HTTP 401", "message": ""}}))
    ans("server_error_html", {"status": 500, "body": "<html>Application Error</html>"},
        ok({"disposition": "retry", "status": 500,
            "error": {"error_code": 500, "status_text": "HTTP 500", "message": "<html>Application Error</html>"}}))
    ans("error_body_repeated_key", {"status": 400, "body": '{"message": "a", "message": "b"}'},
        err("INVALID_INPUT", "body.message"))
    ans("not_a_status", {"status": 700}, err("INVALID_INPUT", "status"))
    tree = [{"id": "electronics", "name": "Electronics", "subCategoryIds": ["tv", "phones"], "parentCategoryId": None},
            {"id": "tv", "name": "TVs", "subCategoryIds": [], "parentCategoryId": "electronics"},
            {"id": "phones", "name": "Phones", "subCategoryIds": [], "parentCategoryId": "electronics"}]
    ans("categories_tree", {"status": 200, "resource": "categories", "body": json.dumps(tree)},
        ok({"disposition": "delivered", "status": 200, "categories": [
            {"id": "electronics", "name": "Electronics"},
            {"id": "tv", "name": "TVs", "parent": "electronics"},
            {"id": "phones", "name": "Phones", "parent": "electronics"}]}),
        absent=["result.categories[0].parent"])
    bad = [dict(tree[0]), dict(tree[1], parentCategoryId="phones"), tree[2]]
    ans("categories_sub_with_another_parent", {"status": 200, "resource": "categories", "body": json.dumps(bad)},
        err("INVALID_INPUT", "body[0].subCategoryIds[0]"))
    loop = [{"id": "a", "parentCategoryId": "b"}, {"id": "b", "parentCategoryId": "a"}]
    ans("categories_cycle", {"status": 200, "resource": "categories", "body": json.dumps(loop)},
        err("INVALID_INPUT", "body[0].parentCategoryId"))
    product = ('[{"id": "PR-1", "categoryId": "tv", "isCategoryKnown": true, '
               '"manufacturer": {"id": "M1", "name": "Sony"}, "mpn": "KD-55", "model": "Bravia 55", '
               '"msrp": 12345678901234567.25, "msrpCurrency": "USD", "upc": "027242923232", "ean": "", '
               '"warrantyPlans": [{"id": "EXT-3Y", "applicableCategoryIds": ["tv"], "duration": 3, '
               '"durationUnit": "years", "productMinPrice": 90071992547409.93, "productMaxPrice": 0.00, '
               '"sellableDuration": 30, "sellableDurationUnit": "days", "countryCode": "US"}], "extra": 1}]')
    ans("product_with_plans_exact", {"status": 200, "resource": "products", "body": product},
        ok({"disposition": "delivered", "status": 200, "products": [{
            "id": "PR-1", "category_id": "tv", "category_known": True,
            "manufacturer": {"id": "M1", "name": "Sony"}, "mpn": "KD-55", "model": "Bravia 55",
            "msrp": "12345678901234567.25", "msrp_currency": "USD", "upc": "027242923232", "ean": "",
            "plans": [{"id": "EXT-3Y", "categories": ["tv"], "min_price": "90071992547409.93",
                       "max_price": None}]}]}),
        absent=["result.products[0].extra"])
    ans("product_price_beyond_decimal", {"status": 200, "resource": "products",
                                         "body": '{"id": "PR-1", "msrp": 1e-400}'},
        err("INVALID_INPUT", "body.msrp"))
    ans("item_read", {"status": 200, "resource": "items", "body": json.dumps(
        {"id": "I-1", "refId": "L1", "customerId": "cust-1", "dateOfPurchase": "2026-11-20T19:05:00Z",
         "productSku": "TV-55X", "purchasedCondition": "NEW", "pricePaid": 1899.99,
         "pricePaidCurrencyCode": "USD", "isRepaired": False, "hasDamage": False})},
        ok({"disposition": "delivered", "status": 200, "items": [
            {"id": "I-1", "ref_id": "L1", "customer_id": "cust-1", "purchased_at": "2026-11-20T19:05:00+00:00",
             "product_sku": "TV-55X", "condition": "NEW", "price_paid": "1899.99", "currency": "USD",
             "is_repaired": False, "has_damage": False}]}))
    ans("item_flag_as_text", {"status": 200, "resource": "items", "body": '{"id": "I-1", "hasDamage": "no"}'},
        err("INVALID_INPUT", "body.hasDamage"))
    ans("warranty_without_id", {"status": 200, "resource": "warranties", "body": '[{"refId": "W"}]'},
        err("INVALID_INPUT", "body[0].id"))
    ans("customer_read", {"status": 200, "resource": "customers", "body": json.dumps(
        {"id": "cust-1", "customerUrl": "http://www.example.com/reg/EXAMPLE123", "firstName": "Ann",
         "country": "US", "optIn": True})},
        ok({"disposition": "delivered", "status": 200, "customers": [
            {"id": "cust-1", "customer_url": "http://www.example.com/reg/EXAMPLE123", "first_name": "Ann",
             "country": "US", "opt_in": True}]}))

    vec("warranty_life_plans_from_the_answer_text",
        {"op": "warranty_life_plans", "body": '[{"id": "EXT-3Y", "duration": 3, "durationUnit": "years", '
                                              '"productMinPrice": 12345678901234567.5}]'},
        ok({"plans": [{"id": "EXT-3Y", "min_price": "12345678901234567.5"}]}))
    vec("warranty_life_plans_both_sources", {"op": "warranty_life_plans", "plans": [], "body": "[]"},
        err("INVALID_INPUT", ""))

    # --- CNH DEP authentication -----------------------------------------------------------
    basic = "Basic " + base64.b64encode(b"dms.user:p@ss:word").decode()
    vec("cnh_auth_headers", {"op": "cnh_auth", "credentials": {
        "username": "dms.user", "password": "p@ss:word", "subscription_key": "4f1c9e0b7d2a"}},
        ok({"headers": {"Authorization": basic, "subscription_key": "4f1c9e0b7d2a",
                        "Content-Type": "application/json"}}))
    for name, creds, path in [
        ("user_with_colon", {"username": "a:b", "password": "p", "subscription_key": "k"}, "credentials.username"),
        ("empty_password", {"username": "u", "password": "", "subscription_key": "k"}, "credentials.password"),
        ("key_with_space", {"username": "u", "password": "p", "subscription_key": "k 1"},
         "credentials.subscription_key"),
    ]:
        vec("cnh_auth_" + name, {"op": "cnh_auth", "credentials": creds}, err("INVALID_INPUT", path))
    vec("cnh_auth_missing_key", {"op": "cnh_auth", "credentials": {"username": "u", "password": "p"}},
        err("INVALID_INPUT", "credentials.subscription_key"))

    # --- CNH Create Claim v2.6 fields -----------------------------------------------------
    import os
    here = os.path.dirname(__file__)
    with open(os.path.join(here, "..", "examples", "claims", "validate-tractor.json")) as f:
        claim = json.load(f)["claim"]
    claim = dict(claim, warranty_type="Y", ppp_policy_number="PPP-1", time_in="08:15", time_out="17:40",
                 spare_part_usage="120.5", assessment="SELF", failed_component_serial="FC-1",
                 replaced_component_serial="RC-2",
                 ppp={"phone": "+1 555 0100", "email": "ppp@example.com", "non_cnh_serial": "N-9",
                      "cnh_sold_unit": "Y", "ref_claim_number": "R-1", "base_ref_claim_number": "B-1",
                      "ttm_id": "T-7", "coverage": "FULL", "claim_subtype": "SAF-T-CAB", "ete_contract": "ETE-3"},
                 failure=dict(claim["failure"], service_participation="50", record_id="REC-1"),
                 lines=[dict(claim["lines"][0], drawing_description="Pump housing", non_cnh_material="NC-100",
                             non_cnh_description="Third-party hose")] + claim["lines"][1:])
    vec("cnh_claim_body_every_v2_6_attribute", {"op": "cnh_claim_body", "claim": claim},
        ok({"body": {"ClaimHeader": {
            "TimeIn": "08:15", "TimeOut": "17:40", "AmountUseSparePart": "120.5", "Assessment": "SELF",
            "FailedComponentSerial": "FC-1", "ReplacedComponentSerial": "RC-2",
            "zzphoneNo": "+1 555 0100", "zzemail": "ppp@example.com", "zznonCnhSerialNo": "N-9",
            "zzcnhSoldUnit": "Y", "zzrefclaimno": "R-1", "zzbaseRefClmno": "B-1", "zzttmId": "T-7",
            "zzcoverage": "FULL", "zzclaim_subtype": "SAF-T-CAB", "zzppp_ete": "ETE-3",
            "Failure": {"ServiceParticipation": "50", "recordId": "REC-1", "zzpolicyNo": "PPP-1",
                        "ItemPosition": [{"DrawingDescription": "Pump housing", "ZznoncnhMatnr": "NC-100",
                                          "ZznoncnhDesc": "Third-party hose", "MaterialCode": "87654321"},
                                         {"PositionCategory": "LABOUR"}, {"PositionCategory": "SUBLET"}]}}}}),
        absent=["result.body.ClaimHeader.Failure.ItemPosition[1].ZznoncnhMatnr"])
    vec("cnh_claim_body_unknown_ppp_field", {"op": "cnh_claim_body", "claim": dict(claim, ppp={"phone_no": "1"})},
        err("INVALID_INPUT", "claim.ppp.phone_no"))

    # --- exact payloads through the outbox -------------------------------------------------
    import hashlib
    T0 = "2026-11-22T10:00:00+00:00"

    def enqueue_text(key, payload_text):
        return ('{"op":"outbox_enqueue","outbox":"exact","partner":"warranty_life","operation":"items",'
                '"idempotency_key":"%s","payload":%s,"now":"%s"}' % (key, payload_text, T0))

    body = '{"amount":12345678901234567.89,"items":[{"scale":1.50,"tiny":1E-7}],"note":"1.0"}'
    scenario("sync_payload_numbers_are_sent_with_every_digit", [
        {"request": {"op": "outbox_create", "outbox": "exact", "seed": 1}, "expect": ok({"outbox": "exact"})},
        {"request_text": enqueue_text("L1", '{"note": "1.0", "items": [{"tiny": 1E-7, "scale": 1.50}],\n '
                                            '"amount": 12345678901234567.89}'),
         "expect": ok({"id": 1, "created": True, "persist": {"messages": [
             {"id": 1, "payload": body, "payload_sha256": hashlib.sha256(body.encode()).hexdigest()}]}})},
        # The same document (other order, other spacing) is the same message.
        {"request_text": enqueue_text("L1", body), "expect": ok({"id": 1, "created": False})},
        # Another spelling of a number is another body: the partner would get other bytes.
        {"request_text": enqueue_text("L1", body.replace("1.50", "1.5")), "expect": err("INVALID_INPUT", "payload")},
        {"request_text": enqueue_text("L2", '{"a": 1, "a": 2}'), "expect": err("INVALID_INPUT", "payload.a")},
        {"request": {"op": "outbox_poll_transmit", "outbox": "exact", "now": T0},
         "expect": ok({"transmit": {"id": 1, "body": body}})},
    ])
    vec_text("warranty_life_plans_exact_from_the_request",
             '{"op":"warranty_life_plans","plans":[{"id":"EXT-3Y","duration":3,"durationUnit":"years",'
             '"productMinPrice":90071992547409.93,"productMaxPrice":12345678901234567.5}]}',
             ok({"plans": [{"id": "EXT-3Y", "min_price": "90071992547409.93", "max_price": "12345678901234567.5"}]}))

    # --- PIP quantities past Decimal's range (a panic the 10^6 hostile run found) -----------
    with open(os.path.join(here, "..", "examples", "claims", "validate-tractor.json")) as f:
        tractor = json.load(f)
    MAX = "79228162514264337593543950335"
    big = dict(tractor["claim"]["lines"][0], quantity=MAX)
    req = dict(tractor, claim=dict(tractor["claim"], lines=[big, dict(big), dict(big, quantity="-" + MAX)]
                                    + tractor["claim"]["lines"][1:]),
               rules={"pip_parts": [{"pip_code": "P24", "mandatory": True, "material_code": "87654321",
                                     "quantity": "1"}]})
    # MAX + MAX − MAX = MAX ≥ 1: the part is there (exactly, though the running sum leaves the range).
    vec("validate_claim_pip_quantities_past_the_decimal_range", req, ok({"outcome": "reject", "findings": [
        {"code": "QUANTITY_NOT_POSITIVE", "path": "claim.lines[2].quantity"},
        {"code": "TOTAL_MISMATCH", "path": "claim.total"}]}))
    short = dict(req, rules={"pip_parts": [dict(req["rules"]["pip_parts"][0], quantity=MAX)]},
                 claim=dict(req["claim"], lines=[dict(big, quantity="-" + MAX), dict(big, quantity="-" + MAX),
                                                 dict(big)] + tractor["claim"]["lines"][1:]))
    # −MAX − MAX + MAX = −MAX < MAX: short; the running sum leaves the range, so `found` says so.
    vec("validate_claim_pip_quantities_short_past_the_decimal_range", short, ok({"outcome": "reject", "findings": [
        {"code": "QUANTITY_NOT_POSITIVE", "path": "claim.lines[0].quantity"},
        {"code": "QUANTITY_NOT_POSITIVE", "path": "claim.lines[1].quantity"},
        {"code": "TOTAL_MISMATCH", "path": "claim.total"},
        {"code": "PIP_PART_SHORT", "path": "claim.lines", "params": {"found": "out of range"}}]}))
