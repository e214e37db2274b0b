//! The packed zone tables (core/src/tz) against chrono-tz, the crate they were generated
//! from: same zone names, and for every zone the same offset, abbreviation and local-time
//! resolution at every transition, around it, and every few days from 1800 to 2110.
//! When Cargo.lock moves chrono-tz to new tz data, this fails until `make tzdata` is run.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone};
use warranty_core::time::Tz;

fn naive(ts: i64) -> NaiveDateTime {
    DateTime::from_timestamp(ts, 0)
        .expect("in range")
        .naive_utc()
}

fn theirs_local(tz: chrono_tz::Tz, local: &NaiveDateTime) -> LocalResult<DateTime<FixedOffset>> {
    match tz.from_local_datetime(local) {
        LocalResult::None => LocalResult::None,
        LocalResult::Single(a) => LocalResult::Single(a.fixed_offset()),
        LocalResult::Ambiguous(a, b) => LocalResult::Ambiguous(a.fixed_offset(), b.fixed_offset()),
    }
}

#[test]
fn generated_from_the_locked_chrono_tz() {
    let lock = include_str!("../../Cargo.lock");
    let at = lock
        .find("name = \"chrono-tz\"\nversion = \"")
        .expect("chrono-tz in Cargo.lock");
    let version = lock[at..].lines().nth(1).expect("version line");
    assert_eq!(
        format!(
            "chrono-tz {}",
            version.trim_start_matches("version = ").trim_matches('"')
        ),
        Tz::SOURCE,
        "Cargo.lock moved chrono-tz: run `make tzdata`"
    );
}

#[test]
fn same_zone_names() {
    let mut theirs: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    theirs.sort_unstable();
    assert_eq!(Tz::names(), theirs.as_slice());
    for name in [
        "europe/berlin",
        "Europe/Berlin ",
        "",
        "Mars/Olympus",
        "UTC0",
    ] {
        assert!(Tz::from_name(name).is_none(), "{name}");
        assert!(name.parse::<chrono_tz::Tz>().is_err(), "{name}");
    }
}

#[test]
fn same_offsets_abbreviations_and_local_times_in_every_zone() {
    let (mut utc_checks, mut local_checks) = (0u64, 0u64);
    for theirs in chrono_tz::TZ_VARIANTS {
        let ours = Tz::from_name(theirs.name()).expect("every chrono-tz zone is known");
        assert_eq!(ours.name(), theirs.name());
        let mut instants: Vec<i64> = Vec::new();
        for (t, _) in ours.transitions() {
            for d in [-86_400, -3_601, -1, 0, 1, 3_599, 86_400] {
                instants.push(t + d);
            }
        }
        // Every 3 days and 7 hours from 1800 to 2110 (both sides of the tables' ends).
        let mut t = -5_364_662_400i64;
        while t < 4_417_977_600 {
            instants.push(t);
            t += 3 * 86_400 + 7 * 3_600;
        }
        for &ts in &instants {
            let utc = naive(ts);
            let off = theirs.offset_from_utc_datetime(&utc);
            assert_eq!(
                ours.offset_at_utc(&utc),
                off.fix(),
                "{} at {ts}",
                theirs.name()
            );
            assert_eq!(
                ours.abbreviation_at_utc(&utc),
                off.to_string(),
                "{} at {ts}",
                theirs.name()
            );
            utc_checks += 1;
        }
        // Local times around each transition, read on both sides' clocks: gaps, overlaps
        // and their edges.
        let mut locals: Vec<i64> = Vec::new();
        let mut prev = ours.offset_at_utc(&naive(i64::MIN / 4_000_000));
        for (t, off) in ours.transitions() {
            for base in [
                t + i64::from(prev.local_minus_utc()),
                t + i64::from(off.local_minus_utc()),
            ] {
                for d in [-3_601, -3_600, -1, 0, 1, 1_800, 3_599, 3_600] {
                    locals.push(base + d);
                }
            }
            prev = off;
        }
        locals.extend(instants.iter().step_by(5));
        for ts in locals {
            let local = naive(ts);
            assert_eq!(
                ours.from_local_datetime(&local),
                theirs_local(theirs, &local),
                "{} local {local}",
                theirs.name()
            );
            local_checks += 1;
        }
    }
    assert!(
        utc_checks > 500_000 && local_checks > 500_000,
        "{utc_checks} {local_checks}"
    );
}
