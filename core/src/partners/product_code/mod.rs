//! Product-code warranty registration adapter (seed:
//! `product-code-warranty-registration-api.txt`): the request body with `DD-MM-YYYY HH:MM`
//! dates, its defaults, phone numbers normalised to E.164, the country enum, and
//! `externalOrderId` as the idempotency key.
//!
//! Phone numbers are read by libphonenumber's rules and metadata for the seven countries the
//! API accepts ([`self::phone`]).

pub mod phone;
#[rustfmt::skip]
mod phone_meta;

use chrono::{Datelike, Timelike};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::time::{self, Calendar, Duration, ExpiryMode, Instant};

/// The path of "Send Warranty with Product Code".
pub const PATH: &str = "/individual-customers/warranty/with-product-code";

/// A sale to register.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// `productCode`.
    pub product_code: String,
    /// `firstName`.
    pub first_name: String,
    /// `lastName`.
    pub last_name: String,
    /// `email`.
    pub email: String,
    /// `phone`, in any of the seed's formats.
    pub phone: String,
    /// `countryCode`: TR, US, DE, GB, AE, NL, FR.
    pub country: String,
    /// `externalOrderId`: the invoice code; also the idempotency key.
    pub external_order_id: String,
    /// `externalLineId`.
    #[serde(default)]
    pub external_line_id: Option<String>,
    /// `purchaseDate`; default: `now`.
    #[serde(default)]
    pub purchased_at: Option<Instant>,
    /// `warrantyExpireDate`; default: purchase + the product's warranty period when known,
    /// else left to the partner (it uses the product's period).
    #[serde(default)]
    pub expires_at: Option<Instant>,
}

/// Normalises a phone number of `country` to E.164 (`+905443332211`) by libphonenumber's
/// rules (see [`self::phone::normalize`]): the seed's five formats, national numbers with
/// their trunk prefix (`030 1234567`), landlines and mobiles. Errors are at `country` or
/// `phone`.
pub fn normalize_phone(raw: &str, country: &str) -> Result<String> {
    use self::phone::{self, Refusal};
    phone::normalize(raw, country).map_err(|r| match r {
        Refusal::UnknownCountry => Error::invalid(
            "country",
            format!(
                "`{country}` is not one of {}",
                phone::country_codes().collect::<Vec<_>>().join(", ")
            ),
        ),
        Refusal::BadCharacter => Error::invalid(
            "phone",
            format!("`{raw}` has characters a phone number cannot have"),
        ),
        Refusal::OtherCountry(cc) => Error::invalid(
            "phone",
            format!("`{raw}` is written with calling code +{cc}, not that of {country}"),
        ),
        Refusal::NotValid => Error::invalid(
            "phone",
            format!("`{raw}` is not a valid {country} phone number"),
        ),
    })
}

fn dd_mm_yyyy(t: Instant, cal: Calendar) -> String {
    // By hand rather than chrono's strftime, whose formatter would be in the WASM module
    // for this line alone. Years are 1..=9999 (`time::MIN_YEAR..=MAX_YEAR`).
    let l = cal.local(t);
    format!(
        "{:02}-{:02}-{:04} {:02}:{:02}",
        l.day(),
        l.month(),
        l.year(),
        l.hour(),
        l.minute()
    )
}

/// The request body and its idempotency key (`externalOrderId`, with `:externalLineId` when
/// there is one, so that each line of an order registers once).
pub fn request(
    r: &Registration,
    now: Instant,
    product_warranty: Option<Duration>,
    cal: Calendar,
) -> Result<(Value, String)> {
    for (path, v) in [
        ("product_code", &r.product_code),
        ("first_name", &r.first_name),
        ("last_name", &r.last_name),
        ("external_order_id", &r.external_order_id),
    ] {
        if v.trim().is_empty() {
            return Err(Error::invalid(path, "required"));
        }
    }
    let email_ok = r.email.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    });
    if !email_ok || r.email.chars().any(char::is_whitespace) {
        return Err(Error::invalid(
            "email",
            format!("`{}` is not an email address", r.email),
        ));
    }
    let phone = normalize_phone(&r.phone, &r.country)?;
    let purchased = r.purchased_at.unwrap_or(now);
    let expires = match (r.expires_at, product_warranty) {
        (Some(e), _) => Some(e),
        (None, Some(d)) => Some(
            time::expiry(purchased, d, ExpiryMode::Exact, cal)
                .map_err(|_| Error::invalid("product_warranty", "the expiry is out of range"))?,
        ),
        (None, None) => None,
    };
    if expires.is_some_and(|e| e < purchased) {
        return Err(Error::invalid(
            "expires_at",
            "the warranty expires before the purchase",
        ));
    }
    let mut b = Map::new();
    let s = |v: &str| Value::String(v.to_string());
    b.insert("productCode".into(), s(&r.product_code));
    b.insert("firstName".into(), s(&r.first_name));
    b.insert("lastName".into(), s(&r.last_name));
    b.insert("email".into(), s(&r.email));
    b.insert("phone".into(), s(&phone));
    b.insert("countryCode".into(), s(&r.country));
    b.insert("externalOrderId".into(), s(&r.external_order_id));
    if let Some(l) = r.external_line_id.as_deref().filter(|l| !l.is_empty()) {
        b.insert("externalLineId".into(), s(l));
    }
    b.insert("purchaseDate".into(), s(&dd_mm_yyyy(purchased, cal)));
    if let Some(e) = expires {
        b.insert("warrantyExpireDate".into(), s(&dd_mm_yyyy(e, cal)));
    }
    let key = match r.external_line_id.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => format!("{}:{l}", r.external_order_id),
        None => r.external_order_id.clone(),
    };
    Ok((Value::Object(b), key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Unit, Zone};

    #[test]
    fn the_seed_phone_formats_all_normalise() {
        for raw in [
            "544 333 22 11",
            "5443332211",
            "+905443332211",
            "905443332211",
            "05443332211",
        ] {
            assert_eq!(
                normalize_phone(raw, "TR").unwrap(),
                "+905443332211",
                "{raw}"
            );
        }
        assert_eq!(
            normalize_phone("(212) 555-0123", "US").unwrap(),
            "+12125550123"
        );
        assert_eq!(
            normalize_phone("020 7946 0958", "GB").unwrap(),
            "+442079460958"
        );
        for (raw, c) in [
            ("54433322", "TR"),
            ("+15443332211", "TR"),
            ("abc", "TR"),
            ("5443332211", "XX"),
        ] {
            assert!(normalize_phone(raw, c).is_err(), "{raw} {c}");
        }
    }

    #[test]
    fn body_dates_defaults_and_key() {
        let cal = Calendar::Zone("Europe/Istanbul".parse::<Zone>().unwrap().0);
        let r = Registration {
            product_code: "TV-55".into(),
            first_name: "Ayşe".into(),
            last_name: "Yılmaz".into(),
            email: "ayse@example.com".into(),
            phone: "0544 333 22 11".into(),
            country: "TR".into(),
            external_order_id: "INV-2026-0042".into(),
            external_line_id: Some("2".into()),
            purchased_at: None,
            expires_at: None,
        };
        let now = Instant::parse("2023-01-01T00:00:00+03:00").unwrap();
        let (b, key) = request(
            &r,
            now,
            Some(Duration {
                value: 2,
                unit: Unit::Years,
            }),
            cal,
        )
        .unwrap();
        assert_eq!(b["purchaseDate"], "01-01-2023 00:00"); // the seed's example format
        assert_eq!(b["warrantyExpireDate"], "01-01-2025 00:00");
        assert_eq!(b["phone"], "+905443332211");
        assert_eq!(b["externalLineId"], "2");
        assert_eq!(key, "INV-2026-0042:2");
        let (b, key) = request(
            &Registration {
                external_line_id: None,
                ..r.clone()
            },
            now,
            None,
            cal,
        )
        .unwrap();
        assert!(b.get("warrantyExpireDate").is_none());
        assert_eq!(key, "INV-2026-0042");
        let bad = Registration {
            email: "ayse@".into(),
            ..r.clone()
        };
        assert_eq!(request(&bad, now, None, cal).unwrap_err().path, "email");
        let bad = Registration {
            country: "ES".into(),
            ..r
        };
        assert_eq!(request(&bad, now, None, cal).unwrap_err().path, "country");
    }
}
