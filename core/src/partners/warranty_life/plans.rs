//! Reading Warranty Life's warranty plans into the library's [`Plan`]s (`warranty_life_plans`).

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::time::{Duration, Instant, Unit};
use crate::warranty::plans::Plan;
use crate::warranty::policy::Dec;

pub(super) fn unit(v: &Value, path: &str) -> Result<Unit> {
    match v.as_str() {
        Some("days") => Ok(Unit::Days),
        Some("months") => Ok(Unit::Months),
        Some("years") => Ok(Unit::Years),
        _ => Err(Error::invalid(path, "expected days, months or years")),
    }
}

/// A whole number written as a JSON number, or as its text (answers read exactly:
/// [`crate::partners::parse_exact`]).
pub(super) fn whole(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

/// The exact decimal of a JSON number or of its text.
pub(super) fn decimal(v: &Value) -> Option<rust_decimal::Decimal> {
    match v {
        Value::Number(n) => crate::num::exact_decimal(&n.to_string()),
        Value::String(s) => crate::num::exact_decimal(s),
        _ => None,
    }
}

pub(super) fn duration(o: &Map<String, Value>, key: &str, path: &str) -> Result<Option<Duration>> {
    let n = match o.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => whole(v)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| Error::invalid(format!("{path}.{key}"), "expected a whole number"))?,
    };
    let u = unit(
        o.get(&format!("{key}Unit")).unwrap_or(&Value::Null),
        &format!("{path}.{key}Unit"),
    )?;
    Ok(Some(Duration { value: n, unit: u }))
}

pub(super) fn price(o: &Map<String, Value>, key: &str, path: &str) -> Result<Option<Dec>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        // Read from the number's text: exact, or refused (docs/decisions.md).
        Some(v @ (Value::Number(_) | Value::String(_))) => decimal(v)
            .filter(|d| !d.is_sign_negative() || d.is_zero())
            .map(|d| Some(Dec(d)))
            .ok_or_else(|| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Error::invalid(
                    format!("{path}.{key}"),
                    format!("`{text}` is not a non-negative price with an exact decimal"),
                )
            }),
        Some(_) => Err(Error::invalid(format!("{path}.{key}"), "expected a number")),
    }
}

pub(super) fn instant(o: &Map<String, Value>, key: &str, path: &str) -> Result<Option<Instant>> {
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

pub(super) fn strings(o: &Map<String, Value>, key: &str) -> Vec<String> {
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

pub(super) fn duration_or_none(
    o: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<Duration>> {
    // A zero duration may come without a unit.
    if o.get(key).and_then(whole) == Some(0) {
        return Ok(None);
    }
    duration(o, key, path)
}
