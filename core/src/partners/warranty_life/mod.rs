//! Warranty Life API 201308 adapter pieces (seed: `warranty-life-api-201308.txt`): HTTP Basic
//! authentication with sub-accounts, paging with `startAt`/`limit`, and the error body.
//! (The plan model itself is `crate::warranty::plans`.)

mod answers;
mod bodies;
mod lookups;
mod plans;

pub use answers::*;
pub use bodies::*;
pub use lookups::*;
pub use plans::*;

use lookups::segment as lookups_segment;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Every URL is below this prefix.
pub const API_PREFIX: &str = "/api/201308";

/// The `Authorization` header: Basic with the API key as user (`key/sub-account-id` when
/// acting for a sub-account) and the API secret as password.
pub fn authorization(key: &str, secret: &str, sub_account: Option<&str>) -> Result<String> {
    if key.is_empty() || key.contains(':') {
        return Err(Error::invalid(
            "key",
            "the API key is empty or contains `:`",
        ));
    }
    let user = match sub_account {
        Some(s) if s.is_empty() || s.contains(['/', ':']) => {
            return Err(Error::invalid(
                "sub_account",
                "a sub-account id is non-empty and has no `/` or `:`",
            ))
        }
        Some(s) => format!("{key}/{s}"),
        None => key.to_string(),
    };
    Ok(format!(
        "Basic {}",
        STANDARD.encode(format!("{user}:{secret}"))
    ))
}

/// An account's API credentials, acting for a sub-account when `sub_account` is given.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The API key.
    pub key: String,
    /// The API secret.
    pub secret: String,
    /// The sub-account id ("Remote Id").
    #[serde(default)]
    pub sub_account: Option<String>,
}

impl Credentials {
    /// The `Authorization` header's value ([`authorization`]); problems at `credentials.…`.
    pub fn header(&self) -> Result<String> {
        authorization(&self.key, &self.secret, self.sub_account.as_deref())
            .map_err(|e| e.within("credentials"))
    }
}

/// The query of page `page` (0-based) with `limit` results per page:
/// `startAt=page·limit&limit=limit`.
pub fn page_query(page: u64, limit: u64) -> Result<String> {
    if limit == 0 {
        return Err(Error::invalid("limit", "the page size must be at least 1"));
    }
    let start = page
        .checked_mul(limit)
        .ok_or_else(|| Error::invalid("page", "the page offset overflows"))?;
    Ok(format!("startAt={start}&limit={limit}"))
}

/// Whether another page may follow one that returned `returned` results of `limit`.
pub fn has_next_page(returned: u64, limit: u64) -> bool {
    returned >= limit && limit > 0
}

/// The error body: `{"error_code": 0, "status_text": "Bad Request", "message": "…"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiError {
    /// `error_code`.
    pub error_code: i64,
    /// `status_text`.
    pub status_text: String,
    /// `message`.
    pub message: String,
}

/// Reads an error body; unknown fields are ignored. A body that is not such an object gives
/// an `ApiError` carrying the HTTP status text and the raw body as message.
pub fn read_error(status: u16, body: &str) -> ApiError {
    match serde_json::from_str::<ApiError>(body) {
        Ok(e) if !e.message.is_empty() || !e.status_text.is_empty() => e,
        _ => ApiError {
            error_code: i64::from(status),
            status_text: format!("HTTP {status}"),
            message: body.trim().chars().take(500).collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partners::Disposition;
    use crate::time::{Duration, Unit};
    use serde_json::Value;

    #[test]
    fn basic_auth_with_the_seed_sub_account_example() {
        // The seed: key MqUax1IGBQdL acting for sub-account 43 authenticates as MqUax1IGBQdL/43.
        let h = authorization("MqUax1IGBQdL", "s3cret", Some("43")).unwrap();
        let raw = STANDARD.decode(h.strip_prefix("Basic ").unwrap()).unwrap();
        assert_eq!(String::from_utf8(raw).unwrap(), "MqUax1IGBQdL/43:s3cret");
        assert_eq!(
            authorization("MqUax1IGBQdL", "s3cret", None).unwrap(),
            format!("Basic {}", STANDARD.encode("MqUax1IGBQdL:s3cret"))
        );
        assert_eq!(authorization("", "x", None).unwrap_err().path, "key");
        assert_eq!(
            authorization("k", "x", Some("a/b")).unwrap_err().path,
            "sub_account"
        );
    }

    #[test]
    fn paging_follows_the_seed_example() {
        // "startAt=0&limit=50", "startAt=50&limit=50", "startAt=100&limit=50".
        let q: Vec<String> = (0..3).map(|p| page_query(p, 50).unwrap()).collect();
        assert_eq!(
            q,
            [
                "startAt=0&limit=50",
                "startAt=50&limit=50",
                "startAt=100&limit=50"
            ]
        );
        assert!(has_next_page(50, 50));
        assert!(!has_next_page(49, 50));
        assert!(page_query(0, 0).is_err());
        assert!(page_query(u64::MAX, 2).is_err());
    }

    #[test]
    fn error_bodies_are_read_and_unknown_fields_ignored() {
        let e = read_error(
            404,
            r#"{"error_code": 0, "status_text": "Bad Request", "message": "The ID specified does not exist.", "extra": 1}"#,
        );
        assert_eq!(e.message, "The ID specified does not exist.");
        assert_eq!(e.status_text, "Bad Request");
        let e = read_error(500, "<html>down</html>");
        assert_eq!(e.error_code, 500);
        assert_eq!(e.message, "<html>down</html>");
    }

    #[test]
    fn the_seed_plan_object_maps_onto_our_plan() {
        let v: Value = serde_json::from_str(r#"{
          "id": "EXT-3Y", "applicableCategoryIds": ["tv"], "applicableProductFlags": [],
          "name": "3 years", "description": "x", "deductible": "none",
          "productMinPrice": 200.00, "productMaxPrice": 0.00,
          "duration": 3, "durationUnit": "years", "isDurationFixed": true,
          "partsDuration": 0, "partsDurationUnit": "years", "labourDuration": 1, "labourDurationUnit": "years",
          "rmaShippingCoverage": 2, "serviceLocation": "", "claimPhone": "",
          "planAvailableFrom": "2026-01-01T00:00:00Z", "planAvailableTo": null,
          "sellableDuration": 30, "sellableDurationUnit": "days",
          "srp": 199.99, "wholesaleCost": 80.0, "retailerCost": 80.0, "retailPrice": 149.99,
          "currencyCode": "USD", "billingPeriod": 0, "billingPeriodUnit": "months", "countryCode": "US",
          "termsUrl": "http://www.warrantylife.com/Terms_and_Conditions_Example.pdf",
          "updatedAt": "2026-01-01T00:00:00Z", "somethingNew": true}"#).unwrap();
        let p = plan_from_response(&v, "plans[0]").unwrap();
        assert_eq!(p.id, "EXT-3Y");
        assert_eq!(p.categories, ["tv"]);
        assert_eq!(p.min_price.unwrap().0, rust_decimal::Decimal::from(200));
        assert!(p.max_price.is_none());
        assert_eq!(
            p.duration,
            Duration {
                value: 3,
                unit: Unit::Years
            }
        );
        assert!(p.parts_duration.is_none());
        assert_eq!(
            p.labour_duration,
            Some(Duration {
                value: 1,
                unit: Unit::Years
            })
        );
        assert_eq!(
            p.sellable_within,
            Duration {
                value: 30,
                unit: Unit::Days
            }
        );
        assert_eq!(p.country.as_deref(), Some("US"));
        let bad: Value =
            serde_json::from_str(r#"{"id": "X", "duration": 1, "durationUnit": "weeks"}"#).unwrap();
        assert_eq!(
            plan_from_response(&bad, "plans[1]").unwrap_err().path,
            "plans[1].durationUnit"
        );
    }

    #[test]
    fn request_bodies() {
        let c = customer_body(&Customer {
            ref_id: "C-9".into(),
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            state: "NY".into(),
            country: "US".into(),
            opt_in: Some(true),
            ..Customer::default()
        })
        .unwrap();
        assert_eq!(c["refId"], "C-9");
        assert_eq!(c["optIn"], true);
        assert!(c.get("city").is_none() && c.get("isWalkIn").is_none());
        assert!(customer_body(&Customer {
            country: "DE".into(),
            ..Customer::default()
        })
        .is_err());
        let write: Write = serde_json::from_str(
            r#"{"item": {"customer_id": "cust-1", "ref_id": "L1", "product_sku": "SKU-55",
                "purchased_at": "2026-11-20T14:05:00-05:00", "price_paid": "1899.99",
                "currency": "USD", "serial": "SN1"}}"#,
        )
        .unwrap();
        let r = write.request().unwrap();
        assert_eq!((r.method, r.path.as_str()), ("POST", "/api/201308/items"));
        let r = r.body.unwrap();
        assert_eq!(r.field("dateOfPurchase").unwrap(), "2026-11-20T19:05:00Z");
        assert_eq!(r.amount("pricePaid").unwrap().to_string(), "1899.99");
        assert_eq!(r.field("purchasedCondition").unwrap(), "NEW");
        assert_eq!(r.field("serialNumber").unwrap(), "SN1");
        let receipt: Write = serde_json::from_str(
            r#"{"receipt": {"order_ref_id": "O1", "customer_ref_id": "C-9",
                "sold_at": "2026-11-20T14:05:00-05:00", "mime_type": "application/pdf",
                "content_base64": "JVBERg=="}}"#,
        )
        .unwrap();
        assert_eq!(
            receipt
                .request()
                .unwrap()
                .body
                .unwrap()
                .field("content")
                .unwrap(),
            "JVBERg=="
        );
        let two: Write = serde_json::from_str(
            r#"{"customer": {"country": "US"}, "voucher_batch": {"qty": 1, "plan_id": "P"}}"#,
        )
        .unwrap();
        assert!(two.request().is_err());
    }

    fn get(v: Value) -> Result<HttpRequest> {
        get_request(&serde_json::from_value(v).unwrap())
    }

    #[test]
    fn every_get_of_the_seed_has_its_url() {
        use serde_json::json;
        for (g, want) in [
            (json!({"resource": "categories"}), "/api/201308/categories"),
            (json!({"resource": "categories", "id": "tv"}), "/api/201308/categories/tv"),
            (json!({"resource": "warranty_plans", "by": {"category_id": "tv"}}),
                "/api/201308/warranty-plans?categoryId=tv"),
            (json!({"resource": "customers", "by": {"email": "a+b@example.com"}}),
                "/api/201308/customers?email=a%2Bb%40example.com"),
            (json!({"resource": "customers", "by": {"order_ref_id": "O 1"}}),
                "/api/201308/customers?orderRefId=O%201"),
            (json!({"resource": "manufacturers", "by": {"name": "Apple*"}}),
                "/api/201308/manufacturers/?name=Apple*"),
            (json!({"resource": "manufacturers", "page": 2, "limit": 50}),
                "/api/201308/manufacturers/?startAt=100&limit=50"),
            (json!({"resource": "manufacturers", "by": {"name": "Sony"}, "page": 0, "limit": 10}),
                "/api/201308/manufacturers/?name=Sony&startAt=0&limit=10"),
            (json!({"resource": "products", "by": {"sku": "SKU-55"}}), "/api/201308/products?sku=SKU-55"),
            (json!({"resource": "products", "by": {"q": "Nexus S3"}, "include_plans": true,
                    "include_plans_at_price": "333.33"}),
                "/api/201308/products?q=Nexus%20S3&includePlans=1&includePlansAtPrice=333.33"),
            (json!({"resource": "products", "by": {"model": "X1", "manufacturer_name": "Sony"},
                    "include_plans": true, "include_plans_at_price": "MSRP", "limit": 20}),
                "/api/201308/products?manufacturerName=Sony&model=X1&includePlans=1&includePlansAtPrice=MSRP&startAt=0&limit=20"),
            (json!({"resource": "items", "by": {"ref_id": "L1"}}), "/api/201308/items?refId=L1"),
            (json!({"resource": "items", "id": "it/1"}), "/api/201308/items/it%2F1"),
            (json!({"resource": "warranties", "by": {"order_ref_id": "O1"}}),
                "/api/201308/warranties?orderRefId=O1"),
            (json!({"resource": "warranties", "by": {"item_id": "I9"}}), "/api/201308/items/I9/warranties"),
            (json!({"resource": "receipts", "id": "R1"}), "/api/201308/receipts/R1"),
        ] {
            let r = get(g.clone()).expect("a seed GET");
            assert_eq!((r.method, r.path.as_str()), ("GET", want), "{g}");
            assert!(r.body.is_none() && r.headers.content_type.is_none());
        }
        for (g, path) in [
            (json!({"resource": "customers"}), "get"),
            (
                json!({"resource": "receipts", "by": {"ref_id": "x"}}),
                "get.by.ref_id",
            ),
            (
                json!({"resource": "customers", "by": {"email": "a", "ref_id": "b"}}),
                "get.by",
            ),
            (
                json!({"resource": "products", "by": {"sku": "a", "model": "b"}}),
                "get.by",
            ),
            (json!({"resource": "products", "limit": 5}), "get"),
            (
                json!({"resource": "items", "by": {"ref_id": ""}}),
                "get.by.ref_id",
            ),
            (
                json!({"resource": "items", "by": {"ref_id": 5}}),
                "get.by.ref_id",
            ),
            (
                json!({"resource": "items", "id": "1", "by": {"ref_id": "x"}}),
                "get.by",
            ),
            (json!({"resource": "items", "id": " "}), "get.id"),
            (
                json!({"resource": "items", "by": {"ref_id": "x"}, "limit": 5}),
                "get.limit",
            ),
            (json!({"resource": "manufacturers", "page": 1}), "get.limit"),
            (
                json!({"resource": "manufacturers", "limit": 0}),
                "get.limit",
            ),
            (
                json!({"resource": "categories", "include_plans": true}),
                "get.include_plans",
            ),
            (
                json!({"resource": "products", "by": {"q": "x"}, "include_plans_at_price": "1"}),
                "get.include_plans_at_price",
            ),
            (
                json!({"resource": "products", "by": {"q": "x"}, "include_plans": true,
                    "include_plans_at_price": "-1"}),
                "get.include_plans_at_price",
            ),
        ] {
            assert_eq!(get(g.clone()).unwrap_err().path, path, "{g}");
        }
    }

    #[test]
    fn updates_products_manufacturers_and_invalidations() {
        let w = |v: Value| serde_json::from_value::<Write>(v).unwrap().request();
        let r = w(serde_json::json!({"customer_update": {"id": "C 1", "city": "Reno", "state": "NV", "opt_in": false}})).unwrap();
        assert_eq!(
            (r.method, r.path.as_str()),
            ("PUT", "/api/201308/customers/C%201")
        );
        assert_eq!(
            serde_json::to_value(r.body.unwrap()).unwrap(),
            serde_json::json!({"city": "Reno", "state": "NV", "optIn": false})
        );
        assert_eq!(
            w(serde_json::json!({"customer_update": {"id": "C1"}}))
                .unwrap_err()
                .path,
            "customer_update"
        );
        assert_eq!(
            w(serde_json::json!({"customer_update": {"id": "C1", "country": "DE"}}))
                .unwrap_err()
                .path,
            "customer_update.country"
        );
        let r = w(serde_json::json!({"manufacturer": {"name": "Sony"}})).unwrap();
        assert_eq!(
            (r.method, r.path.as_str()),
            ("POST", "/api/201308/manufacturers")
        );
        let r = w(serde_json::json!({"product": {"category_id": "tv", "manufacturer_id": "M1", "model": "X1",
            "msrp": "12345678901234567.89", "msrp_currency": "USD", "upc": "123456789012", "sku": "SKU-55"}})).unwrap();
        let body = r.body.unwrap();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"categoryId":"tv","ean":null,"manufacturerId":"M1","model":"X1","msrp":12345678901234567.89,"msrpCurrency":"USD","sku":"SKU-55","upc":"123456789012"}"#
                .replace(r#""ean":null,"#, "")
        );
        for (p, path) in [
            (
                serde_json::json!({"category_id": "tv", "manufacturer_id": "M1", "model": "X1", "msrp": "1"}),
                "product.msrp_currency",
            ),
            (
                serde_json::json!({"category_id": "tv", "manufacturer_id": "M1", "model": "X1", "msrp_currency": "USD"}),
                "product.msrp_currency",
            ),
            (
                serde_json::json!({"category_id": "tv", "manufacturer_id": "M1", "model": "", }),
                "product.model",
            ),
            (
                serde_json::json!({"category_id": "tv", "manufacturer_id": "M1", "model": "X", "ean": "12"}),
                "product.ean",
            ),
        ] {
            assert_eq!(w(serde_json::json!({"product": p})).unwrap_err().path, path);
        }
        let sold = serde_json::json!({"plan_id": "P", "item_id": "I9", "customer_id": "C", "sold_at": "2026-11-20T10:00:00Z",
            "price_paid": "99.99", "currency": "USD"});
        let r = w(serde_json::json!({"item_warranty": sold})).unwrap();
        assert_eq!(r.path, "/api/201308/items/I9/warranties");
        assert!(r.body.unwrap().contains("itemId"));
        let mut bad = sold.clone();
        bad["currency"] = "EUR".into();
        assert_eq!(
            w(serde_json::json!({"item_warranty": bad}))
                .unwrap_err()
                .path,
            "item_warranty.currency"
        );
        let r = w(serde_json::json!({"warranty_invalidate": {"id": "W1"}})).unwrap();
        assert_eq!(
            (r.method, r.path.as_str()),
            ("DELETE", "/api/201308/warranties/W1")
        );
        assert!(r.body.is_none());
        let json = serde_json::to_value(&r).unwrap();
        assert!(json.get("body").is_none() && json["headers"].get("Content-Type").is_none());
    }

    #[test]
    fn answers_are_read_with_their_status_location_and_records() {
        let a = read_answer(
            201,
            Some("/api/201308/customers/cust-9"),
            "",
            Some(AnswerOf::Customers),
        )
        .unwrap();
        assert_eq!(
            (a.disposition, a.id.as_deref()),
            (Disposition::Delivered, Some("cust-9"))
        );
        assert_eq!(
            read_answer(
                201,
                Some("/api/201308/items/1"),
                "",
                Some(AnswerOf::Customers)
            )
            .unwrap_err()
            .path,
            "location"
        );
        assert_eq!(
            read_answer(201, None, "", Some(AnswerOf::Items))
                .unwrap_err()
                .path,
            "location"
        );
        let a = read_answer(
            202,
            None,
            r#"{"id": 123456789012345678901234567}"#,
            Some(AnswerOf::Warranties),
        )
        .unwrap();
        assert_eq!(a.id.as_deref(), Some("123456789012345678901234567"));
        assert_eq!(
            read_answer(202, None, "{}", None).unwrap_err().path,
            "body.id"
        );
        let a = read_answer(
            201,
            None,
            r#"{"id": "VB1", "voucherCodes": ["A-1", "A-2"], "warrantyPlanId": "P", "note": "x"}"#,
            Some(AnswerOf::VoucherBatches),
        )
        .unwrap();
        assert_eq!(a.id.as_deref(), Some("VB1"));
        assert_eq!(
            a.records["voucher_batches"][0]["voucher_codes"],
            serde_json::json!(["A-1", "A-2"])
        );
        let a = read_answer(204, None, "", None).unwrap();
        assert_eq!(a.disposition, Disposition::Delivered);
        let a = read_answer(404, None,
            r#"{"error_code": 0, "status_text": "Bad Request", "message": "The ID specified does not exist."}"#, None).unwrap();
        assert_eq!(a.disposition, Disposition::DeadLetter);
        assert_eq!(a.error.unwrap().message, "The ID specified does not exist.");
        assert_eq!(
            read_answer(500, None, "oops", None).unwrap().disposition,
            Disposition::Retry
        );
        assert_eq!(
            read_answer(400, None, r#"{"message": "a", "message": "b"}"#, None)
                .unwrap_err()
                .path,
            "body.message"
        );
        // Prices keep every digit; the product's plans are read onto our plan model.
        let a = read_answer(200, None, r#"[{"id": "PR1", "categoryId": "tv", "isCategoryKnown": false,
            "manufacturer": {"id": "M1", "name": "Sony"}, "model": "X1", "msrp": 12345678901234567.25,
            "msrpCurrency": "USD", "flags": ["unlocked"], "warrantyPlans": [{"id": "EXT", "duration": 3,
            "durationUnit": "years", "productMinPrice": 90071992547409.93}]}]"#, Some(AnswerOf::Products)).unwrap();
        let p = &a.records["products"][0];
        assert_eq!(p["msrp"], "12345678901234567.25");
        assert_eq!(p["manufacturer"]["name"], "Sony");
        assert_eq!(p["plans"][0]["min_price"], "90071992547409.93");
        assert_eq!(
            read_answer(
                200,
                None,
                r#"{"id": "PR1", "msrp": 1e-400}"#,
                Some(AnswerOf::Products)
            )
            .unwrap_err()
            .path,
            "body.msrp"
        );
        assert_eq!(
            read_answer(
                200,
                None,
                r#"{"id": "I1", "isRepaired": "no"}"#,
                Some(AnswerOf::Items)
            )
            .unwrap_err()
            .path,
            "body.isRepaired"
        );
        let a = read_answer(
            200,
            None,
            r#"{"id": "I1", "dateOfPurchase": "2026-11-20T19:05:00Z", "pricePaid": 1899.99}"#,
            Some(AnswerOf::Items),
        )
        .unwrap();
        assert_eq!(
            a.records["items"][0]["purchased_at"],
            "2026-11-20T19:05:00+00:00"
        );
        assert_eq!(a.records["items"][0]["price_paid"], "1899.99");
    }

    #[test]
    fn the_category_tree_is_checked() {
        let tree = r#"[{"id": "av", "name": "Audio & video", "subCategoryIds": ["tv"], "parentCategoryId": null},
                       {"id": "tv", "name": "TVs", "subCategoryIds": [], "parentCategoryId": "av"}]"#;
        let a = read_answer(200, None, tree, Some(AnswerOf::Categories)).unwrap();
        let c = a.categories.unwrap();
        assert_eq!(
            (c[1].id.as_str(), c[1].parent.as_deref()),
            ("tv", Some("av"))
        );
        assert_eq!(c[0].name.as_deref(), Some("Audio & video"));
        for (body, path) in [
            (
                r#"[{"id": "a", "subCategoryIds": ["b"]}, {"id": "b", "parentCategoryId": "c"}]"#,
                "body[0].subCategoryIds[0]",
            ),
            (
                r#"[{"id": "a", "parentCategoryId": "b"}, {"id": "b", "parentCategoryId": "a"}]"#,
                "body[0].parentCategoryId",
            ),
            (r#"[{"id": "a"}, {"id": "a"}]"#, "body[1].id"),
            (r#"[{"name": "x"}]"#, "body[0].id"),
        ] {
            assert_eq!(
                read_answer(200, None, body, Some(AnswerOf::Categories))
                    .unwrap_err()
                    .path,
                path,
                "{body}"
            );
        }
    }
}
