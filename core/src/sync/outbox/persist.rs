//! Write-ahead persistence: the header and `Persist` record of every input, snapshots, restore
//! after a crash (sending in-flight requests again) and pruning finished messages.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

use super::*;

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

impl Outbox {
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
    /// `enqueued_before`, so that a long-running outbox does not keep every message it ever
    /// sent; returns their ids for the host to delete from its store. Their idempotency keys
    /// are forgotten too: enqueueing one again is a new message. Messages in flight, pending or
    /// accepted-pending (202, not yet confirmed) are kept.
    pub fn prune(&mut self, enqueued_before: Instant) -> Vec<u64> {
        let enqueued_before_ms = millis(enqueued_before);
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
}
