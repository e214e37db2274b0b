//! Warranty Life API 201308 adapter pieces (seed: `warranty-life-api-201308.txt`): HTTP Basic
//! authentication with sub-accounts, paging with `startAt`/`limit`, and the error body.
//! (The plan model itself is `crate::plans`.)

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{Datelike, Timelike};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::plans::Plan;
use crate::policy::Dec;
use crate::time::{Duration, Instant, Unit};

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
pub fn has_next_page(returned: usize, limit: u64) -> bool {
    u64::try_from(returned).is_ok_and(|r| r >= limit && limit > 0)
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

fn unit(v: &Value, path: &str) -> Result<Unit> {
    match v.as_str() {
        Some("days") => Ok(Unit::Days),
        Some("months") => Ok(Unit::Months),
        Some("years") => Ok(Unit::Years),
        _ => Err(Error::invalid(path, "expected days, months or years")),
    }
}

fn duration(o: &Map<String, Value>, key: &str, path: &str) -> Result<Option<Duration>> {
    let n = match o.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| Error::invalid(format!("{path}.{key}"), "expected a whole number"))?,
    };
    let u = unit(
        o.get(&format!("{key}Unit")).unwrap_or(&Value::Null),
        &format!("{path}.{key}Unit"),
    )?;
    Ok(Some(Duration { value: n, unit: u }))
}

fn price(o: &Map<String, Value>, key: &str, path: &str) -> Result<Option<Dec>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .to_string()
            .parse::<Dec>()
            .map(Some)
            .map_err(|e| Error::invalid(format!("{path}.{key}"), e)),
        Some(_) => Err(Error::invalid(format!("{path}.{key}"), "expected a number")),
    }
}

fn instant(o: &Map<String, Value>, key: &str, path: &str) -> Result<Option<Instant>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Instant::parse(s)
            .map(Some)
            .map_err(|e| Error::invalid(format!("{path}.{key}"), e)),
        Some(_) => Err(Error::invalid(
            format!("{path}.{key}"),
            "expected a date string",
        )),
    }
}

fn strings(o: &Map<String, Value>, key: &str) -> Vec<String> {
    o.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A warranty plan object (`GET /warranty-plans/{id}`) as our [`Plan`]. Unknown fields are
/// ignored; a `productMaxPrice` of 0 means no upper bound; zero parts or labour durations mean
/// "as the plan"; `sellableDuration` 0 is a plan sold at the time of purchase only.
pub fn plan_from_response(v: &Value, path: &str) -> Result<Plan> {
    let o = v
        .as_object()
        .ok_or_else(|| Error::invalid(path, "a warranty plan is an object"))?;
    let id = o
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::invalid(format!("{path}.id"), "missing id"))?;
    let term = duration(o, "duration", path)?
        .ok_or_else(|| Error::invalid(format!("{path}.duration"), "missing duration"))?;
    let nonzero = |d: Option<Duration>| d.filter(|d| d.value > 0);
    Ok(Plan {
        id: id.to_string(),
        name: o.get("name").and_then(Value::as_str).map(str::to_string),
        categories: strings(o, "applicableCategoryIds"),
        product_flags: strings(o, "applicableProductFlags"),
        min_price: price(o, "productMinPrice", path)?,
        max_price: price(o, "productMaxPrice", path)?.filter(|p| !p.0.is_zero()),
        duration: term,
        parts_duration: nonzero(duration_or_none(o, "partsDuration", path)?),
        labour_duration: nonzero(duration_or_none(o, "labourDuration", path)?),
        available_from: instant(o, "planAvailableFrom", path)?,
        available_to: instant(o, "planAvailableTo", path)?,
        sellable_within: duration(o, "sellableDuration", path)?.unwrap_or(Duration {
            value: 0,
            unit: Unit::Days,
        }),
        country: o
            .get("countryCode")
            .and_then(Value::as_str)
            .map(str::to_string),
        covers_damaged: false,
    })
}

fn duration_or_none(o: &Map<String, Value>, key: &str, path: &str) -> Result<Option<Duration>> {
    // A zero duration may come without a unit.
    if o.get(key).and_then(Value::as_u64) == Some(0) {
        return Ok(None);
    }
    duration(o, key, path)
}

/// `yyyy-MM-ddTHH:mm:ssZ` (UTC).
pub fn wl_date(t: Instant) -> String {
    // By hand: chrono's strftime formatter would cost the WASM module 9 KB for this.
    let u = t.0.naive_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        u.year(),
        u.month(),
        u.day(),
        u.hour(),
        u.minute(),
        u.second()
    )
}

fn money(d: Dec) -> Value {
    // Warranty Life takes JSON numbers (`0.00`); prices are far inside f64's exact range.
    d.0.to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// A customer for `POST /customers` (fields of the seed; empty ones left out).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Customer {
    /// `refId`: your id for the customer.
    pub ref_id: String,
    /// `orderRefId`.
    pub order_ref_id: String,
    /// `email`.
    pub email: String,
    /// `firstName`.
    pub first_name: String,
    /// `lastName`.
    pub last_name: String,
    /// `streetAddress`.
    pub street_address: String,
    /// `city`.
    pub city: String,
    /// `state` (2 letters).
    pub state: String,
    /// `postalCode`.
    pub postal_code: String,
    /// `phone`.
    pub phone: String,
    /// `country`: US, CA, IN, BD, PH, AU.
    pub country: String,
}

/// The `POST /customers` body.
pub fn customer_body(c: &Customer) -> Result<Value> {
    if !["US", "CA", "IN", "BD", "PH", "AU"].contains(&c.country.as_str()) {
        return Err(Error::invalid(
            "customer.country",
            "expected US, CA, IN, BD, PH or AU",
        ));
    }
    if !c.state.is_empty()
        && (c.state.len() != 2 || !c.state.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(Error::invalid(
            "customer.state",
            "a 2-letter postal abbreviation",
        ));
    }
    let mut m = Map::new();
    for (k, v) in [
        ("refId", &c.ref_id),
        ("orderRefId", &c.order_ref_id),
        ("email", &c.email),
        ("firstName", &c.first_name),
        ("lastName", &c.last_name),
        ("streetAddress", &c.street_address),
        ("city", &c.city),
        ("state", &c.state),
        ("postalCode", &c.postal_code),
        ("phone", &c.phone),
        ("country", &c.country),
    ] {
        crate::sync::put_nonempty(&mut m, k, v);
    }
    Ok(Value::Object(m))
}

/// A sold line, for `POST /items`.
#[derive(Clone, Debug)]
pub struct SoldItem<'a> {
    /// `customerId` (Warranty Life's).
    pub customer_id: &'a str,
    /// `refId`: your line id.
    pub ref_id: &'a str,
    /// `orderRefId`.
    pub order_ref_id: &'a str,
    /// `productSku`.
    pub product_sku: &'a str,
    /// `dateOfPurchase`.
    pub purchased_at: Instant,
    /// `pricePaid`, excluding taxes.
    pub price_paid: Dec,
    /// `pricePaidCurrencyCode`: USD or CAD.
    pub currency: &'a str,
    /// `serialNumber` (left out when empty).
    pub serial: &'a str,
}

/// The `POST /items` body for a sold line.
pub fn item_body(i: &SoldItem<'_>) -> Result<Value> {
    if !["USD", "CAD"].contains(&i.currency) {
        return Err(Error::invalid("currency", "Warranty Life takes USD or CAD"));
    }
    if i.customer_id.is_empty() || i.product_sku.is_empty() {
        return Err(Error::invalid(
            "customer_id",
            "customerId and productSku are required",
        ));
    }
    let mut v = json!({
        "refId": i.ref_id, "orderRefId": i.order_ref_id, "customerId": i.customer_id,
        "dateOfPurchase": wl_date(i.purchased_at), "productSku": i.product_sku,
        "purchasedCondition": "NEW", "pricePaid": money(i.price_paid),
        "pricePaidCurrencyCode": i.currency, "isRepaired": false, "hasDamage": false,
    });
    if !i.serial.is_empty() {
        if let Some(o) = v.as_object_mut() {
            o.insert("serialNumber".into(), Value::String(i.serial.into()));
        }
    }
    Ok(v)
}

/// The `POST /warranties` body: a plan sold for an item.
pub fn warranty_body(
    ref_id: &str,
    plan_id: &str,
    item_id: &str,
    customer_id: &str,
    sold_at: Instant,
    price_paid: Dec,
    currency: &str,
) -> Result<Value> {
    if !["USD", "CAD"].contains(&currency) {
        return Err(Error::invalid("currency", "Warranty Life takes USD or CAD"));
    }
    Ok(json!({
        "refId": ref_id, "warrantyPlanId": plan_id, "itemId": item_id, "customerId": customer_id,
        "dateOfPurchase": wl_date(sold_at), "pricePaid": money(price_paid),
        "pricePaidCurrencyCode": currency,
    }))
}

/// The `POST /receipts` body: the POS receipt as base64 content.
pub fn receipt_body(
    order_ref_id: &str,
    customer_ref_id: &str,
    sold_at: Instant,
    mime_type: &str,
    content: &[u8],
) -> Value {
    json!({
        "orderRefId": order_ref_id, "customerRefId": customer_ref_id,
        "dateOfPurchase": wl_date(sold_at), "mimeType": mime_type,
        "content": STANDARD.encode(content),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
        let t = Instant::parse("2026-11-20T14:05:00-05:00").unwrap();
        let c = customer_body(&Customer {
            ref_id: "C-9".into(),
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            state: "NY".into(),
            country: "US".into(),
            ..Customer::default()
        })
        .unwrap();
        assert_eq!(c["refId"], "C-9");
        assert!(c.get("city").is_none());
        assert!(customer_body(&Customer {
            country: "DE".into(),
            ..Customer::default()
        })
        .is_err());
        let i = item_body(&SoldItem {
            customer_id: "cust-1",
            ref_id: "L1",
            order_ref_id: "O1",
            product_sku: "SKU-55",
            purchased_at: t,
            price_paid: "1899.99".parse().unwrap(),
            currency: "USD",
            serial: "SN1",
        })
        .unwrap();
        assert_eq!(i["dateOfPurchase"], "2026-11-20T19:05:00Z");
        assert_eq!(i["pricePaid"].to_string(), "1899.99");
        assert_eq!(i["serialNumber"], "SN1");
        let w = warranty_body(
            "W1",
            "EXT-3Y",
            "item-1",
            "cust-1",
            t,
            "149.99".parse().unwrap(),
            "USD",
        )
        .unwrap();
        assert_eq!(w["warrantyPlanId"], "EXT-3Y");
        let r = receipt_body("O1", "C-9", t, "application/pdf", b"%PDF");
        assert_eq!(r["content"], "JVBERg==");
    }
}
