//! `claims_report`: the overview's "reports worth checking" over a list of claim summaries —
//! open count, by status, by validation outcome, by reason, approval lead time, and claimed
//! vs reimbursed per currency.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::claims::lifecycle::Status;
use crate::claims::{minor_units, ValidationOutcome};
use crate::error::{Error, Result};
use crate::time::Instant;
use crate::warranty::policy::Dec;

/// What the report needs to know of one claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSummary {
    /// The claim's id (the dealer's claim number, which invoice lines name).
    pub id: String,
    /// The partner's number for it (CNH's claim number), which invoice lines name first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_claim_number: Option<String>,
    /// Its lifecycle status.
    pub status: Status,
    /// Its latest validation outcome, if validated.
    #[serde(default)]
    pub validation: Option<ValidationOutcome>,
    /// Its coverage reason code.
    #[serde(default)]
    pub reason: Option<String>,
    /// ISO 4217 currency of its amounts (required when an amount is given).
    #[serde(default)]
    pub currency: Option<String>,
    /// The claimed total.
    #[serde(default)]
    pub claimed: Option<Dec>,
    /// What the partner reimbursed.
    #[serde(default)]
    pub reimbursed: Option<Dec>,
    /// When it was submitted.
    #[serde(default)]
    pub submitted_at: Option<Instant>,
    /// When it was approved.
    #[serde(default)]
    pub approved_at: Option<Instant>,
}

/// Approval lead time: submitted → approved, over the claims that have both instants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeadTime {
    /// Claims measured.
    pub count: usize,
    /// Shortest, in whole seconds.
    pub min_seconds: Option<i64>,
    /// Median (the mean of the two middle values, rounded down, for an even count).
    pub median_seconds: Option<i64>,
    /// Mean, rounded down.
    pub mean_seconds: Option<i64>,
    /// Longest.
    pub max_seconds: Option<i64>,
}

/// Money per currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MoneyTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// Claims in this currency.
    pub claims: usize,
    /// Sum claimed.
    pub claimed: String,
    /// Sum reimbursed.
    pub reimbursed: String,
    /// Claimed minus reimbursed.
    pub unrecovered: String,
}

/// The report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimsReport {
    /// Claims given.
    pub claims: usize,
    /// Claims still in progress: not rejected, closed or cancelled.
    pub open: usize,
    /// Count per status (keys sorted by name; statuses with no claim left out).
    pub by_status: BTreeMap<&'static str, usize>,
    /// Count per validation outcome (`unvalidated` for none).
    pub by_validation: BTreeMap<&'static str, usize>,
    /// Count per reason code (`none` for claims without one).
    pub by_reason: BTreeMap<String, usize>,
    /// Submitted → approved.
    pub approval_lead_time: LeadTime,
    /// Per currency, by code.
    pub totals: Vec<MoneyTotal>,
}

/// One more in a count (a count of claims cannot reach `usize::MAX`; saturating all the same).
fn bump(n: &mut usize) {
    *n = n.saturating_add(1);
}

/// Builds the report. Errors (`INVALID_INPUT`) name the claim field at fault: an unknown
/// currency, an amount without a currency, an approval before the submission, a sum too large.
pub fn claims_report(claims: &[ClaimSummary]) -> Result<ClaimsReport> {
    let mut by_status: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_validation: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    // Per currency (valid codes only: at most the 183 of ISO 4217), in the order first met;
    // sorted by code at the end.
    let mut money: Vec<(String, (usize, Decimal, Decimal))> = Vec::new();
    let mut leads: Vec<i64> = Vec::new();
    let mut open = 0;
    for (i, c) in claims.iter().enumerate() {
        let at = |f: &str| format!("claims[{i}].{f}");
        bump(by_status.entry(c.status.as_str()).or_default());
        if !matches!(
            c.status,
            Status::Rejected | Status::Closed | Status::Cancelled
        ) {
            bump(&mut open);
        }
        let v = c
            .validation
            .map_or("unvalidated", ValidationOutcome::as_str);
        bump(by_validation.entry(v).or_default());
        let reason = c.reason.clone().filter(|r| !r.trim().is_empty());
        bump(
            by_reason
                .entry(reason.unwrap_or_else(|| "none".into()))
                .or_default(),
        );
        if let (Some(s), Some(a)) = (c.submitted_at, c.approved_at) {
            let secs = a.0.signed_duration_since(s.0).num_seconds();
            if secs < 0 {
                return Err(Error::invalid(
                    at("approved_at"),
                    "the claim is approved before it was submitted",
                ));
            }
            leads.push(secs);
        }
        if c.claimed.is_some() || c.reimbursed.is_some() {
            let Some(cur) = &c.currency else {
                return Err(Error::invalid(at("currency"), "amounts need a currency"));
            };
            if minor_units(cur).is_none() {
                return Err(Error::invalid(
                    at("currency"),
                    format!("`{cur}` is not an ISO 4217 currency code"),
                ));
            }
            let Some(slot) =
                crate::order::entry(&mut money, cur, || (0, Decimal::ZERO, Decimal::ZERO))
            else {
                continue;
            };
            bump(&mut slot.0);
            let add = |x: Decimal, d: Option<Dec>, f: &str| -> Result<Decimal> {
                x.checked_add(d.map_or(Decimal::ZERO, |d| d.0))
                    .ok_or_else(|| Error::invalid(at(f), "the total is too large"))
            };
            slot.1 = add(slot.1, c.claimed, "claimed")?;
            slot.2 = add(slot.2, c.reimbursed, "reimbursed")?;
        }
    }
    crate::order::sort_by(&mut leads, Ord::cmp);
    let n = leads.len();
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => leads.get(n / 2).copied(),
        // Two i64 fit an i128 sum, and their halved sum fits an i64 again.
        _ => match (leads.get((n / 2).saturating_sub(1)), leads.get(n / 2)) {
            (Some(a), Some(b)) => i128::from(*a)
                .checked_add(i128::from(*b))
                .and_then(|s| i64::try_from(s.div_euclid(2)).ok()),
            _ => None,
        },
    };
    // At most usize::MAX values of at most i64::MAX each: far inside i128.
    let mean = leads
        .iter()
        .try_fold(0i128, |sum, x| sum.checked_add(i128::from(*x)))
        .zip(i128::try_from(n).ok().filter(|n| *n > 0))
        .and_then(|(sum, n)| sum.checked_div(n))
        .and_then(|m| i64::try_from(m).ok());
    crate::order::sort_by(&mut money, |a, b| a.0.cmp(&b.0));
    let totals = money
        .into_iter()
        .map(|(currency, (claims, claimed, reimbursed))| {
            // Both are sums of non-negative amounts, so the difference is in range; checked
            // all the same.
            let unrecovered = claimed.checked_sub(reimbursed).ok_or_else(|| {
                Error::invalid(
                    "claims",
                    format!("the {currency} difference is out of range"),
                )
            })?;
            Ok(MoneyTotal {
                currency,
                claims,
                claimed: claimed.to_string(),
                reimbursed: reimbursed.to_string(),
                unrecovered: unrecovered.to_string(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ClaimsReport {
        claims: claims.len(),
        open,
        by_status,
        by_validation,
        by_reason,
        approval_lead_time: LeadTime {
            count: n,
            min_seconds: leads.first().copied(),
            median_seconds: median,
            mean_seconds: mean,
            max_seconds: leads.last().copied(),
        },
        totals,
    })
}
