//! Claim strategies for property tests (cargo feature `testing`): claims built to satisfy
//! every rule, hostile claims, the required fields a mutation may blank, and random walks
//! through the lifecycle that produce audit chains.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "proptest strategies: arithmetic on values drawn from small bounded ranges"
)]

use chrono::{Duration as Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::claims::audit::AuditEntry;
use crate::claims::lifecycle::{self, Actor, ClaimState, Status, ACTIONS, ROLES};
use crate::claims::{minor_units, Claim, Evidence, Failure, KnownClaim, Line, Row, Texts};
use crate::time::{Duration, Instant, Unit};
use crate::warranty::coverage::WarrantyRecord;
use crate::warranty::policy::{Dec, Policy, Reason, UsageLimit};
use crate::ValidationOutcome;

/// A claim that satisfies every rule of `validate_claim` with default rules, with the `as_of`
/// to validate it at (no zone: the calendar is the offset of `as_of`, `+01:00`).
#[derive(Clone, Debug)]
pub struct ValidClaim {
    /// The claim.
    pub claim: Claim,
    /// When to validate it.
    pub as_of: Instant,
    /// Known claims that must not conflict with it (other serials).
    pub known: Vec<KnownClaim>,
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn at_ten(d: NaiveDate) -> Option<Instant> {
    Instant::parse(&format!("{}T10:00:00+01:00", date(d))).ok()
}

fn rows(n: usize, label: &'static str) -> Vec<Row> {
    (1..=n)
        .map(|i| Row {
            row: format!("{i:02}"),
            text: format!("{label} {i}"),
        })
        .collect()
}

const CURRENCIES: &[&str] = &["EUR", "USD", "JPY", "KWD", "GBP", "CHF", "BHD", "ISK"];
const TYPES: &[&str] = &[
    "A", "B", "C", "D", "E", "G", "H", "I", "J", "K", "L", "M", "N", "P", "Q", "T", "V", "W", "Y",
    "Z", "0", "3", "5",
];
const CATEGORIES: &[&str] = &["parts", "labour", "sublet", "other"];

/// Claims built to satisfy every rule: dates in order inside the coverage window and the
/// filing deadline, one ISO currency with amounts at its precision and an exact total,
/// consecutive rows, a POS invoice, the fields each warranty type needs, usage under the cap.
pub fn arb_valid_claim() -> impl Strategy<Value = ValidClaim> {
    let dates = (
        0i64..2200, // warranty start: days after 2020-01-01
        1i64..365,  // failure: days after the start
        0i64..4,    // repair start after failure
        0i64..6,    // repair end after repair start
        0i64..=30,  // filed after the repair
        0i64..200,  // as_of after filing
        0i64..2000, // installed before failure (type D)
    );
    let money = (
        prop::sample::select(CURRENCIES),
        prop::collection::vec(
            (
                prop::sample::select(CATEGORIES),
                0u64..10_000_000,
                1u32..500,
                any::<bool>(),
            ),
            1..20,
        ),
    );
    let rest = (
        prop::sample::select(TYPES),
        [0usize..4, 0..4, 0..4, 0..3, 0..3],
        0u32..100,
        0u32..1999,
        any::<bool>(),
        "[A-Z0-9]{6,17}",
    );
    (dates, money, rest).prop_filter_map(
        "dates out of range",
        |((ws, fo, rs, re, fi, ao, ins), (currency, lines), (wt, nrows, u0, du, photo, serial))| {
            let epoch = NaiveDate::from_ymd_opt(2020, 1, 1)?;
            let start_d = epoch.checked_add_signed(Days::days(ws))?;
            let failure = start_d.checked_add_signed(Days::days(fo))?;
            let repair_start = failure.checked_add_signed(Days::days(rs))?;
            let repair_end = repair_start.checked_add_signed(Days::days(re))?;
            let reference = repair_end.checked_add_signed(Days::days(fi))?;
            let as_of_d = reference.checked_add_signed(Days::days(ao))?;
            let installed = failure.checked_sub_signed(Days::days(ins))?;
            let units = minor_units(currency)?;
            let mut total = Decimal::ZERO;
            let lines: Vec<Line> = lines
                .into_iter()
                .enumerate()
                .map(|(i, (cat, minor, qty, half))| {
                    let amount = Decimal::new(i64::try_from(minor).unwrap_or(0), units);
                    total += amount;
                    Line {
                        category: cat.to_string(),
                        material_code: if cat == "parts" {
                            format!("MAT-{i}")
                        } else {
                            String::new()
                        },
                        quantity: if half {
                            format!("{qty}.5")
                        } else {
                            qty.to_string()
                        },
                        amount: amount.to_string(),
                        currency: currency.to_string(),
                        third_party_invoice: if cat == "sublet" {
                            format!("TP-{i}")
                        } else {
                            String::new()
                        },
                        description: String::new(),
                        ..Line::default()
                    }
                })
                .collect();
            let mut policy = Policy::new(
                "P-2Y",
                Duration {
                    value: 2,
                    unit: Unit::Years,
                },
            );
            policy.usage_limit = Some(UsageLimit {
                unit: "hours".into(),
                limit: Dec(Decimal::from(2000)),
            });
            policy.reasons = vec![Reason {
                id: "DEFECT".into(),
                provides_coverage: Some(true),
                replacement: None,
                name: None,
            }];
            let warranty = WarrantyRecord {
                start: at_ten(start_d)?,
                end: None,
                usage_at_start: Some(Dec(Decimal::from(u0))),
            };
            let mut evidence = vec![Evidence {
                kind: "pos_invoice".into(),
                reference: "INV-1".into(),
            }];
            if photo {
                evidence.push(Evidence {
                    kind: "photo".into(),
                    reference: "IMG-1".into(),
                });
            }
            let claim = Claim {
                dealer: "0000123456".into(),
                workshop: "WS01".into(),
                dms_claim_number: format!("DMS-{serial}"),
                job_order: String::new(),
                reference_date: date(reference),
                serial: serial.clone(),
                usage: (u0 + du).to_string(),
                failure_date: date(failure),
                repair_start: date(repair_start),
                repair_end: date(repair_end),
                installed_date: if wt == "D" {
                    date(installed)
                } else {
                    String::new()
                },
                spare_part_invoice: if wt == "D" {
                    "SP-1".into()
                } else {
                    String::new()
                },
                authorization_number: String::new(),
                warranty_type: wt.to_string(),
                campaign_number: if wt == "H" {
                    "PIP-1".into()
                } else {
                    String::new()
                },
                ppp_policy_number: if wt == "Y" {
                    "PPP-1".into()
                } else {
                    String::new()
                },
                failure: Failure {
                    component: "COMP-1".into(),
                    failure_code: "F1".into(),
                    severity: "2".into(),
                    description: "broke".into(),
                    ez_labor_unique_id: String::new(),
                    ..Failure::default()
                },
                texts: Texts {
                    complaint: rows(nrows[0], "complaint"),
                    cause: rows(nrows[1], "cause"),
                    correction: rows(nrows[2], "correction"),
                    complications: rows(nrows[3], "complications"),
                    special_instructions: rows(nrows[4], "special"),
                },
                lines,
                total: total.to_string(),
                evidence,
                reason: "DEFECT".into(),
                policy: Some(policy),
                warranty: Some(warranty),
                ..Claim::default()
            };
            let known = vec![KnownClaim {
                dms_claim_number: "DMS-OTHER".into(),
                serial: format!("{serial}-X"),
                component: "COMP-1".into(),
                failure_date: date(failure),
                usage: "999999".into(),
            }];
            Some(ValidClaim {
                claim,
                as_of: Instant::parse(&format!("{}T12:00:00+01:00", date(as_of_d))).ok()?,
                known,
            })
        },
    )
}

/// Blanks one field of a claim (the `usize` is the line index for line fields).
pub type Blanker = fn(&mut Claim, usize);

/// The required fields of a claim, by path, and how to blank each one.
pub fn required_field_blankers(claim: &Claim) -> Vec<(String, Blanker)> {
    let mut out: Vec<(String, Blanker)> = vec![
        ("claim.dealer".into(), |c, _| c.dealer.clear()),
        ("claim.workshop".into(), |c, _| c.workshop.clear()),
        ("claim.dms_claim_number".into(), |c, _| {
            c.dms_claim_number.clear()
        }),
        ("claim.reference_date".into(), |c, _| {
            c.reference_date.clear()
        }),
        ("claim.serial".into(), |c, _| c.serial.clear()),
        ("claim.failure_date".into(), |c, _| c.failure_date.clear()),
        ("claim.warranty_type".into(), |c, _| c.warranty_type.clear()),
        ("claim.failure.component".into(), |c, _| {
            c.failure.component.clear()
        }),
        ("claim.failure.failure_code".into(), |c, _| {
            c.failure.failure_code.clear()
        }),
        ("claim.reason".into(), |c, _| c.reason.clear()),
        ("claim.policy".into(), |c, _| c.policy = None),
        ("claim.warranty".into(), |c, _| c.warranty = None),
    ];
    for (i, l) in claim.lines.iter().enumerate() {
        let p = |f: &str| format!("claim.lines[{i}].{f}");
        out.push((p("category"), |c, i| {
            if let Some(l) = c.lines.get_mut(i) {
                l.category.clear()
            }
        }));
        out.push((p("quantity"), |c, i| {
            if let Some(l) = c.lines.get_mut(i) {
                l.quantity.clear()
            }
        }));
        out.push((p("amount"), |c, i| {
            if let Some(l) = c.lines.get_mut(i) {
                l.amount.clear()
            }
        }));
        out.push((p("currency"), |c, i| {
            if let Some(l) = c.lines.get_mut(i) {
                l.currency.clear()
            }
        }));
        if l.category == "parts" {
            out.push((p("material_code"), |c, i| {
                if let Some(l) = c.lines.get_mut(i) {
                    l.material_code.clear()
                }
            }));
        }
        if l.category == "sublet" {
            out.push((p("third_party_invoice"), |c, i| {
                if let Some(l) = c.lines.get_mut(i) {
                    l.third_party_invoice.clear()
                }
            }));
        }
    }
    out
}

/// Index of the line a blanker at `path` applies to (`0` when it is not a line field).
pub fn line_index(path: &str) -> usize {
    path.strip_prefix("claim.lines[")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_string()),
        Just("Ωμέγα 💥 \u{202e}".to_string()),
        Just("\u{0}".to_string()),
        Just("99999999999999999999999999999999999".to_string()),
        Just("79228162514264337593543950335".to_string()),
        Just("-79228162514264337593543950335".to_string()),
        Just("0.0000000000000000000000000001".to_string()),
        Just("-0".to_string()),
        Just("1e10".to_string()),
        Just("2026-02-30".to_string()),
        Just("9999-12-31".to_string()),
        Just("0001-01-01".to_string()),
        Just("2026-11-10".to_string()),
        Just("EUR".to_string()),
        Just("parts".to_string()),
        Just("pos_invoice".to_string()),
        Just("01".to_string()),
        Just("x".repeat(2000)),
        any::<String>(),
    ]
}

/// Hostile claims: every field drawn from empty, unicode, huge and malformed values.
pub fn arb_hostile_claim() -> impl Strategy<Value = Claim> {
    let s = hostile_string;
    let line = (s(), s(), s(), s(), s(), s()).prop_map(
        |(category, material_code, quantity, amount, currency, tp)| Line {
            category,
            material_code,
            quantity,
            amount,
            currency,
            third_party_invoice: tp,
            description: String::new(),
            ..Line::default()
        },
    );
    let header = (
        (s(), s(), s(), s(), s(), s(), s(), s()),
        (s(), s(), s(), s(), s(), s(), s(), s()),
    );
    (
        header,
        prop::collection::vec(line, 0..40),
        prop::collection::vec((s(), s()).prop_map(|(row, text)| Row { row, text }), 0..8),
        prop::collection::vec(
            (s(), s()).prop_map(|(kind, reference)| Evidence { kind, reference }),
            0..4,
        ),
        prop::option::of(crate::testing::arb_policy()),
        prop::option::of(crate::testing::arb_instant()),
        s(),
    )
        .prop_map(
            |(
                ((a, b, c, d, e, f, g, h), (i, j, k, l, m, n, o, p)),
                lines,
                rows,
                evidence,
                policy,
                start,
                total,
            )| Claim {
                dealer: a,
                workshop: b,
                dms_claim_number: c,
                job_order: String::new(),
                reference_date: d,
                serial: e,
                usage: f,
                failure_date: g,
                repair_start: h,
                repair_end: i,
                installed_date: j,
                spare_part_invoice: k,
                authorization_number: String::new(),
                warranty_type: l,
                campaign_number: m,
                ppp_policy_number: n,
                failure: Failure {
                    component: o,
                    failure_code: p,
                    severity: String::new(),
                    description: String::new(),
                    ez_labor_unique_id: String::new(),
                    ..Failure::default()
                },
                texts: Texts {
                    complaint: rows.clone(),
                    cause: rows,
                    ..Texts::default()
                },
                lines,
                total,
                evidence,
                reason: "DEFECT".into(),
                policy,
                warranty: start.map(WarrantyRecord::starting),
                ..Claim::default()
            },
        )
}

/// A random walk through the lifecycle: `(state, action, actor)` steps that are all allowed,
/// starting from a draft, with one audit entry each, chained.
pub fn arb_audit_chain() -> impl Strategy<Value = Vec<AuditEntry>> {
    (
        prop::collection::vec(
            (0usize..ACTIONS.len(), 0usize..ROLES.len(), any::<bool>()),
            1..40,
        ),
        "[a-zA-Zé💥 \"\\\\]{0,12}",
        prop::sample::select(vec![
            ValidationOutcome::Accept,
            ValidationOutcome::Reject,
            ValidationOutcome::NeedsReview,
        ]),
    )
        .prop_map(|(steps, reason, validation)| {
            let mut state = ClaimState {
                claim: "DMS-1".into(),
                status: Status::Draft,
                validation: Some(validation),
                overridden: false,
                partner_at: None,
            };
            let mut chain: Vec<AuditEntry> = Vec::new();
            let mut minutes = 0i64;
            for (a, r, say) in steps {
                let (Some(action), Some(role)) = (ACTIONS.get(a), ROLES.get(r)) else {
                    continue;
                };
                minutes += 7;
                let Ok(at) = Instant::parse("2026-11-01T08:00:00+01:00")
                    .map(|t| Instant(t.0 + chrono::Duration::minutes(minutes)))
                else {
                    continue;
                };
                let reason = if say {
                    format!("{reason}.")
                } else {
                    String::new()
                };
                let actor = Actor {
                    id: format!("u-{r}"),
                    role: *role,
                };
                let t = lifecycle::Transition {
                    state: &state,
                    action: *action,
                    actor: &actor,
                    at,
                    reason: &reason,
                    prev_hash: chain.last().map(|e| e.hash.as_str()),
                };
                if let Ok(done) = lifecycle::transition(&t) {
                    state = done.state;
                    chain.push(done.audit);
                }
            }
            chain
        })
}

/// Any claim state, for properties over the role matrix.
pub fn arb_claim_state() -> impl Strategy<Value = ClaimState> {
    (
        prop::sample::select(crate::claims::lifecycle::STATUSES),
        prop::option::of(prop::sample::select(vec![
            ValidationOutcome::Accept,
            ValidationOutcome::Reject,
            ValidationOutcome::NeedsReview,
        ])),
        any::<bool>(),
    )
        .prop_map(|(status, validation, overridden)| ClaimState {
            claim: "DMS-1".into(),
            status,
            validation,
            overridden,
            partner_at: None,
        })
}
