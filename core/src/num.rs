//! Exact numbers: a JSON number's text read into a `Decimal` without floating point.
//!
//! A number's text (a partner's `90071992547409.93`: CNH's SAP answers are read with every
//! number kept as text, `partners::cnh::sap::parse`; serde_json's `arbitrary_precision` is
//! not enabled, docs/decisions.md). [`exact_decimal`] reads
//! them, exponent included, into the `Decimal` they denote, or refuses them when that
//! `Decimal` does not exist (more than 28 decimal places that are not trailing zeros, or a
//! magnitude beyond ±(2⁹⁶−1)): never rounded.

use rust_decimal::Decimal;

/// The exact `Decimal` a JSON number (`-12.5`, `1.5e3`, `7E-2`) denotes; `None` when `text`
/// is not a JSON number or its value has no exact `Decimal`.
pub(crate) fn exact_decimal(text: &str) -> Option<Decimal> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (rest.get(..i)?, Some(rest.get(i.checked_add(1)?..)?)),
        None => (rest, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    if mantissa.contains('.') && !digits(frac) {
        return None;
    }
    let exp: i64 = match exponent {
        None => 0,
        Some(e) => {
            let body = e.strip_prefix(['+', '-']).unwrap_or(e);
            // An exponent of more than 6 digits cannot give an exact Decimal unless the
            // mantissa is zero, and then the value is zero.
            if !digits(body) {
                return None;
            }
            let magnitude: i64 = if body.len() > 6 {
                1_000_000
            } else {
                body.parse().ok()?
            };
            if e.starts_with('-') {
                magnitude.checked_neg()?
            } else {
                magnitude
            }
        }
    };
    // The value is `all × 10^(−scale)`.
    let mut all: String = int.chars().chain(frac.chars()).collect();
    let trimmed = all.trim_start_matches('0').len();
    if trimmed == 0 {
        return Some(Decimal::ZERO);
    }
    all = all.split_off(all.len().checked_sub(trimmed)?);
    let mut scale = i64::try_from(frac.len()).ok()?.checked_sub(exp)?;
    while scale > 28 && all.ends_with('0') {
        all.pop();
        scale = scale.checked_sub(1)?;
    }
    if scale > 28 {
        return None;
    }
    if scale < 0 {
        let zeros = usize::try_from(scale.checked_neg()?).ok()?;
        if all.len().checked_add(zeros)? > 29 {
            return None;
        }
        all.extend(std::iter::repeat_n('0', zeros));
        scale = 0;
    }
    if all.len() > 29 {
        return None;
    }
    let m: i128 = all.parse().ok()?;
    let m = if negative { m.checked_neg()? } else { m };
    Decimal::try_from_i128_with_scale(m, u32::try_from(scale).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_text_exactly() {
        for (t, want) in [
            ("90071992547409.93", "90071992547409.93"),
            ("12345678.123456789012", "12345678.123456789012"),
            ("0", "0"),
            ("-0.50", "-0.50"),
            ("1.5e3", "1500"),
            ("15E-1", "1.5"),
            ("1e28", "10000000000000000000000000000"),
            (
                "79228162514264337593543950335",
                "79228162514264337593543950335",
            ),
            (
                "-79228162514264337593543950335",
                "-79228162514264337593543950335",
            ),
            (
                "0.0000000000000000000000000001",
                "0.0000000000000000000000000001",
            ),
            (
                "1.50000000000000000000000000000000",
                "1.5000000000000000000000000000",
            ),
            ("0e-400", "0"),
            ("12345678901234567", "12345678901234567"),
        ] {
            assert_eq!(
                exact_decimal(t).map(|d| d.to_string()).as_deref(),
                Some(want),
                "{t}"
            );
        }
    }

    #[test]
    fn refuses_what_has_no_exact_decimal() {
        for t in [
            "1e-400",
            "1e29",
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
            "1e9999999999",
            "",
            "-",
            "01",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "0x10",
            "NaN",
            "true",
        ] {
            assert_eq!(exact_decimal(t), None, "{t}");
        }
    }
}
