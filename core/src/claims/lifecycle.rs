//! The claim lifecycle (DESIGN §8, `docs/claims.md`): states, and actions checked against a
//! role matrix. Each accepted transition gives the next [`ClaimState`] and its audit entry
//! ([`crate::claims::audit`]); partner status updates are in
//! [`crate::claims::partner_status`].
//!
//! Nothing here keeps state: the host passes the claim's current [`ClaimState`] and the hash
//! of its last audit entry, and stores what comes back.

use serde::{Deserialize, Serialize};

use crate::claims::ValidationOutcome;
use crate::error::{Error, ErrorCode, Result};
use crate::time::Instant;

use crate::claims::audit::AuditEntry;

crate::wire::wire_enum! {
    /// Where a claim is.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Status {
        /// Being prepared.
        Draft = "draft",
        /// Sent for a decision.
        Submitted = "submitted",
        /// Sent back to the dealer for more information.
        NeedsInfo = "needs_info",
        /// Approved.
        Approved = "approved",
        /// Rejected.
        Rejected = "rejected",
        /// Approved and being repaired.
        Repair = "repair",
        /// Approved and being replaced.
        Replace = "replace",
        /// Approved and being refunded.
        Refund = "refund",
        /// Done.
        Closed = "closed",
        /// Withdrawn.
        Cancelled = "cancelled",
    }
}

/// Every status, in lifecycle order.
pub const STATUSES: &[Status] = &[
    Status::Draft,
    Status::Submitted,
    Status::NeedsInfo,
    Status::Approved,
    Status::Rejected,
    Status::Repair,
    Status::Replace,
    Status::Refund,
    Status::Closed,
    Status::Cancelled,
];

impl Status {
    /// How far along the lifecycle a status is; partner updates only move a claim to a
    /// strictly higher rank.
    pub fn rank(self) -> u8 {
        match self {
            Status::Draft => 0,
            Status::Submitted => 1,
            Status::NeedsInfo => 2,
            Status::Approved | Status::Rejected => 3,
            Status::Repair | Status::Replace | Status::Refund => 4,
            Status::Closed | Status::Cancelled => 5,
        }
    }

    /// Closed and cancelled claims accept no further transition.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::Cancelled)
    }
}

crate::wire::wire_enum! {
    /// What an actor does to a claim.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Action {
        /// Send for a decision (from draft or needs_info).
        Submit = "submit",
        /// Approve (from submitted).
        Approve = "approve",
        /// Reject (from submitted or needs_info).
        Reject = "reject",
        /// Send back for more information (from submitted).
        RequestInfo = "request_info",
        /// Settle an approved claim by repair.
        Repair = "repair",
        /// Settle an approved claim by replacement.
        Replace = "replace",
        /// Settle an approved claim by refund.
        Refund = "refund",
        /// Close a settled or rejected claim.
        Close = "close",
        /// Withdraw a claim that is not settled yet.
        Cancel = "cancel",
        /// Override the validation errors of a submitted claim (status unchanged).
        Override = "override",
    }
}

/// Every action, in the order of the role matrix.
pub const ACTIONS: &[Action] = &[
    Action::Submit,
    Action::Approve,
    Action::Reject,
    Action::RequestInfo,
    Action::Repair,
    Action::Replace,
    Action::Refund,
    Action::Close,
    Action::Cancel,
    Action::Override,
];

impl Action {
    /// The statuses an action may start from, and where it leads (`None`: status unchanged).
    pub fn from_to(self) -> (&'static [Status], Option<Status>) {
        use Status::*;
        match self {
            Action::Submit => (&[Draft, NeedsInfo], Some(Submitted)),
            Action::Approve => (&[Submitted], Some(Approved)),
            Action::Reject => (&[Submitted, NeedsInfo], Some(Rejected)),
            Action::RequestInfo => (&[Submitted], Some(NeedsInfo)),
            Action::Repair => (&[Approved], Some(Repair)),
            Action::Replace => (&[Approved], Some(Replace)),
            Action::Refund => (&[Approved], Some(Refund)),
            Action::Close => (&[Repair, Replace, Refund, Rejected], Some(Closed)),
            Action::Cancel => (&[Draft, Submitted, NeedsInfo, Approved], Some(Cancelled)),
            Action::Override => (&[Submitted, NeedsInfo], None),
        }
    }

    /// Whether the action needs a written (non-blank) reason.
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            Action::Reject | Action::RequestInfo | Action::Cancel | Action::Override
        )
    }
}

crate::wire::wire_enum! {
    /// Who acts.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Role {
        /// The business owner: may do everything.
        Owner = "owner",
        /// Decides claims and may override validation errors.
        WarrantyManager = "warranty_manager",
        /// Money: refunds, closing, asking for information.
        FinanceUser = "finance_user",
        /// The counter: prepares, submits and cancels claims; never decides them.
        SalesStaff = "sales_staff",
        /// Runs the integration: submits and cancels on the host's behalf.
        SystemAdmin = "system_admin",
    }
}

/// Every role, in the order of the role matrix.
pub const ROLES: &[Role] = &[
    Role::Owner,
    Role::WarrantyManager,
    Role::FinanceUser,
    Role::SalesStaff,
    Role::SystemAdmin,
];

impl Role {
    /// The role matrix (`docs/claims.md`): may this role take this action?
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Owner => true,
            Role::WarrantyManager => true,
            Role::FinanceUser => matches!(action, RequestInfo | Refund | Close),
            Role::SalesStaff => matches!(action, Submit | Cancel),
            Role::SystemAdmin => matches!(action, Submit | Cancel),
        }
    }
}

/// A claim's lifecycle state, kept by the host between calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimState {
    /// The claim's id (its DMS claim number); recorded in every audit entry.
    pub claim: String,
    /// Where the claim is.
    pub status: Status,
    /// The outcome of the latest `validate_claim`, `null` when never validated.
    #[serde(default)]
    pub validation: Option<ValidationOutcome>,
    /// Whether a manager overrode the validation errors.
    #[serde(default)]
    pub overridden: bool,
    /// The time of the last partner status update applied or seen, for ordering.
    #[serde(default)]
    pub partner_at: Option<Instant>,
}

/// Who takes an action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// The person or system id.
    pub id: String,
    /// Their role.
    pub role: Role,
}

/// A transition request.
#[derive(Clone, Debug)]
pub struct Transition<'a> {
    /// The claim's current state.
    pub state: &'a ClaimState,
    /// What is done.
    pub action: Action,
    /// Who does it.
    pub actor: &'a Actor,
    /// When (given by the host).
    pub at: Instant,
    /// Why.
    pub reason: &'a str,
    /// The hash of the claim's last audit entry (`None` for the first).
    pub prev_hash: Option<&'a str>,
}

/// An accepted transition: the state to store and the audit entry to append.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transitioned {
    /// The new state.
    pub state: ClaimState,
    /// The audit entry.
    pub audit: AuditEntry,
}

crate::wire::wire_enum! {
    /// The rule that refuses a transition (`docs/claims.md`, "Lifecycle"), checked in this
    /// order.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
    pub enum TransitionRule {
        /// The action is not allowed from the claim's status.
        InvalidTransition = "INVALID_TRANSITION",
        /// The actor's role may not take the action.
        RoleNotAllowed = "ROLE_NOT_ALLOWED",
        /// The action needs a written reason.
        ReasonRequired = "REASON_REQUIRED",
        /// An override of a claim whose validation found no errors.
        NothingToOverride = "NOTHING_TO_OVERRIDE",
        /// An override of errors already overridden.
        AlreadyOverridden = "ALREADY_OVERRIDDEN",
        /// An approval of a claim not yet validated.
        NotValidated = "NOT_VALIDATED",
        /// An approval of a claim with validation errors not overridden.
        ValidationErrors = "VALIDATION_ERRORS",
    }
}

/// A refused transition: the rule, the request field it is about, and a sentence. The
/// protocol writes it as a `TRANSITION_REFUSED` error whose message starts with the rule
/// (`ROLE_NOT_ALLOWED: a sales_staff may not approve`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", rule.as_str())]
pub struct Refused {
    /// The rule that refuses it.
    pub rule: TransitionRule,
    /// The field of the request it is about (`action`, `actor.role`, `reason`, …).
    pub path: &'static str,
    /// What is wrong, for staff.
    pub message: String,
}

impl From<Refused> for Error {
    fn from(r: Refused) -> Self {
        Error {
            code: ErrorCode::TransitionRefused,
            path: r.path.to_string(),
            message: format!("{}: {}", r.rule.as_str(), r.message),
        }
    }
}

fn refused(path: &'static str, rule: TransitionRule, message: String) -> Refused {
    Refused {
        rule,
        path,
        message,
    }
}

/// Checks a transition against the lifecycle, the role matrix and the override rules, in
/// that order; returns the new state and its audit entry, or the rule that forbids it
/// ([`Refused`], a `TRANSITION_REFUSED` error on the wire). A refused transition changes
/// nothing.
pub fn transition(t: &Transition<'_>) -> Result<Transitioned, Refused> {
    let s = t.state;
    let a = t.action;
    let (from, to) = a.from_to();
    if !from.contains(&s.status) {
        let allowed: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        return Err(refused(
            "action",
            TransitionRule::InvalidTransition,
            format!(
                "a claim that is {} cannot be {}; {} is allowed from {}",
                s.status.as_str(),
                past(a),
                a.as_str(),
                allowed.join(", ")
            ),
        ));
    }
    if !t.actor.role.may(a) {
        return Err(refused(
            "actor.role",
            TransitionRule::RoleNotAllowed,
            format!("a {} may not {}", t.actor.role.as_str(), a.as_str()),
        ));
    }
    if a.needs_reason() && t.reason.trim().is_empty() {
        return Err(refused(
            "reason",
            TransitionRule::ReasonRequired,
            format!("{} needs a written reason", a.as_str()),
        ));
    }
    let mut next = s.clone();
    match a {
        Action::Override => {
            if s.validation != Some(ValidationOutcome::Reject) {
                return Err(refused(
                    "state.validation",
                    TransitionRule::NothingToOverride,
                    "only a claim whose validation found errors can be overridden".into(),
                ));
            }
            if s.overridden {
                return Err(refused(
                    "state.overridden",
                    TransitionRule::AlreadyOverridden,
                    "the validation errors are already overridden".into(),
                ));
            }
            next.overridden = true;
        }
        Action::Approve => match s.validation {
            None => {
                return Err(refused(
                    "state.validation",
                    TransitionRule::NotValidated,
                    "validate the claim before approving it".into(),
                ))
            }
            Some(ValidationOutcome::Reject) if !s.overridden => {
                return Err(refused(
                    "state.validation",
                    TransitionRule::ValidationErrors,
                    "the claim has validation errors; a warranty manager or owner must override them, with a reason, before approval".into(),
                ))
            }
            _ => {}
        },
        _ => {}
    }
    if let Some(to) = to {
        next.status = to;
    }
    let audit = AuditEntry {
        claim: s.claim.clone(),
        action: a.as_str().to_string(),
        actor: t.actor.id.clone(),
        role: t.actor.role.as_str().to_string(),
        at: t.at,
        from: s.status,
        to: next.status,
        reason: t.reason.to_string(),
        overridden: next.overridden,
        prev_hash: t.prev_hash.map(str::to_string),
        key_id: None,
        hash: String::new(),
        mac: None,
    }
    .sealed();
    Ok(Transitioned { state: next, audit })
}

fn past(a: Action) -> &'static str {
    match a {
        Action::Submit => "submitted",
        Action::Approve => "approved",
        Action::Reject => "rejected",
        Action::RequestInfo => "sent back for information",
        Action::Repair => "settled by repair",
        Action::Replace => "settled by replacement",
        Action::Refund => "settled by refund",
        Action::Close => "closed",
        Action::Cancel => "cancelled",
        Action::Override => "overridden",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_action_pair_is_in_the_matrix_as_documented() {
        // Only owners and warranty managers may approve, reject or override.
        for role in ROLES {
            for action in [Action::Approve, Action::Reject, Action::Override] {
                assert_eq!(
                    role.may(action),
                    matches!(role, Role::Owner | Role::WarrantyManager),
                    "{role:?} {action:?}"
                );
            }
        }
        assert!(!Role::SalesStaff.may(Action::Refund));
        assert!(Role::FinanceUser.may(Action::Refund));
    }
}
