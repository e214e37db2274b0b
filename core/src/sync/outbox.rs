//! A sans-IO outbox (DESIGN §9, `docs/sync.md`), in the shape of quinn-proto: the host feeds
//! inputs (`enqueue`, `handle_response`, `handle_transport_error`) and polls outputs
//! (`poll_transmit`, `poll_timeout`, `poll_event`), passing `now` every time. The outbox never
//! reads a clock, sleeps or does I/O; its randomness is a PRNG seeded by the host and kept in
//! its state, so a restored outbox behaves exactly as the original.
//!
//! Write-ahead: every input returns a [`Persist`] record, the messages it changed and the
//! outbox header; a host that stores it (upserting messages by id) before acting on the
//! result, and restores from what it stored after a crash, loses nothing. A request that may
//! have left before a crash is sent again under the same idempotency key.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::claims::lifecycle::sha256_hex;
use crate::error::{Error, Result};
use crate::time::Instant;

/// Tunables, with the defaults of `docs/sync.md`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// First backoff ceiling, milliseconds (default 1,000).
    pub base_ms: u64,
    /// Largest backoff ceiling, milliseconds (default 300,000).
    pub cap_ms: u64,
    /// Attempts before a retryable failure is dead-lettered (default 8).
    pub max_attempts: u32,
    /// Milliseconds after enqueueing after which a message is dead-lettered instead of retried
    /// (default 86,400,000: one day).
    pub deadline_ms: u64,
    /// Per partner: base path and routes `operation → {method, path}`.
    pub partners: BTreeMap<String, PartnerRoutes>,
}

impl OutboxConfig {
    /// Checks the configuration: backoff numbers and webhook secrets.
    pub fn validate(&self) -> Result<()> {
        if self.base_ms == 0 || self.cap_ms < self.base_ms {
            return Err(Error::invalid(
                "config.cap_ms",
                "need 0 < base_ms <= cap_ms",
            ));
        }
        if self.max_attempts == 0 {
            return Err(Error::invalid(
                "config.max_attempts",
                "at least one attempt",
            ));
        }
        for (name, p) in &self.partners {
            if let Some(s) = &p.webhook_secret {
                crate::sync::webhook::sign(s, "check", 0, "").map_err(|_| {
                    Error::invalid(
                        format!("config.partners.{name}.webhook_secret"),
                        "not a `whsec_` base64 secret",
                    )
                })?;
            }
        }
        Ok(())
    }
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            base_ms: 1_000,
            cap_ms: 300_000,
            max_attempts: 8,
            deadline_ms: 86_400_000,
            partners: BTreeMap::new(),
        }
    }
}

/// How one partner's operations become HTTP requests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PartnerRoutes {
    /// Prefix of every path, e.g. `/external/services/warrantyclaim`.
    pub base_path: String,
    /// Headers sent with every request (e.g. `authorization`).
    pub headers: BTreeMap<String, String>,
    /// `operation → route`; an operation without a route is `POST {base_path}/{operation}`.
    pub routes: BTreeMap<String, Route>,
    /// A Standard Webhooks secret (`whsec_…`): requests to this partner are signed when they
    /// are sent (`webhook-id` = the idempotency key, `webhook-timestamp` = `now`).
    pub webhook_secret: Option<String>,
}

/// Method and path of one operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// HTTP method.
    pub method: String,
    /// Path below the partner's base path.
    pub path: String,
}

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
    fn of(kind: EventKind, m: &Message, status: Option<u16>, reason: Option<String>) -> Self {
        Event {
            event: kind,
            id: m.id,
            idempotency_key: m.idempotency_key.clone(),
            status,
            reason,
            audit: None,
        }
    }
    fn audit(a: AuditRecord) -> Self {
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

/// The outbox's own state besides its messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The outbox's name (the audit `source`).
    pub name: String,
    /// Tunables (fixed at creation).
    pub config: OutboxConfig,
    /// PRNG state (xorshift64*), never 0; a decimal string in JSON.
    #[serde(with = "crate::sync::u64_text")]
    pub rng: u64,
    /// The next message id.
    pub next_id: u64,
}

/// What the host must store before acting on an input's result (write-ahead): the two
/// counters of the header, the messages the input changed (upsert by id), and the events it
/// emitted (append to the host's log; `poll_event` hands the same events out once more, from
/// memory).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Persist {
    /// The header's PRNG state after the input (a decimal string in JSON).
    #[serde(with = "crate::sync::u64_text")]
    pub rng: u64,
    /// The header's next message id after the input.
    pub next_id: u64,
    /// Messages changed by the input.
    pub messages: Vec<Message>,
    /// Events emitted by the input.
    pub events: Vec<Event>,
}

/// A whole outbox as JSON (`snapshot` / `restore`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The header.
    pub header: Header,
    /// Every message, by id.
    pub messages: Vec<Message>,
}

/// Counts for the sync report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Messages enqueued.
    pub enqueued: usize,
    /// Delivered (2xx).
    pub delivered: usize,
    /// Accepted, not yet confirmed (202).
    pub accepted_pending: usize,
    /// Waiting or in flight.
    pub pending: usize,
    /// Given up.
    pub dead_lettered: usize,
    /// Attempts made.
    pub attempts: u64,
    /// (delivered + accepted) / finished, as a decimal string with 4 places, null when none
    /// finished.
    pub success_rate: Option<String>,
}

/// The sync report: totals and per partner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// All partners.
    pub total: Counts,
    /// Per partner, by name.
    pub by_partner: BTreeMap<String, Counts>,
}

/// The outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outbox {
    header: Header,
    /// Events not yet polled (not part of the state: each was in a `Persist` already).
    events: VecDeque<Event>,
    /// Events emitted by the input being handled.
    emitted: Vec<Event>,
    messages: BTreeMap<u64, Message>,
    keys: BTreeMap<(String, String), u64>,
    /// Pending messages by (due, id): the next one to send is the first.
    due: BTreeSet<(i64, u64)>,
}

/// How many events `poll_event` keeps for the host (the newest); every event is also in the
/// `Persist` record of the input that emitted it.
pub const MAX_QUEUED_EVENTS: usize = 10_000;

/// Converts an instant to epoch milliseconds.
pub fn millis(t: Instant) -> i64 {
    t.0.timestamp_millis()
}

/// Whether a status is retried (408, 409, 425, 429, 5xx).
pub fn is_retryable(status: u16) -> bool {
    matches!(status, 408 | 409 | 425 | 429) || (500..=599).contains(&status)
}

/// `Retry-After` in milliseconds from `now`: delay-seconds or an HTTP date.
pub fn retry_after_ms(headers: &BTreeMap<String, String>, now_ms: i64) -> Option<i64> {
    let v = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        .map(|(_, v)| v.trim())?;
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<i64>().ok().map(|s| s.saturating_mul(1000));
    }
    let date_ms = crate::sync::http_date::parse_ms(v, now_ms)?;
    Some(date_ms.saturating_sub(now_ms).max(0))
}

impl Outbox {
    /// A new, empty outbox. `seed` drives the backoff jitter (0 is replaced by a constant).
    pub fn new(name: &str, seed: u64, config: OutboxConfig) -> Self {
        Outbox {
            header: Header {
                name: name.to_string(),
                config,
                rng: if seed == 0 {
                    0x9e37_79b9_7f4a_7c15
                } else {
                    seed
                },
                next_id: 1,
            },
            events: VecDeque::new(),
            emitted: Vec::new(),
            messages: BTreeMap::new(),
            keys: BTreeMap::new(),
            due: BTreeSet::new(),
        }
    }

    /// The outbox's name.
    pub fn name(&self) -> &str {
        &self.header.name
    }

    /// The number of messages held (finished ones included).
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether it holds no message.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// A message by id.
    pub fn message(&self, id: u64) -> Option<&Message> {
        self.messages.get(&id)
    }

    fn persist(&mut self, ids: &[u64]) -> Persist {
        let events = std::mem::take(&mut self.emitted);
        self.events.extend(events.iter().cloned());
        // A host that reads events from the persisted records and never polls must not make
        // the queue grow for ever: keep the newest.
        while self.events.len() > MAX_QUEUED_EVENTS {
            self.events.pop_front();
        }
        Persist {
            rng: self.header.rng,
            next_id: self.header.next_id,
            messages: ids
                .iter()
                .filter_map(|id| self.messages.get(id).cloned())
                .collect(),
            events,
        }
    }

    /// One record for several inputs made in one step (a sale's registrations): the last
    /// counters, every changed message (the latest copy of each) and every event, in order.
    /// With no parts it is the outbox's counters alone.
    pub fn combine(&self, parts: Vec<Persist>) -> Persist {
        let mut messages: Vec<Message> = Vec::new();
        let mut events = Vec::new();
        for p in parts {
            for m in p.messages {
                match messages.iter_mut().find(|x| x.id == m.id) {
                    Some(slot) => *slot = m,
                    None => messages.push(m),
                }
            }
            events.extend(p.events);
        }
        Persist {
            rng: self.header.rng,
            next_id: self.header.next_id,
            messages,
            events,
        }
    }

    /// The outbox's header (name, configuration, counters): what a host stores first.
    pub fn header(&self) -> &Header {
        &self.header
    }

    fn emit(&mut self, e: Event) {
        self.emitted.push(e);
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64*: small, fast, and its whole state is one number in the snapshot.
        let mut x = self.header.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.header.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// The backoff ceiling after `attempt` failed attempts: `min(cap, base · 2^(attempt-1))`.
    pub fn ceiling_ms(&self, attempt: u32) -> u64 {
        let c = &self.header.config;
        let shift = attempt.saturating_sub(1).min(62);
        c.base_ms.saturating_mul(1u64 << shift).min(c.cap_ms)
    }

    /// Whether `enqueue` would accept this message, without changing anything: the body, its
    /// SHA-256, and the id of the existing message when it would be a no-op. Lets a caller
    /// that enqueues several messages check them all first (all or nothing).
    pub fn check_enqueue(
        &self,
        partner: &str,
        operation: &str,
        idempotency_key: &str,
        payload: &serde_json::Value,
    ) -> Result<(String, String, Option<u64>)> {
        if partner.is_empty() {
            return Err(Error::invalid("partner", "the partner is empty"));
        }
        if operation.is_empty() {
            return Err(Error::invalid("operation", "the operation is empty"));
        }
        if idempotency_key.is_empty() {
            return Err(Error::invalid(
                "idempotency_key",
                "the idempotency key is empty",
            ));
        }
        let body = serde_json::to_string(payload).unwrap_or_default();
        let hash = sha256_hex(body.as_bytes());
        let k = (partner.to_string(), idempotency_key.to_string());
        match self.keys.get(&k).copied() {
            None => Ok((body, hash, None)),
            Some(id) if self.messages.get(&id).is_some_and(|m| m.payload_sha256 == hash) => {
                Ok((body, hash, Some(id)))
            }
            Some(id) => Err(Error::invalid(
                "payload",
                format!(
                    "idempotency key `{idempotency_key}` was already used for {partner} with a different payload (message {id})"
                ),
            )),
        }
    }

    /// Adds a message. The same partner and key with the same payload is a no-op that
    /// returns the existing message; with a different payload it is an `INVALID_INPUT` error
    /// at `payload` (Stripe's idempotency semantics).
    pub fn enqueue(
        &mut self,
        partner: &str,
        operation: &str,
        idempotency_key: &str,
        payload: serde_json::Value,
        now: Instant,
    ) -> Result<(u64, bool, Persist)> {
        let (body, hash, existing) =
            self.check_enqueue(partner, operation, idempotency_key, &payload)?;
        if let Some(id) = existing {
            return Ok((id, false, self.persist(&[])));
        }
        let k = (partner.to_string(), idempotency_key.to_string());
        let id = self.header.next_id;
        self.header.next_id += 1;
        let now_ms = millis(now);
        self.messages.insert(
            id,
            Message {
                id,
                partner: partner.to_string(),
                operation: operation.to_string(),
                idempotency_key: idempotency_key.to_string(),
                payload: body,
                payload_sha256: hash,
                enqueued_ms: now_ms,
                attempts: 0,
                last_status: None,
                state: MessageState::Pending,
                due_ms: Some(now_ms),
                reason: None,
            },
        );
        self.keys.insert(k, id);
        self.due.insert((now_ms, id));
        Ok((id, true, self.persist(&[id])))
    }

    /// The next request to send now, if any is due (earliest due first, then lowest id).
    pub fn poll_transmit(&mut self, now: Instant) -> (Option<Transmit>, Persist) {
        let now_ms = millis(now);
        let next = self.due.first().copied().filter(|(due, _)| *due <= now_ms);
        let Some((due, id)) = next else {
            return (None, self.persist(&[]));
        };
        self.due.remove(&(due, id));
        let source = format!("outbox:{}", self.header.name);
        let Some(m) = self.messages.get_mut(&id) else {
            return (None, self.persist(&[]));
        };
        m.attempts += 1;
        m.state = MessageState::InFlight;
        m.due_ms = None;
        let routes = self.header.config.partners.get(&m.partner);
        let (method, path) = match routes.and_then(|r| r.routes.get(&m.operation)) {
            Some(r) => (r.method.clone(), r.path.clone()),
            None => ("POST".to_string(), format!("/{}", m.operation)),
        };
        let base = routes.map(|r| r.base_path.as_str()).unwrap_or("");
        let mut headers: BTreeMap<String, String> = routes
            .map(|r| {
                r.headers
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        headers.insert("content-type".into(), "application/json".into());
        headers.insert("idempotency-key".into(), m.idempotency_key.clone());
        if let Some(secret) = routes.and_then(|r| r.webhook_secret.as_deref()) {
            // A secret that cannot sign is caught when the outbox is configured
            // (`OutboxConfig::validate`); here the request simply goes unsigned.
            if let Ok(h) = crate::sync::webhook::sign(
                secret,
                &m.idempotency_key,
                now_ms.div_euclid(1000),
                &m.payload,
            ) {
                headers.insert("webhook-id".into(), h.id);
                headers.insert("webhook-timestamp".into(), h.timestamp);
                headers.insert("webhook-signature".into(), h.signature);
            }
        }
        let t = Transmit {
            id,
            partner: m.partner.clone(),
            operation: m.operation.clone(),
            method,
            path: format!("{base}{path}"),
            headers,
            body: m.payload.clone(),
            attempt: m.attempts,
            idempotency_key: m.idempotency_key.clone(),
        };
        let audit = AuditRecord {
            id,
            partner: m.partner.clone(),
            operation: m.operation.clone(),
            idempotency_key: m.idempotency_key.clone(),
            attempt: m.attempts,
            status: None,
            outcome: AuditOutcome::Sent,
            payload_sha256: m.payload_sha256.clone(),
            source,
            at_ms: now_ms,
            retry_at_ms: None,
        };
        self.emit(Event::audit(audit));
        (Some(t), self.persist(&[id]))
    }

    fn in_flight(&mut self, id: u64) -> Result<&mut Message> {
        match self.messages.get_mut(&id) {
            Some(m) if m.state == MessageState::InFlight => Ok(m),
            Some(_) => Err(Error::invalid(
                "id",
                format!("message {id} is not in flight (no request for it is outstanding)"),
            )),
            None => Err(Error::invalid("id", format!("there is no message {id}"))),
        }
    }

    /// Reports the partner's answer to a transmitted request.
    pub fn handle_response(
        &mut self,
        id: u64,
        status: u16,
        headers: &BTreeMap<String, String>,
        body: &str,
        now: Instant,
    ) -> Result<Persist> {
        if !(100..=599).contains(&status) {
            return Err(Error::invalid(
                "status",
                format!("{status} is not an HTTP status"),
            ));
        }
        self.in_flight(id)?;
        let now_ms = millis(now);
        if (200..=299).contains(&status) {
            let accepted = status == 202;
            let (state, kind, outcome) = if accepted {
                (
                    MessageState::AcceptedPending,
                    EventKind::AcceptedPending,
                    AuditOutcome::Accepted,
                )
            } else {
                (
                    MessageState::Delivered,
                    EventKind::Delivered,
                    AuditOutcome::Delivered,
                )
            };
            self.finish(id, Some(status), now_ms, outcome, state, kind, None);
            return Ok(self.persist(&[id]));
        }
        if is_retryable(status) {
            let after = retry_after_ms(headers, now_ms);
            self.retry(
                id,
                Some(status),
                after,
                now_ms,
                partner_message(body, status),
            );
            return Ok(self.persist(&[id]));
        }
        let reason = partner_message(body, status);
        self.dead_letter(id, Some(status), now_ms, reason);
        Ok(self.persist(&[id]))
    }

    /// Reports that the request could not be completed (timeout, connection refused, …).
    pub fn handle_transport_error(&mut self, id: u64, now: Instant) -> Result<Persist> {
        self.in_flight(id)?;
        let now_ms = millis(now);
        self.retry(id, None, None, now_ms, "transport error".into());
        Ok(self.persist(&[id]))
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &mut self,
        id: u64,
        status: Option<u16>,
        now_ms: i64,
        outcome: AuditOutcome,
        state: MessageState,
        kind: EventKind,
        reason: Option<String>,
    ) {
        let source = format!("outbox:{}", self.header.name);
        let Some(m) = self.messages.get_mut(&id) else {
            return;
        };
        m.last_status = status;
        m.state = state;
        if let Some(d) = m.due_ms.take() {
            self.due.remove(&(d, id));
        }
        m.reason = reason.clone();
        let audit = audit_of(m, status, outcome, source, now_ms, None);
        let event = Event::of(kind, m, status, reason);
        self.emit(Event::audit(audit));
        self.emit(event);
    }

    fn dead_letter(&mut self, id: u64, status: Option<u16>, now_ms: i64, reason: String) {
        self.finish(
            id,
            status,
            now_ms,
            AuditOutcome::DeadLetter,
            MessageState::DeadLettered,
            EventKind::DeadLettered,
            Some(reason),
        );
    }

    fn retry(
        &mut self,
        id: u64,
        status: Option<u16>,
        retry_after: Option<i64>,
        now_ms: i64,
        reason: String,
    ) {
        let Some((attempts, enqueued)) =
            self.messages.get(&id).map(|m| (m.attempts, m.enqueued_ms))
        else {
            return;
        };
        let c = &self.header.config;
        if attempts >= c.max_attempts {
            let why = format!("gave up after {attempts} attempts: {reason}");
            return self.dead_letter(id, status, now_ms, why);
        }
        let ceiling = self.ceiling_ms(attempts);
        // Full jitter: uniform in [0, ceiling].
        let jitter = i64::try_from(self.next_random() % ceiling.saturating_add(1)).unwrap_or(0);
        let delay = jitter.max(retry_after.unwrap_or(0));
        let due = now_ms.saturating_add(delay);
        let deadline = enqueued
            .saturating_add(i64::try_from(self.header.config.deadline_ms).unwrap_or(i64::MAX));
        if due > deadline {
            let why = format!("deadline passed before the next attempt: {reason}");
            return self.dead_letter(id, status, now_ms, why);
        }
        let source = format!("outbox:{}", self.header.name);
        if let Some(m) = self.messages.get_mut(&id) {
            m.last_status = status;
            m.state = MessageState::Pending;
            m.due_ms = Some(due);
            self.due.insert((due, id));
            let audit = audit_of(m, status, AuditOutcome::Retry, source, now_ms, Some(due));
            self.emit(Event::audit(audit));
        }
    }

    /// When the host must call `poll_transmit` next (epoch milliseconds), if anything waits.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.due.first().map(|(due, _)| *due)
    }

    /// The next event, oldest first (events are also in the `Persist` of the input that
    /// emitted them; polling changes no persisted state).
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The whole outbox as a serializable snapshot.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            header: self.header.clone(),
            messages: self.messages.values().cloned().collect(),
        }
    }

    /// Rebuilds an outbox from a snapshot (or from the header and messages a host stored from
    /// `Persist` records), exactly: it then behaves as the original would. After a crash, call
    /// [`Outbox::resend_in_flight`] too.
    pub fn restore(snapshot: Snapshot) -> Result<Self> {
        let mut o = Outbox {
            header: snapshot.header,
            events: VecDeque::new(),
            emitted: Vec::new(),
            messages: BTreeMap::new(),
            keys: BTreeMap::new(),
            due: BTreeSet::new(),
        };
        if o.header.rng == 0 {
            return Err(Error::invalid("snapshot.header.rng", "the PRNG state is 0"));
        }
        for (i, m) in snapshot.messages.into_iter().enumerate() {
            if m.id >= o.header.next_id {
                return Err(Error::invalid(
                    format!("snapshot.messages[{i}].id"),
                    format!(
                        "message id {} is not below next_id {}",
                        m.id, o.header.next_id
                    ),
                ));
            }
            match (m.state, m.due_ms) {
                (MessageState::Pending, Some(d)) => {
                    o.due.insert((d, m.id));
                }
                (MessageState::Pending, None) => {
                    return Err(Error::invalid(
                        format!("snapshot.messages[{i}].due_ms"),
                        "a pending message needs due_ms",
                    ))
                }
                _ => {}
            }
            let k = (m.partner.clone(), m.idempotency_key.clone());
            if o.keys.insert(k, m.id).is_some() || o.messages.insert(m.id, m).is_some() {
                return Err(Error::invalid(
                    format!("snapshot.messages[{i}]"),
                    "a message id or idempotency key appears twice",
                ));
            }
        }
        Ok(o)
    }

    /// After a crash: requests that were in flight may or may not have reached the partner;
    /// they become due at `now` and are sent again under the same idempotency key.
    pub fn resend_in_flight(&mut self, now: Instant) -> Persist {
        let now_ms = millis(now);
        let mut ids = Vec::new();
        for m in self.messages.values_mut() {
            if m.state == MessageState::InFlight {
                m.state = MessageState::Pending;
                m.due_ms = Some(now_ms);
                self.due.insert((now_ms, m.id));
                ids.push(m.id);
            }
        }
        self.persist(&ids)
    }

    /// Forgets finished messages (delivered or dead-lettered) enqueued before
    /// `enqueued_before_ms`, so that a long-running outbox does not keep every message it ever
    /// sent; returns their ids for the host to delete from its store. Their idempotency keys
    /// are forgotten too: enqueueing one again is a new message. Messages in flight, pending or
    /// accepted-pending (202, not yet confirmed) are kept.
    pub fn prune(&mut self, enqueued_before_ms: i64) -> Vec<u64> {
        let finished_before = |m: &Message| {
            matches!(
                m.state,
                MessageState::Delivered | MessageState::DeadLettered
            ) && m.enqueued_ms < enqueued_before_ms
        };
        if !self.messages.values().any(finished_before) {
            return Vec::new();
        }
        // Rebuilt from the kept messages (restore's code, not a second way to remove): a
        // subset of a valid outbox is a valid outbox, and if it were not, nothing changes.
        let mut snap = self.snapshot();
        let mut gone = Vec::new();
        snap.messages.retain(|m| {
            let drop = finished_before(m);
            if drop {
                gone.push(m.id);
            }
            !drop
        });
        match Outbox::restore(snap) {
            Ok(mut kept) => {
                kept.events = std::mem::take(&mut self.events);
                *self = kept;
                gone
            }
            Err(_) => Vec::new(),
        }
    }

    /// Success rate, pending and dead-lettered counts, in total and per partner.
    pub fn report(&self) -> SyncReport {
        let mut total = Counts::default();
        let mut by: BTreeMap<String, Counts> = BTreeMap::new();
        for m in self.messages.values() {
            for c in [&mut total, by.entry(m.partner.clone()).or_default()] {
                c.enqueued += 1;
                c.attempts += u64::from(m.attempts);
                match m.state {
                    MessageState::Pending | MessageState::InFlight => c.pending += 1,
                    MessageState::AcceptedPending => c.accepted_pending += 1,
                    MessageState::Delivered => c.delivered += 1,
                    MessageState::DeadLettered => c.dead_lettered += 1,
                }
            }
        }
        for c in std::iter::once(&mut total).chain(by.values_mut()) {
            let ok = c.delivered + c.accepted_pending;
            let done = ok + c.dead_lettered;
            c.success_rate = (done > 0).then(|| {
                let r = rust_decimal::Decimal::from(ok) / rust_decimal::Decimal::from(done);
                format!("{:.4}", r.round_dp(4))
            });
        }
        SyncReport {
            total,
            by_partner: by,
        }
    }
}

fn audit_of(
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_event_queue_keeps_the_newest_when_nobody_polls() {
        let mut o = Outbox::new("q", 1, OutboxConfig::default());
        let now = Instant::parse("2026-11-22T10:00:00Z").unwrap();
        let none = BTreeMap::new();
        for k in 0..(MAX_QUEUED_EVENTS / 2 + 10) {
            let (id, _, _) = o
                .enqueue(
                    "p",
                    "op",
                    &format!("k{k}"),
                    serde_json::json!({ "k": k }),
                    now,
                )
                .unwrap();
            let (tx, _) = o.poll_transmit(now);
            assert_eq!(tx.map(|t| t.id), Some(id));
            let p = o.handle_response(id, 200, &none, "", now).unwrap();
            assert_eq!(p.events.len(), 2, "the record still has every event");
        }
        assert_eq!(o.events.len(), MAX_QUEUED_EVENTS);
        let first = o.poll_event().unwrap();
        assert!(first.id > 1, "the oldest were dropped");
    }

    #[test]
    fn prune_forgets_only_finished_old_messages() {
        let mut o = Outbox::new("p", 3, OutboxConfig::default());
        let t = |s: i64| Instant::from_unix_millis(1_795_341_600_000 + s * 1000).unwrap();
        let none = BTreeMap::new();
        let send = |o: &mut Outbox, key: &str, at: i64, status: Option<u16>| {
            let (id, _, _) = o
                .enqueue("p", "op", key, serde_json::json!({ "k": key }), t(at))
                .unwrap();
            if let Some(status) = status {
                let (tx, _) = o.poll_transmit(t(at));
                assert_eq!(tx.map(|x| x.id), Some(id));
                o.handle_response(id, status, &none, "", t(at)).unwrap();
            }
            id
        };
        let delivered = send(&mut o, "a", 0, Some(200));
        let refused = send(&mut o, "b", 1, Some(400));
        let accepted = send(&mut o, "c", 2, Some(202));
        let recent = send(&mut o, "e", 100, Some(200));
        let pending = send(&mut o, "d", 3, None);
        assert_eq!(o.prune(1_795_341_600_000 + 50_000), [delivered, refused]);
        let kept: Vec<u64> = o.snapshot().messages.iter().map(|m| m.id).collect();
        assert_eq!(kept, [accepted, recent, pending]);
        assert_eq!(
            Outbox::restore(o.snapshot()).unwrap().snapshot(),
            o.snapshot()
        );
        // A forgotten key is new again; a kept one is still a no-op.
        let (id, created, _) = o
            .enqueue("p", "op", "a", serde_json::json!({"k": "other"}), t(200))
            .unwrap();
        assert!(created && id > pending);
        let (id, created, _) = o
            .enqueue("p", "op", "e", serde_json::json!({"k": "e"}), t(200))
            .unwrap();
        assert!(!created && id == recent);
        assert!(o.prune(0).is_empty());
    }
}
