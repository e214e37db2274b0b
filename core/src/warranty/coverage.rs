//! The coverage check (DESIGN §5) and replacement carry-over (DESIGN §6).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::{self, human_date, Calendar, Instant};
use crate::warranty::policy::{Dec, Policy, ReplacementMode};

crate::wire::wire_enum! {
    /// Three-valued outcome of a decision.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Outcome {
        /// Covered.
        Covered = "covered",
        /// Not covered; `codes` say why.
        NotCovered = "not_covered",
        /// A person must decide; `codes` say what is missing.
        NeedsReview = "needs_review",
    }
}

crate::wire::wire_enum! {
    /// Machine-readable reason codes, in the order PROTOCOL.md lists them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum Code {
        /// The replaced item was not covered at the replacement request.
        NotUnderWarranty = "NOT_UNDER_WARRANTY",
        /// The check instant is before the coverage start.
        NotStarted = "NOT_STARTED",
        /// The check instant is at or after the coverage end.
        Expired = "EXPIRED",
        /// Usage since the start is above the policy's cap.
        UsageLimitExceeded = "USAGE_LIMIT_EXCEEDED",
        /// The policy has a usage cap and no reading was given.
        UsageUnknown = "USAGE_UNKNOWN",
        /// The reason is not listed on the policy.
        ReasonNotSupported = "REASON_NOT_SUPPORTED",
        /// The reason is listed with `provides_coverage: false`.
        ReasonExcluded = "REASON_EXCLUDED",
        /// The reason is listed with `provides_coverage: null`.
        ReasonUndecided = "REASON_UNDECIDED",
        /// The replacement mode is `no_warranty`.
        ReplacementNotCovered = "REPLACEMENT_NOT_COVERED",
        /// No policy in the catalog applies to the item.
        NoPolicyMatch = "NO_POLICY_MATCH",
        /// Coverage stacks: the event that starts the layer's clock is not recorded.
        StartEventMissing = "START_EVENT_MISSING",
        /// Coverage stacks: no statutory preset row applies to the item's sale date.
        NoStatutoryRule = "NO_STATUTORY_RULE",
        /// Coverage stacks: the layer was attached after the failure.
        AttachedAfterFailure = "ATTACHED_AFTER_FAILURE",
        /// Coverage stacks: the layer was voided at or before the failure.
        Voided = "VOIDED",
        /// Coverage stacks: the item changed owner and the layer is not transferable.
        Transferred = "TRANSFERRED",
        /// Coverage stacks: the layer covers other components only.
        ComponentNotInScope = "COMPONENT_NOT_IN_SCOPE",
        /// Coverage stacks: the layer covers some components and the failure names none.
        ComponentUnknown = "COMPONENT_UNKNOWN",
        /// Coverage stacks: the reason is not a lack of conformity (the legal guarantee's scope).
        NotALackOfConformity = "NOT_A_LACK_OF_CONFORMITY",
        /// Coverage stacks: past the legal period, inside the grace after a repaired or replaced
        /// item was returned (claims about that defect only).
        RepairedDefectOnly = "REPAIRED_DEFECT_ONLY",
        /// Coverage stacks: inside the legal period, past the reversed burden of proof.
        BurdenOnConsumer = "BURDEN_ON_CONSUMER",
        /// Coverage stacks: the law sets no fixed period; past the reversed burden of proof.
        NoFixedPeriod = "NO_FIXED_PERIOD",
    }
}

impl Code {
    /// `REASON_UNDECIDED`, `USAGE_UNKNOWN` and the stack codes that need a person's judgement
    /// (a missing start event or preset row, an unnamed component, a repaired-defect grace,
    /// the burden of proof on the consumer, no fixed period) ask for review; every other code
    /// denies.
    pub fn is_review(self) -> bool {
        matches!(
            self,
            Code::ReasonUndecided
                | Code::UsageUnknown
                | Code::StartEventMissing
                | Code::NoStatutoryRule
                | Code::ComponentUnknown
                | Code::RepairedDefectOnly
                | Code::BurdenOnConsumer
                | Code::NoFixedPeriod
        )
    }
}

/// The outcome PROTOCOL.md derives from a list of codes.
pub fn outcome_of(codes: &[Code]) -> Outcome {
    if codes.iter().any(|c| !c.is_review()) {
        Outcome::NotCovered
    } else if codes.is_empty() {
        Outcome::Covered
    } else {
        Outcome::NeedsReview
    }
}

/// An item's warranty record: when its coverage started and, for carried-over coverage, when
/// it ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarrantyRecord {
    /// Start of coverage.
    pub start: Instant,
    /// End of coverage, given for carried-over coverage; otherwise derived from the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Instant>,
    /// Usage reading at the start of coverage (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_at_start: Option<Dec>,
}

impl WarrantyRecord {
    /// A record starting at `start` with nothing carried over.
    pub fn starting(start: Instant) -> Self {
        WarrantyRecord {
            start,
            end: None,
            usage_at_start: None,
        }
    }
}

/// What a coverage check is asked.
#[derive(Clone, Copy, Debug)]
pub struct CoverageQuery<'a> {
    /// The item's policy.
    pub policy: &'a Policy,
    /// The item's warranty record.
    pub warranty: &'a WarrantyRecord,
    /// The failure or check instant.
    pub as_of: Instant,
    /// The coverage reason, if any.
    pub reason: Option<&'a str>,
    /// The usage reading at `as_of`, if any.
    pub usage: Option<Dec>,
    /// The local calendar.
    pub calendar: Calendar,
}

/// The facts a coverage decision used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageFacts {
    /// The policy id.
    pub policy: String,
    /// The check instant, in the operation's calendar.
    pub as_of: Instant,
    /// The reason asked about.
    pub reason: Option<String>,
    /// Usage since the start of coverage, when a reading was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_used: Option<Dec>,
    /// The policy's usage cap, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_limit: Option<Dec>,
    /// The usage unit, when the policy has a cap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_unit: Option<String>,
}

/// The answer of a coverage check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageDecision {
    /// Covered, not covered, or needs review.
    pub outcome: Outcome,
    /// Every code that applies, in protocol order.
    pub codes: Vec<Code>,
    /// Coverage start.
    pub start: Instant,
    /// Coverage end (exclusive).
    pub end: Instant,
    /// Local calendar days from `as_of`'s date to `end`'s date; 0 once expired.
    pub remaining_days: i64,
    /// End of the parts window, where it differs from `end`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts_end: Option<Instant>,
    /// End of the labour window, where it differs from `end`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labour_end: Option<Instant>,
    /// The facts used.
    pub facts: CoverageFacts,
    /// A plain English sentence staff can read out.
    pub message: String,
}

fn range_err(path: &str) -> Error {
    Error::invalid(
        path,
        "the coverage end falls outside the supported years 1..=9999",
    )
}

/// Checks coverage (PROTOCOL.md `coverage`). Errors are `INVALID_INPUT` with paths named after
/// the request fields (`usage`, `warranty.end`, `policy.duration`).
pub fn check_coverage(q: &CoverageQuery<'_>) -> Result<CoverageDecision> {
    let cal = q.calendar;
    let p = q.policy;
    let w = q.warranty;
    let start = cal.localize(w.start);
    let end = match w.end {
        Some(e) => {
            if e < w.start {
                return Err(Error::invalid(
                    "warranty.end",
                    "the coverage end is before its start",
                ));
            }
            cal.localize(e)
        }
        None => time::expiry(w.start, p.duration, p.expiry, cal)
            .map_err(|_| range_err("policy.duration"))?,
    };
    let window = |d: Option<time::Duration>, path: &str| -> Result<Option<Instant>> {
        match (d, w.end) {
            (Some(d), None) => {
                let e = time::expiry(w.start, d, p.expiry, cal).map_err(|_| range_err(path))?;
                Ok((e != end).then_some(e))
            }
            _ => Ok(None),
        }
    };
    let parts_end = window(p.parts_duration, "policy.parts_duration")?;
    let labour_end = window(p.labour_duration, "policy.labour_duration")?;

    let at_start = w.usage_at_start.unwrap_or_default();
    let used = match q.usage {
        Some(u) if u < at_start => {
            return Err(Error::invalid(
                "usage",
                format!(
                    "USAGE_NOT_MONOTONIC: the reading {u} is lower than the reading {at_start} at the start of coverage"
                ),
            ))
        }
        // u >= at_start >= 0: the difference is in range.
        Some(u) => Some(Dec(u.0.checked_sub(at_start.0).ok_or_else(|| {
            Error::invalid("usage", "the usage since the start of coverage is out of range")
        })?)),
        None => None,
    };

    let mut codes = Vec::new();
    if q.as_of < w.start {
        codes.push(Code::NotStarted);
    } else if q.as_of >= end {
        codes.push(Code::Expired);
    }
    if let Some(limit) = &p.usage_limit {
        match used {
            Some(u) if u > limit.limit => codes.push(Code::UsageLimitExceeded),
            Some(_) => {}
            None => codes.push(Code::UsageUnknown),
        }
    }
    if let Some(r) = q.reason {
        match p.reason(r) {
            None => codes.push(Code::ReasonNotSupported),
            Some(reason) => match reason.provides_coverage {
                Some(true) => {}
                Some(false) => codes.push(Code::ReasonExcluded),
                None => codes.push(Code::ReasonUndecided),
            },
        }
    }
    let outcome = outcome_of(&codes);
    let as_of = cal.localize(q.as_of);
    let remaining_days = if q.as_of >= end {
        0
    } else {
        // Both are written in the calendar's offsets: their own dates are local dates.
        end.0
            .date_naive()
            .signed_duration_since(as_of.0.date_naive())
            .num_days()
            .max(0)
    };
    let facts = CoverageFacts {
        policy: p.id.clone(),
        as_of,
        reason: q.reason.map(str::to_string),
        usage_used: used,
        usage_limit: p.usage_limit.as_ref().map(|l| l.limit),
        usage_unit: p.usage_limit.as_ref().map(|l| l.unit.clone()),
    };
    let mut d = CoverageDecision {
        outcome,
        codes,
        start,
        end,
        remaining_days,
        parts_end,
        labour_end,
        facts,
        message: String::new(),
    };
    d.message = explain_coverage(p, &d);
    Ok(d)
}

/// One clause per code, for messages.
fn clause(code: Code, p: &Policy, d: &CoverageDecision) -> String {
    let reason = d.facts.reason.as_deref().unwrap_or("");
    let unit = d.facts.usage_unit.as_deref().unwrap_or("");
    let limit = d.facts.usage_limit.unwrap_or_default();
    match code {
        Code::NotStarted => format!("coverage only starts on {}", human_date(d.start)),
        Code::Expired => format!("coverage ended on {}", human_date(d.end)),
        Code::UsageLimitExceeded => format!(
            "{} {unit} used is over the limit of {limit} {unit}",
            d.facts.usage_used.unwrap_or_default()
        ),
        Code::UsageUnknown => {
            format!("the policy is capped at {limit} {unit} and no usage reading was given")
        }
        Code::ReasonNotSupported => format!("reason {reason} is not listed on policy {}", p.id),
        Code::ReasonExcluded => format!("policy {} excludes reason {reason}", p.id),
        Code::ReasonUndecided => format!(
            "policy {} leaves reason {reason} to a warranty manager",
            p.id
        ),
        Code::NotUnderWarranty => "the original item was not under warranty".to_string(),
        Code::ReplacementNotCovered => "the policy gives a replacement no warranty".to_string(),
        Code::NoPolicyMatch => "no policy applies to this item".to_string(),
        other => crate::warranty::stack::code_clause(other).to_string(),
    }
}

fn join_clauses(clauses: &[String]) -> String {
    match clauses {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn explain_coverage(p: &Policy, d: &CoverageDecision) -> String {
    let clauses: Vec<String> = d.codes.iter().map(|c| clause(*c, p, d)).collect();
    match d.outcome {
        Outcome::Covered => {
            let mut s = format!(
                "Covered by {} until {} ({} {} left)",
                p.label(),
                human_date(d.end),
                d.remaining_days,
                if d.remaining_days == 1 { "day" } else { "days" }
            );
            if let Some(r) = &d.facts.reason {
                s.push_str(&format!("; reason {r} is covered"));
            }
            s.push('.');
            s
        }
        Outcome::NotCovered => format!("Not covered: {}.", join_clauses(&clauses)),
        Outcome::NeedsReview => format!("Needs review: {}.", join_clauses(&clauses)),
    }
}

/// What a replacement asks (PROTOCOL.md `replace`).
#[derive(Clone, Copy, Debug)]
pub struct ReplaceQuery<'a> {
    /// Policy of the replaced item.
    pub policy: &'a Policy,
    /// Warranty record of the replaced item.
    pub original: &'a WarrantyRecord,
    /// Replacement reason.
    pub reason: &'a str,
    /// When the replacement was requested.
    pub requested_at: Instant,
    /// When the replacement item was issued (>= `requested_at`).
    pub issued_at: Instant,
    /// Usage reading at `requested_at`.
    pub usage: Option<Dec>,
    /// The local calendar.
    pub calendar: Calendar,
}

/// Coverage the replacement item receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplacementCoverage {
    /// Start of the replacement's coverage (its issue).
    pub start: Instant,
    /// End of the replacement's coverage.
    pub end: Instant,
    /// Days of coverage the replacement gets, counted in local dates.
    pub remaining_days: i64,
}

/// The answer of a replacement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplaceDecision {
    /// The effective replacement mode.
    pub mode: ReplacementMode,
    /// Outcome for the replacement item.
    pub outcome: Outcome,
    /// Codes, in protocol order.
    pub codes: Vec<Code>,
    /// The replacement's coverage, or `null`.
    pub replacement: Option<ReplacementCoverage>,
    /// The original item's coverage at `requested_at`.
    pub original: CoverageDecision,
    /// A plain English sentence staff can read out.
    pub message: String,
}

/// Decides what a replacement item inherits (DESIGN §6, PROTOCOL.md `replace`).
pub fn replace(q: &ReplaceQuery<'_>) -> Result<ReplaceDecision> {
    if q.issued_at < q.requested_at {
        return Err(Error::invalid(
            "issued_at",
            "the replacement cannot be issued before it was requested",
        ));
    }
    let cal = q.calendar;
    let p = q.policy;
    let mode = p
        .reason(q.reason)
        .and_then(|r| r.replacement)
        .unwrap_or(p.replacement);
    let cov = check_coverage(&CoverageQuery {
        policy: p,
        warranty: q.original,
        as_of: q.requested_at,
        reason: Some(q.reason),
        usage: q.usage,
        calendar: cal,
    })?;
    let issued = cal.localize(q.issued_at);
    let (outcome, codes, replacement) = if cov.outcome == Outcome::NotCovered {
        let mut codes = vec![Code::NotUnderWarranty];
        codes.extend(cov.codes.iter().copied());
        (Outcome::NotCovered, codes, None)
    } else {
        match mode {
            ReplacementMode::NoWarranty => {
                let mut codes = cov.codes.clone();
                codes.push(Code::ReplacementNotCovered);
                (Outcome::NotCovered, codes, None)
            }
            ReplacementMode::CarryOver => {
                let (end, remaining) = carry_over_end(cal, q.requested_at, q.issued_at, cov.end)
                    .ok_or_else(|| range_err("issued_at"))?;
                let rc = ReplacementCoverage {
                    start: issued,
                    end,
                    remaining_days: remaining,
                };
                (cov.outcome, cov.codes.clone(), Some(rc))
            }
            ReplacementMode::ApplyNew => {
                let end = time::expiry(q.issued_at, p.duration, p.expiry, cal)
                    .map_err(|_| range_err("policy.duration"))?;
                let rc = ReplacementCoverage {
                    start: issued,
                    end,
                    remaining_days: cal.days_between(q.issued_at, end).max(0),
                };
                (cov.outcome, cov.codes.clone(), Some(rc))
            }
        }
    };
    let message = explain_replace(p, mode, outcome, &codes, &replacement, &cov);
    Ok(ReplaceDecision {
        mode,
        outcome,
        codes,
        replacement,
        original: cov,
        message,
    })
}

/// The end a carried-over coverage gets: the local days left from `requested_at` to `end`,
/// counted again from `issued_at`'s date, at `end`'s wall-clock time. Returns the end (in
/// `cal`) and the days carried; `None` outside the supported years.
pub(crate) fn carry_over_end(
    cal: Calendar,
    requested_at: Instant,
    issued_at: Instant,
    end: Instant,
) -> Option<(Instant, i64)> {
    let remaining = cal.days_between(requested_at, end).max(0);
    let end_local = cal.local(end);
    let date = cal
        .date(issued_at)
        .checked_add_days(chrono::Days::new(remaining.unsigned_abs()))?;
    let end = cal.resolve(date.and_time(end_local.time()), Some(end.offset()))?;
    Some((cal.localize(end), remaining))
}

fn explain_replace(
    p: &Policy,
    mode: ReplacementMode,
    outcome: Outcome,
    codes: &[Code],
    rc: &Option<ReplacementCoverage>,
    cov: &CoverageDecision,
) -> String {
    let clauses: Vec<String> = codes.iter().map(|c| clause(*c, p, cov)).collect();
    match (rc, outcome) {
        (Some(r), _) => {
            let how = match mode {
                ReplacementMode::CarryOver => "carries over the original's remaining coverage",
                _ => "gets the policy afresh",
            };
            let mut s = format!(
                "The replacement {how}: covered from {} until {} ({} days)",
                human_date(r.start),
                human_date(r.end),
                r.remaining_days
            );
            if outcome == Outcome::NeedsReview {
                s.push_str(&format!(", subject to review: {}", join_clauses(&clauses)));
            }
            s.push('.');
            s
        }
        (None, _) => format!(
            "The replacement gets no warranty: {}.",
            join_clauses(&clauses)
        ),
    }
}
