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

mod config;
mod message;
mod persist;
mod report;
mod retry;

pub use config::{OutboxConfig, PartnerRoutes, Route};
pub use message::*;
pub use persist::{Header, Persist, Snapshot};
pub use report::{Counts, SyncReport};
pub use retry::{is_retryable, millis, retry_after_ms};

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::digest::sha256_hex;
use crate::error::{Error, Result};
use crate::time::Instant;

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

/// How a message's attempts end (`finish`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Finish {
    /// A 2xx other than 202.
    Delivered(u16),
    /// 202: accepted, not yet confirmed.
    AcceptedPending,
    /// Given up, with the last status (if an answer came) and why.
    DeadLettered { status: Option<u16>, reason: String },
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
        let body = serde_json::to_string(payload).unwrap_or_default();
        self.check_enqueue_text(partner, operation, idempotency_key, body)
    }

    /// [`Outbox::check_enqueue`] for a payload given as its compact JSON text (numbers exactly
    /// as written: `crate::strict::exact_compact`).
    pub fn check_enqueue_text(
        &self,
        partner: &str,
        operation: &str,
        idempotency_key: &str,
        body: String,
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
        let body = serde_json::to_string(&payload).unwrap_or_default();
        self.enqueue_text(partner, operation, idempotency_key, body, now)
    }

    /// [`Outbox::enqueue`] for a payload given as its compact JSON text: what `outbox_enqueue`
    /// does, so that a number in the payload is sent with every digit it was given
    /// (`12345678901234567.89`, `1.50`), never through f64.
    pub fn enqueue_text(
        &mut self,
        partner: &str,
        operation: &str,
        idempotency_key: &str,
        body: String,
        now: Instant,
    ) -> Result<(u64, bool, Persist)> {
        let (body, hash, existing) =
            self.check_enqueue_text(partner, operation, idempotency_key, body)?;
        if let Some(id) = existing {
            return Ok((id, false, self.persist(&[])));
        }
        let k = (partner.to_string(), idempotency_key.to_string());
        let id = self.header.next_id;
        // A restored snapshot may carry any next id: the last one is never handed out.
        self.header.next_id = id
            .checked_add(1)
            .ok_or_else(|| Error::invalid("next_id", "the outbox has no message id left"))?;
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

    /// The next request to send now, if any is due (earliest due first, then lowest id). Call
    /// it in a loop until it returns `None`, after every input and whenever
    /// [`poll_timeout`](Self::poll_timeout) comes; store the `Persist` before sending.
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
        m.attempts = m.attempts.saturating_add(1);
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
        self.emit(Event::Audit(audit));
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

    /// Reports the partner's answer to a transmitted request: call it once per answer, with
    /// the status, headers and body as received; store the `Persist` it returns.
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
            let end = if status == 202 {
                Finish::AcceptedPending
            } else {
                Finish::Delivered(status)
            };
            self.finish(id, now_ms, end);
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

    /// Sends a dead-lettered message again (an operator's decision, after fixing what the
    /// partner refused): it becomes pending at `now` with a fresh attempt budget and deadline
    /// (its `enqueued_ms` becomes `now`), under the same idempotency key and body, so a
    /// partner that did process it the first time sees a retry, never a new request. Only a
    /// dead-lettered message can be replayed (`INVALID_INPUT` at `id` otherwise); a refused
    /// replay changes nothing.
    pub fn replay(&mut self, id: u64, now: Instant) -> Result<Persist> {
        let now_ms = millis(now);
        match self.messages.get_mut(&id) {
            Some(m) if m.state == MessageState::DeadLettered => {
                m.state = MessageState::Pending;
                m.attempts = 0;
                m.enqueued_ms = now_ms;
                m.due_ms = Some(now_ms);
                m.reason = None;
                self.due.insert((now_ms, id));
            }
            Some(m) => {
                return Err(Error::invalid(
                    "id",
                    format!(
                        "message {id} is {}, not dead-lettered: only a dead letter can be replayed",
                        m.state.as_str()
                    ),
                ))
            }
            None => return Err(Error::invalid("id", format!("there is no message {id}"))),
        }
        Ok(self.persist(&[id]))
    }

    /// Reports that the request could not be completed (timeout, connection refused, …):
    /// call it instead of [`handle_response`](Self::handle_response) when no answer came.
    pub fn handle_transport_error(&mut self, id: u64, now: Instant) -> Result<Persist> {
        self.in_flight(id)?;
        let now_ms = millis(now);
        self.retry(id, None, None, now_ms, "transport error".into());
        Ok(self.persist(&[id]))
    }

    /// Ends a message's attempts: its state, its audit record and its event.
    fn finish(&mut self, id: u64, now_ms: i64, end: Finish) {
        let source = format!("outbox:{}", self.header.name);
        let Some(m) = self.messages.get_mut(&id) else {
            return;
        };
        let (status, state, outcome, reason) = match &end {
            Finish::Delivered(s) => (
                Some(*s),
                MessageState::Delivered,
                AuditOutcome::Delivered,
                None,
            ),
            Finish::AcceptedPending => (
                Some(202),
                MessageState::AcceptedPending,
                AuditOutcome::Accepted,
                None,
            ),
            Finish::DeadLettered { status, reason } => (
                *status,
                MessageState::DeadLettered,
                AuditOutcome::DeadLetter,
                Some(reason.clone()),
            ),
        };
        m.last_status = status;
        m.state = state;
        if let Some(d) = m.due_ms.take() {
            self.due.remove(&(d, id));
        }
        m.reason = reason;
        let audit = audit_of(m, status, outcome, source, now_ms, None);
        let idempotency_key = m.idempotency_key.clone();
        let event = match end {
            Finish::Delivered(status) => Event::Delivered {
                id,
                idempotency_key,
                status,
            },
            Finish::AcceptedPending => Event::AcceptedPending {
                id,
                idempotency_key,
            },
            Finish::DeadLettered { status, reason } => Event::DeadLettered {
                id,
                idempotency_key,
                status,
                reason,
            },
        };
        self.emit(Event::Audit(audit));
        self.emit(event);
    }

    fn dead_letter(&mut self, id: u64, status: Option<u16>, now_ms: i64, reason: String) {
        self.finish(id, now_ms, Finish::DeadLettered { status, reason });
    }

    /// When the host must call `poll_transmit` next, if anything waits: call it after every
    /// input and then at this time (or earlier). In epoch milliseconds rather than an
    /// [`Instant`]: a due time can lie beyond the calendar's years (a `Retry-After` of
    /// centuries), and milliseconds say it exactly.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.due.first().map(|(due, _)| *due)
    }

    /// The next event, oldest first (events are also in the `Persist` of the input that
    /// emitted them; polling changes no persisted state). Call it in a loop after every
    /// input, until it returns `None`.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}

#[cfg(test)]
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
        assert!(first.id() > 1, "the oldest were dropped");
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
        assert_eq!(
            o.prune(Instant::from_unix_millis(1_795_341_600_000 + 50_000).unwrap()),
            [delivered, refused]
        );
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
        assert!(o.prune(Instant::from_unix_millis(0).unwrap()).is_empty());
    }
}
