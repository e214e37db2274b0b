//! Partner status updates (`docs/claims.md`, "Partner status"): a partner's (CNH's) status
//! for a claim mapped to ours, applied only when it moves the claim forward, with an audit
//! entry; anything else is ignored with a reason, never moved backwards.

use serde::{Deserialize, Serialize};

use crate::claims::audit::AuditEntry;
use crate::claims::lifecycle::{ClaimState, Status};
use crate::error::{Error, Result};
use crate::time::Instant;

/// A partner's status for a claim (CNH Smart Alert `status` / `status_description`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerStatus {
    /// The partner's name, recorded in the audit entry (default `cnh`).
    #[serde(default)]
    pub partner: Option<String>,
    /// Numeric status (`"80"`, `"080"`, `"Z080"`).
    #[serde(default)]
    pub status: Option<String>,
    /// Status description (`"CLAIM PAID"`), which wins over `status` when both are given.
    #[serde(default)]
    pub status_description: Option<String>,
    /// When the partner reported it.
    pub at: Instant,
}

/// CNH status descriptions and what they mean here.
pub const PARTNER_DESCRIPTIONS: &[(&str, Status)] = &[
    ("DRAFT", Status::Draft),
    ("SUBMITTED", Status::Submitted),
    ("AWAITING ADDITIONAL DEALER INFO", Status::NeedsInfo),
    ("CLAIM APPROVED", Status::Approved),
    ("CLAIM REJECTED", Status::Rejected),
    ("CLAIM PAID", Status::Closed),
    ("CLAIM CANCELLED", Status::Cancelled),
    ("CLAIM CANCELLED/REPLACED", Status::Cancelled),
];

/// CNH numeric statuses and what they mean here (`docs/claims.md`; an assumption where the
/// seed document gives only the example `80`).
pub const PARTNER_CODES: &[(u32, Status)] = &[
    (10, Status::Draft),
    (20, Status::Submitted),
    (30, Status::NeedsInfo),
    (40, Status::Approved),
    (50, Status::Rejected),
    (80, Status::Closed),
    (90, Status::Cancelled),
    (91, Status::Cancelled),
];

/// Maps a partner status onto a [`Status`]; `Err((path, message))` when unknown.
pub fn map_partner_status(u: &PartnerStatus) -> Result<Status> {
    if let Some(d) = &u.status_description {
        let norm = d
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_uppercase();
        return PARTNER_DESCRIPTIONS
            .iter()
            .find(|(k, _)| *k == norm)
            .map(|(_, s)| *s)
            .ok_or_else(|| {
                Error::invalid(
                    "update.status_description",
                    format!("`{d}` is not a known partner status description"),
                )
            });
    }
    if let Some(code) = &u.status {
        let digits = code.trim().trim_start_matches(['Z', 'z']);
        let n: Option<u32> = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        };
        return n
            .and_then(|n| PARTNER_CODES.iter().find(|(k, _)| *k == n))
            .map(|(_, s)| *s)
            .ok_or_else(|| {
                Error::invalid(
                    "update.status",
                    format!("`{code}` is not a known partner status code"),
                )
            });
    }
    Err(Error::invalid(
        "update",
        "a partner update needs `status` or `status_description`",
    ))
}

/// Why a partner update was not applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Ignored {
    /// Older than an update already seen.
    OutOfOrder,
    /// It would move the claim backwards (or sideways at the same stage).
    Stale,
    /// The claim is already there.
    NoChange,
}

/// The result of [`apply_partner_status`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartnerApplied {
    /// Whether the claim moved.
    pub applied: bool,
    /// Why not, when it did not.
    pub ignored: Option<Ignored>,
    /// The status the partner reported, mapped.
    pub partner_status: Status,
    /// The state to store (unchanged but for `partner_at` when ignored as stale).
    pub state: ClaimState,
    /// The audit entry to append, when applied.
    pub audit: Option<AuditEntry>,
}

/// Applies a partner status update: only ever forwards (a strictly later lifecycle stage) and
/// only in order of the partner's timestamps.
pub fn apply_partner_status(
    state: &ClaimState,
    update: &PartnerStatus,
    prev_hash: Option<&str>,
) -> Result<PartnerApplied> {
    let target = map_partner_status(update)?;
    let ignored = |why: Ignored, state: ClaimState| PartnerApplied {
        applied: false,
        ignored: Some(why),
        partner_status: target,
        state,
        audit: None,
    };
    if state.partner_at.is_some_and(|seen| update.at < seen) {
        return Ok(ignored(Ignored::OutOfOrder, state.clone()));
    }
    let mut next = state.clone();
    next.partner_at = Some(update.at);
    if target == state.status {
        return Ok(ignored(Ignored::NoChange, next));
    }
    if target.rank() <= state.status.rank() {
        return Ok(ignored(Ignored::Stale, next));
    }
    next.status = target;
    let partner = update.partner.clone().unwrap_or_else(|| "cnh".into());
    let reason = match (&update.status_description, &update.status) {
        (Some(d), _) => d.clone(),
        (None, Some(s)) => format!("status {s}"),
        (None, None) => String::new(),
    };
    let audit = AuditEntry {
        claim: state.claim.clone(),
        action: "partner_status".into(),
        actor: format!("partner:{partner}"),
        role: "partner".into(),
        at: update.at,
        from: state.status,
        to: target,
        reason,
        overridden: state.overridden,
        prev_hash: prev_hash.map(str::to_string),
        key_id: None,
        hash: String::new(),
        mac: None,
    }
    .sealed();
    Ok(PartnerApplied {
        applied: true,
        ignored: None,
        partner_status: target,
        state: next,
        audit: Some(audit),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_codes_accept_leading_zeros_and_z() {
        let at = Instant::parse("2026-11-25T08:00:00+01:00").unwrap();
        for code in ["80", "080", "Z080", "z80"] {
            let u = PartnerStatus {
                partner: None,
                status: Some(code.into()),
                status_description: None,
                at,
            };
            assert_eq!(map_partner_status(&u).unwrap(), Status::Closed, "{code}");
        }
    }
}
