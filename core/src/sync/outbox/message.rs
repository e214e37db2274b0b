//! What the outbox holds and tells: messages and their states, the requests it asks the host
//! to send, and the events and audit records of each input.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Waiting to be sent at `due_ms`.
    Pending,
    /// Handed to the host; an answer or a transport error is expected.
    InFlight,
    /// The partner answered 202: accepted, not yet confirmed.
    AcceptedPending,
    /// The partner answered 2xx.
    Delivered,
    /// Given up (`reason` says why): the partner refused it, or retries ran out.
    DeadLettered,
}

/// One message of the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// Assigned by the outbox, increasing.
    pub id: u64,
    /// The partner it goes to.
    pub partner: String,
    /// The partner operation.
    pub operation: String,
    /// The idempotency key (sent as `Idempotency-Key`).
    pub idempotency_key: String,
    /// The request body: the payload's compact JSON text.
    pub payload: String,
    /// SHA-256 (hex) of the payload's compact JSON.
    pub payload_sha256: String,
    /// When it was enqueued (epoch milliseconds).
    pub enqueued_ms: i64,
    /// Attempts made so far.
    pub attempts: u32,
    /// The last HTTP status received, if any.
    pub last_status: Option<u16>,
    /// Where it is.
    pub state: MessageState,
    /// When a pending message may be sent (epoch milliseconds).
    pub due_ms: Option<i64>,
    /// Why a dead-lettered message was given up.
    pub reason: Option<String>,
}

/// An HTTP request for the host to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transmit {
    /// The message id, to report the answer with.
    pub id: u64,
    /// The partner.
    pub partner: String,
    /// The operation.
    pub operation: String,
    /// HTTP method.
    pub method: String,
    /// Path (below the partner's base URL, which the host knows).
    pub path: String,
    /// Headers, names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The body (compact JSON).
    pub body: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The idempotency key (also in the headers).
    pub idempotency_key: String,
}

/// What kind of event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The partner accepted the message (2xx other than 202).
    Delivered,
    /// The partner answered 202.
    AcceptedPending,
    /// Given up.
    DeadLettered,
    /// An attempt was sent or answered (the API audit log): see `audit`.
    Audit,
}

/// What happened, for the host to act on or log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// What kind.
    pub event: EventKind,
    /// Message id.
    pub id: u64,
    /// Idempotency key.
    pub idempotency_key: String,
    /// The HTTP status, where there is one.
    pub status: Option<u16>,
    /// Why, for dead letters (the partner's message where there is one).
    pub reason: Option<String>,
    /// The audit record, for `audit` events.
    pub audit: Option<AuditRecord>,
}

impl Event {
    pub(super) fn of(
        kind: EventKind,
        m: &Message,
        status: Option<u16>,
        reason: Option<String>,
    ) -> Self {
        Event {
            event: kind,
            id: m.id,
            idempotency_key: m.idempotency_key.clone(),
            status,
            reason,
            audit: None,
        }
    }
    pub(super) fn audit(a: AuditRecord) -> Self {
        Event {
            event: EventKind::Audit,
            id: a.id,
            idempotency_key: a.idempotency_key.clone(),
            status: a.status,
            reason: None,
            audit: Some(a),
        }
    }
}

/// What an attempt came to, in the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// The request was handed to the host.
    Sent,
    /// The partner accepted it (2xx other than 202).
    Delivered,
    /// The partner answered 202.
    Accepted,
    /// It will be tried again (`retry_at_ms`).
    Retry,
    /// Given up.
    DeadLetter,
}

/// One attempt, for the API audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// Message id.
    pub id: u64,
    /// Partner.
    pub partner: String,
    /// Operation.
    pub operation: String,
    /// Idempotency key.
    pub idempotency_key: String,
    /// Attempt number.
    pub attempt: u32,
    /// HTTP status, or null for a transport error.
    pub status: Option<u16>,
    /// What the attempt came to.
    pub outcome: AuditOutcome,
    /// SHA-256 of the payload.
    pub payload_sha256: String,
    /// Who: `outbox:<name>`.
    pub source: String,
    /// When (epoch milliseconds).
    pub at_ms: i64,
    /// When it will be tried again (epoch milliseconds), for retries.
    pub retry_at_ms: Option<i64>,
}

pub(super) fn audit_of(
    m: &Message,
    status: Option<u16>,
    outcome: AuditOutcome,
    source: String,
    at_ms: i64,
    retry_at_ms: Option<i64>,
) -> AuditRecord {
    AuditRecord {
        id: m.id,
        partner: m.partner.clone(),
        operation: m.operation.clone(),
        idempotency_key: m.idempotency_key.clone(),
        attempt: m.attempts,
        status,
        outcome,
        payload_sha256: m.payload_sha256.clone(),
        source,
        at_ms,
        retry_at_ms,
    }
}

/// The partner's message from an error body: a JSON `message` / `status_text` / `error`
/// field, else the body itself (first 500 characters), else the status.
pub fn partner_message(body: &str, status: u16) -> String {
    if let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(body) {
        for k in ["message", "status_text", "error", "error_description"] {
            if let Some(serde_json::Value::String(s)) = o.get(k) {
                if !s.trim().is_empty() {
                    return format!("HTTP {status}: {s}");
                }
            }
        }
    }
    let text: String = body.trim().chars().take(500).collect();
    if text.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {text}")
    }
}
