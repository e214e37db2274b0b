//! CRM.COM adapter: turns a `warranty_policies/show` or `/list` response into policies.
//!
//! Unknown fields of the partner's response are ignored; the fields we read are checked, and
//! a problem is reported with its path inside the request (`response.data[0].unit_of_time`).

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::policy::{Cover, CoverKind, Policy, Reason, ReplacementMode, State};
use crate::time::{Calendar, Duration, ExpiryMode, Instant, Unit};

/// The policies read from a CRM.COM response, and what was passed over.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Import {
    /// The policies, in the response's order.
    pub policies: Vec<Policy>,
    /// Things read but not used, e.g. deprecated organisational units.
    pub warnings: Vec<String>,
}

fn field<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a Value> {
    o.get(k).filter(|v| !v.is_null())
}

fn opt_str(o: &Map<String, Value>, k: &str, path: &str) -> Result<Option<String>> {
    match field(o, k) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(Error::invalid(
            format!("{path}.{k}"),
            format!("`{k}` must be a string"),
        )),
    }
}

fn req_str(o: &Map<String, Value>, k: &str, path: &str) -> Result<String> {
    opt_str(o, k, path)?
        .ok_or_else(|| Error::invalid(format!("{path}.{k}"), format!("missing field `{k}`")))
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| Error::invalid(path, "expected an object"))
}

fn array<'a>(
    o: &'a Map<String, Value>,
    keys: &[&str],
    path: &str,
) -> Result<(&'a [Value], String)> {
    for k in keys {
        if let Some(v) = field(o, k) {
            let p = format!("{path}.{k}");
            return match v {
                Value::Array(a) => Ok((a.as_slice(), p)),
                _ => Err(Error::invalid(p, "expected an array")),
            };
        }
    }
    Ok((&[], String::new()))
}

/// Reads a CRM.COM date (`"2016-03-15 00:00:00.0"`, `"2016-03-15"`, or RFC 3339) written in
/// `cal`'s local time. Nonexistent local times move forward; ambiguous ones take the earlier.
pub fn parse_crm_date(s: &str, cal: Calendar) -> Option<Instant> {
    if let Ok(i) = Instant::parse(s) {
        return Some(i);
    }
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })?;
    cal.resolve(local, None).map(|i| cal.localize(i))
}

fn date(o: &Map<String, Value>, k: &str, path: &str, cal: Calendar) -> Result<Option<Instant>> {
    match opt_str(o, k, path)? {
        None => Ok(None),
        Some(s) => parse_crm_date(&s, cal).map(Some).ok_or_else(|| {
            Error::invalid(
                format!("{path}.{k}"),
                format!("`{s}` is not a CRM.COM date such as \"2016-03-15 00:00:00.0\""),
            )
        }),
    }
}

fn replacement(s: &str, path: &str) -> Result<ReplacementMode> {
    match s {
        "CARRY_OVER_WARRANTY" | "CARRY_OVER_REMAINING_DURATION" => Ok(ReplacementMode::CarryOver),
        "APPLY_NEW_WARRANTY" => Ok(ReplacementMode::ApplyNew),
        "NO_WARRANTY" => Ok(ReplacementMode::NoWarranty),
        other => Err(Error::invalid(
            path,
            format!("`{other}` is not CARRY_OVER_WARRANTY, CARRY_OVER_REMAINING_DURATION, APPLY_NEW_WARRANTY or NO_WARRANTY"),
        )),
    }
}

fn cover(v: &Value, path: &str) -> Result<Cover> {
    let o = object(v, path)?;
    let kinds = [
        ("product", CoverKind::Product, "code"),
        ("product_type", CoverKind::ProductType, "name"),
        ("product_brand", CoverKind::Brand, "name"),
        ("product_family", CoverKind::Family, "name"),
    ];
    let mut found = None;
    for (k, kind, key) in kinds {
        if let Some(inner) = field(o, k) {
            let p = format!("{path}.{k}");
            if found.is_some() {
                return Err(Error::invalid(
                    p,
                    "a covered-goods entry names exactly one of product, product_type, product_brand, product_family",
                ));
            }
            let value = req_str(object(inner, &p)?, key, &p)?;
            found = Some(Cover { kind, value });
        }
    }
    found.ok_or_else(|| {
        Error::invalid(
            path,
            "a covered-goods entry names one of product, product_type, product_brand, product_family",
        )
    })
}

fn reason(v: &Value, path: &str) -> Result<Reason> {
    let o = object(v, path)?;
    let rp = format!("{path}.warranty_coverage_reason");
    let r = field(o, "warranty_coverage_reason")
        .ok_or_else(|| Error::invalid(&rp, "missing field `warranty_coverage_reason`"))?;
    let ro = object(r, &rp)?;
    let id = match opt_str(ro, "altCode", &rp)? {
        Some(s) => s,
        None => match opt_str(ro, "alternative_code", &rp)? {
            Some(s) => s,
            None => req_str(ro, "id", &rp)?,
        },
    };
    let provides_coverage = match field(o, "provides_coverage") {
        None => None,
        Some(v) => match v.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ if v.as_bool().is_some() => v.as_bool(),
            _ => {
                return Err(Error::invalid(
                    format!("{path}.provides_coverage"),
                    "`provides_coverage` must be 0, 1 or null",
                ))
            }
        },
    };
    let replacement = match opt_str(o, "replacement_coverage_policy", path)? {
        None => None,
        Some(s) => Some(replacement(
            &s,
            &format!("{path}.replacement_coverage_policy"),
        )?),
    };
    Ok(Reason {
        id,
        provides_coverage,
        replacement,
        name: opt_str(ro, "name", &rp)?,
    })
}

fn policy(v: &Value, path: &str, cal: Calendar, warnings: &mut Vec<String>) -> Result<Policy> {
    let o = object(v, path)?;
    let id = req_str(o, "id", path)?;
    let dur_path = format!("{path}.duration");
    let value = match field(o, "duration") {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .and_then(|n| u32::try_from(n).ok()),
        None => return Err(Error::invalid(dur_path, "missing field `duration`")),
        Some(_) => None,
    }
    .ok_or_else(|| Error::invalid(&dur_path, "`duration` must be a non-negative whole number"))?;
    let unit_s = req_str(o, "unit_of_time", path)?;
    let unit = match unit_s.as_str() {
        "DAYS" => Unit::Days,
        "WEEKS" => Unit::Weeks,
        "MONTHS" => Unit::Months,
        "YEARS" => Unit::Years,
        other => {
            return Err(Error::invalid(
                format!("{path}.unit_of_time"),
                format!("`{other}` is not DAYS, WEEKS, MONTHS or YEARS"),
            ))
        }
    };
    let state = match opt_str(o, "life_cycle_state", path)?.as_deref() {
        None | Some("EFFECTIVE") => State::Effective,
        Some("NOT_EFFECTIVE") | Some("NOT EFFECTIVE") => State::NotEffective,
        Some(other) => {
            return Err(Error::invalid(
                format!("{path}.life_cycle_state"),
                format!("`{other}` is not EFFECTIVE or NOT_EFFECTIVE"),
            ))
        }
    };
    let repl = match opt_str(o, "replacement_coverage_policy", path)? {
        None => ReplacementMode::NoWarranty,
        Some(s) => replacement(&s, &format!("{path}.replacement_coverage_policy"))?,
    };
    let (goods, gp) = array(
        o,
        &["physical_goods_covered", "physical_goods_covered_set"],
        path,
    )?;
    let covers = goods
        .iter()
        .enumerate()
        .map(|(i, g)| cover(g, &format!("{gp}[{i}]")))
        .collect::<Result<Vec<_>>>()?;
    let (rs, rp) = array(o, &["coverage_reasoning", "coverage_reasons_set"], path)?;
    let reasons = rs
        .iter()
        .enumerate()
        .map(|(i, r)| reason(r, &format!("{rp}[{i}]")))
        .collect::<Result<Vec<_>>>()?;
    let (units, up) = array(o, &["allowed_business_units_set"], path)?;
    let business_units = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let p = format!("{up}[{i}]");
            req_str(object(u, &p)?, "id", &p)
        })
        .collect::<Result<Vec<_>>>()?;
    if !array(o, &["allowed_organisational_units_set"], path)?
        .0
        .is_empty()
    {
        warnings.push(format!(
            "{path}.allowed_organisational_units_set is deprecated since CRM.COM R18 and was not applied; list business units in allowed_business_units_set"
        ));
    }
    let mut udf = Map::new();
    for (k, v) in o {
        if k.starts_with("udf_") && !v.is_null() {
            udf.insert(k.clone(), v.clone());
        }
    }
    let p = Policy {
        id,
        number: opt_str(o, "number", path)?.unwrap_or_default(),
        name: opt_str(o, "name", path)?,
        alternative_code: opt_str(o, "alternative_code", path)?,
        description: opt_str(o, "description", path)?,
        state,
        duration: Duration::new(value, unit),
        expiry: ExpiryMode::Exact,
        replacement: repl,
        effective_from: date(o, "effective_date", path, cal)?,
        effective_until: date(o, "expiration_date", path, cal)?,
        covers,
        reasons,
        business_units,
        usage_limit: None,
        parts_duration: None,
        labour_duration: None,
        company_responsibilities: opt_str(o, "company_responsibilities", path)?,
        customer_responsibilities: opt_str(o, "customer_responsibilities", path)?,
        udf: (!udf.is_empty()).then_some(udf),
    };
    p.validate().map_err(|e| e.within(path))?;
    Ok(p)
}

/// Imports a CRM.COM `warranty_policies/show` (object `data`) or `/list` (array `data`)
/// response. `path` is where the response sits in the request (e.g. `response`); dates are
/// read in `cal`.
pub fn import(response: &Value, path: &str, cal: Calendar) -> Result<Import> {
    let o = object(response, path)?;
    if let Some(status) = field(o, "status") {
        let sp = format!("{path}.status");
        let code = opt_str(object(status, &sp)?, "code", &sp)?;
        if let Some(code) = code.filter(|c| c != "OK") {
            let msg = opt_str(object(status, &sp)?, "message", &sp)?.unwrap_or_default();
            return Err(Error::invalid(
                format!("{sp}.code"),
                format!("CRM.COM answered {code}: {msg}"),
            ));
        }
    }
    let dp = format!("{path}.data");
    let mut warnings = Vec::new();
    let policies = match field(o, "data") {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| policy(v, &format!("{dp}[{i}]"), cal, &mut warnings))
            .collect::<Result<Vec<_>>>()?,
        Some(v @ Value::Object(_)) => vec![policy(v, &dp, cal, &mut warnings)?],
        _ => {
            return Err(Error::invalid(
                dp,
                "expected `data`: a policy object (show) or an array of them (list)",
            ))
        }
    };
    Ok(Import { policies, warnings })
}
