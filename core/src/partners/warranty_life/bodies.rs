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

/// A Warranty Life JSON body: its fields, and its amounts written as JSON numbers with
/// every digit of the decimal (`12345678901234567.89`, never through f64 or an exponent:
/// Warranty Life takes numbers, `0.00`). Keys are written in order, as a JSON object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    fields: Map<String, Value>,
    money: std::collections::BTreeMap<String, rust_decimal::Decimal>,
}

impl Body {
    /// A body of these fields (no amounts).
    pub fn new(fields: Map<String, Value>) -> Self {
        Body {
            fields,
            money: std::collections::BTreeMap::new(),
        }
    }

    /// Sets `key` to a string, boolean, number or object.
    pub fn insert(&mut self, key: &str, value: Value) {
        self.money.remove(key);
        self.fields.insert(key.into(), value);
    }

    /// Sets `key` to an amount, written with every digit.
    pub fn money(&mut self, key: &str, d: Dec) {
        self.fields.remove(key);
        self.money.insert(key.into(), d.0);
    }

    /// A field that is not an amount.
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }

    /// An amount.
    pub fn amount(&self, key: &str) -> Option<rust_decimal::Decimal> {
        self.money.get(key).copied()
    }

    /// Whether `key` is set.
    pub fn contains(&self, key: &str) -> bool {
        self.fields.contains_key(key) || self.money.contains_key(key)
    }
}

impl Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeMap};
        let mut map = s.serialize_map(Some(self.fields.len().saturating_add(self.money.len())))?;
        let mut fields = self.fields.iter().peekable();
        let mut money = self.money.iter().peekable();
        loop {
            let money_first = match (fields.peek(), money.peek()) {
                (None, None) => break,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (Some((f, _)), Some((m, _))) => m < f,
            };
            if money_first {
                if let Some((k, d)) = money.next() {
                    let raw = serde_json::value::RawValue::from_string(d.to_string())
                        .map_err(S::Error::custom)?;
                    map.serialize_entry(k, &raw)?;
                }
            } else if let Some((k, v)) = fields.next() {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
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
pub(super) const COUNTRIES: [&str; 6] = ["US", "CA", "IN", "BD", "PH", "AU"];

/// A customer's text fields as Warranty Life names them, in the order of [`Customer`] (and
/// of `CustomerUpdate`): `POST /customers` and `PUT /customers/{id}` write them the same way.
const CUSTOMER_TEXT: [&str; 13] = [
    "refId",
    "orderRefId",
    "email",
    "salesRepEmail",
    "firstName",
    "lastName",
    "companyName",
    "streetAddress",
    "city",
    "state",
    "postalCode",
    "phone",
    "country",
];

/// A customer's fields as a body: `text` in [`CUSTOMER_TEXT`]'s order and the two flags
/// (`isWalkIn`, `optIn`); a field that is `None` is left out, and so is a blank one unless
/// `keep_blank` (an update's `""` clears the field). The country (when given) and the state
/// are checked at `at.country` / `at.state`.
pub(super) fn customer_fields(
    text: [Option<&str>; 13],
    flags: [Option<bool>; 2],
    keep_blank: bool,
    at: &str,
) -> Result<Map<String, Value>> {
    let [.., state, _, _, country] = text;
    if let Some(country) = country {
        if !COUNTRIES.contains(&country) {
            return Err(Error::invalid(
                format!("{at}.country"),
                "expected US, CA, IN, BD, PH or AU",
            ));
        }
    }
    if let Some(state) = state {
        check_state(state, &format!("{at}.state"))?;
    }
    let mut m = Map::new();
    for (k, v) in CUSTOMER_TEXT.iter().zip(text) {
        match v {
            Some(v) if keep_blank || !v.trim().is_empty() => {
                m.insert((*k).into(), Value::String(v.to_string()));
            }
            _ => {}
        }
    }
    for (k, v) in ["isWalkIn", "optIn"].iter().zip(flags) {
        if let Some(v) = v {
            m.insert((*k).into(), Value::Bool(v));
        }
    }
    Ok(m)
}

/// The `POST /customers` body.
pub fn customer_body(c: &Customer) -> Result<Value> {
    let text = [
        &c.ref_id,
        &c.order_ref_id,
        &c.email,
        &c.sales_rep_email,
        &c.first_name,
        &c.last_name,
        &c.company_name,
        &c.street_address,
        &c.city,
        &c.state,
        &c.postal_code,
        &c.phone,
        &c.country,
    ]
    .map(|v| Some(v.as_str()));
    // The country is always given here, so always checked (a blank one is refused).
    let m = customer_fields(text, [c.is_walk_in, c.opt_in], false, "customer")?;
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
pub fn item_body(i: &SoldItem) -> Result<Body> {
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
    m.insert("pricePaidCurrencyCode".into(), json!(i.currency));
    crate::partners::put_nonempty(&mut m, "serialNumber", &i.serial);
    if let Some(t) = i.serial_type {
        m.insert("serialNumberType".into(), json!(t));
    }
    m.insert("isRepaired".into(), Value::Bool(i.is_repaired));
    m.insert("hasDamage".into(), Value::Bool(i.has_damage));
    crate::partners::put_nonempty(&mut m, "categoryId", &i.category_id);
    let mut b = Body::new(m);
    b.money("pricePaid", i.price_paid);
    for (k, v) in [("taxPaid", i.tax_paid), ("shippingPaid", i.shipping_paid)] {
        if let Some(v) = v {
            b.money(k, v);
        }
    }
    Ok(b)
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
pub fn warranty_body(w: &SoldWarranty) -> Result<Body> {
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
    m.insert("pricePaidCurrencyCode".into(), json!(w.currency));
    let mut b = Body::new(m);
    b.money("pricePaid", w.price_paid);
    if let Some(t) = w.tax_paid {
        b.money("taxPaid", t);
    }
    Ok(b)
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
    /// `PUT /customers/{id}`.
    #[serde(default)]
    pub customer_update: Option<super::CustomerUpdate>,
    /// `POST /manufacturers`.
    #[serde(default)]
    pub manufacturer: Option<super::Manufacturer>,
    /// `POST /products`.
    #[serde(default)]
    pub product: Option<super::Product>,
    /// `POST /items/{item_id}/warranties`: a plan sold for an item, through the item.
    #[serde(default)]
    pub item_warranty: Option<SoldWarranty>,
    /// `DELETE /warranties/{id}`: a warranty returned or refunded.
    #[serde(default)]
    pub warranty_invalidate: Option<super::WarrantyInvalidate>,
}

/// The names of [`Write`]'s fields, in order (the one-of message).
pub const WRITE_KINDS: [&str; 11] = [
    "customer",
    "item",
    "warranty",
    "receipt",
    "voucher_batch",
    "voucher_sold",
    "customer_update",
    "manufacturer",
    "product",
    "item_warranty",
    "warranty_invalidate",
];

/// The HTTP request for a [`Write`]: method, path (below [`API_PREFIX`]), headers and JSON body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HttpRequest {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// E.g. `/api/201308/customers`.
    pub path: String,
    /// `Accept` and `Content-Type` (JSON, as the seed asks), and `Authorization` when the
    /// credentials were given.
    pub headers: Headers,
    /// The JSON body (none for `GET` and `DELETE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// The headers of an [`HttpRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Headers {
    /// `application/json`.
    #[serde(rename = "Accept")]
    pub accept: &'static str,
    /// `application/json; charset=utf-8` (when there is a body).
    #[serde(rename = "Content-Type", skip_serializing_if = "Option::is_none")]
    pub content_type: Option<&'static str>,
    /// [`super::authorization`]'s value.
    #[serde(rename = "Authorization", skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
}

impl HttpRequest {
    pub(super) fn new(method: &'static str, path: String, body: Option<Body>) -> Self {
        HttpRequest {
            method,
            path,
            headers: Headers {
                accept: "application/json",
                content_type: body.is_some().then_some("application/json; charset=utf-8"),
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
    /// How many of the writes are given (exactly one may be).
    pub fn given(&self) -> usize {
        [
            self.customer.is_some(),
            self.item.is_some(),
            self.warranty.is_some(),
            self.receipt.is_some(),
            self.voucher_batch.is_some(),
            self.voucher_sold.is_some(),
            self.customer_update.is_some(),
            self.manufacturer.is_some(),
            self.product.is_some(),
            self.item_warranty.is_some(),
            self.warranty_invalidate.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count()
    }

    /// The request to send, or the first problem at its path.
    pub fn request(&self) -> Result<HttpRequest> {
        if self.given() != 1 {
            return Err(Error::invalid(
                "",
                format!("give exactly one of {}", one_of(&WRITE_KINDS)),
            ));
        }
        let post = |what: &str, body: Body| {
            HttpRequest::new("POST", format!("{API_PREFIX}/{what}"), Some(body))
        };
        let fields = |v: Value| match v {
            Value::Object(m) => Body::new(m),
            _ => Body::default(),
        };
        if let Some(c) = &self.customer {
            return Ok(post("customers", fields(customer_body(c)?)));
        }
        if let Some(i) = &self.item {
            return Ok(post("items", item_body(i)?));
        }
        if let Some(w) = &self.warranty {
            return Ok(post("warranties", warranty_body(w)?));
        }
        if let Some(r) = &self.receipt {
            return Ok(post("receipts", fields(receipt_body(r)?)));
        }
        if let Some(b) = &self.voucher_batch {
            return Ok(post("voucher-batch", fields(voucher_batch_body(b)?)));
        }
        if let Some(v) = &self.voucher_sold {
            return voucher_sold_request(v);
        }
        if let Some(c) = &self.customer_update {
            return super::customer_update_request(c);
        }
        if let Some(m) = &self.manufacturer {
            required(&m.name, "manufacturer.name")?;
            return Ok(post("manufacturers", fields(json!({ "name": m.name }))));
        }
        if let Some(p) = &self.product {
            return Ok(post("products", super::product_body(p)?));
        }
        if let Some(w) = &self.item_warranty {
            let body = warranty_body(w).map_err(|e| rename_root(e, "warranty", "item_warranty"))?;
            let item = super::lookups_segment(&w.item_id, "item_warranty.item_id")?;
            return Ok(post(&format!("items/{item}/warranties"), body));
        }
        match &self.warranty_invalidate {
            Some(w) => Ok(HttpRequest::new(
                "DELETE",
                format!(
                    "{API_PREFIX}/warranties/{}",
                    super::lookups_segment(&w.id, "warranty_invalidate.id")?
                ),
                None,
            )),
            None => Err(Error::invalid("", "nothing to send")),
        }
    }
}

/// "`a`, `b` or `c`" (the one-of messages).
pub fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// An error of the shared warranty body placed under the field the caller gave.
fn rename_root(mut e: Error, from: &str, to: &str) -> Error {
    if let Some(rest) = e.path.strip_prefix(from) {
        e.path = format!("{to}{rest}");
    }
    e
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
    let mut b = Body::new(m);
    if let Some(d) = v.device_value {
        b.money("deviceValue", d);
    }
    Ok(HttpRequest::new(
        "PUT",
        format!("{API_PREFIX}/voucher/{}", v.code),
        Some(b),
    ))
}
