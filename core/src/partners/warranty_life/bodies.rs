//! The request bodies the library builds for Warranty Life: customers, sold items and
//! warranties, receipts, voucher batches and sales, and the HTTP request that carries them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{Datelike, Timelike};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::time::Instant;
use crate::warranty::policy::Dec;

use super::API_PREFIX;

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

pub(super) fn money(d: Dec) -> Value {
    // Warranty Life takes JSON numbers (`0.00`): written with every digit of the decimal
    // that a JSON number holds (whole numbers exactly; fractions as f64 keeps them).
    d.0.to_string()
        .parse::<serde_json::Number>()
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

pub(super) fn check_state(state: &str, path: &str) -> Result<()> {
    if !state.is_empty() && (state.len() != 2 || !state.bytes().all(|b| b.is_ascii_uppercase())) {
        return Err(Error::invalid(path, "a 2-letter postal abbreviation"));
    }
    Ok(())
}

pub(super) fn check_currency(currency: &str, path: &str) -> Result<()> {
    if !["USD", "CAD"].contains(&currency) {
        return Err(Error::invalid(path, "Warranty Life takes USD or CAD"));
    }
    Ok(())
}

pub(super) fn required(value: &str, path: &str) -> Result<()> {
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
    /// [`super::authorization`]'s value.
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

    /// The same request with an `Authorization` header (see [`super::authorization`]).
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
