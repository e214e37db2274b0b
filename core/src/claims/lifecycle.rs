//! The claim lifecycle (DESIGN §8, `docs/claims.md`): states, actions checked against a role
//! matrix, a SHA-256 hash-chained audit trail (optionally keyed: an HMAC-SHA256 per entry
//! under the host's [`AuditKey`]), and partner (CNH) status updates that never move a claim
//! backwards.
//!
//! Nothing here keeps state: the host passes the claim's current [`ClaimState`] and the hash
//! of its last audit entry, and stores what comes back.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::claims::ValidationOutcome;
use crate::error::{Error, ErrorCode, Result};
use crate::time::Instant;

/// Where a claim is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being prepared.
    Draft,
    /// Sent for a decision.
    Submitted,
    /// Sent back to the dealer for more information.
    NeedsInfo,
    /// Approved.
    Approved,
    /// Rejected.
    Rejected,
    /// Approved and being repaired.
    Repair,
    /// Approved and being replaced.
    Replace,
    /// Approved and being refunded.
    Refund,
    /// Done.
    Closed,
    /// Withdrawn.
    Cancelled,
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
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::NeedsInfo => "needs_info",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Repair => "repair",
            Status::Replace => "replace",
            Status::Refund => "refund",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
        }
    }

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

/// What an actor does to a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Send for a decision (from draft or needs_info).
    Submit,
    /// Approve (from submitted).
    Approve,
    /// Reject (from submitted or needs_info).
    Reject,
    /// Send back for more information (from submitted).
    RequestInfo,
    /// Settle an approved claim by repair.
    Repair,
    /// Settle an approved claim by replacement.
    Replace,
    /// Settle an approved claim by refund.
    Refund,
    /// Close a settled or rejected claim.
    Close,
    /// Withdraw a claim that is not settled yet.
    Cancel,
    /// Override the validation errors of a submitted claim (status unchanged).
    Override,
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
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::RequestInfo => "request_info",
            Action::Repair => "repair",
            Action::Replace => "replace",
            Action::Refund => "refund",
            Action::Close => "close",
            Action::Cancel => "cancel",
            Action::Override => "override",
        }
    }

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

/// Who acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The business owner: may do everything.
    Owner,
    /// Decides claims and may override validation errors.
    WarrantyManager,
    /// Money: refunds, closing, asking for information.
    FinanceUser,
    /// The counter: prepares, submits and cancels claims; never decides them.
    SalesStaff,
    /// Runs the integration: submits and cancels on the host's behalf.
    SystemAdmin,
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
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::WarrantyManager => "warranty_manager",
            Role::FinanceUser => "finance_user",
            Role::SalesStaff => "sales_staff",
            Role::SystemAdmin => "system_admin",
        }
    }

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

/// One audit entry, hash-chained to the previous one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// The claim.
    pub claim: String,
    /// The action (`partner_status` for partner updates).
    pub action: String,
    /// Who acted (`partner:<name>` for partner updates).
    pub actor: String,
    /// Their role (`partner` for partner updates).
    pub role: String,
    /// When, as given by the host.
    pub at: Instant,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// The written reason (may be empty where the action needs none).
    pub reason: String,
    /// Whether validation errors were overridden at this point.
    pub overridden: bool,
    /// The previous entry's `hash`, `null` for the first entry.
    pub prev_hash: Option<String>,
    /// The id of the [`AuditKey`] that keyed this entry; absent for an unkeyed entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// SHA-256 (lowercase hex) of this entry's canonical form without `hash` and `mac`.
    pub hash: String,
    /// HMAC-SHA256 (lowercase hex) of `hash` under the key `key_id`; absent when unkeyed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

/// The fields that are hashed: the entry without its hash, serialized compactly in this order.
#[derive(Serialize)]
struct Hashed<'a> {
    claim: &'a str,
    action: &'a str,
    actor: &'a str,
    role: &'a str,
    at: Instant,
    from: Status,
    to: Status,
    reason: &'a str,
    overridden: bool,
    prev_hash: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<&'a str>,
}

impl AuditEntry {
    /// The SHA-256 this entry should carry.
    pub fn compute_hash(&self) -> String {
        let canonical = serde_json::to_vec(&Hashed {
            claim: &self.claim,
            action: &self.action,
            actor: &self.actor,
            role: &self.role,
            at: self.at,
            from: self.from,
            to: self.to,
            reason: &self.reason,
            overridden: self.overridden,
            prev_hash: self.prev_hash.as_deref(),
            key_id: self.key_id.as_deref(),
        })
        .unwrap_or_default();
        sha256_hex(&canonical)
    }

    /// Keys this entry under `key`: records the key's id (part of what `hash` covers),
    /// recomputes `hash` and adds `mac`, the HMAC-SHA256 of `hash` under the key. Chain the
    /// next entry on the new `hash`.
    pub fn keyed(mut self, key: &AuditKey) -> Self {
        self.key_id = Some(key.id.clone());
        self.hash = self.compute_hash();
        self.mac = Some(key.mac_hex(&self.hash));
        self
    }

    /// The canonical serialisation of the whole entry (what a host should store).
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn sealed(mut self) -> Self {
        self.hash = self.compute_hash();
        self
    }
}

/// SHA-256 of `bytes` as lowercase hex (the audit hash; also the outbox's payload hash).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            s.push(char::from(
                HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    s
}

/// The shortest audit key accepted, in bytes (128 bits).
pub const AUDIT_KEY_MIN_BYTES: usize = 16;

/// A host's secret key for the audit trail: entries keyed with it carry an HMAC-SHA256 that
/// nobody without the key can recompute after editing the log (docs/claims.md, "Keyed audit").
/// In requests: `{"id": "2026-q4", "secret": "<base64 of at least 16 bytes>"}`; the id is
/// written into each entry, so keys can be rotated and old entries still verified.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey {
    id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id)
            .field("secret", &"…")
            .finish()
    }
}

impl AuditKey {
    /// A key from its id and raw secret bytes (at least [`AUDIT_KEY_MIN_BYTES`]). Errors are
    /// at `id` or `secret`.
    pub fn new(id: impl Into<String>, secret: impl Into<Vec<u8>>) -> Result<Self> {
        let (id, secret) = (id.into(), secret.into());
        if id.trim().is_empty() {
            return Err(Error::invalid("id", "the audit key id is empty"));
        }
        if id.len() > 128 {
            return Err(Error::invalid(
                "id",
                "the audit key id is longer than 128 bytes",
            ));
        }
        if secret.len() < AUDIT_KEY_MIN_BYTES {
            return Err(Error::invalid(
                "secret",
                format!(
                    "the audit key secret is {} bytes; at least {AUDIT_KEY_MIN_BYTES} are needed",
                    secret.len()
                ),
            ));
        }
        Ok(AuditKey { id, secret })
    }

    /// A key whose secret is given as standard base64.
    pub fn from_base64(id: impl Into<String>, secret: &str) -> Result<Self> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(secret.trim())
            .map_err(|_| Error::invalid("secret", "the audit key secret is not base64"))?;
        AuditKey::new(id, bytes)
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn mac_hex(&self, hash: &str) -> String {
        use hmac::{Hmac, Mac};
        match Hmac::<Sha256>::new_from_slice(&self.secret) {
            Ok(mut m) => {
                m.update(hash.as_bytes());
                hex(&m.finalize().into_bytes())
            }
            // HMAC takes keys of any length; unreachable, and no entry could match it.
            Err(_) => String::new(),
        }
    }

    /// Whether `mac` is the HMAC of `hash` under this key, compared in constant time.
    fn verifies(&self, hash: &str, mac: &str) -> bool {
        let want = self.mac_hex(hash);
        want.len() == mac.len()
            && want
                .bytes()
                .zip(mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
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

fn refused(path: &str, rule: &str, message: String) -> Error {
    Error {
        code: ErrorCode::TransitionRefused,
        path: path.to_string(),
        message: format!("{rule}: {message}"),
    }
}

/// Checks a transition against the lifecycle, the role matrix and the override rules, in
/// that order; returns the new state and its audit entry, or a `TRANSITION_REFUSED` error
/// whose message starts with the rule that forbids it. A refused transition changes nothing.
pub fn transition(t: &Transition<'_>) -> Result<Transitioned> {
    let s = t.state;
    let a = t.action;
    let (from, to) = a.from_to();
    if !from.contains(&s.status) {
        let allowed: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        return Err(refused(
            "action",
            "INVALID_TRANSITION",
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
            "ROLE_NOT_ALLOWED",
            format!("a {} may not {}", t.actor.role.as_str(), a.as_str()),
        ));
    }
    if a.needs_reason() && t.reason.trim().is_empty() {
        return Err(refused(
            "reason",
            "REASON_REQUIRED",
            format!("{} needs a written reason", a.as_str()),
        ));
    }
    let mut next = s.clone();
    match a {
        Action::Override => {
            if s.validation != Some(ValidationOutcome::Reject) {
                return Err(refused(
                    "state.validation",
                    "NOTHING_TO_OVERRIDE",
                    "only a claim whose validation found errors can be overridden".into(),
                ));
            }
            if s.overridden {
                return Err(refused(
                    "state.overridden",
                    "ALREADY_OVERRIDDEN",
                    "the validation errors are already overridden".into(),
                ));
            }
            next.overridden = true;
        }
        Action::Approve => match s.validation {
            None => {
                return Err(refused(
                    "state.validation",
                    "NOT_VALIDATED",
                    "validate the claim before approving it".into(),
                ))
            }
            Some(ValidationOutcome::Reject) if !s.overridden => {
                return Err(refused(
                    "state.validation",
                    "VALIDATION_ERRORS",
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

/// The verdict of [`verify_audit`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditVerdict {
    /// Whether the whole chain verifies.
    pub valid: bool,
    /// How many entries were given.
    pub entries: usize,
    /// The index of the first entry that does not verify.
    pub first_broken: Option<usize>,
    /// What is wrong with it.
    pub problem: Option<String>,
    /// Whether keys were given and every entry's `mac` verified under one of them: only then
    /// is an edit followed by recomputing the hashes ruled out.
    pub authenticated: bool,
}

/// One stored entry: the entry object, or the exact line the host stored.
#[derive(Clone, Debug)]
pub enum StoredEntry {
    /// A JSON value that should be an audit entry.
    Value(serde_json::Value),
    /// A stored line, which must be the entry's canonical serialisation byte for byte.
    Line(String),
}

/// Verifies a chain: every entry parses, carries its own hash, and points at the previous
/// entry's hash (`null` for the first). Names the first entry that breaks. Keyed entries'
/// MACs are not checked (see [`verify_audit_keyed`]).
pub fn verify_audit(entries: &[StoredEntry]) -> AuditVerdict {
    verify_audit_keyed(entries, &[])
}

/// [`verify_audit`], and with `keys` given, also: every entry is keyed (`key_id`, `mac`) with
/// one of `keys` and its `mac` verifies. An entry without a MAC is then broken: whoever can
/// rewrite the log could otherwise drop the MACs and recompute the plain hashes.
pub fn verify_audit_keyed(entries: &[StoredEntry], keys: &[AuditKey]) -> AuditVerdict {
    let mut prev: Option<String> = None;
    for (i, stored) in entries.iter().enumerate() {
        let broken = |problem: String| AuditVerdict {
            valid: false,
            entries: entries.len(),
            first_broken: Some(i),
            problem: Some(problem),
            authenticated: false,
        };
        let entry: AuditEntry = match stored {
            StoredEntry::Value(v) => match AuditEntry::deserialize(v) {
                Ok(e) => e,
                Err(e) => return broken(format!("not an audit entry: {e}")),
            },
            StoredEntry::Line(line) => match serde_json::from_str::<AuditEntry>(line) {
                Ok(e) if e.canonical() == *line => e,
                Ok(_) => return broken("the stored line is not the entry's canonical form".into()),
                Err(e) => return broken(format!("not an audit entry: {e}")),
            },
        };
        if entry.prev_hash != prev {
            return broken(match (&entry.prev_hash, &prev) {
                (None, Some(_)) => "prev_hash is null but this is not the first entry".into(),
                (Some(_), None) if i == 0 => "the first entry must have prev_hash null".into(),
                _ => "prev_hash does not match the previous entry's hash".into(),
            });
        }
        let computed = entry.compute_hash();
        if entry.hash != computed {
            return broken(format!(
                "hash mismatch: the entry says {}, its content hashes to {computed}",
                entry.hash
            ));
        }
        if entry.key_id.is_some() != entry.mac.is_some() {
            return broken("an entry carries `key_id` and `mac` together or neither".into());
        }
        if !keys.is_empty() {
            let (Some(id), Some(mac)) = (&entry.key_id, &entry.mac) else {
                return broken("the entry is not keyed, but keys were given".into());
            };
            let Some(key) = keys.iter().find(|k| k.id == *id) else {
                return broken(format!("no key with id `{id}` was given"));
            };
            if !key.verifies(&entry.hash, mac) {
                return broken(format!(
                    "mac does not verify under key `{id}`: the entry was changed and its hash recomputed, or it was keyed with another secret"
                ));
            }
        }
        prev = Some(entry.hash);
    }
    AuditVerdict {
        valid: true,
        entries: entries.len(),
        first_broken: None,
        problem: None,
        authenticated: !keys.is_empty(),
    }
}

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
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn sha256_hex_matches_the_published_vector() {
        // FIPS 180-2 example: SHA-256("abc").
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

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
