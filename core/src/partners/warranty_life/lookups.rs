//! The Warranty Life 201308 calls beyond the sale's writes: updating a customer, adding a
//! manufacturer or a product, a warranty added through its item, invalidating a warranty,
//! and every `GET` the seed lists (categories, plans, customers, manufacturers, products,
//! items, warranties, receipts), with their searches, paging and `includePlans`.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::partners::put_nonempty as put;
use crate::warranty::policy::Dec;

use super::bodies::{check_currency, customer_fields, required, Body, HttpRequest};
use super::{page_query, API_PREFIX};

/// `PUT /customers/{id}`: only the fields given are sent ("PUT changed fields").
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CustomerUpdate {
    /// The customer's id (Warranty Life's), in the path.
    pub id: String,
    /// `refId`.
    pub ref_id: Option<String>,
    /// `orderRefId`.
    pub order_ref_id: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `salesRepEmail`.
    pub sales_rep_email: Option<String>,
    /// `firstName`.
    pub first_name: Option<String>,
    /// `lastName`.
    pub last_name: Option<String>,
    /// `companyName`.
    pub company_name: Option<String>,
    /// `streetAddress`.
    pub street_address: Option<String>,
    /// `city`.
    pub city: Option<String>,
    /// `state` (2 letters).
    pub state: Option<String>,
    /// `postalCode`.
    pub postal_code: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
    /// `country`: US, CA, IN, BD, PH, AU.
    pub country: Option<String>,
    /// `isWalkIn`.
    pub is_walk_in: Option<bool>,
    /// `optIn`.
    pub opt_in: Option<bool>,
}

/// The `PUT /customers/{id}` request. A field given as `""` is sent as `""` (it clears the
/// field); one left out is not sent. Nothing to change is an error.
pub fn customer_update_request(c: &CustomerUpdate) -> Result<HttpRequest> {
    let id = segment(&c.id, "customer_update.id")?;
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
    .map(Option::as_deref);
    let m = customer_fields(text, [c.is_walk_in, c.opt_in], true, "customer_update")?;
    if m.is_empty() {
        return Err(Error::invalid(
            "customer_update",
            "nothing to change: give at least one field besides `id`",
        ));
    }
    Ok(HttpRequest::new(
        "PUT",
        format!("{API_PREFIX}/customers/{id}"),
        Some(Body::new(m)),
    ))
}

/// `POST /manufacturers`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manufacturer {
    /// `name`.
    pub name: String,
}

/// A product for `POST /products` (add products ahead of sales, then sell by SKU).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// `categoryId`.
    pub category_id: String,
    /// `manufacturerId`.
    pub manufacturer_id: String,
    /// `model`.
    pub model: String,
    /// `mpn`: manufacturer part number.
    #[serde(default)]
    pub mpn: String,
    /// `msrp`.
    #[serde(default)]
    pub msrp: Option<Dec>,
    /// `msrpCurrency`: USD or CAD, required with `msrp`.
    #[serde(default)]
    pub msrp_currency: String,
    /// `upc`: 12 digits.
    #[serde(default)]
    pub upc: String,
    /// `ean`: 13 digits.
    #[serde(default)]
    pub ean: String,
    /// `sku`: your SKU for the product.
    #[serde(default)]
    pub sku: String,
}

fn digits(code: &str, n: usize, path: &str, what: &str) -> Result<()> {
    if !code.is_empty() && (code.len() != n || !code.bytes().all(|b| b.is_ascii_digit())) {
        return Err(Error::invalid(path, format!("{what} is {n} digits")));
    }
    Ok(())
}

/// The `POST /products` body.
pub fn product_body(p: &Product) -> Result<Body> {
    required(&p.category_id, "product.category_id")?;
    required(&p.manufacturer_id, "product.manufacturer_id")?;
    required(&p.model, "product.model")?;
    if let Some(msrp) = p.msrp {
        if msrp.0.is_sign_negative() && !msrp.0.is_zero() {
            return Err(Error::invalid("product.msrp", "a price is not negative"));
        }
        check_currency(&p.msrp_currency, "product.msrp_currency")?;
    } else if !p.msrp_currency.is_empty() {
        return Err(Error::invalid(
            "product.msrp_currency",
            "a currency without `msrp`",
        ));
    }
    digits(&p.upc, 12, "product.upc", "a UPC")?;
    digits(&p.ean, 13, "product.ean", "an EAN")?;
    let mut m = Map::new();
    put(&mut m, "categoryId", &p.category_id);
    put(&mut m, "manufacturerId", &p.manufacturer_id);
    put(&mut m, "model", &p.model);
    put(&mut m, "mpn", &p.mpn);
    if p.msrp.is_some() {
        m.insert("msrpCurrency".into(), json!(p.msrp_currency));
    }
    put(&mut m, "upc", &p.upc);
    put(&mut m, "ean", &p.ean);
    put(&mut m, "sku", &p.sku);
    let mut b = Body::new(m);
    if let Some(msrp) = p.msrp {
        b.money("msrp", msrp);
    }
    Ok(b)
}

/// `DELETE /warranties/{id}`: a warranty returned or refunded.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarrantyInvalidate {
    /// The warranty's id (Warranty Life's).
    pub id: String,
}

/// What a `GET` fetches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// `/categories`.
    Categories,
    /// `/warranty-plans`.
    WarrantyPlans,
    /// `/customers`.
    Customers,
    /// `/manufacturers`.
    Manufacturers,
    /// `/products`.
    Products,
    /// `/items`.
    Items,
    /// `/warranties`.
    Warranties,
    /// `/receipts`.
    Receipts,
}

impl Resource {
    fn path(self) -> &'static str {
        match self {
            Resource::Categories => "categories",
            Resource::WarrantyPlans => "warranty-plans",
            Resource::Customers => "customers",
            Resource::Manufacturers => "manufacturers",
            Resource::Products => "products",
            Resource::Items => "items",
            Resource::Warranties => "warranties",
            Resource::Receipts => "receipts",
        }
    }

    /// The search fields the seed gives this resource, and whether they combine (the
    /// product search by specific terms) or one is given alone.
    fn search(self) -> (&'static [&'static str], bool) {
        match self {
            Resource::Categories | Resource::Receipts => (&[], false),
            Resource::WarrantyPlans => (&["category_id"], false),
            Resource::Customers => (&["email", "ref_id", "order_ref_id"], false),
            Resource::Manufacturers => (&["name"], false),
            Resource::Products => (
                &[
                    "sku",
                    "q",
                    "model",
                    "mpn",
                    "upc",
                    "ean",
                    "category_id",
                    "manufacturer_id",
                    "manufacturer_name",
                ],
                true,
            ),
            Resource::Items => (&["ref_id", "order_ref_id"], false),
            Resource::Warranties => (&["ref_id", "order_ref_id", "item_id"], false),
        }
    }
}

/// A `GET`: one record by `id`, or a search `by` the seed's fields, paged where the seed
/// pages. `*` in a search value is Warranty Life's wildcard.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Get {
    /// What to fetch.
    pub resource: Resource,
    /// One record by its id.
    #[serde(default)]
    pub id: Option<String>,
    /// Search fields, snake_case (`ref_id`, `category_id`, `manufacturer_name`, …).
    #[serde(default)]
    pub by: Map<String, Value>,
    /// The page (0-based), with `limit`: `startAt=page·limit&limit=limit`.
    #[serde(default)]
    pub page: Option<u64>,
    /// Results per page.
    #[serde(default)]
    pub limit: Option<u64>,
    /// Products only: `includePlans=1`, the plans of each product's category.
    #[serde(default)]
    pub include_plans: bool,
    /// Products only: `includePlansAtPrice`, a selling price (`"333.33"`) or `"MSRP"`.
    #[serde(default)]
    pub include_plans_at_price: Option<String>,
}

/// `s` as one URL path segment (percent-encoded), or an error when empty.
pub(super) fn segment(s: &str, path: &str) -> Result<String> {
    if s.trim().is_empty() {
        return Err(Error::invalid(path, "an id is required"));
    }
    Ok(encode(s, false))
}

/// Percent-encodes all but RFC 3986's unreserved characters (and `*`, the seed's wildcard,
/// in a query).
fn encode(s: &str, keep_star: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (keep_star && b == b'*')
        {
            out.push(char::from(b));
        } else {
            // `{:02X}` by hand: the fmt machinery costs the WASM module more than this.
            out.push('%');
            for nibble in [b >> 4, b & 15] {
                out.push(
                    char::from_digit(u32::from(nibble), 16).map_or('0', |c| c.to_ascii_uppercase()),
                );
            }
        }
    }
    out
}

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The `GET` request for `g` (headers: `Accept`; `Authorization` added by the caller).
pub fn get_request(g: &Get) -> Result<HttpRequest> {
    let base = format!("{API_PREFIX}/{}", g.resource.path());
    let (fields, combine) = g.resource.search();
    let mut query: Vec<String> = Vec::new();
    for (k, v) in &g.by {
        let at = format!("get.by.{k}");
        if !fields.contains(&k.as_str()) {
            return Err(Error::invalid(
                at,
                if fields.is_empty() {
                    format!("{} are fetched by id only", g.resource.path())
                } else {
                    format!(
                        "{} are searched by {}",
                        g.resource.path(),
                        fields.join(", ")
                    )
                },
            ));
        }
        let Some(text) = v.as_str().filter(|t| !t.trim().is_empty()) else {
            return Err(Error::invalid(at, "a search value is a non-empty string"));
        };
        query.push(format!("{}={}", camel(k), encode(text, true)));
    }
    if g.by.len() > 1 && !combine {
        return Err(Error::invalid("get.by", "give one search field"));
    }
    if g.resource == Resource::Products
        && g.by.len() > 1
        && (g.by.contains_key("sku") || g.by.contains_key("q"))
    {
        return Err(Error::invalid(
            "get.by",
            "`sku` and `q` each search alone; the other fields combine",
        ));
    }
    let products_search = g.resource == Resource::Products && !g.by.is_empty();
    if g.include_plans && !products_search {
        return Err(Error::invalid(
            "get.include_plans",
            "plans are included in product searches only",
        ));
    }
    if let Some(p) = &g.include_plans_at_price {
        if !g.include_plans {
            return Err(Error::invalid(
                "get.include_plans_at_price",
                "with `include_plans: true` only",
            ));
        }
        let price_ok = p == "MSRP"
            || p.parse::<rust_decimal::Decimal>().is_ok_and(|d| {
                !d.is_sign_negative() && p.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            });
        if !price_ok {
            return Err(Error::invalid(
                "get.include_plans_at_price",
                "a selling price such as `333.33`, or `MSRP`",
            ));
        }
    }
    if g.include_plans {
        query.push("includePlans=1".into());
        if let Some(p) = &g.include_plans_at_price {
            query.push(format!("includePlansAtPrice={p}"));
        }
    }
    match (g.page, g.limit) {
        (None, None) => {}
        (page, Some(limit)) => {
            let pages = matches!(g.resource, Resource::Manufacturers | Resource::Products);
            if !pages || g.id.is_some() {
                return Err(Error::invalid(
                    "get.limit",
                    "only manufacturer and product lists and searches are paged",
                ));
            }
            query.push(page_query(page.unwrap_or(0), limit).map_err(|e| e.within("get"))?);
        }
        (Some(_), None) => return Err(Error::invalid("get.limit", "a page needs `limit`")),
    }
    let path = if let Some(id) = &g.id {
        if !g.by.is_empty() {
            return Err(Error::invalid("get.by", "give `id` or `by`, not both"));
        }
        format!("{base}/{}", segment(id, "get.id")?)
    } else if let Some(item) =
        g.by.get("item_id")
            .and_then(Value::as_str)
            .filter(|_| g.resource == Resource::Warranties)
    {
        query.clear();
        format!(
            "{API_PREFIX}/items/{}/warranties",
            segment(item, "get.by.item_id")?
        )
    } else {
        let listable = match g.resource {
            Resource::Categories | Resource::WarrantyPlans | Resource::Manufacturers => true,
            Resource::Products => !g.by.is_empty(),
            _ => !g.by.is_empty(),
        };
        if !listable {
            return Err(Error::invalid(
                "get",
                format!(
                    "{} are fetched by `id` or searched `by` {}",
                    g.resource.path(),
                    fields.join(", ")
                ),
            ));
        }
        // The seed writes the manufacturer searches with a slash before the query.
        let slash = if g.resource == Resource::Manufacturers && !query.is_empty() {
            "/"
        } else {
            ""
        };
        base + slash
    };
    let path = if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let mut r = HttpRequest::new("GET", path, None);
    r.headers.content_type = None;
    Ok(r)
}
