//! IANA time zones from packed tables.
//!
//! The tables are chrono-tz's (same tz database release, same spans, same lookups), packed by
//! `scripts/gen_tzdata.py` into `data.bin`: 149 KB raw and about 16 KB gzip'd, where
//! chrono-tz's own `(i64, FixedTimespan)` arrays take 930 KB of a WASM module. A zone's record
//! is decoded on first use and kept for the life of the process; lookups are binary searches
//! that reproduce chrono-tz's `offset_from_utc_datetime` and `offset_from_local_datetime`
//! exactly. `core/tests/tz_vs_chrono_tz.rs` compares every zone with chrono-tz at every
//! transition, so a chrono-tz upgrade that changes the data fails the tests until
//! `make tzdata` is run.

mod names;

use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, TimeDelta};

use names::{ABBRS, NAME_ENDS, NAME_TEXT, STARTS};

static DATA: &[u8] = include_bytes!("data.bin");

const ZONES: usize = NAME_ENDS.len();

#[allow(
    clippy::declare_interior_mutable_const,
    reason = "a fresh OnceLock per zone slot: the const is the array initialiser, never shared"
)]
const EMPTY: OnceLock<Option<Spans>> = OnceLock::new();
static DECODED: [OnceLock<Option<Spans>>; ZONES] = [EMPTY; ZONES];

/// The offsets of one zone: `first` until the first transition, then `rest[i].1` from
/// `rest[i].0` (UTC seconds) on.
#[derive(Debug)]
struct Spans {
    first: Local,
    rest: Box<[(i64, Local)]>,
}

/// A local time type: the offset from UTC and its abbreviation (`None` where the tz database
/// has only a numeric one).
#[derive(Clone, Copy, Debug)]
struct Local {
    offset: FixedOffset,
    abbr: Option<&'static str>,
}

/// An IANA time zone, e.g. `Europe/Nicosia`. Cheap to copy; compares by name.
#[derive(Clone, Copy)]
pub struct Tz {
    id: u16,
    spans: &'static Spans,
}

impl PartialEq for Tz {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Tz {}

impl fmt::Debug for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Tz {
    /// The chrono-tz release the packed tables were generated from (`chrono-tz 0.10.4`).
    pub const SOURCE: &'static str = names::SOURCE;

    /// The zone called `name` (exact spelling, as in the tz database), if there is one.
    pub fn from_name(name: &str) -> Option<Tz> {
        let id = crate::order::search(ZONES, |i| zone_name(i).as_bytes().cmp(name.as_bytes()))?;
        let start = *STARTS.get(id)?;
        let spans = DECODED
            .get(id)?
            .get_or_init(|| decode(DATA.get(usize::try_from(start).ok()?..)?))
            .as_ref()?;
        Some(Tz {
            id: u16::try_from(id).ok()?,
            spans,
        })
    }

    /// Every zone name the library knows, sorted by bytes.
    pub fn names() -> &'static [&'static str] {
        static ALL: OnceLock<Vec<&'static str>> = OnceLock::new();
        ALL.get_or_init(|| (0..ZONES).map(zone_name).collect())
    }

    /// The zone's name, e.g. `Europe/Nicosia`.
    pub fn name(&self) -> &'static str {
        zone_name(usize::from(self.id))
    }

    /// The zone's transitions: from each UTC second (Unix time) on, the offset given.
    pub fn transitions(&self) -> impl Iterator<Item = (i64, FixedOffset)> + 'static {
        self.spans.rest.iter().map(|&(t, l)| (t, l.offset))
    }

    /// The offset in force at the UTC date-time `utc`.
    pub fn offset_at_utc(&self, utc: &NaiveDateTime) -> FixedOffset {
        self.local_at_utc(utc).offset
    }

    /// The zone abbreviation in force at the UTC date-time `utc` (`EEST`), or the numeric
    /// name the tz database gives when it has none (`+0530`, `-03`), as chrono-tz writes it.
    pub fn abbreviation_at_utc(&self, utc: &NaiveDateTime) -> String {
        let local = self.local_at_utc(utc);
        if let Some(a) = local.abbr {
            return a.to_owned();
        }
        let secs = local.offset.local_minus_utc();
        let (sign, abs) = (if secs < 0 { '-' } else { '+' }, secs.unsigned_abs());
        let mut out = format!("{sign}{:02}", abs / 3600);
        if (abs / 60) % 60 != 0 || abs % 60 != 0 {
            out += &format!("{:02}", (abs / 60) % 60);
        }
        if abs % 60 != 0 {
            out += &format!("{:02}", abs % 60);
        }
        out
    }

    fn local_at_utc(&self, utc: &NaiveDateTime) -> Local {
        let ts = utc.and_utc().timestamp();
        let rest = &self.spans.rest;
        match rest.partition_point(|&(t, _)| t <= ts) {
            0 => self.spans.first,
            k => rest
                .get(k.saturating_sub(1))
                .map_or(self.spans.first, |s| s.1),
        }
    }

    /// The instants whose local time in this zone is `local`: none in a gap, two when the
    /// clocks went back (earlier offset first, as chrono-tz orders them).
    pub fn from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<DateTime<FixedOffset>> {
        let at = |off: FixedOffset| {
            local
                .checked_sub_signed(TimeDelta::seconds(i64::from(off.local_minus_utc())))
                .map(|utc| DateTime::from_naive_utc_and_offset(utc, off))
        };
        match self.local_offsets(local.and_utc().timestamp()) {
            LocalResult::None => LocalResult::None,
            LocalResult::Single(a) => at(a).map_or(LocalResult::None, LocalResult::Single),
            LocalResult::Ambiguous(a, b) => match (at(a), at(b)) {
                (Some(a), Some(b)) => LocalResult::Ambiguous(a, b),
                _ => LocalResult::None,
            },
        }
    }

    /// chrono-tz's `offset_from_local_datetime`: binary search over the local spans, then a
    /// look at the neighbours for an overlap.
    fn local_offsets(&self, ts: i64) -> LocalResult<FixedOffset> {
        let s = self.spans;
        let len = s.rest.len().saturating_add(1);
        let get = |i: usize| match i {
            0 => s.first.offset,
            _ => s
                .rest
                .get(i.saturating_sub(1))
                .map_or(s.first.offset, |x| x.1.offset),
        };
        // Span i in local time: [rest[i-1].0 + off(i), rest[i].0 + off(i)) -- a transition
        // read on the clock of the span it starts and of the span it ends, as in chrono-tz.
        let span = |i: usize| -> (Option<i64>, Option<i64>) {
            let begin = match i {
                0 => None,
                _ => s
                    .rest
                    .get(i.saturating_sub(1))
                    .map(|&(t, l)| t.saturating_add(i64::from(l.offset.local_minus_utc()))),
            };
            let end = s
                .rest
                .get(i)
                .map(|&(t, _)| t.saturating_add(i64::from(get(i).local_minus_utc())));
            (begin, end)
        };
        let contains = |i: usize| -> bool {
            let (begin, end) = span(i);
            begin.is_none_or(|b| b <= ts) && end.is_none_or(|e| ts < e)
        };
        let cmp = |i: usize| -> Ordering {
            match span(i) {
                (Some(a), _) if ts < a => Ordering::Greater,
                (_, Some(b)) if b <= ts => Ordering::Less,
                _ => Ordering::Equal,
            }
        };
        let (mut lo, mut hi) = (0usize, len);
        let found = loop {
            // lo <= hi <= len throughout.
            let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
            if mid == hi {
                break None;
            }
            match cmp(mid) {
                Ordering::Less => lo = mid.saturating_add(1),
                Ordering::Greater => hi = mid,
                Ordering::Equal => break Some(mid),
            }
        };
        match found {
            None => LocalResult::None,
            Some(0) if len == 1 => LocalResult::Single(get(0)),
            Some(0) if contains(1) => LocalResult::Ambiguous(get(0), get(1)),
            Some(0) => LocalResult::Single(get(0)),
            // i >= 1 here, and i < len.
            Some(i) if contains(i.saturating_sub(1)) => {
                LocalResult::Ambiguous(get(i.saturating_sub(1)), get(i))
            }
            Some(i) if i == len.saturating_sub(1) => LocalResult::Single(get(i)),
            Some(i) if contains(i.saturating_add(1)) => {
                LocalResult::Ambiguous(get(i), get(i.saturating_add(1)))
            }
            Some(i) => LocalResult::Single(get(i)),
        }
    }
}

/// The name of zone `id` (`""` past the last).
fn zone_name(id: usize) -> &'static str {
    let start = match id.checked_sub(1) {
        None => 0,
        Some(before) => NAME_ENDS.get(before).map_or(0, |&e| usize::from(e)),
    };
    let end = NAME_ENDS.get(id).map_or(start, |&e| usize::from(e));
    NAME_TEXT.get(start..end).unwrap_or("")
}

/// Decodes one record as the zone loader does, for the fuzzer: whether it decodes.
#[cfg(feature = "sync")]
pub(crate) fn decode_record(bytes: &[u8]) -> bool {
    decode(bytes).is_some()
}

/// The units of a transition's delta in `data.bin`, by its two low bits (as
/// scripts/gen_tzdata.py writes them).
const UNITS: [i64; 3] = [1800, 60, 1];

/// One record of `data.bin` (see scripts/gen_tzdata.py); `None` if it is malformed.
fn decode(mut bytes: &[u8]) -> Option<Spans> {
    let mut next = || -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, tail) = bytes.split_first()?;
            bytes = tail;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    };
    fn unzig(n: u64) -> i64 {
        let half = i64::try_from(n >> 1).unwrap_or(i64::MAX);
        if n & 1 == 0 {
            half
        } else {
            // -half - 1, which cannot overflow for half >= 0.
            !half
        }
    }
    let n_offsets = usize::try_from(next()?).ok()?;
    let mut offsets = Vec::with_capacity(n_offsets.min(64));
    for _ in 0..n_offsets {
        let secs = i32::try_from(unzig(next()?)).ok()?;
        let abbr = match usize::try_from(next()?).ok()? {
            0 => None,
            k => Some(*ABBRS.get(k.checked_sub(1)?)?),
        };
        offsets.push(Local {
            offset: FixedOffset::east_opt(secs)?,
            abbr,
        });
    }
    let first = *offsets.get(usize::try_from(next()?).ok()?)?;
    let n = usize::try_from(next()?).ok()?;
    let mut times = Vec::with_capacity(n.min(4096));
    let mut t = 0i64;
    for _ in 0..n {
        let coded = next()?;
        let unit = *UNITS.get(usize::try_from(coded & 3).ok()?)?;
        t = t.checked_add(unzig(coded >> 2).checked_mul(unit)?)?;
        times.push(t);
    }
    // Then one offset index per transition.
    let indices = bytes.get(..n)?;
    let mut rest = Vec::with_capacity(times.len());
    for (&t, &i) in times.iter().zip(indices) {
        rest.push((t, *offsets.get(usize::from(i))?));
    }
    Some(Spans {
        first,
        rest: rest.into_boxed_slice(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_decodes() {
        for name in Tz::names() {
            let tz = Tz::from_name(name);
            assert!(tz.is_some(), "{name}");
            assert_eq!(tz.map(|t| t.name()), Some(*name));
        }
        assert!(Tz::from_name("Europe/berlin").is_none());
        assert!(Tz::from_name("").is_none());
    }

    #[test]
    fn malformed_records_are_refused() {
        assert!(decode(&[]).is_none());
        assert!(decode(&[1, 0x80]).is_none());
        assert!(
            decode(&[1, 2, 0, 5, 0]).is_none(),
            "first offset index out of range"
        );
        assert!(
            decode(&[1, 2, 200, 1, 0, 0]).is_none(),
            "abbreviation out of range"
        );
        assert!(
            decode(&[1, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0]).is_none(),
            "offset > 1 day"
        );
        assert!(
            decode(&[1, 2, 0, 0, 1, 4]).is_none(),
            "truncated transition"
        );
        assert!(decode(&[1, 2, 0, 0, 0]).is_some());
    }
}
