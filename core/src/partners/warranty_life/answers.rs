//! Reading Warranty Life 201308 answers: the status (what the outbox should do), the error
//! body, a `201`'s `Location`, a `202`'s `{id}`, and the records of every resource the seed
//! returns, each field under our snake_case name. Numbers are read from their text
//! ([`crate::partners::parse_exact`]): a price keeps every digit or is refused at its path.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::partners::Disposition;
use crate::time::Instant;
use crate::warranty::plans::{Category, Plan};

use super::plans::decimal;
use super::{plan_from_response, ApiError, API_PREFIX};

/// The resource an answer is about: it names the answer's list of records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerOf {
    /// `/categories`: [`Category`] records, ready for `plans`.
    Categories,
    /// `/warranty-plans`: [`Plan`] records, ready for `plans`.
    WarrantyPlans,
    /// `/customers`.
    Customers,
    /// `/manufacturers`.
    Manufacturers,
    /// `/products` (with `plans` when the search asked `includePlans`).
    Products,
    /// `/items`.
    Items,
    /// `/warranties` (and `/items/{id}/warranties`).
    Warranties,
    /// `/receipts`.
    Receipts,
    /// `/voucher-batch`: the batch's `id` and `voucher_codes`.
    VoucherBatches,
}

impl AnswerOf {
    fn segment(self) -> &'static str {
        match self {
            AnswerOf::Categories => "categories",
            AnswerOf::WarrantyPlans => "warranty-plans",
            AnswerOf::Customers => "customers",
            AnswerOf::Manufacturers => "manufacturers",
            AnswerOf::Products => "products",
            AnswerOf::Items => "items",
            AnswerOf::Warranties => "warranties",
            AnswerOf::Receipts => "receipts",
            AnswerOf::VoucherBatches => "voucher-batch",
        }
    }
}

/// One Warranty Life answer, read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WlAnswer {
    /// What the outbox should do: `delivered` (2xx), `retry` or `dead_letter`.
    pub disposition: Disposition,
    /// The HTTP status.
    pub status: u16,
    /// The error body of a 4xx/5xx (or the status text and raw body when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
    /// The id of the record created (a 201's `Location`, a 202's `{id}`, or the record's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A 201's `Location` header, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `categories`: ready for `plans`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<Category>>,
    /// `warranty_plans`: ready for `plans`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warranty_plans: Option<Vec<Plan>>,
    /// Every other resource's records (`customers`, `products`, …), named by [`AnswerOf`].
    #[serde(flatten)]
    pub records: Map<String, Value>,
}

/// Reads an answer to a call about `of` (when known). `location` is the `Location` header.
pub fn read_answer(
    status: u16,
    location: Option<&str>,
    body: &str,
    of: Option<AnswerOf>,
) -> Result<WlAnswer> {
    if !(100..=599).contains(&status) {
        return Err(Error::invalid(
            "status",
            format!("{status} is not an HTTP status"),
        ));
    }
    let mut answer = WlAnswer {
        disposition: Disposition::Delivered,
        status,
        error: None,
        id: None,
        location: None,
        categories: None,
        warranty_plans: None,
        records: Map::new(),
    };
    if !(200..=299).contains(&status) {
        answer.disposition = Disposition::of_failure(status);
        answer.error = Some(read_error_exact(status, body)?);
        return Ok(answer);
    }
    if let Some(loc) = location.filter(|l| !l.trim().is_empty()) {
        answer.id = Some(location_id(loc, of)?);
        answer.location = Some(loc.to_string());
    } else if status == 201 && of != Some(AnswerOf::VoucherBatches) {
        return Err(Error::invalid(
            "location",
            "a 201 carries the created resource's `Location`",
        ));
    }
    if body.trim().is_empty() {
        if status == 202 {
            return Err(Error::invalid(
                "body",
                "a 202 carries the future record's `{id}`",
            ));
        }
        if status == 200 && of.is_some() {
            return Err(Error::invalid("body", "a 200 carries the resource"));
        }
        return Ok(answer);
    }
    if status == 204 {
        return Err(Error::invalid("body", "a 204 has no body"));
    }
    let v = crate::partners::parse_exact(body)?;
    if status == 202 {
        let id = v
            .get("id")
            .and_then(text)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::invalid("body.id", "a 202 carries the future record's id"))?;
        answer.id = Some(id);
        return Ok(answer);
    }
    let Some(of) = of else {
        return Ok(answer);
    };
    let rows = rows(&v)?;
    match of {
        AnswerOf::Categories => answer.categories = Some(categories(&rows)?),
        AnswerOf::WarrantyPlans => {
            answer.warranty_plans = Some(
                rows.iter()
                    .map(|(p, r)| plan_from_response(r, p))
                    .collect::<Result<_>>()?,
            )
        }
        _ => {
            let list = rows
                .iter()
                .map(|(p, r)| record(of, r, p))
                .collect::<Result<Vec<_>>>()?;
            answer
                .records
                .insert(of_name(of).into(), Value::Array(list));
        }
    }
    if answer.id.is_none() && status == 201 {
        answer.id = answer
            .records
            .values()
            .next()
            .and_then(|l| l.get(0))
            .and_then(|r| r.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if answer.id.is_none() {
            return Err(Error::invalid("body.id", "the created record has no id"));
        }
    }
    Ok(answer)
}

fn of_name(of: AnswerOf) -> &'static str {
    match of {
        AnswerOf::Categories => "categories",
        AnswerOf::WarrantyPlans => "warranty_plans",
        AnswerOf::Customers => "customers",
        AnswerOf::Manufacturers => "manufacturers",
        AnswerOf::Products => "products",
        AnswerOf::Items => "items",
        AnswerOf::Warranties => "warranties",
        AnswerOf::Receipts => "receipts",
        AnswerOf::VoucherBatches => "voucher_batches",
    }
}

/// The error body read with the strict rules when it is JSON (a repeated key is refused at
/// the key); anything else is kept as the message.
fn read_error_exact(status: u16, body: &str) -> Result<ApiError> {
    if serde_json::from_str::<serde::de::IgnoredAny>(body).is_err() {
        return Ok(super::read_error(status, body));
    }
    let v = crate::partners::parse_exact(body)?;
    let Value::Object(o) = &v else {
        return Ok(super::read_error(status, body));
    };
    let s = |k: &str| o.get(k).and_then(text).unwrap_or_default();
    let e = ApiError {
        error_code: o
            .get("error_code")
            .and_then(|c| text(c)?.parse().ok())
            .unwrap_or(i64::from(status)),
        status_text: s("status_text"),
        message: s("message"),
    };
    if e.message.is_empty() && e.status_text.is_empty() {
        return Ok(super::read_error(status, body));
    }
    Ok(e)
}

/// The last path segment of `Location`, checked to name the resource (`/api/201308/
/// customers/{id}`, absolute URLs too).
fn location_id(loc: &str, of: Option<AnswerOf>) -> Result<String> {
    let path = loc.split(['?', '#']).next().unwrap_or_default();
    let (dir, id) = path.rsplit_once('/').unwrap_or(("", path));
    if id.is_empty() || !path.contains(API_PREFIX) {
        return Err(Error::invalid(
            "location",
            format!("`{loc}` is not a Warranty Life resource URI ({API_PREFIX}/…/id)"),
        ));
    }
    if let Some(of) = of {
        if !dir.ends_with(&format!("/{}", of.segment())) {
            return Err(Error::invalid(
                "location",
                format!("`{loc}` is not below {API_PREFIX}/{}", of.segment()),
            ));
        }
    }
    Ok(id.to_string())
}

/// A string, or a number's text (the answer is read with numbers as text).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An answer's records: an array's elements or one object, each with its path.
fn rows(v: &Value) -> Result<Vec<(String, &Value)>> {
    fn check(path: String, x: &Value) -> Result<(String, &Value)> {
        match x {
            Value::Object(_) => Ok((path, x)),
            _ => Err(Error::invalid(path, "expected an object")),
        }
    }
    match v {
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| check(format!("body[{i}]"), x))
            .collect(),
        x => check("body".into(), x).map(|r| vec![r]),
    }
}

/// The category tree, checked: ids unique, every listed sub-category that is in the answer
/// names its lister as parent, no category is its own ancestor.
fn categories(rows: &[(String, &Value)]) -> Result<Vec<Category>> {
    let mut out: Vec<Category> = Vec::with_capacity(rows.len());
    let mut index = std::collections::HashMap::new();
    for (path, r) in rows {
        let f = Fields::new(r, path);
        let id = f.required_text("id")?;
        if index.insert(id.clone(), out.len()).is_some() {
            return Err(Error::invalid(
                format!("{path}.id"),
                format!("category `{id}` appears twice"),
            ));
        }
        out.push(Category {
            id,
            name: f.text("name")?,
            parent: f.text("parentCategoryId")?.filter(|p| !p.is_empty()),
        });
    }
    for ((path, r), c) in rows.iter().zip(&out) {
        let subs = Fields::new(r, path)
            .texts("subCategoryIds")?
            .unwrap_or_default();
        for (j, sub) in subs.iter().enumerate() {
            let Some(&k) = index.get(sub) else { continue };
            let parent = out.get(k).and_then(|s| s.parent.as_deref());
            if parent != Some(c.id.as_str()) {
                return Err(Error::invalid(
                    format!("{path}.subCategoryIds[{j}]"),
                    format!(
                        "`{sub}` is listed below `{}` but its parentCategoryId is {}",
                        c.id,
                        parent.map_or("null".into(), |p| format!("`{p}`"))
                    ),
                ));
            }
        }
        let mut cur = c.parent.as_deref();
        for _ in 0..out.len() {
            let Some(p) = cur else { break };
            if p == c.id {
                return Err(Error::invalid(
                    format!("{path}.parentCategoryId"),
                    format!("category `{}` is its own ancestor", c.id),
                ));
            }
            cur = index
                .get(p)
                .and_then(|&k| out.get(k))
                .and_then(|x| x.parent.as_deref());
        }
    }
    Ok(out)
}

/// How a field is read.
#[derive(Clone, Copy)]
enum Kind {
    /// A string (or a number's digits).
    Text,
    /// An exact, non-negative amount, written as a decimal string.
    Money,
    /// `true`/`false`.
    Flag,
    /// A `yyyy-MM-ddTHH:mm:ssZ` date, written as RFC 3339.
    Date,
    /// A list of strings.
    Texts,
}

use Kind::{Date, Flag, Money, Text, Texts};

const MANUFACTURER: &[(&str, &str, Kind)] = &[("id", "id", Text), ("name", "name", Text)];

const PRODUCT: &[(&str, &str, Kind)] = &[
    ("id", "id", Text),
    ("categoryId", "category_id", Text),
    ("isCategoryKnown", "category_known", Flag),
    ("mpn", "mpn", Text),
    ("model", "model", Text),
    ("msrp", "msrp", Money),
    ("msrpCurrency", "msrp_currency", Text),
    ("upc", "upc", Text),
    ("ean", "ean", Text),
    ("sku", "sku", Text),
    ("flags", "flags", Texts),
];

const CUSTOMER: &[(&str, &str, Kind)] = &[
    ("id", "id", Text),
    ("email", "email", Text),
    ("refId", "ref_id", Text),
    ("orderRefId", "order_ref_id", Text),
    ("customerUrl", "customer_url", Text),
    ("salesRepEmail", "sales_rep_email", Text),
    ("emailAddress", "email_address", Text),
    ("firstName", "first_name", Text),
    ("lastName", "last_name", Text),
    ("companyName", "company_name", Text),
    ("streetAddress", "street_address", Text),
    ("city", "city", Text),
    ("state", "state", Text),
    ("postalCode", "postal_code", Text),
    ("phone", "phone", Text),
    ("country", "country", Text),
    ("isWalkIn", "is_walk_in", Flag),
    ("optIn", "opt_in", Flag),
];

const ITEM: &[(&str, &str, Kind)] = &[
    ("id", "id", Text),
    ("refId", "ref_id", Text),
    ("orderRefId", "order_ref_id", Text),
    ("customerId", "customer_id", Text),
    ("dateOfPurchase", "purchased_at", Date),
    ("productId", "product_id", Text),
    ("productSku", "product_sku", Text),
    ("purchasedCondition", "condition", Text),
    ("contractYears", "contract_years", Text),
    ("pricePaid", "price_paid", Money),
    ("pricePaidCurrencyCode", "currency", Text),
    ("taxPaid", "tax_paid", Money),
    ("shippingPaid", "shipping_paid", Money),
    ("serialNumber", "serial", Text),
    ("serialNumberType", "serial_type", Text),
    ("isRepaired", "is_repaired", Flag),
    ("hasDamage", "has_damage", Flag),
    ("categoryId", "category_id", Text),
];

const WARRANTY: &[(&str, &str, Kind)] = &[
    ("id", "id", Text),
    ("refId", "ref_id", Text),
    ("registrationCode", "registration_code", Text),
    ("warrantyUrl", "warranty_url", Text),
    ("orderRefId", "order_ref_id", Text),
    ("warrantyPlanId", "plan_id", Text),
    ("itemId", "item_id", Text),
    ("customerId", "customer_id", Text),
    ("dateOfPurchase", "sold_at", Date),
    ("pricePaid", "price_paid", Money),
    ("pricePaidCurrencyCode", "currency", Text),
    ("taxPaid", "tax_paid", Money),
];

const RECEIPT: &[(&str, &str, Kind)] = &[
    ("id", "id", Text),
    ("orderRefId", "order_ref_id", Text),
    ("customerRefId", "customer_ref_id", Text),
    ("dateOfPurchase", "sold_at", Date),
    ("mimeType", "mime_type", Text),
    ("location", "location", Text),
];

const VOUCHER_BATCH: &[(&str, &str, Kind)] = &[
    ("id", "id", Text),
    ("voucherCodes", "voucher_codes", Texts),
    ("warrantyPlanId", "plan_id", Text),
    ("note", "note", Text),
];

/// One record of `of`: the seed's fields under our names (unknown fields ignored, as the
/// seed asks), `id` required.
fn record(of: AnswerOf, r: &Value, path: &str) -> Result<Value> {
    let fields = match of {
        AnswerOf::Manufacturers => MANUFACTURER,
        AnswerOf::Products => PRODUCT,
        AnswerOf::Customers => CUSTOMER,
        AnswerOf::Items => ITEM,
        AnswerOf::Warranties => WARRANTY,
        AnswerOf::Receipts => RECEIPT,
        AnswerOf::VoucherBatches => VOUCHER_BATCH,
        AnswerOf::Categories | AnswerOf::WarrantyPlans => &[],
    };
    let f = Fields::new(r, path);
    f.required_text("id")?;
    let mut out = f.read(fields)?;
    if of == AnswerOf::Products {
        if let Some(m) = r.get("manufacturer").filter(|m| !m.is_null()) {
            let at = format!("{path}.manufacturer");
            if !m.is_object() {
                return Err(Error::invalid(at, "expected an object"));
            }
            out.insert(
                "manufacturer".into(),
                Value::Object(Fields::new(m, &at).read(MANUFACTURER)?),
            );
        }
        match r.get("warrantyPlans") {
            None | Some(Value::Null) => {}
            Some(Value::Array(plans)) => {
                let plans = plans
                    .iter()
                    .enumerate()
                    .map(|(j, p)| {
                        plan_from_response(p, &format!("{path}.warrantyPlans[{j}]")).and_then(|p| {
                            serde_json::to_value(p).map_err(|e| Error::internal(e.to_string()))
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                out.insert("plans".into(), Value::Array(plans));
            }
            Some(_) => {
                return Err(Error::invalid(
                    format!("{path}.warrantyPlans"),
                    "expected an array of warranty plans",
                ))
            }
        }
    }
    Ok(Value::Object(out))
}

/// The fields of one answer object, with its path for errors.
struct Fields<'a> {
    o: Option<&'a Map<String, Value>>,
    path: &'a str,
}

impl<'a> Fields<'a> {
    fn new(v: &'a Value, path: &'a str) -> Self {
        Fields {
            o: v.as_object(),
            path,
        }
    }

    fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.o.and_then(|o| o.get(key)).filter(|v| !v.is_null())
    }

    fn text(&self, key: &str) -> Result<Option<String>> {
        self.get(key)
            .map(|v| text(v).ok_or_else(|| Error::invalid(self.at(key), "expected a string")))
            .transpose()
    }

    fn required_text(&self, key: &str) -> Result<String> {
        self.text(key)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::invalid(self.at(key), format!("missing `{key}`")))
    }

    fn texts(&self, key: &str) -> Result<Option<Vec<String>>> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let Value::Array(a) = v else {
            return Err(Error::invalid(self.at(key), "expected an array of strings"));
        };
        a.iter()
            .enumerate()
            .map(|(i, x)| {
                text(x).ok_or_else(|| {
                    Error::invalid(format!("{}[{i}]", self.at(key)), "expected a string")
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    fn read(&self, fields: &[(&str, &str, Kind)]) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for &(wire, ours, kind) in fields {
            let Some(v) = self.get(wire) else { continue };
            let value = match kind {
                Text => Value::String(self.text(wire)?.unwrap_or_default()),
                Texts => Value::Array(
                    self.texts(wire)?
                        .unwrap_or_default()
                        .into_iter()
                        .map(Value::String)
                        .collect(),
                ),
                Flag => Value::Bool(
                    v.as_bool()
                        .ok_or_else(|| Error::invalid(self.at(wire), "expected true or false"))?,
                ),
                Money => {
                    let d = decimal(v)
                        .filter(|d| !d.is_sign_negative() || d.is_zero())
                        .ok_or_else(|| {
                            Error::invalid(
                                self.at(wire),
                                format!(
                                    "`{}` is not a non-negative amount with an exact decimal",
                                    text(v).unwrap_or_else(|| v.to_string())
                                ),
                            )
                        })?;
                    Value::String(d.to_string())
                }
                Date => {
                    let s = v
                        .as_str()
                        .ok_or_else(|| Error::invalid(self.at(wire), "expected a date string"))?;
                    let t = Instant::parse(s).map_err(|e| Error::invalid(self.at(wire), e))?;
                    serde_json::to_value(t).map_err(|e| Error::internal(e.to_string()))?
                }
            };
            out.insert(ours.into(), value);
        }
        Ok(out)
    }
}
