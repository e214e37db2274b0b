//! CRM.COM adapter: turns a `warranty_policies/show` or `/list` response into policies.
//!
//! Unknown fields of the partner's response are ignored; the fields we read are checked, and
//! a problem is reported with its path inside the request (`response.data[0].unit_of_time`).

pub mod coverage;

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::time::{Calendar, Duration, ExpiryMode, Instant, Unit};
use crate::warranty::policy::{Cover, CoverKind, Policy, Reason, ReplacementMode, State};

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
    let local = local_date_time(s)?;
    cal.resolve(local, None).map(|i| cal.localize(i))
}

/// One piece of a date layout, read as chrono's `parse_from_str` reads the strftime item.
#[derive(Clone, Copy)]
enum Piece {
    /// A number of at most `width` digits after optional whitespace; `signed` (the year) also
    /// takes `+`/`-` followed by any number of digits.
    Num { width: usize, signed: bool },
    /// This byte.
    Lit(u8),
    /// Any whitespace, none included.
    Space,
    /// `%.f`: nothing, or `.` and 1 to 9 digits (more are skipped).
    Frac,
}

const NUM2: Piece = Piece::Num {
    width: 2,
    signed: false,
};
const YEAR: Piece = Piece::Num {
    width: 4,
    signed: true,
};

/// `%Y-%m-%d`, the date part of every layout CRM.COM writes.
const DATE: [Piece; 5] = [YEAR, Piece::Lit(b'-'), NUM2, Piece::Lit(b'-'), NUM2];
/// `%H:%M:%S%.f`, the time part.
const TIME: [Piece; 6] = [
    NUM2,
    Piece::Lit(b':'),
    NUM2,
    Piece::Lit(b':'),
    NUM2,
    Piece::Frac,
];

/// Up to `max` ASCII digits (at least `min`) at the start of `s`, as chrono's scanner reads
/// them; `None` on overflow.
fn leading_number(s: &str, min: usize, max: usize) -> Option<(&str, i64, usize)> {
    let n_digits = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n_digits < min {
        return None;
    }
    let mut n = 0i64;
    for b in s.bytes().take(n_digits) {
        n = n
            .checked_mul(10)?
            .checked_add(i64::from(b.checked_sub(b'0')?))?;
    }
    Some((s.get(n_digits..)?, n, n_digits))
}

/// A local date-time in one of CRM.COM's layouts, with chrono's leniency (whitespace before
/// numbers, one-digit fields, leap second 60), written out so that the WASM module does not
/// carry chrono's strftime parser; `crm_com::tests` compares it with chrono on random strings.
fn local_date_time(s: &str) -> Option<NaiveDateTime> {
    // `%Y-%m-%d %H:%M:%S%.f`, `%Y-%m-%dT%H:%M:%S%.f`, `%Y-%m-%d`, in that order.
    let with = |sep: Piece| [&DATE[..], &[sep], &TIME[..]].concat();
    [with(Piece::Space), with(Piece::Lit(b'T')), DATE.to_vec()]
        .iter()
        .find_map(|layout| read_layout(s, layout))
}

fn read_layout(mut s: &str, layout: &[Piece]) -> Option<NaiveDateTime> {
    let mut nums: Vec<i64> = Vec::with_capacity(6);
    let mut nano = 0i64;
    for piece in layout {
        match *piece {
            Piece::Num { width, signed } => {
                s = s.trim_start();
                let (rest, v) = match (signed, s.as_bytes().first()) {
                    (true, Some(b'-')) => {
                        let (rest, v, _) = leading_number(s.get(1..)?, 1, usize::MAX)?;
                        (rest, 0i64.checked_sub(v)?)
                    }
                    (true, Some(b'+')) => {
                        let (rest, v, _) = leading_number(s.get(1..)?, 1, usize::MAX)?;
                        (rest, v)
                    }
                    _ => {
                        let (rest, v, _) = leading_number(s, 1, width)?;
                        (rest, v)
                    }
                };
                nums.push(v);
                s = rest;
            }
            Piece::Lit(c) => s = s.strip_prefix(char::from(c))?,
            Piece::Space => s = s.trim_start(),
            Piece::Frac => {
                if let Some(rest) = s.strip_prefix('.') {
                    let (rest, v, n) = leading_number(rest, 1, 9)?;
                    let scale = 10i64.checked_pow(u32::try_from(9usize.checked_sub(n)?).ok()?)?;
                    nano = v.checked_mul(scale)?;
                    s = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                }
            }
        }
    }
    if !s.is_empty() {
        return None;
    }
    let field = |i: usize, lo: i64, hi: i64| {
        nums.get(i)
            .copied()
            .filter(|v| (lo..=hi).contains(v))
            .and_then(|v| u32::try_from(v).ok())
    };
    let year = i32::try_from(*nums.first()?).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, field(1, 1, 12)?, field(2, 1, 31)?)?;
    if nums.len() == 3 {
        return Some(date.and_time(chrono::NaiveTime::MIN));
    }
    let (sec, leap) = match field(5, 0, 60)? {
        60 => (59, 1_000_000_000),
        v => (v, 0),
    };
    let nano = u32::try_from(nano).ok()?.checked_add(leap)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(field(3, 0, 23)?, field(4, 0, 59)?, sec, nano)?;
    Some(date.and_time(time))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the CRM.COM layouts meant with chrono's own parser.
    fn chrono_reads(s: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
            .ok()
            .or_else(|| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .map(|d| d.and_time(chrono::NaiveTime::MIN))
            })
    }

    #[test]
    fn crm_layouts() {
        for s in [
            "2016-03-15 00:00:00.0",
            "2016-03-15T17:31:06",
            "2016-03-15",
            "2016-3-5 7:0:9.123456789999",
            "+2016-03-15",
            "-0001-03-15 00:00:00",
            " 2016-03-15\t 00:00:00",
            "2016-12-31 23:59:60.5",
            "2016-02-30",
            "2016-03-15 24:00:00",
            "2016-03-15 00:00:00.",
            "2016-03-15 00:00:00Z",
            "20160-03-15",
            "",
        ] {
            assert_eq!(local_date_time(s), chrono_reads(s), "{s:?}");
        }
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => (0u32..100_000, 1usize..6).prop_map(|(n, w)| format!("{n:0w$}")),
            2 => Just("-".to_string()),
            2 => Just(":".to_string()),
            1 => Just(" ".to_string()),
            1 => Just("T".to_string()),
            1 => Just(".".to_string()),
            1 => Just("+".to_string()),
            1 => Just("\t".to_string()),
            1 => Just("x".to_string()),
        ]
    }

    fn near_date() -> impl Strategy<Value = String> {
        prop_oneof![
            // Mostly well-formed, with fields of any width and stray whitespace.
            (
                -20i64..12_000,
                0u32..14,
                0u32..33,
                0u32..26,
                0u32..62,
                0u32..62,
                proptest::option::of(0u32..2_000_000_000),
                0usize..4,
                any::<bool>()
            )
                .prop_map(|(y, mo, d, h, mi, s, f, form, pad)| {
                    let sp = if pad { " " } else { "" };
                    let frac = f.map(|f| format!(".{f}")).unwrap_or_default();
                    match form {
                        0 => format!("{y}-{mo}-{d}"),
                        1 => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}{frac}"),
                        2 => format!("{sp}{y}-{mo}-{d}T{sp}{h}:{mi}:{s}{frac}"),
                        _ => format!("+{y}-{mo:02}-{d:02}  {h}:{mi}:{s}{frac}"),
                    }
                }),
            // And noise from the same alphabet.
            proptest::collection::vec(piece(), 0..14).prop_map(|p| p.concat()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]
        #[test]
        fn reads_as_chrono_reads(s in near_date()) {
            prop_assert_eq!(local_date_time(&s), chrono_reads(&s), "{:?}", s);
        }
    }
}
