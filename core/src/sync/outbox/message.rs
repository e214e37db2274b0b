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

impl MessageState {
    /// The state's name on the wire (`pending`, `in_flight`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Pending => "pending",
            MessageState::InFlight => "in_flight",
            MessageState::AcceptedPending => "accepted_pending",
            MessageState::Delivered => "delivered",
            MessageState::DeadLettered => "dead_lettered",
        }
    }
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

crate::wire::wire_enum! {
    /// What kind of event (an event's `event` on the wire).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum EventKind {
        /// The partner accepted the message (2xx other than 202).
        Delivered = "delivered",
        /// The partner answered 202.
        AcceptedPending = "accepted_pending",
        /// Given up.
        DeadLettered = "dead_lettered",
        /// An attempt was sent or answered (the API audit log): see `audit`.
        Audit = "audit",
    }
}

/// What happened, for the host to act on or log: one variant per kind, with what that kind
/// carries. On the wire every event is one flat object, `{event, id, idempotency_key, status,
/// reason, audit}`, with `null` for what its kind does not carry (`docs/sync.md`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "EventWire")]
pub enum Event {
    /// The partner accepted the message (a 2xx other than 202).
    Delivered {
        /// Message id.
        id: u64,
        /// Idempotency key.
        idempotency_key: String,
        /// The partner's status.
        status: u16,
    },
    /// The partner answered 202: accepted, not yet confirmed.
    AcceptedPending {
        /// Message id.
        id: u64,
        /// Idempotency key.
        idempotency_key: String,
    },
    /// Given up: a status that is not retried, or retries used up.
    DeadLettered {
        /// Message id.
        id: u64,
        /// Idempotency key.
        idempotency_key: String,
        /// The last HTTP status, if an answer came.
        status: Option<u16>,
        /// Why (the partner's message where there is one).
        reason: String,
    },
    /// An attempt was sent or answered (the API audit log).
    Audit(AuditRecord),
}

impl Event {
    /// The event's kind (its `event` on the wire).
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Delivered { .. } => EventKind::Delivered,
            Event::AcceptedPending { .. } => EventKind::AcceptedPending,
            Event::DeadLettered { .. } => EventKind::DeadLettered,
            Event::Audit(_) => EventKind::Audit,
        }
    }

    /// The message the event is about.
    pub fn id(&self) -> u64 {
        match self {
            Event::Delivered { id, .. }
            | Event::AcceptedPending { id, .. }
            | Event::DeadLettered { id, .. } => *id,
            Event::Audit(a) => a.id,
        }
    }

    /// The message's idempotency key.
    pub fn idempotency_key(&self) -> &str {
        match self {
            Event::Delivered {
                idempotency_key, ..
            }
            | Event::AcceptedPending {
                idempotency_key, ..
            }
            | Event::DeadLettered {
                idempotency_key, ..
            } => idempotency_key,
            Event::Audit(a) => &a.idempotency_key,
        }
    }
}

/// An event as it is read: the flat object of every kind.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventWire {
    event: EventKind,
    id: u64,
    idempotency_key: String,
    status: Option<u16>,
    reason: Option<String>,
    audit: Option<AuditRecord>,
}

/// Written through a borrowed twin of `EventWire` (serde's `into` would clone the event).
impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            event: EventKind,
            id: u64,
            idempotency_key: &'a str,
            status: Option<u16>,
            reason: Option<&'a str>,
            audit: Option<&'a AuditRecord>,
        }
        let (status, reason, audit) = match self {
            Event::Delivered { status, .. } => (Some(*status), None, None),
            Event::AcceptedPending { .. } => (Some(202), None, None),
            Event::DeadLettered { status, reason, .. } => (*status, Some(reason.as_str()), None),
            Event::Audit(a) => (a.status, None, Some(a)),
        };
        Wire {
            event: self.kind(),
            id: self.id(),
            idempotency_key: self.idempotency_key(),
            status,
            reason,
            audit,
        }
        .serialize(s)
    }
}

impl TryFrom<EventWire> for Event {
    type Error = String;

    fn try_from(w: EventWire) -> Result<Self, String> {
        let EventWire {
            event,
            id,
            idempotency_key,
            status,
            reason,
            audit,
        } = w;
        match (event, status, reason, audit) {
            (EventKind::Delivered, Some(status), None, None) => Ok(Event::Delivered {
                id,
                idempotency_key,
                status,
            }),
            (EventKind::AcceptedPending, Some(202), None, None) => Ok(Event::AcceptedPending {
                id,
                idempotency_key,
            }),
            (EventKind::DeadLettered, status, Some(reason), None) => Ok(Event::DeadLettered {
                id,
                idempotency_key,
                status,
                reason,
            }),
            (EventKind::Audit, _, None, Some(a)) if a.id == id => Ok(Event::Audit(a)),
            (kind, ..) => Err(format!(
                "a `{}` event does not carry these fields",
                kind.as_str()
            )),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_one_flat_object_on_the_wire_and_reads_back() {
        let dead = Event::DeadLettered {
            id: 3,
            idempotency_key: "k".into(),
            status: None,
            reason: "transport error".into(),
        };
        let text = serde_json::to_string(&dead).unwrap();
        assert_eq!(
            text,
            r#"{"event":"dead_lettered","id":3,"idempotency_key":"k","status":null,"reason":"transport error","audit":null}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), dead);
        let accepted = Event::AcceptedPending {
            id: 1,
            idempotency_key: "a".into(),
        };
        let text = serde_json::to_string(&accepted).unwrap();
        assert!(text.contains(r#""status":202"#), "{text}");
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), accepted);
        // A delivered event without its status is not one.
        let err = serde_json::from_str::<Event>(
            r#"{"event":"delivered","id":1,"idempotency_key":"a","status":null,"reason":null,"audit":null}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("`delivered`"), "{err}");
    }
}
