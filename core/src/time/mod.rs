//! The time model of DESIGN.md §3: instants, calendars, durations and expiry.
//!
//! Calendar arithmetic happens on the local civil date-time of a [`Calendar`] (an IANA zone
//! or a fixed offset) and is resolved back to an instant as java.time's
//! `ZonedDateTime.plusDays/plusMonths` does: a nonexistent local time moves forward by the
//! length of the gap; an ambiguous one keeps the offset the arithmetic started from when that
//! offset is one of the two, otherwise takes the earlier one.

use std::fmt;
use std::str::FromStr;

pub(crate) mod tz;

use chrono::{
    DateTime, Datelike, Days, FixedOffset, LocalResult, Months, NaiveDate, NaiveDateTime,
    TimeDelta, TimeZone, Timelike,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
pub use tz::Tz;

/// An instant: a point on the time line with the offset it was written in.
///
/// Parsed from RFC 3339 (`2016-03-02T17:31:06+02:00` or `...Z`); a bare date, or a date-time
/// without an offset, is rejected. Rendered as `YYYY-MM-DDTHH:MM:SS±HH:MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Instant(pub DateTime<FixedOffset>);

/// Earliest year an instant may have, so that every result renders as four digits.
pub const MIN_YEAR: i32 = 1;
/// Latest year an instant may have.
pub const MAX_YEAR: i32 = 9999;

impl Instant {
    /// The instant `ms` milliseconds after 1970-01-01T00:00:00Z, in UTC (`None` beyond
    /// chrono's range). The sync layer's times are epoch milliseconds.
    pub fn from_unix_millis(ms: i64) -> Option<Self> {
        DateTime::from_timestamp_millis(ms).map(|t| Instant(t.fixed_offset()))
    }

    /// Parses an RFC 3339 instant. The error is a plain sentence for the caller to place.
    pub fn parse(s: &str) -> Result<Self, String> {
        let dt = match fast_rfc3339(s) {
            Some(dt) => dt,
            None => DateTime::parse_from_rfc3339(s).map_err(|_| {
            format!(
                "`{s}` is not an instant: expected RFC 3339 date, time and offset, e.g. 2016-03-02T17:31:06+02:00"
            )
            })?,
        };
        let year = dt.naive_utc().year();
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || !(MIN_YEAR..=MAX_YEAR).contains(&dt.year()) {
            return Err(format!(
                "`{s}` is outside the supported years {MIN_YEAR}..={MAX_YEAR}"
            ));
        }
        Ok(Instant(dt))
    }

    /// The same instant written in `offset`.
    pub fn with_offset(self, offset: FixedOffset) -> Self {
        Instant(self.0.with_timezone(&offset))
    }

    /// The offset this instant was written in.
    pub fn offset(self) -> FixedOffset {
        *self.0.offset()
    }
}

impl Instant {
    /// The RFC 3339 text (`2026-05-01T12:00:00+02:00`, seconds in the offset when it has
    /// them) in a stack buffer: the bytes and how many are used.
    fn render(&self) -> ([u8; 28], usize) {
        // Hand-rolled: this runs for every instant of every response.
        let d = self.0;
        let mut b = *b"0000-00-00T00:00:00+00:00:00";
        fn put(b: &mut [u8], at: usize, v: u32, width: usize) {
            let mut v = v;
            for i in (0..width).rev() {
                if let Some(slot) = at.checked_add(i).and_then(|k| b.get_mut(k)) {
                    // A digit: `v % 10` is below 10.
                    *slot = b"0123456789"
                        .get(usize::try_from(v.rem_euclid(10)).unwrap_or(0))
                        .copied()
                        .unwrap_or(b'0');
                }
                v = v.div_euclid(10);
            }
        }
        put(&mut b, 0, d.year().unsigned_abs(), 4);
        put(&mut b, 5, d.month(), 2);
        put(&mut b, 8, d.day(), 2);
        put(&mut b, 11, d.hour(), 2);
        put(&mut b, 14, d.minute(), 2);
        put(&mut b, 17, d.second(), 2);
        let secs = self.offset().local_minus_utc();
        if secs < 0 {
            if let Some(s) = b.get_mut(19) {
                *s = b'-';
            }
        }
        let a = secs.unsigned_abs();
        put(&mut b, 20, a / 3600, 2);
        put(&mut b, 23, (a / 60) % 60, 2);
        // Local mean time offsets of the 19th century carry seconds; keep them exact.
        let len = if a % 60 == 0 {
            25
        } else {
            put(&mut b, 26, a % 60, 2);
            28
        };
        (b, len)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (b, len) = self.render();
        f.write_str(std::str::from_utf8(b.get(..len).unwrap_or_default()).unwrap_or_default())
    }
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (b, len) = self.render();
        s.serialize_str(std::str::from_utf8(b.get(..len).unwrap_or_default()).unwrap_or_default())
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(ParsedStr(Instant::parse, "an RFC 3339 instant"))
    }
}

/// Deserializes a string through `parse` inside the string visitor, so that serde_json places
/// a parse error at the string itself (which is how error paths are found).
pub(crate) struct ParsedStr<T>(pub fn(&str) -> Result<T, String>, pub &'static str);

impl<T> serde::de::Visitor<'_> for ParsedStr<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.1)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
}

/// The local calendar that day counting and calendar arithmetic use: an IANA zone, or the
/// fixed offset of the operation's home instant when no zone is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calendar {
    /// A fixed UTC offset with no daylight saving.
    Fixed(FixedOffset),
    /// An IANA time zone, e.g. `Europe/Nicosia`.
    Zone(Tz),
}

impl Calendar {
    /// The calendar for an operation: `zone` when given, else the offset of `home`.
    pub fn for_operation(zone: Option<Zone>, home: Instant) -> Self {
        match zone {
            Some(z) => Calendar::Zone(z.0),
            None => Calendar::Fixed(home.offset()),
        }
    }

    /// The offset in force at `instant` in this calendar.
    pub fn offset_at(&self, instant: Instant) -> FixedOffset {
        match self {
            Calendar::Fixed(o) => *o,
            Calendar::Zone(tz) => tz.offset_at_utc(&instant.0.naive_utc()),
        }
    }

    /// `instant` written in this calendar's local offset.
    pub fn localize(&self, instant: Instant) -> Instant {
        instant.with_offset(self.offset_at(instant))
    }

    /// The local civil date-time of `instant`.
    pub fn local(&self, instant: Instant) -> NaiveDateTime {
        self.localize(instant).0.naive_local()
    }

    /// The local date of `instant`.
    pub fn date(&self, instant: Instant) -> NaiveDate {
        self.local(instant).date()
    }

    /// Turns a local civil date-time into an instant. In a gap it moves forward by the length
    /// of the gap; when ambiguous it takes `prefer` if that is one of the two offsets, else the
    /// earlier instant.
    pub fn resolve(&self, local: NaiveDateTime, prefer: Option<FixedOffset>) -> Option<Instant> {
        let dt = match self {
            Calendar::Fixed(o) => o.from_local_datetime(&local).single()?,
            Calendar::Zone(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => t,
                LocalResult::Ambiguous(a, b) => {
                    let (early, late) = if a <= b { (a, b) } else { (b, a) };
                    match prefer {
                        Some(p) if *late.offset() == p => late,
                        _ => early,
                    }
                }
                LocalResult::None => {
                    // The offset in force just before the gap: read it a day earlier.
                    let probe = local.checked_sub_signed(TimeDelta::days(1))?;
                    let before = tz.offset_at_utc(&probe);
                    let utc = local.checked_sub_signed(TimeDelta::seconds(i64::from(
                        before.local_minus_utc(),
                    )))?;
                    let after = tz.offset_at_utc(&utc);
                    DateTime::from_naive_utc_and_offset(utc, after)
                }
            },
        };
        let inst = Instant(dt);
        in_range(inst).then_some(inst)
    }

    /// Local calendar days from `a`'s date to `b`'s date (negative when `b` is earlier).
    pub fn days_between(&self, a: Instant, b: Instant) -> i64 {
        self.date(b).signed_duration_since(self.date(a)).num_days()
    }
}

pub(crate) fn in_range(i: Instant) -> bool {
    let y = i.0.year();
    let yu = i.0.naive_utc().year();
    (MIN_YEAR..=MAX_YEAR).contains(&y) && (MIN_YEAR..=MAX_YEAR).contains(&yu)
}

/// An IANA time zone name from a request (`"zone": "Europe/Berlin"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zone(pub Tz);

impl FromStr for Zone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Tz::from_name(s)
            .map(Zone)
            .ok_or_else(|| format!("`{s}` is not an IANA time zone name such as Europe/Berlin"))
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(ParsedStr(str::parse, "an IANA time zone name"))
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name())
    }
}

/// Unit of a duration. `weeks` are 7 days, `years` are 12 months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Calendar days (local wall-clock time kept across DST changes).
    Days,
    /// 7 calendar days.
    Weeks,
    /// Calendar months, clamped to the last day of the month.
    Months,
    /// 12 calendar months.
    Years,
}

impl Unit {
    fn word(self, n: u32) -> &'static str {
        match (self, n == 1) {
            (Unit::Days, true) => "day",
            (Unit::Days, false) => "days",
            (Unit::Weeks, true) => "week",
            (Unit::Weeks, false) => "weeks",
            (Unit::Months, true) => "month",
            (Unit::Months, false) => "months",
            (Unit::Years, true) => "year",
            (Unit::Years, false) => "years",
        }
    }
}

/// A duration: a non-negative whole number of a [`Unit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duration {
    /// How many units.
    pub value: u32,
    /// Which unit.
    pub unit: Unit,
}

impl Duration {
    /// `value` units.
    pub const fn new(value: u32, unit: Unit) -> Self {
        Duration { value, unit }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit.word(self.value))
    }
}

impl Duration {
    /// The pieces of the [`Display`](fmt::Display) text (`90 days`, `1 year`): the number,
    /// written into `digits`, a space and the unit's word.
    pub fn parts<'a>(&self, digits: &'a mut Digits) -> [&'a str; 3] {
        [
            digits.of(i64::from(self.value)),
            " ",
            self.unit.word(self.value),
        ]
    }
}

/// How a coverage end is placed: exactly at the computed instant, or at the start of the next
/// local day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryMode {
    /// The end is start + duration, to the second.
    #[default]
    Exact,
    /// The end moves to the start of the local day after start + duration.
    EndOfDay,
}

/// The result of adding a duration went outside the supported years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the result falls outside the supported years 1..=9999")]
pub struct OutOfRange;

/// Adds a local civil date offset to `start` in `cal`, keeping the wall-clock time and
/// resolving with `start`'s offset preferred. Counted from `start`, never step by step.
pub fn add_duration(start: Instant, d: Duration, cal: Calendar) -> Result<Instant, OutOfRange> {
    let here = cal.localize(start);
    let local = here.0.naive_local();
    let date = shift_date(local.date(), d).ok_or(OutOfRange)?;
    cal.resolve(date.and_time(local.time()), Some(here.offset()))
        .ok_or(OutOfRange)
}

/// Moves a local date by a duration (months clamp to the month's last day).
pub fn shift_date(date: NaiveDate, d: Duration) -> Option<NaiveDate> {
    match d.unit {
        Unit::Days => date.checked_add_days(Days::new(u64::from(d.value))),
        Unit::Weeks => date.checked_add_days(Days::new(u64::from(d.value) * 7)),
        Unit::Months => date.checked_add_months(Months::new(d.value)),
        Unit::Years => date.checked_add_months(Months::new(d.value.checked_mul(12)?)),
    }
}

/// The start of the local day after `t` (ambiguous midnights take the earlier instant; a
/// midnight inside a gap moves forward by the gap).
pub fn start_of_next_day(t: Instant, cal: Calendar) -> Result<Instant, OutOfRange> {
    let next = cal.date(t).succ_opt().ok_or(OutOfRange)?;
    cal.resolve(next.and_time(chrono::NaiveTime::MIN), None)
        .ok_or(OutOfRange)
}

/// The expiry of a coverage starting at `start`: start + duration, then moved to the next
/// local midnight in `EndOfDay` mode. Rendered in `cal`.
pub fn expiry(
    start: Instant,
    d: Duration,
    mode: ExpiryMode,
    cal: Calendar,
) -> Result<Instant, OutOfRange> {
    let end = add_duration(start, d, cal)?;
    match mode {
        ExpiryMode::Exact => Ok(end),
        ExpiryMode::EndOfDay => start_of_next_day(end, cal),
    }
}

/// Human date for messages, `1 Jun 2027`, in the instant's own offset: pass instants already
/// written in the operation's calendar ([`Calendar::localize`]).
#[inline(never)] // one copy for its many callers: the rules module is size-bound
pub fn human_date(t: Instant) -> String {
    let mut digits = Default::default();
    human_date_parts(t, &mut digits).concat()
}

/// The pieces of [`human_date`] (day, space, month, space, year), the numbers written into
/// `digits`: a message that carries a date joins them with its own pieces in one `concat`,
/// without the formatting machinery (every answered `resolve` writes one).
pub fn human_date_parts(t: Instant, digits: &mut [Digits; 2]) -> [&str; 5] {
    let d = t.0.date_naive();
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.get(d.month0() as usize).copied().unwrap_or("???");
    let [day, year] = digits;
    [
        day.of(i64::from(d.day())),
        " ",
        month,
        " ",
        year.of(i64::from(d.year())),
    ]
}

/// Room for an integer in decimal: [`Digits::of`] writes what `{}` prints for it.
#[derive(Default)]
pub struct Digits([u8; 20]);

impl Digits {
    /// `v` in decimal (a `-` first when negative), in this buffer.
    #[inline(never)]
    pub fn of(&mut self, v: i64) -> &str {
        let b = &mut self.0;
        let mut at = b.len();
        let mut u = v.unsigned_abs();
        while let Some(i) = at.checked_sub(1) {
            if let Some(slot) = b.get_mut(i) {
                // `u % 10` is below 10: one of the ten digits.
                *slot = b"0123456789"
                    .get(usize::try_from(u % 10).unwrap_or(0))
                    .copied()
                    .unwrap_or(b'0');
            }
            at = i;
            u /= 10;
            if u == 0 {
                break;
            }
        }
        // i64's 19 digits and its sign fit in 20 bytes.
        if v < 0 {
            if let Some(i) = at.checked_sub(1) {
                if let Some(slot) = b.get_mut(i) {
                    *slot = b'-';
                }
                at = i;
            }
        }
        std::str::from_utf8(b.get(at..).unwrap_or_default()).unwrap_or_default()
    }
}

/// The common shape `YYYY-MM-DDTHH:MM:SS` then `Z` or `±HH:MM`, read without chrono's general
/// parser (catalogs carry two instants per policy); `None` for anything else (fractions,
/// leap seconds, lowercase, out-of-range fields), which then takes chrono's reading, so the
/// answer is always chrono's.
fn fast_rfc3339(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    if !(b.len() == 20 || b.len() == 25) {
        return None;
    }
    let digits = |from: usize, n: usize| -> Option<u32> {
        let mut v: u32 = 0;
        for &c in b.get(from..from.checked_add(n)?)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v
                .checked_mul(10)?
                .checked_add(u32::from(c.checked_sub(b'0')?))?;
        }
        Some(v)
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(0, 4)?).ok()?,
        digits(5, 2)?,
        digits(8, 2)?,
    )?;
    let sec = digits(17, 2)?;
    if sec > 59 {
        return None;
    }
    let time = chrono::NaiveTime::from_hms_opt(digits(11, 2)?, digits(14, 2)?, sec)?;
    let offset = if b.len() == 20 {
        if !at(19, b'Z') {
            return None;
        }
        FixedOffset::east_opt(0)?
    } else {
        let sign: i32 = match b.get(19) {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        if !at(22, b':') {
            return None;
        }
        let (h, m) = (digits(20, 2)?, digits(23, 2)?);
        if h > 23 || m > 59 {
            return None;
        }
        let secs = i32::try_from(h.checked_mul(3600)?.checked_add(m.checked_mul(60)?)?).ok()?;
        FixedOffset::east_opt(sign.checked_mul(secs)?)?
    };
    date.and_time(time).and_local_timezone(offset).single()
}

/// A strict `YYYY-MM-DD` calendar date (claims, statutory presets and partner answers
/// write dates so).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok());
    let year = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

#[cfg(test)]
mod fast_parse_tests {
    use super::*;

    #[test]
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "test arithmetic on small numbers"
    )]
    fn the_fast_path_reads_what_chrono_reads() {
        let mut cases: Vec<String> = vec![
            "2016-03-02T17:31:06+02:00".into(),
            "2016-03-02T17:31:06Z".into(),
            "2016-03-02T17:31:06z".into(),
            "2016-03-02t17:31:06Z".into(),
            "2016-02-30T17:31:06Z".into(),
            "2016-03-02T24:00:00Z".into(),
            "2016-03-02T23:59:60Z".into(),
            "2016-03-02T17:31:06-23:59".into(),
            "2016-03-02T17:31:06+24:00".into(),
            "2016-03-02T17:31:06+02:60".into(),
            "0001-01-01T00:00:00+01:00".into(),
            "9999-12-31T23:59:59-01:00".into(),
            "2016-03-02 17:31:06+02:00".into(),
            "2016-03-02T17:31:06.5+02:00".into(),
            "2016-03-02T17:31:06+0200".into(),
            "+016-03-02T17:31:06+02:00".into(),
        ];
        // Every position of a valid instant replaced by every byte class.
        let base = "2024-02-29T23:59:59-05:30";
        for i in 0..base.len() {
            for c in ['0', '9', '5', '-', '+', ':', 'T', 'Z', ' ', 'x'] {
                let mut t: Vec<char> = base.chars().collect();
                t[i] = c;
                cases.push(t.into_iter().collect());
            }
        }
        for c in &cases {
            let chrono = DateTime::parse_from_rfc3339(c).ok();
            if let Some(fast) = fast_rfc3339(c) {
                assert_eq!(Some(fast), chrono, "{c}");
                assert_eq!(fast.offset(), chrono.unwrap().offset(), "{c}");
            }
        }
        assert!(fast_rfc3339(base).is_some());
        assert!(fast_rfc3339("2016-03-02T17:31:06Z").is_some());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2024-02-29").is_some());
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "2024-02-29T00:00",
            " 2024-02-29",
            "20240229",
            "",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    fn i(s: &str) -> Instant {
        Instant::parse(s).unwrap()
    }
    fn zone(s: &str) -> Calendar {
        Calendar::Zone(s.parse::<Zone>().unwrap().0)
    }

    #[test]
    fn rejects_bare_dates_and_missing_offsets() {
        assert!(Instant::parse("2025-01-01").is_err());
        assert!(Instant::parse("2025-01-01T10:00:00").is_err());
        assert!(Instant::parse("2025-02-30T10:00:00Z").is_err());
        assert!(Instant::parse("2025-01-01T10:00:00Z").is_ok());
    }

    #[test]
    fn digits_print_what_display_prints() {
        for v in [
            0,
            1,
            9,
            10,
            99,
            100,
            4625,
            -1,
            -10,
            1_000_000,
            i64::from(u32::MAX),
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(Digits::default().of(v), v.to_string());
        }
        for d in [
            Duration::new(1, Unit::Years),
            Duration::new(90, Unit::Days),
            Duration::new(u32::MAX, Unit::Weeks),
        ] {
            assert_eq!(d.parts(&mut Digits::default()).concat(), d.to_string());
        }
        assert_eq!(human_date(i("0001-01-01T00:00:00Z")), "1 Jan 1");
        assert_eq!(human_date(i("9999-12-31T23:59:59+14:00")), "31 Dec 9999");
        assert_eq!(human_date(i("2023-04-21T17:00:00+01:00")), "21 Apr 2023");
    }

    #[test]
    fn renders_utc_as_plus_zero() {
        assert_eq!(
            i("2025-01-01T10:00:00Z").to_string(),
            "2025-01-01T10:00:00+00:00"
        );
        assert_eq!(
            i("2025-01-01T10:00:00.999-03:30").to_string(),
            "2025-01-01T10:00:00-03:30"
        );
    }

    #[test]
    fn crm_example_across_dst() {
        let cal = zone("Europe/Nicosia");
        let s = i("2016-03-02T17:31:06+02:00");
        let e = add_duration(s, Duration::new(140, Unit::Days), cal).unwrap();
        assert_eq!(cal.localize(e).to_string(), "2016-07-20T17:31:06+03:00");
        assert_eq!(cal.days_between(s, e), 140);
    }

    #[test]
    fn gap_moves_forward_and_fold_keeps_offset() {
        let cal = zone("America/New_York");
        let s = i("2026-03-07T02:15:00-05:00");
        let e = add_duration(s, Duration::new(1, Unit::Days), cal).unwrap();
        assert_eq!(e.to_string(), "2026-03-08T03:15:00-04:00");
        // Fold: 2026-11-01 01:30 happens twice in New York.
        let early = i("2026-10-31T01:30:00-04:00");
        let e = add_duration(early, Duration::new(1, Unit::Days), cal).unwrap();
        assert_eq!(e.to_string(), "2026-11-01T01:30:00-04:00");
        let late = i("2026-11-01T01:30:00-05:00");
        let z = add_duration(late, Duration::new(0, Unit::Days), cal).unwrap();
        assert_eq!(z, late);
        assert_eq!(z.to_string(), "2026-11-01T01:30:00-05:00");
        // Preferred offset that is neither of the two: the earlier instant.
        let fold = NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        let utc = FixedOffset::east_opt(0).unwrap();
        let r = cal.resolve(fold, Some(utc)).unwrap();
        assert_eq!(r.to_string(), "2026-11-01T01:30:00-04:00");
        let r = cal
            .resolve(fold, Some(FixedOffset::west_opt(5 * 3600).unwrap()))
            .unwrap();
        assert_eq!(r.to_string(), "2026-11-01T01:30:00-05:00");
    }

    #[test]
    fn months_clamp() {
        let cal = Calendar::Fixed(FixedOffset::east_opt(3600).unwrap());
        let s = i("2024-01-31T10:00:00+01:00");
        assert_eq!(
            add_duration(s, Duration::new(1, Unit::Months), cal)
                .unwrap()
                .to_string(),
            "2024-02-29T10:00:00+01:00"
        );
        assert_eq!(
            add_duration(s, Duration::new(3, Unit::Months), cal)
                .unwrap()
                .to_string(),
            "2024-04-30T10:00:00+01:00"
        );
    }

    #[test]
    fn out_of_range_is_an_error() {
        let cal = Calendar::Fixed(FixedOffset::east_opt(0).unwrap());
        let s = i("9999-06-01T00:00:00Z");
        assert_eq!(
            add_duration(s, Duration::new(1, Unit::Years), cal),
            Err(OutOfRange)
        );
        assert!(add_duration(s, Duration::new(u32::MAX, Unit::Years), cal).is_err());
    }
}
