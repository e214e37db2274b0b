//! Property tests of the rules (expiry, coverage, replacement carry-over, resolution, the
//! dispatcher), 1,000+ cases each, using the public
//! `testing` strategies and checks that hosts' testers can reuse.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use proptest::prelude::*;
use warranty_core::testing::*;
use warranty_core::{ExpiryMode, Unit};

fn cfg() -> ProptestConfig {
    ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn mode() -> impl Strategy<Value = ExpiryMode> {
    prop_oneof![Just(ExpiryMode::Exact), Just(ExpiryMode::EndOfDay)]
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn expiry_non_decreasing_in_duration(
        start in arb_tricky_instant(), unit in arb_unit(), a in 0u32..500, b in 0u32..500,
        mode in mode(), cal in arb_calendar(),
    ) {
        check_monotone_in_duration(start, unit, a, b, mode, cal).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn expiry_non_decreasing_in_start_fixed_offset(
        s1 in arb_tricky_instant(), delta in 0i64..200_000_000, d in arb_duration(), mode in mode(),
    ) {
        // Both starts written in the same fixed offset: compare as instants.
        let cal = warranty_core::Calendar::Fixed(s1.offset());
        let s2 = warranty_core::Instant((s1.0 + chrono::TimeDelta::seconds(delta)).with_timezone(&s1.offset()));
        check_monotone_in_start(s1, s2, d, mode, cal).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn expiry_non_decreasing_in_start_zone(
        s1 in arb_tricky_instant(), delta in 0i64..20_000_000, d in arb_duration(), mode in mode(),
        cal in arb_calendar(),
    ) {
        let s2 = warranty_core::Instant(s1.0 + chrono::TimeDelta::seconds(delta));
        check_monotone_in_start(s1, s2, d, mode, cal).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn adding_zero_is_identity(start in arb_tricky_instant(), cal in arb_calendar()) {
        check_zero_identity(start, cal).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn twelve_months_equal_one_year(start in arb_tricky_instant(), n in 0u32..40, cal in arb_calendar()) {
        check_years_are_12_months(start, n, cal).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn months_never_overflow(start in arb_tricky_instant(), n in 0u32..600, cal in arb_calendar()) {
        check_months_clamp(start, n, cal).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn carry_over_bounds_and_same_day_chains(
        policy in arb_policy(), start in arb_tricky_instant(), after in 0i64..100_000_000,
        downtime in 0i64..5_000_000, steps in 1usize..4, cal in arb_calendar(),
    ) {
        check_carry_over(&policy, start, after, downtime, steps, cal).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn apply_new_end_non_decreasing_in_issue(
        policy in arb_policy(), start in arb_tricky_instant(), i1 in 0i64..100_000_000,
        i2 in 0i64..100_000_000, cal in arb_calendar(),
    ) {
        check_apply_new_monotone(&policy, start, i1, i2, cal).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn resolve_agrees_with_linear_scan(
        policies in arb_catalog(), item in arb_item(), sold_at in arb_instant(),
        bu in prop::option::of(prop::sample::select(&["BU0", "BU1", "BU2"][..])),
    ) {
        check_resolve_matches_scan(&policies, &item, sold_at, bu).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn resolve_agrees_with_linear_scan_on_skewed_catalogs(
        policies in arb_skewed_catalog(), item in arb_item(), sold_at in arb_skewed_sale(),
        bu in prop::option::of(prop::sample::select(&["BU0", "BU1", "BU2"][..])),
    ) {
        check_resolve_matches_scan(&policies, &item, sold_at, bu).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn dispatcher_total_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check_dispatch_total(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn dispatcher_total_on_arbitrary_json(req in arb_request_json()) {
        check_dispatch_total(req.as_bytes()).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn dispatcher_total_on_mutated_vectors(idx in 0usize..1000, cut in 0usize..4000, byte in any::<u8>()) {
        // Take a real vector's request and corrupt one byte or truncate it.
        let reqs = vector_requests();
        let r = &reqs[idx % reqs.len()];
        let mut b = r.as_bytes().to_vec();
        let at = cut % (b.len() + 1);
        if at < b.len() && byte % 2 == 0 { b[at] = byte; } else { b.truncate(at); }
        check_dispatch_total(&b).map_err(TestCaseError::fail)?;
    }
}

fn vector_requests() -> &'static [String] {
    static REQS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    REQS.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors");
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
                let j: serde_json::Value = serde_json::from_str(&text).unwrap();
                j["request"].to_string()
            })
            .collect();
        v.sort();
        v
    })
}

#[test]
fn gap_overtaking_is_the_documented_java_time_behaviour() {
    // 02:30 and 03:10 on the day before New York's 2026 spring gap, plus one day: 02:30 does
    // not exist and moves forward to 03:30, overtaking 03:10. This is why the zone property
    // compares such pairs on dates only.
    let c = |s: &str| warranty_core::call(s);
    let a = c(
        r#"{"op":"expiry","start":"2026-03-07T02:30:00-05:00","duration":{"value":1,"unit":"days"},"zone":"America/New_York"}"#,
    );
    let b = c(
        r#"{"op":"expiry","start":"2026-03-07T03:10:00-05:00","duration":{"value":1,"unit":"days"},"zone":"America/New_York"}"#,
    );
    assert!(a.contains(r#""end":"2026-03-08T03:30:00-04:00""#), "{a}");
    assert!(b.contains(r#""end":"2026-03-08T03:10:00-04:00""#), "{b}");
}

#[test]
fn same_request_same_bytes_across_engines() {
    let r = r#"{"op":"coverage","policy":{"id":"P","duration":{"value":2,"unit":"years"}},"warranty":{"start":"2025-06-01T09:00:00+02:00"},"as_of":"2026-11-22T15:00:00+01:00","zone":"Europe/Berlin"}"#;
    let mut e = warranty_core::Engine::new();
    assert_eq!(e.call(r), warranty_core::call(r));
    assert_eq!(e.call(r), e.call(r));
    let _ = Unit::Days;
}

/// Found by CI: two starts a day apart clamp onto one end day (Feb 28, 2077), keeping their
/// times of day, so the later start ends earlier that day; dates stay monotone.
#[test]
fn month_end_clamping_keeps_dates_monotone_not_times() {
    let zone =
        warranty_core::Calendar::Zone("America/New_York".parse::<warranty_core::Zone>().unwrap().0);
    let s1 = warranty_core::Instant::parse("2054-07-29T01:00:00+00:00").unwrap();
    let s2 = warranty_core::Instant::parse("2054-07-29T11:15:00+00:00").unwrap();
    let d = warranty_core::Duration::new(271, Unit::Months);
    check_monotone_in_start(s1, s2, d, ExpiryMode::Exact, zone).unwrap();
    let fixed = warranty_core::Calendar::Fixed(s1.offset());
    let t2 = warranty_core::Instant::parse("2054-07-29T01:00:00+00:00").unwrap();
    let t1 = warranty_core::Instant::parse("2054-07-28T21:00:00+00:00").unwrap();
    check_monotone_in_start(t1, t2, d, ExpiryMode::Exact, fixed).unwrap();
}
