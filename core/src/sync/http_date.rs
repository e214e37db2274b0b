//! HTTP dates (`Retry-After: Sun, 06 Nov 1994 08:49:37 GMT`), as RFC 9110 §5.6.7 asks a
//! recipient to read them: IMF-fixdate, the obsolete RFC 850 form (`Sunday, 06-Nov-94
//! 08:49:37 GMT`, a two-digit year more than 50 years ahead of `now` being in the past
//! century) and C's asctime (`Sun Nov  6 08:49:37 1994`). Numeric zones (`+0200`) are read
//! too. Names are matched without regard to case; a weekday that does not fit the date is
//! refused. Written here rather than with chrono's RFC 2822 parser, which does not know the
//! two obsolete HTTP forms and brings its whole format parser into the WASM module.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const LONG_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn weekday(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let i = DAYS
        .iter()
        .position(|d| *d == n)
        .or_else(|| LONG_DAYS.iter().position(|d| *d == n))?;
    u32::try_from(i).ok()
}

fn month(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let i = MONTHS.iter().position(|m| *m == n)?;
    u32::try_from(i.checked_add(1)?).ok()
}

fn digits(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `HH:MM:SS`.
fn time(s: &str) -> Option<NaiveTime> {
    let mut parts = s.split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_opt(digits(h, 2, 2)?, digits(m, 2, 2)?, digits(sec, 2, 2)?)
}

/// The zone's offset from UTC in seconds: GMT, UTC, UT, Z or ±HHMM.
fn zone(s: &str) -> Option<i64> {
    match s.to_ascii_uppercase().as_str() {
        "GMT" | "UTC" | "UT" | "Z" => Some(0),
        z => {
            let (sign, rest) = match z.as_bytes().first()? {
                b'+' => (1, z.get(1..)?),
                b'-' => (-1, z.get(1..)?),
                _ => return None,
            };
            let hhmm = digits(rest, 4, 4)?;
            let (h, m) = (hhmm / 100, hhmm % 100);
            if h >= 24 || m >= 60 {
                return None;
            }
            // h < 24 and m < 60: at most 86,340 seconds.
            let secs = i64::from(h.checked_mul(3600)?.checked_add(m.checked_mul(60)?)?);
            secs.checked_mul(sign)
        }
    }
}

/// Epoch milliseconds of an HTTP date, or `None` when `s` is not one. `now_ms` resolves the
/// century of an RFC 850 two-digit year.
pub fn parse_ms(s: &str, now_ms: i64) -> Option<i64> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let (wd, date, t, off) = match words.as_slice() {
        // IMF-fixdate (and RFC 1123 with a numeric zone): `Sun, 06 Nov 1994 08:49:37 GMT`.
        [wd, d, mon, y, t, z] => {
            let wd = weekday(wd.strip_suffix(',')?)?;
            let date = NaiveDate::from_ymd_opt(
                i32::try_from(digits(y, 4, 4)?).ok()?,
                month(mon)?,
                digits(d, 1, 2)?,
            )?;
            (wd, date, time(t)?, zone(z)?)
        }
        // RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`.
        [wd, dmy, t, z] => {
            let wd = weekday(wd.strip_suffix(',')?)?;
            let mut p = dmy.split('-');
            let (d, mon, y) = (p.next()?, p.next()?, p.next()?);
            if p.next().is_some() {
                return None;
            }
            let yy = i32::try_from(digits(y, 2, 2)?).ok()?;
            let this_year = DateTime::from_timestamp_millis(now_ms)?.year();
            let mut year = this_year
                .checked_sub(this_year.rem_euclid(100))?
                .checked_add(yy)?;
            if year > this_year.checked_add(50)? {
                year = year.checked_sub(100)?;
            }
            let date = NaiveDate::from_ymd_opt(year, month(mon)?, digits(d, 1, 2)?)?;
            (wd, date, time(t)?, zone(z)?)
        }
        // asctime: `Sun Nov  6 08:49:37 1994` (UTC).
        [wd, mon, d, t, y] => {
            let date = NaiveDate::from_ymd_opt(
                i32::try_from(digits(y, 4, 4)?).ok()?,
                month(mon)?,
                digits(d, 1, 2)?,
            )?;
            (weekday(wd)?, date, time(t)?, 0)
        }
        _ => return None,
    };
    if date.weekday().num_days_from_monday() != wd {
        return None;
    }
    let utc = date.and_time(t).and_utc().timestamp().checked_sub(off)?;
    utc.checked_mul(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 784_111_777_000; // 1994-11-06T08:49:37Z

    #[test]
    fn the_three_forms_of_rfc_9110() {
        let now = 1_795_341_600_000; // 2026
        assert_eq!(parse_ms("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(T));
        assert_eq!(parse_ms("Sunday, 06-Nov-94 08:49:37 GMT", now), Some(T));
        assert_eq!(parse_ms("Sun Nov  6 08:49:37 1994", now), Some(T));
        assert_eq!(parse_ms("sun, 06 NOV 1994 08:49:37 gmt", now), Some(T));
        assert_eq!(parse_ms("Sun, 06 Nov 1994 10:49:37 +0200", now), Some(T));
        // RFC 850 years: more than 50 years ahead means the past century.
        assert_eq!(
            parse_ms("Wednesday, 09-Nov-44 08:49:37 GMT", 1_795_341_600_000),
            NaiveDate::from_ymd_opt(2044, 11, 9).map(|d| d
                .and_hms_opt(8, 49, 37)
                .unwrap()
                .and_utc()
                .timestamp_millis())
        );
        assert_eq!(
            parse_ms("Tuesday, 09-Nov-99 08:49:37 GMT", 1_795_341_600_000),
            NaiveDate::from_ymd_opt(1999, 11, 9).map(|d| d
                .and_hms_opt(8, 49, 37)
                .unwrap()
                .and_utc()
                .timestamp_millis())
        );
    }

    #[test]
    fn malformed_dates_are_refused() {
        for s in [
            "",
            "120",
            "Mon, 06 Nov 1994 08:49:37 GMT", // wrong weekday
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 06 Nov 1994 08:49:37 +2400",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994 GMT",
        ] {
            assert_eq!(parse_ms(s, 0), None, "{s}");
        }
    }
}

#[cfg(test)]
mod against_chrono {
    use proptest::prelude::*;

    proptest! {
        /// Every IMF-fixdate (the form servers send) reads as chrono's RFC 2822 parser reads it,
        /// with GMT or a numeric zone.
        #[test]
        fn imf_fixdates_read_as_chrono_reads_them(
            secs in -2_208_988_800i64..253_402_300_799,
            zone in prop_oneof![Just(0i32), -50_400i32..50_400],
        ) {
            let zone = zone - zone % 60;
            let off = chrono::FixedOffset::east_opt(zone).unwrap();
            let t = chrono::DateTime::from_timestamp(secs, 0).unwrap().with_timezone(&off);
            let text = if zone == 0 {
                t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
            } else {
                t.format("%a, %d %b %Y %H:%M:%S %z").to_string()
            };
            let theirs = chrono::DateTime::parse_from_rfc2822(&text).ok().map(|d| d.timestamp_millis());
            prop_assert_eq!(super::parse_ms(&text, 0), theirs, "{}", text);
            prop_assert_eq!(theirs, Some(secs * 1000));
        }
    }
}
