//! Warranty Life API 201308 adapter pieces (seed: `warranty-life-api-201308.txt`): HTTP Basic
//! authentication with sub-accounts, paging with `startAt`/`limit`, and the error body.
//! (The plan model itself is `crate::warranty::plans`.)

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{Datelike, Timelike};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::time::{Duration, Instant, Unit};
use crate::warranty::plans::Plan;
use crate::warranty::policy::Dec;

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
    /// `salesRepEmail`.
    pub sales_rep_email: String,
    /// `firstName`.
    pub first_name: String,
    /// `lastName`.
    pub last_name: String,
    /// `companyName`.
    pub company_name: String,
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
    /// `isWalkIn` (sent when given).
    pub is_walk_in: Option<bool>,
    /// `optIn` (sent when given).
    pub opt_in: Option<bool>,
}

/// The seed's countries.
const COUNTRIES: [&str; 6] = ["US", "CA", "IN", "BD", "PH", "AU"];

/// The `POST /customers` body.
pub fn customer_body(c: &Customer) -> Result<Value> {
    if !COUNTRIES.contains(&c.country.as_str()) {
        return Err(Error::invalid(
            "customer.country",
            "expected US, CA, IN, BD, PH or AU",
        ));
    }
    check_state(&c.state, "customer.state")?;
    let mut m = Map::new();
    for (k, v) in [
        ("refId", &c.ref_id),
        ("orderRefId", &c.order_ref_id),
        ("email", &c.email),
        ("salesRepEmail", &c.sales_rep_email),
        ("firstName", &c.first_name),
        ("lastName", &c.last_name),
        ("companyName", &c.company_name),
        ("streetAddress", &c.street_address),
        ("city", &c.city),
        ("state", &c.state),
        ("postalCode", &c.postal_code),
        ("phone", &c.phone),
        ("country", &c.country),
    ] {
        crate::partners::put_nonempty(&mut m, k, v);
    }
    for (k, v) in [("isWalkIn", c.is_walk_in), ("optIn", c.opt_in)] {
        if let Some(v) = v {
            m.insert(k.into(), Value::Bool(v));
        }
    }
    Ok(Value::Object(m))
}

fn check_state(state: &str, path: &str) -> Result<()> {
    if !state.is_empty() && (state.len() != 2 || !state.bytes().all(|b| b.is_ascii_uppercase())) {
        return Err(Error::invalid(path, "a 2-letter postal abbreviation"));
    }
    Ok(())
}

fn check_currency(currency: &str, path: &str) -> Result<()> {
    if !["USD", "CAD"].contains(&currency) {
        return Err(Error::invalid(path, "Warranty Life takes USD or CAD"));
    }
    Ok(())
}

fn required(value: &str, path: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(path, "required by Warranty Life"));
    }
    Ok(())
}

/// An item's condition when sold (`purchasedCondition`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Condition {
    /// `NEW` (the default).
    #[default]
    New,
    /// `USED`.
    Used,
    /// `REFURBISHED`.
    Refurbished,
}

/// The kind of a serial number (`serialNumberType`), when known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SerialType {
    /// `ESN`.
    #[serde(rename = "ESN")]
    Esn,
    /// `IMEI`.
    #[serde(rename = "IMEI")]
    Imei,
    /// `MEID`.
    #[serde(rename = "MEID")]
    Meid,
}

/// A sold line, for `POST /items`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoldItem {
    /// `customerId` (Warranty Life's).
    pub customer_id: String,
    /// `refId`: your line id.
    #[serde(default)]
    pub ref_id: String,
    /// `orderRefId`.
    #[serde(default)]
    pub order_ref_id: String,
    /// `productId` (Warranty Life's); this or `product_sku` is required.
    #[serde(default)]
    pub product_id: String,
    /// `productSku`: your SKU.
    #[serde(default)]
    pub product_sku: String,
    /// `dateOfPurchase`: the start of every attached warranty's coverage.
    pub purchased_at: Instant,
    /// `purchasedCondition`.
    #[serde(default)]
    pub condition: Condition,
    /// `contractYears`, for goods sold on a contract.
    #[serde(default)]
    pub contract_years: Option<u32>,
    /// `pricePaid`, excluding taxes.
    pub price_paid: Dec,
    /// `pricePaidCurrencyCode`: USD or CAD.
    pub currency: String,
    /// `taxPaid`.
    #[serde(default)]
    pub tax_paid: Option<Dec>,
    /// `shippingPaid`.
    #[serde(default)]
    pub shipping_paid: Option<Dec>,
    /// `serialNumber` (left out when empty).
    #[serde(default)]
    pub serial: String,
    /// `serialNumberType`: only with a serial number.
    #[serde(default)]
    pub serial_type: Option<SerialType>,
    /// `isRepaired`.
    #[serde(default)]
    pub is_repaired: bool,
    /// `hasDamage`.
    #[serde(default)]
    pub has_damage: bool,
    /// `categoryId`: corrects the product's category.
    #[serde(default)]
    pub category_id: String,
}

/// The `POST /items` body for a sold line.
pub fn item_body(i: &SoldItem) -> Result<Value> {
    required(&i.customer_id, "item.customer_id")?;
    if i.product_id.trim().is_empty() && i.product_sku.trim().is_empty() {
        return Err(Error::invalid(
            "item.product_sku",
            "give `product_sku` or `product_id` (Warranty Life needs one to know the product)",
        ));
    }
    check_currency(&i.currency, "item.currency")?;
    if i.serial_type.is_some() && i.serial.trim().is_empty() {
        return Err(Error::invalid(
            "item.serial_type",
            "a serial number type without a serial number",
        ));
    }
    let mut m = Map::new();
    for (k, v) in [
        ("refId", &i.ref_id),
        ("orderRefId", &i.order_ref_id),
        ("customerId", &i.customer_id),
        ("productId", &i.product_id),
        ("productSku", &i.product_sku),
    ] {
        crate::partners::put_nonempty(&mut m, k, v);
    }
    m.insert(
        "dateOfPurchase".into(),
        Value::String(wl_date(i.purchased_at)),
    );
    m.insert("purchasedCondition".into(), json!(i.condition));
    if let Some(y) = i.contract_years {
        m.insert("contractYears".into(), json!(y));
    }
    m.insert("pricePaid".into(), money(i.price_paid));
    m.insert("pricePaidCurrencyCode".into(), json!(i.currency));
    for (k, v) in [("taxPaid", i.tax_paid), ("shippingPaid", i.shipping_paid)] {
        if let Some(v) = v {
            m.insert(k.into(), money(v));
        }
    }
    crate::partners::put_nonempty(&mut m, "serialNumber", &i.serial);
    if let Some(t) = i.serial_type {
        m.insert("serialNumberType".into(), json!(t));
    }
    m.insert("isRepaired".into(), Value::Bool(i.is_repaired));
    m.insert("hasDamage".into(), Value::Bool(i.has_damage));
    crate::partners::put_nonempty(&mut m, "categoryId", &i.category_id);
    Ok(Value::Object(m))
}

/// A plan sold for an item, for `POST /warranties`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoldWarranty {
    /// `refId`: your id for the warranty.
    #[serde(default)]
    pub ref_id: String,
    /// `registrationCode`, when generated on your side.
    #[serde(default)]
    pub registration_code: String,
    /// `orderRefId`.
    #[serde(default)]
    pub order_ref_id: String,
    /// `warrantyPlanId`.
    pub plan_id: String,
    /// `itemId` (Warranty Life's).
    pub item_id: String,
    /// `customerId` (Warranty Life's).
    pub customer_id: String,
    /// `dateOfPurchase` of the plan (coverage starts with the item's).
    pub sold_at: Instant,
    /// `pricePaid`.
    pub price_paid: Dec,
    /// `pricePaidCurrencyCode`: USD or CAD.
    pub currency: String,
    /// `taxPaid`.
    #[serde(default)]
    pub tax_paid: Option<Dec>,
}

/// The `POST /warranties` body: a plan sold for an item.
pub fn warranty_body(w: &SoldWarranty) -> Result<Value> {
    required(&w.plan_id, "warranty.plan_id")?;
    required(&w.item_id, "warranty.item_id")?;
    required(&w.customer_id, "warranty.customer_id")?;
    check_currency(&w.currency, "warranty.currency")?;
    let mut m = Map::new();
    for (k, v) in [
        ("refId", &w.ref_id),
        ("registrationCode", &w.registration_code),
        ("orderRefId", &w.order_ref_id),
        ("warrantyPlanId", &w.plan_id),
        ("itemId", &w.item_id),
        ("customerId", &w.customer_id),
    ] {
        crate::partners::put_nonempty(&mut m, k, v);
    }
    m.insert("dateOfPurchase".into(), Value::String(wl_date(w.sold_at)));
    m.insert("pricePaid".into(), money(w.price_paid));
    m.insert("pricePaidCurrencyCode".into(), json!(w.currency));
    if let Some(t) = w.tax_paid {
        m.insert("taxPaid".into(), money(t));
    }
    Ok(Value::Object(m))
}

/// A POS receipt, for `POST /receipts`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// `orderRefId`.
    pub order_ref_id: String,
    /// `customerRefId`.
    pub customer_ref_id: String,
    /// `dateOfPurchase`.
    pub sold_at: Instant,
    /// `mimeType`, e.g. `application/pdf`.
    pub mime_type: String,
    /// `content`: the receipt, base64 (standard alphabet, padded).
    pub content_base64: String,
}

/// The `POST /receipts` body: the POS receipt as base64 content.
pub fn receipt_body(r: &Receipt) -> Result<Value> {
    required(&r.order_ref_id, "receipt.order_ref_id")?;
    required(&r.customer_ref_id, "receipt.customer_ref_id")?;
    let (kind, sub) = r.mime_type.split_once('/').unwrap_or_default();
    if kind.is_empty() || sub.is_empty() || r.mime_type.contains(char::is_whitespace) {
        return Err(Error::invalid(
            "receipt.mime_type",
            "a MIME type such as `application/pdf`",
        ));
    }
    let content = STANDARD
        .decode(&r.content_base64)
        .map_err(|e| Error::invalid("receipt.content_base64", format!("not base64: {e}")))?;
    if content.is_empty() {
        return Err(Error::invalid(
            "receipt.content_base64",
            "the receipt is empty",
        ));
    }
    Ok(json!({
        "orderRefId": r.order_ref_id, "customerRefId": r.customer_ref_id,
        "dateOfPurchase": wl_date(r.sold_at), "mimeType": r.mime_type,
        "content": STANDARD.encode(content),
    }))
}

/// A batch of voucher codes for one plan, for `POST /voucher-batch`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoucherBatch {
    /// `qty`: how many codes.
    pub qty: u32,
    /// `warrantyPlanId`: the plan the vouchers are redeemed for.
    pub plan_id: String,
    /// `note`.
    #[serde(default)]
    pub note: String,
}

/// A voucher marked as sold, for `PUT /voucher/{voucherCode}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoucherSold {
    /// The voucher code (in the path).
    pub code: String,
    /// `dateOfPurchase`.
    pub sold_at: Instant,
    /// `orderRefId`.
    #[serde(default)]
    pub order_ref_id: String,
    /// `refId`: the product line sold.
    #[serde(default)]
    pub ref_id: String,
    /// `model`.
    #[serde(default)]
    pub model: String,
    /// `mpn`.
    #[serde(default)]
    pub mpn: String,
    /// `make`.
    #[serde(default)]
    pub make: String,
    /// `deviceValue`.
    #[serde(default)]
    pub device_value: Option<Dec>,
}

/// One Warranty Life write: exactly one of the fields is given.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Write {
    /// `POST /customers`.
    #[serde(default)]
    pub customer: Option<Customer>,
    /// `POST /items`.
    #[serde(default)]
    pub item: Option<SoldItem>,
    /// `POST /warranties`.
    #[serde(default)]
    pub warranty: Option<SoldWarranty>,
    /// `POST /receipts`.
    #[serde(default)]
    pub receipt: Option<Receipt>,
    /// `POST /voucher-batch`.
    #[serde(default)]
    pub voucher_batch: Option<VoucherBatch>,
    /// `PUT /voucher/{code}`.
    #[serde(default)]
    pub voucher_sold: Option<VoucherSold>,
}

/// The HTTP request for a [`Write`]: method, path (below [`API_PREFIX`]), headers and JSON body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HttpRequest {
    /// `POST` or `PUT`.
    pub method: &'static str,
    /// E.g. `/api/201308/customers`.
    pub path: String,
    /// `Accept` and `Content-Type` (JSON, as the seed asks), and `Authorization` when the
    /// credentials were given.
    pub headers: Headers,
    /// The JSON body.
    pub body: Value,
}

/// The headers of an [`HttpRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Headers {
    /// `application/json`.
    #[serde(rename = "Accept")]
    pub accept: &'static str,
    /// `application/json; charset=utf-8`.
    #[serde(rename = "Content-Type")]
    pub content_type: &'static str,
    /// [`authorization`]'s value.
    #[serde(rename = "Authorization", skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
}

impl HttpRequest {
    fn new(method: &'static str, path: String, body: Value) -> Self {
        HttpRequest {
            method,
            path,
            headers: Headers {
                accept: "application/json",
                content_type: "application/json; charset=utf-8",
                authorization: None,
            },
            body,
        }
    }

    /// The same request with an `Authorization` header (see [`authorization`]).
    pub fn with_authorization(mut self, authorization: Option<String>) -> Self {
        self.headers.authorization = authorization;
        self
    }
}

impl Write {
    /// The request to send, or the first problem at its path.
    pub fn request(&self) -> Result<HttpRequest> {
        let given = [
            self.customer.is_some(),
            self.item.is_some(),
            self.warranty.is_some(),
            self.receipt.is_some(),
            self.voucher_batch.is_some(),
            self.voucher_sold.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(Error::invalid(
                "",
                "give exactly one of `customer`, `item`, `warranty`, `receipt`, `voucher_batch`, `voucher_sold`",
            ));
        }
        let post = |what: &str, body: Value| {
            HttpRequest::new("POST", format!("{API_PREFIX}/{what}"), body)
        };
        if let Some(c) = &self.customer {
            return Ok(post("customers", customer_body(c)?));
        }
        if let Some(i) = &self.item {
            return Ok(post("items", item_body(i)?));
        }
        if let Some(w) = &self.warranty {
            return Ok(post("warranties", warranty_body(w)?));
        }
        if let Some(r) = &self.receipt {
            return Ok(post("receipts", receipt_body(r)?));
        }
        if let Some(b) = &self.voucher_batch {
            return Ok(post("voucher-batch", voucher_batch_body(b)?));
        }
        match &self.voucher_sold {
            Some(v) => voucher_sold_request(v),
            None => Err(Error::invalid("", "nothing to send")),
        }
    }
}

/// The `POST /voucher-batch` body.
pub fn voucher_batch_body(b: &VoucherBatch) -> Result<Value> {
    if b.qty == 0 {
        return Err(Error::invalid("voucher_batch.qty", "at least one code"));
    }
    required(&b.plan_id, "voucher_batch.plan_id")?;
    let mut m = Map::new();
    m.insert("qty".into(), json!(b.qty));
    m.insert("warrantyPlanId".into(), json!(b.plan_id));
    crate::partners::put_nonempty(&mut m, "note", &b.note);
    Ok(Value::Object(m))
}

/// The `PUT /voucher/{code}` request marking a voucher as sold.
pub fn voucher_sold_request(v: &VoucherSold) -> Result<HttpRequest> {
    if v.code.is_empty()
        || !v
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::invalid(
            "voucher_sold.code",
            "a voucher code is letters, digits, `-` and `_` (it goes in the URL)",
        ));
    }
    let mut m = Map::new();
    for (k, s) in [("orderRefId", &v.order_ref_id), ("refId", &v.ref_id)] {
        crate::partners::put_nonempty(&mut m, k, s);
    }
    m.insert("dateOfPurchase".into(), Value::String(wl_date(v.sold_at)));
    for (k, s) in [("model", &v.model), ("mpn", &v.mpn), ("make", &v.make)] {
        crate::partners::put_nonempty(&mut m, k, s);
    }
    if let Some(d) = v.device_value {
        m.insert("deviceValue".into(), money(d));
    }
    Ok(HttpRequest::new(
        "PUT",
        format!("{API_PREFIX}/voucher/{}", v.code),
        Value::Object(m),
    ))
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
