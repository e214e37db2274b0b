//! Warranty Life API 201308 adapter pieces (seed: `warranty-life-api-201308.txt`): HTTP Basic
//! authentication with sub-accounts, paging with `startAt`/`limit`, and the error body.
//! (The plan model itself is `crate::warranty::plans`.)

mod bodies;
mod plans;

pub use bodies::*;
pub use plans::*;

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
        assert_eq!(r.body["dateOfPurchase"], "2026-11-20T19:05:00Z");
        assert_eq!(r.body["pricePaid"].to_string(), "1899.99");
        assert_eq!(r.body["purchasedCondition"], "NEW");
        assert_eq!(r.body["serialNumber"], "SN1");
        let receipt: Write = serde_json::from_str(
            r#"{"receipt": {"order_ref_id": "O1", "customer_ref_id": "C-9",
                "sold_at": "2026-11-20T14:05:00-05:00", "mime_type": "application/pdf",
                "content_base64": "JVBERg=="}}"#,
        )
        .unwrap();
        assert_eq!(receipt.request().unwrap().body["content"], "JVBERg==");
        let two: Write = serde_json::from_str(
            r#"{"customer": {"country": "US"}, "voucher_batch": {"qty": 1, "plan_id": "P"}}"#,
        )
        .unwrap();
        assert!(two.request().is_err());
    }
}
