//! Reading CNH's SAP-shaped JSON answers: a table is one object or an array of them (SAP sends
//! either), a value may come as a string or a number, amounts may carry thousands separators
//! (`2,302.76`) or SAP's trailing minus (`5.00-`). Every error names its path below `body`.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::{Error, Result};

/// Parses an answer body exactly ([`crate::partners::parse_exact`]).
pub(crate) fn parse(body: &str) -> Result<Value> {
    crate::partners::parse_exact(body)
}

/// The object under `key` of `v`, or an error at `at` naming what was expected.
pub(crate) fn object<'a>(v: &'a Value, key: &str, at: &str) -> Result<&'a Value> {
    match v.get(key) {
        Some(x @ Value::Object(_)) => Ok(x),
        _ => Err(Error::invalid(
            at,
            format!("expected an object with `{key}`"),
        )),
    }
}

/// The rows of a table: absent or `null` is none, an array is its elements, one object is
/// one row. Each row comes with its path (`{at}[i]` or `{at}`). Anything else is an error.
pub(crate) fn rows<'a>(v: Option<&'a Value>, at: &str) -> Result<Vec<(String, &'a Value)>> {
    let check = |path: String, x: &'a Value| match x {
        Value::Object(_) => Ok((path, x)),
        _ => Err(Error::invalid(path, "expected an object")),
    };
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, x)| check(format!("{at}[{i}]"), x))
            .collect(),
        Some(x) => check(at.to_string(), x).map(|r| vec![r]),
    }
}

/// A text field: a string as it is, a number as its JSON text, anything else (absent,
/// `null`) empty.
pub(crate) fn text(x: &Value, key: &str) -> String {
    match x.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A text field trimmed of surrounding blanks (SAP pads CHAR fields).
pub(crate) fn trimmed(x: &Value, key: &str) -> String {
    text(x, key).trim().to_string()
}

/// A whole number field (`Integer` in the seed): a number or a string of digits; absent or
/// blank is `None`.
pub(crate) fn whole(x: &Value, key: &str, at: &str) -> Result<Option<u64>> {
    if let Some(v @ (Value::Bool(_) | Value::Array(_) | Value::Object(_))) = x.get(key) {
        return Err(Error::invalid(
            format!("{at}.{key}"),
            format!("`{v}` is not a whole number"),
        ));
    }
    let t = trimmed(x, key);
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u64>().map(Some).map_err(|_| {
        Error::invalid(
            format!("{at}.{key}"),
            format!("`{t}` is not a whole number"),
        )
    })
}

/// An amount field (`Decimal` in the seed), exact: a JSON number, or a string with an
/// optional sign (leading `-`, or SAP's trailing `-`), digits grouped by `,` in threes
/// (`2,302.76`) or not, and an optional `.` fraction. Absent or blank is `None`. A decimal
/// comma (`330,00`) is refused rather than guessed.
pub(crate) fn amount(x: &Value, key: &str, at: &str) -> Result<Option<Decimal>> {
    let path = || format!("{at}.{key}");
    let t = match x.get(key) {
        None | Some(Value::Null) => return Ok(None),
        // Read from the number's text (exact as far as serde_json kept it: docs/decisions.md).
        Some(Value::Number(n)) => {
            return crate::num::exact_decimal(&n.to_string())
                .map(Some)
                .ok_or_else(|| {
                    Error::invalid(
                        path(),
                        format!("`{n}` has no exact decimal (at most 28 decimal places, magnitude below 2^96)"),
                    )
                })
        }
        Some(Value::String(s)) => s.trim(),
        Some(_) => {
            return Err(Error::invalid(
                path(),
                "an amount is a string or a number",
            ))
        }
    };
    if t.is_empty() {
        return Ok(None);
    }
    // A JSON number reaches here as its text ([`parse`]): `1.5e3` is read exactly too.
    parse_amount(t)
        .or_else(|| crate::num::exact_decimal(t))
        .map(Some)
        .ok_or_else(|| {
            Error::invalid(
                path(),
                format!(
                    "`{t}` is not an exact amount such as `2302.76`, `2,302.76` or `5.00-` \
                     (at most 28 decimal places, magnitude below 2^96)"
                ),
            )
        })
}

/// [`amount`]'s text rule on its own (`None` when it is not an amount).
pub(crate) fn parse_amount(t: &str) -> Option<Decimal> {
    let (negative, digits) = if let Some(rest) = t.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = t.strip_suffix('-') {
        (true, rest)
    } else {
        (false, t)
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    if int.is_empty()
        || frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let plain = if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or_default();
        let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
        let rest_ok = groups
            .clone()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
        if !first_ok || !rest_ok {
            return None;
        }
        int.replace(',', "")
    } else if int.bytes().all(|b| b.is_ascii_digit()) {
        int.to_string()
    } else {
        return None;
    };
    let text = match frac {
        Some(f) => format!("{plain}.{f}"),
        None => plain,
    };
    let mut d = Decimal::from_str_exact(&text).ok()?;
    // The digits are unsigned: the sign is the text's (a sign flip cannot overflow).
    d.set_sign_negative(negative);
    Some(d)
}

/// `YYYY-MM-DD` checked as a calendar date, or an error at `at`.
pub(crate) fn date(value: &str, at: &str) -> Result<String> {
    crate::time::parse_date(value)
        .map(|_| value.to_string())
        .ok_or_else(|| Error::invalid(at, format!("`{value}` is not a date (YYYY-MM-DD)")))
}

/// Percent-encodes a query value (RFC 3986: everything but the unreserved characters).
pub(crate) fn query_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `path?k=v&…` with each value percent-encoded, in the order given.
pub(crate) fn with_query(path: &str, params: &[(&str, &str)]) -> String {
    let mut out = path.to_string();
    for (i, (k, v)) in params.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&query_value(v));
    }
    out
}

/// A required request field: non-blank and at most `max` characters, or an error at `at`.
pub(crate) fn required(value: &str, max: usize, at: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(at, "required"));
    }
    optional(value, max, at)
}

/// An optional request field: at most `max` characters, or an error at `at`.
pub(crate) fn optional(value: &str, max: usize, at: &str) -> Result<()> {
    if value.chars().count() > max {
        return Err(Error::invalid(
            at,
            format!("CNH takes at most {max} characters here"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_the_seed_forms_and_refuse_guesses() {
        let ok = [
            ("2,302.76", "2302.76"),
            ("330.00", "330.00"),
            ("0", "0"),
            ("5.00-", "-5.00"),
            ("-1,000", "-1000"),
            ("1,234,567.8", "1234567.8"),
        ];
        for (t, want) in ok {
            assert_eq!(parse_amount(t).unwrap().to_string(), want, "{t}");
        }
        for t in [
            "330,00", "1,23", "12,3456", ",100", "1.", ".5", "--1", "1e3", "1.2.3", "-",
        ] {
            assert!(parse_amount(t).is_none(), "{t}");
        }
    }

    #[test]
    fn numbers_keep_their_text() {
        let v = parse(r#"{"a": 90071992547409.93, "b": [1, -2.50e1], "c": "x\"9", "d": true}"#)
            .unwrap();
        assert_eq!(v["a"], "90071992547409.93");
        assert_eq!(v["b"][1], "-2.50e1");
        assert_eq!(v["c"], "x\"9");
        assert_eq!(v["d"], true);
        // Not JSON: the error is the body's own.
        let e = parse("{\"a\": 1x}").unwrap_err();
        assert_eq!(e.path, "body");
        assert!(e.message.contains("line 1"), "{}", e.message);
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            with_query("/x", &[("a", "b c/é"), ("sap-client", "602")]),
            "/x?a=b%20c%2F%C3%A9&sap-client=602"
        );
    }
}
