//! Proptest strategies and reusable invariant checks, for this crate's tests and for hosts'
//! testers (cargo feature `testing`).
//!
//! ```
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//! use warranty_core::testing::{self, arb_calendar, arb_instant};
//!
//! // In a host's test suite this is usually a `proptest! { #[test] fn ... }` block.
//! let mut runner = TestRunner::default();
//! runner
//!     .run(&(arb_instant(), arb_calendar()), |(start, cal)| {
//!         testing::check_zero_identity(start, cal).map_err(TestCaseError::fail)
//!     })
//!     .unwrap();
//! ```
//!
//! Every `check_*` function returns `Err(description)` when the invariant fails, so a host can
//! call it from its own property tests, with its own generators.

pub mod claims;
pub mod stack;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use proptest::prelude::*;

use crate::time::{
    add_duration, expiry, shift_date, Calendar, Duration, ExpiryMode, Instant, Unit,
};
use crate::warranty::catalog::{applies, compare_candidates, Candidates, Catalog, Item};
use crate::warranty::coverage::{replace, Outcome, ReplaceQuery, WarrantyRecord};
use crate::warranty::policy::{Cover, CoverKind, Policy, Reason, ReplacementMode, State};

/// Zones with gaps and folds at different hours, half-hour offsets and both hemispheres.
pub const ZONES: &[&str] = &[
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Nicosia",
    "America/New_York",
    "America/Santiago",
    "America/St_Johns",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Asia/Tehran",
];

/// A calendar: one of [`ZONES`] or a fixed offset in quarter hours.
pub fn arb_calendar() -> impl Strategy<Value = Calendar> {
    prop_oneof![
        (0..ZONES.len()).prop_filter_map("zone", |i| {
            ZONES
                .get(i)
                .and_then(|z| crate::time::Tz::from_name(z))
                .map(Calendar::Zone)
        }),
        arb_offset().prop_map(Calendar::Fixed),
    ]
}

/// A fixed offset between -12:00 and +14:00 in quarter hours.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "at most 56 quarter hours of 900 seconds"
)]
pub fn arb_offset() -> impl Strategy<Value = FixedOffset> {
    (-48i32..=56).prop_filter_map("offset", |q| FixedOffset::east_opt(q * 900))
}

/// An instant between 1990 and 2060 in a random fixed offset, on whole seconds.
pub fn arb_instant() -> impl Strategy<Value = Instant> {
    (631_152_000i64..2_871_763_200, arb_offset()).prop_filter_map("instant", |(secs, off)| {
        DateTime::from_timestamp(secs, 0).map(|t| Instant(t.with_timezone(&off)))
    })
}

/// An instant biased towards local times near DST transitions (01:00–03:59, 23:00–00:59).
pub fn arb_tricky_instant() -> impl Strategy<Value = Instant> {
    prop_oneof![
        arb_instant(),
        (
            0i64..25_567,
            prop_oneof![3_600u32..14_400, 82_800u32..86_400, 0u32..3_600],
            arb_offset()
        )
            .prop_filter_map("tricky", |(day, sec, off)| {
                let date = NaiveDate::from_ymd_opt(1990, 1, 1)?
                    .checked_add_days(chrono::Days::new(u64::try_from(day).ok()?))?;
                let t = NaiveTime::from_num_seconds_from_midnight_opt(sec, 0)?;
                off.from_local_datetime(&date.and_time(t))
                    .single()
                    .map(Instant)
            }),
    ]
}

/// A unit.
pub fn arb_unit() -> impl Strategy<Value = Unit> {
    prop_oneof![
        Just(Unit::Days),
        Just(Unit::Weeks),
        Just(Unit::Months),
        Just(Unit::Years)
    ]
}

/// A duration of up to 3,000 days, 400 weeks, 400 months or 30 years.
pub fn arb_duration() -> impl Strategy<Value = Duration> {
    arb_unit().prop_flat_map(|u| {
        let max = match u {
            Unit::Days => 3_000u32,
            Unit::Weeks => 400,
            Unit::Months => 400,
            Unit::Years => 30,
        };
        (0..=max).prop_map(move |v| Duration::new(v, u))
    })
}

const VOCAB: &[&str] = &["A", "B", "C", "D"];

fn arb_cover() -> impl Strategy<Value = Cover> {
    (0..4usize, 0..VOCAB.len()).prop_map(|(k, v)| Cover {
        kind: CoverKind::ALL.get(k).copied().unwrap_or(CoverKind::Family),
        value: VOCAB.get(v).copied().unwrap_or("A").to_string(),
    })
}

/// A valid policy whose covers, reasons, dates and units come from a small vocabulary, so that
/// generated items and catalogs collide often.
pub fn arb_policy() -> impl Strategy<Value = Policy> {
    (
        "[A-Z]{1,3}",
        "[0-9]{0,2}",
        arb_duration(),
        prop_oneof![Just(ExpiryMode::Exact), Just(ExpiryMode::EndOfDay)],
        prop_oneof![
            Just(ReplacementMode::CarryOver),
            Just(ReplacementMode::ApplyNew),
            Just(ReplacementMode::NoWarranty)
        ],
        prop::option::of(arb_instant()),
        prop::option::of(arb_instant()),
        prop::collection::vec(arb_cover(), 0..4),
        prop::collection::vec(prop::option::of(any::<bool>()), 0..3),
        prop::collection::vec(0..3usize, 0..2),
        any::<bool>(),
    )
        .prop_map(
            |(id, number, duration, exp, repl, from, until, covers, reasons, bus, off)| {
                let mut p = Policy::new(id, duration);
                p.number = number;
                p.expiry = exp;
                p.replacement = repl;
                p.effective_from = from;
                p.effective_until = until;
                p.covers = covers;
                p.reasons = reasons
                    .into_iter()
                    .enumerate()
                    .map(|(i, pc)| Reason {
                        id: format!("R{i}"),
                        provides_coverage: pc,
                        replacement: None,
                        name: None,
                    })
                    .collect();
                p.business_units = bus.into_iter().map(|b| format!("BU{b}")).collect();
                p.state = if off {
                    State::NotEffective
                } else {
                    State::Effective
                };
                p
            },
        )
}

/// A catalog's policies with unique ids.
pub fn arb_catalog() -> impl Strategy<Value = Vec<Policy>> {
    prop::collection::vec(arb_policy(), 0..40).prop_map(|ps| {
        ps.into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                p.id = format!("{}-{i}", p.id);
                p
            })
            .collect()
    })
}

/// A retailer-shaped catalog (issue 22): up to 300 policies of 1–5 covers (40% product, 25%
/// type, 20% brand, 15% family, three values per kind, so that many policies share each key),
/// `effective_from` on a few month starts (ties) or none, windows that often exclude the
/// sale, numbers that collide, ids out of load order, about one in seven not effective.
pub fn arb_skewed_catalog() -> impl Strategy<Value = Vec<Policy>> {
    let month = |(m, ns): (i64, usize)| {
        DateTime::from_timestamp(
            m.saturating_mul(2_629_746).saturating_add(1_577_836_800),
            SUBSECONDS.get(ns).copied().unwrap_or(0),
        )
        .map(|t| Instant(t.fixed_offset()))
    };
    let policy = (
        prop::collection::vec((0..10u8, 0..3usize), 1..6),
        prop::option::of((0i64..60, arb_subsecond())),
        prop::option::of((0i64..80, arb_subsecond())),
        0..5u8,
        0..7u8,
        prop::collection::vec(0..3usize, 0..2),
    )
        .prop_map(move |(covers, from, until, number, state, bus)| {
            let mut p = Policy::new("P", Duration::new(12, Unit::Months));
            p.covers = covers
                .into_iter()
                .map(|(k, v)| {
                    // 40% product, 25% type, 20% brand, 15% family; few values per kind.
                    let kind = match k {
                        0..=3 => CoverKind::Product,
                        4 | 5 => CoverKind::ProductType,
                        6 | 7 => CoverKind::Brand,
                        _ => CoverKind::Family,
                    };
                    Cover {
                        kind,
                        value: VOCAB.get(v).copied().unwrap_or("A").to_string(),
                    }
                })
                .collect();
            p.effective_from = from.and_then(month);
            p.effective_until = until.and_then(month);
            p.number = number.to_string();
            p.state = if state == 0 {
                State::NotEffective
            } else {
                State::Effective
            };
            p.business_units = bus.into_iter().map(|b| format!("BU{b}")).collect();
            p
        });
    prop::collection::vec(policy, 0..300).prop_map(|ps| {
        ps.into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                // Ids out of load order, so that the id tie-break matters.
                p.id = format!("P{:03}", i.wrapping_mul(7919) % 1000);
                p
            })
            .collect::<Vec<_>>()
    })
}

/// A sale instant inside [`arb_skewed_catalog`]'s windows (2020–2026).
pub fn arb_skewed_sale() -> impl Strategy<Value = Instant> {
    prop_oneof![
        (1_577_836_800i64..1_790_000_000).prop_filter_map("instant", |secs| {
            DateTime::from_timestamp(secs, 0).map(|t| Instant(t.fixed_offset()))
        }),
        // In the second a policy starts or ends in (month starts of
        // `arb_skewed_catalog`), before, at or after its nanoseconds.
        (0i64..80, arb_subsecond()).prop_filter_map("instant", |(m, ns)| {
            DateTime::from_timestamp(
                m.saturating_mul(2_629_746).saturating_add(1_577_836_800),
                SUBSECONDS.get(ns).copied().unwrap_or(0),
            )
            .map(|t| Instant(t.fixed_offset()))
        }),
    ]
}

/// Nanoseconds of the skewed catalogs' instants: most on the second, some within it.
const SUBSECONDS: [u32; 4] = [0, 1, 500_000_000, 999_999_999];

fn arb_subsecond() -> impl Strategy<Value = usize> {
    prop_oneof![4 => Just(0usize), 1 => 1..SUBSECONDS.len()]
}

/// An item drawing each key from the same small vocabulary as [`arb_policy`].
pub fn arb_item() -> impl Strategy<Value = Item> {
    let v = || prop::option::of(prop::sample::select(VOCAB).prop_map(str::to_string));
    (v(), v(), v(), v()).prop_map(|(product, product_type, brand, family)| Item {
        product,
        product_type,
        brand,
        family,
    })
}

/// Request documents for the dispatcher: well-formed ones, and ones with fields mutated into
/// wrong types, dropped or added.
pub fn arb_request_json() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "\\PC{0,12}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("2026-03-08T02:30:00-05:00")),
        Just(serde_json::Value::from("America/New_York")),
        Just(serde_json::json!({"value": 1, "unit": "months"})),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    let op = prop::sample::select(crate::protocol::OPERATIONS);
    let keys = prop::sample::select(
        &[
            "start",
            "duration",
            "expiry",
            "zone",
            "policy",
            "warranty",
            "as_of",
            "reason",
            "usage",
            "original",
            "requested_at",
            "issued_at",
            "policies",
            "item",
            "sold_at",
            "catalog",
            "name",
            "plans",
            "categories",
            "response",
            "business_unit",
        ][..],
    );
    (op, prop::collection::vec((keys, value), 0..6)).prop_map(|(op, fields)| {
        let mut m = serde_json::Map::new();
        m.insert("op".into(), op.into());
        for (k, v) in fields {
            m.insert(k.to_string(), v);
        }
        serde_json::Value::Object(m).to_string()
    })
}

fn err<T: std::fmt::Debug>(what: &str, detail: T) -> Result<(), String> {
    Err(format!("{what}: {detail:?}"))
}

/// Adding zero of any unit is the identity.
pub fn check_zero_identity(start: Instant, cal: Calendar) -> Result<(), String> {
    for u in [Unit::Days, Unit::Weeks, Unit::Months, Unit::Years] {
        let s = cal.localize(start);
        match add_duration(s, Duration::new(0, u), cal) {
            Ok(e) if e == s && e.to_string() == s.to_string() => {}
            other => return err("start + 0 is not start", (s, u, other)),
        }
    }
    Ok(())
}

/// `months: 12·n` equals `years: n`.
pub fn check_years_are_12_months(start: Instant, n: u32, cal: Calendar) -> Result<(), String> {
    // An n whose 12·n or 7·n does not fit a u32 has nothing to compare.
    let (Some(months), Some(days)) = (n.checked_mul(12), n.checked_mul(7)) else {
        return Ok(());
    };
    let y = add_duration(start, Duration::new(n, Unit::Years), cal);
    let m = add_duration(start, Duration::new(months, Unit::Months), cal);
    if y != m {
        return err("years != 12 months", (start, n, y, m));
    }
    let w = add_duration(start, Duration::new(n, Unit::Weeks), cal);
    let d = add_duration(start, Duration::new(days, Unit::Days), cal);
    if w != d {
        return err("weeks != 7 days", (start, n, w, d));
    }
    Ok(())
}

/// The end is non-decreasing in the duration (same unit).
pub fn check_monotone_in_duration(
    start: Instant,
    unit: Unit,
    a: u32,
    b: u32,
    mode: ExpiryMode,
    cal: Calendar,
) -> Result<(), String> {
    let (a, b) = (a.min(b), a.max(b));
    let ea = expiry(start, Duration::new(a, unit), mode, cal);
    let eb = expiry(start, Duration::new(b, unit), mode, cal);
    match (ea, eb) {
        (Ok(x), Ok(y)) if x > y => err("longer duration ends earlier", (start, unit, a, b, x, y)),
        _ => Ok(()),
    }
}

/// Whether the local date-time `t + d` (before resolution) falls in a gap of `cal`.
fn lands_in_gap(start: Instant, d: Duration, cal: Calendar) -> bool {
    let local = cal.local(start);
    shift_date(local.date(), d)
        .map(|date| date.and_time(local.time()))
        .and_then(|l| cal.resolve(l, None).map(|r| cal.local(r) != l))
        .unwrap_or(false)
}

/// The end is non-decreasing in the start: as instants when both starts share a fixed offset;
/// as local date-times in a zone. In a zone, a wall-clock target inside a DST gap is moved
/// forward by the gap (java.time's rule), which can overtake a later start whose target is
/// just after the gap; those pairs are compared on local dates only.
pub fn check_monotone_in_start(
    s1: Instant,
    s2: Instant,
    d: Duration,
    mode: ExpiryMode,
    cal: Calendar,
) -> Result<(), String> {
    let (l1, l2) = (cal.local(s1), cal.local(s2));
    let (s1, s2) = if l1 <= l2 { (s1, s2) } else { (s2, s1) };
    let (Ok(e1), Ok(e2)) = (expiry(s1, d, mode, cal), expiry(s2, d, mode, cal)) else {
        return Ok(());
    };
    let (x, y) = (cal.local(e1), cal.local(e2));
    let gap = lands_in_gap(s1, d, cal) || lands_in_gap(s2, d, cal);
    // Month-end clamping maps two start days onto one end day (Jul 28 21:00 and Jul 29 07:15
    // + 271 months both end on Feb 28, 2077, in the order of their times): only the dates
    // are monotone then.
    let clamped = matches!(d.unit, Unit::Months | Unit::Years)
        && (shift_date(cal.local(s1).date(), d).is_some_and(|t| t.day() != cal.local(s1).day())
            || shift_date(cal.local(s2).date(), d).is_some_and(|t| t.day() != cal.local(s2).day()));
    let bad = if clamped {
        x.date() > y.date()
    } else if matches!(cal, Calendar::Fixed(_)) {
        e1 > e2
    } else if gap {
        x.date() > y.date()
    } else {
        x > y
    };
    if bad {
        return err("later start ends earlier", (s1, s2, d, e1, e2));
    }
    Ok(())
}

/// Month arithmetic lands in the month it aims at (it clamps, never overflows).
pub fn check_months_clamp(start: Instant, n: u32, cal: Calendar) -> Result<(), String> {
    let local = cal.local(start).date();
    let Some(shifted) = shift_date(local, Duration::new(n, Unit::Months)) else {
        return Ok(());
    };
    // A date was found, so the month count and the year it reaches are in range.
    let Some(total) = local.month0().checked_add(n) else {
        return Ok(());
    };
    let want_month = total.rem_euclid(12).saturating_add(1);
    let want_year = i32::try_from(total.div_euclid(12))
        .ok()
        .and_then(|y| local.year().checked_add(y))
        .unwrap_or(i32::MAX);
    if shifted.month() != want_month || shifted.year() != want_year {
        return err("month arithmetic overflowed", (local, n, shifted));
    }
    if shifted.day() != local.day() && shifted.succ_opt().map(|d| d.month()) == Some(want_month) {
        return err(
            "clamped to a day that is not the month's last",
            (local, n, shifted),
        );
    }
    Ok(())
}

/// `policy` with the given replacement mode, no usage cap, and one covering reason `R`.
fn covering_reason_r(policy: &Policy, mode: ReplacementMode) -> Policy {
    let mut p = policy.clone();
    p.replacement = mode;
    p.usage_limit = None;
    p.reasons = vec![Reason {
        id: "R".into(),
        provides_coverage: Some(true),
        replacement: None,
        name: None,
    }];
    p
}

/// Carry-over: never more remaining days than the original had at the request date; a
/// same-day issue keeps the original's end; a chain of same-day replacements keeps it too.
pub fn check_carry_over(
    policy: &Policy,
    start: Instant,
    requested_after_secs: i64,
    downtime_secs: i64,
    steps: usize,
    cal: Calendar,
) -> Result<(), String> {
    let p = covering_reason_r(policy, ReplacementMode::CarryOver);
    let mut record = WarrantyRecord::starting(start);
    let first_end = match expiry(start, p.duration, p.expiry, cal) {
        Ok(e) => e,
        Err(_) => return Ok(()),
    };
    let mut at = start;
    for _ in 0..steps.max(1) {
        let Some(req) =
            at.0.checked_add_signed(chrono::TimeDelta::seconds(requested_after_secs))
        else {
            return Ok(());
        };
        let req = Instant(req);
        let q = |issued: Instant| ReplaceQuery {
            policy: &p,
            original: &record,
            reason: "R",
            requested_at: req,
            issued_at: issued,
            usage: None,
            calendar: cal,
        };
        let Ok(same_day) = replace(&q(req)) else {
            return Ok(());
        };
        if same_day.original.outcome != Outcome::Covered {
            return Ok(());
        }
        let had = same_day.original.remaining_days;
        let Some(rc) = same_day.replacement else {
            return err("covered original gave no carry-over", &same_day);
        };
        if rc.remaining_days > had {
            return err("carry-over gave more days than remained", (had, rc));
        }
        if rc.end != first_end {
            return err("same-day carry-over moved the end", (first_end, rc));
        }
        if let Some(later) = req
            .0
            .checked_add_signed(chrono::TimeDelta::seconds(downtime_secs))
        {
            if let Ok(d) = replace(&q(Instant(later))) {
                if let Some(r2) = d.replacement {
                    if r2.remaining_days > had {
                        return err("carry-over after downtime gave more days", (had, r2));
                    }
                }
            }
        }
        record = WarrantyRecord {
            start: rc.start,
            end: Some(rc.end),
            usage_at_start: None,
        };
        at = rc.start;
    }
    Ok(())
}

/// `apply_new`: the replacement's end is non-decreasing in the issue's local date-time (with
/// the DST-gap caveat of [`check_monotone_in_start`]).
pub fn check_apply_new_monotone(
    policy: &Policy,
    start: Instant,
    i1: i64,
    i2: i64,
    cal: Calendar,
) -> Result<(), String> {
    let p = covering_reason_r(policy, ReplacementMode::ApplyNew);
    let record = WarrantyRecord::starting(start);
    let (a, b) = (i1.min(i2), i1.max(i2));
    let at = |s: i64| {
        start
            .0
            .checked_add_signed(chrono::TimeDelta::seconds(s))
            .map(Instant)
    };
    let (Some(ia), Some(ib)) = (at(a), at(b)) else {
        return Ok(());
    };
    let run = |issued: Instant| {
        replace(&ReplaceQuery {
            policy: &p,
            original: &record,
            reason: "R",
            requested_at: start,
            issued_at: issued,
            usage: None,
            calendar: cal,
        })
        .ok()
        .and_then(|d| d.replacement)
    };
    if let (Some(ra), Some(rb)) = (run(ia), run(ib)) {
        let gap = lands_in_gap(ia, p.duration, cal) || lands_in_gap(ib, p.duration, cal);
        let bad = if gap {
            cal.date(ra.end) > cal.date(rb.end)
        } else {
            cal.local(ra.end) > cal.local(rb.end)
        };
        if bad {
            return err("later issue ends earlier", (ia, ib, ra, rb));
        }
    }
    Ok(())
}

/// `resolve` agrees with a naive linear scan over the policies.
pub fn check_resolve_matches_scan(
    policies: &[Policy],
    item: &Item,
    sold_at: Instant,
    bu: Option<&str>,
) -> Result<(), String> {
    let Ok(catalog) = Catalog::new(policies.to_vec()) else {
        return Ok(());
    };
    let mut naive: Vec<(&Policy, CoverKind)> = policies
        .iter()
        .filter(|p| applies(p, sold_at, bu))
        .filter_map(|p| {
            CoverKind::ALL
                .iter()
                .copied()
                .find(|k| {
                    p.covers
                        .iter()
                        .any(|c| c.kind == *k && item.get(*k) == Some(c.value.as_str()))
                })
                .map(|k| (p, k))
        })
        .collect();
    naive.sort_by(|a, b| compare_candidates(*a, *b));
    let got: Vec<(String, CoverKind)> = catalog
        .candidates(item, sold_at, bu)
        .into_iter()
        .filter_map(|(i, k)| catalog.policies().get(i).map(|p| (p.id.clone(), k)))
        .collect();
    let want: Vec<(String, CoverKind)> = naive.iter().map(|(p, k)| (p.id.clone(), *k)).collect();
    if got != want {
        return err("indexed resolve disagrees with a scan", (got, want));
    }
    // The typed resolve picks its winner without ordering every candidate: same winner.
    let cal = Calendar::Fixed(sold_at.offset());
    let Ok(r) = catalog.resolve(item, sold_at, bu, cal) else {
        return Ok(());
    };
    let winner = r.policy().map(|p| (p.id.clone(), r.matched_by()));
    let first = want.first().map(|(id, k)| (id.clone(), Some(*k)));
    if winner != first {
        return err(
            "typed resolve winner differs from the scan's first",
            (winner, first),
        );
    }
    // Winner only, and the first N: the same winner, and a prefix of the full list.
    for (asked, n) in [
        (Candidates::None, 0),
        (Candidates::First(1), 1),
        (Candidates::First(3), 3),
    ] {
        let Ok(r) = catalog.resolve_with(item, sold_at, bu, cal, asked) else {
            return Ok(());
        };
        let w = r.policy().map(|p| (p.id.clone(), r.matched_by()));
        let listed: Vec<(String, CoverKind)> =
            r.candidates().map(|(p, k)| (p.id.clone(), k)).collect();
        let prefix: Vec<(String, CoverKind)> = want.iter().take(n).cloned().collect();
        if w != first || listed != prefix {
            return err(
                "resolve_with disagrees with the scan",
                (asked, w, listed, prefix),
            );
        }
    }
    Ok(())
}

/// The dispatcher answers every input with a protocol envelope, the same bytes twice.
pub fn check_dispatch_total(request: &[u8]) -> Result<(), String> {
    let a = crate::call_bytes(request);
    let b = crate::call_bytes(request);
    if a != b {
        return err("non-deterministic response", (a, b));
    }
    let v: serde_json::Value =
        serde_json::from_str(&a).map_err(|e| format!("response not JSON: {e}: {a}"))?;
    match v.get("ok") {
        Some(serde_json::Value::Bool(true)) if v.get("result").is_some() => Ok(()),
        Some(serde_json::Value::Bool(false)) => {
            let e = v.get("error").ok_or("ok:false without error")?;
            for k in ["code", "path", "message"] {
                if !e.get(k).is_some_and(|x| x.is_string()) {
                    return err("error object lacks", k);
                }
            }
            Ok(())
        }
        _ => err("not an envelope", a),
    }
}
