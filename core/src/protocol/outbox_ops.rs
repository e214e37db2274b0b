//! The outbox operations (`docs/protocol.md`, "Sync"): named outboxes held by the
//! [`Engine`], Standard Webhooks signing and the two flows (sale activation, claim
//! notification). Every answer that changes an outbox carries the `persist` record the host
//! stores before acting on it. The table in `ops.rs` pairs each handler with its name.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::parse::ser;
use super::rules_ops::no_catalog;
use super::Engine;
use crate::claims::lifecycle::Transitioned;
use crate::claims::Claim;
use crate::error::{Error, Result};
use crate::sync::flows::{self, ActivationConfig, ClaimNotifyConfig, LineActivation, Sale};
use crate::sync::outbox::{Header, Message, Outbox, OutboxConfig, Persist, Snapshot, Transmit};
use crate::sync::{webhook, Event};
use crate::time::{Calendar, Instant, Zone};
use crate::warranty::catalog::Catalog;
use crate::warranty::policy::Policy;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    outbox: String,
    #[serde(with = "crate::sync::u64_text")]
    seed: u64,
    #[serde(default)]
    config: OutboxConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EnqueueReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    outbox: String,
    partner: String,
    operation: String,
    idempotency_key: String,
    // Kept as written: its numbers are sent with every digit (`strict::exact_compact`).
    payload: Box<serde_json::value::RawValue>,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NowReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    outbox: String,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NameReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    outbox: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PruneReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    outbox: String,
    enqueued_before: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ResponseReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    outbox: String,
    id: u64,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: String,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReplayReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    outbox: String,
    id: u64,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TransportReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    outbox: String,
    id: u64,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RestoreReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    snapshot: Snapshot,
    #[serde(default)]
    outbox: Option<String>,
    /// After a crash (the default) requests that may have left are sent again at `now`.
    #[serde(default = "yes")]
    resend_in_flight: bool,
    #[serde(default)]
    now: Option<Instant>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    secret: String,
    id: String,
    timestamp: i64,
    body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VerifyReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    secret: String,
    headers: BTreeMap<String, String>,
    body: String,
    now: Instant,
    #[serde(default)]
    tolerance_seconds: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ActivateReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    outbox: String,
    #[serde(default)]
    catalog: Option<String>,
    #[serde(default)]
    policies: Option<Vec<Policy>>,
    sale: Sale,
    #[serde(default)]
    config: ActivationConfig,
    #[serde(default)]
    zone: Option<Zone>,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClaimChangedReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    outbox: String,
    claim: Claim,
    transition: Transitioned,
    #[serde(default)]
    config: ClaimNotifyConfig,
    now: Instant,
}

#[derive(Serialize)]
pub(super) struct Created<'a> {
    outbox: &'a str,
    header: &'a Header,
}

#[derive(Serialize)]
pub(super) struct Enqueued {
    id: u64,
    created: bool,
    persist: Persist,
}

#[derive(Serialize)]
pub(super) struct Polled {
    transmit: Option<Transmit>,
    persist: Persist,
}

#[derive(Serialize)]
pub(super) struct Answered<'a> {
    message: Option<&'a Message>,
    persist: Persist,
}

#[derive(Serialize)]
pub(super) struct Timeout {
    timeout: Option<Instant>,
    timeout_ms: Option<i64>,
}

#[derive(Serialize)]
pub(super) struct NextEvent {
    event: Option<Event>,
}

#[derive(Serialize)]
pub(super) struct Restored<'a> {
    outbox: &'a str,
    messages: usize,
    header: &'a Header,
    persist: Persist,
}

#[derive(Serialize)]
pub(super) struct Activated {
    lines: Vec<LineActivation>,
    persist: Persist,
}

#[derive(Serialize)]
pub(super) struct Notified {
    enqueued: Vec<u64>,
    persist: Persist,
}

/// `ms` as an instant rounded up to the whole second (instants in responses carry no
/// fractions): a host that sleeps until it never wakes before the exact `timeout_ms`.
fn instant_ceil_of_ms(ms: i64) -> Option<Instant> {
    let secs = ms
        .div_euclid(1000)
        .checked_add(i64::from(ms.rem_euclid(1000) != 0))?;
    Instant::from_unix_millis(secs.checked_mul(1000)?)
}

fn no_outbox(name: &str) -> Error {
    Error::invalid(
        "outbox",
        format!(
            "no outbox named `{name}` in this engine (outbox_create or outbox_restore it first)"
        ),
    )
}

#[derive(Serialize)]
/// Fields in alphabetical order: the answer's bytes are those of the JSON object it was.
pub(super) struct Pruned {
    messages: usize,
    pruned: Vec<u64>,
}

#[derive(Serialize)]
/// Fields in alphabetical order: the answer's bytes are those of the JSON object it was.
pub(super) struct Dropped {
    messages: usize,
    outbox: String,
}

/// `webhook_sign`: the Standard Webhooks headers for a body.
pub(super) fn webhook_sign(r: SignReq) -> Result<serde_json::Value> {
    let headers = webhook::sign(&r.secret, &r.id, r.timestamp, &r.body)?;
    // Through a JSON value, whose keys are in alphabetical order (the answer's bytes).
    Ok(serde_json::json!({ "headers": headers }))
}

/// `webhook_verify`: whether a received webhook is genuine and fresh.
pub(super) fn webhook_verify(r: VerifyReq) -> Result<webhook::Verdict> {
    let tolerance = r
        .tolerance_seconds
        .unwrap_or(webhook::DEFAULT_TOLERANCE_SECONDS);
    if tolerance < 0 {
        return Err(Error::invalid(
            "tolerance_seconds",
            "the tolerance is negative",
        ));
    }
    let now = r.now.0.timestamp();
    webhook::verify(&r.secret, &r.headers, &r.body, now, tolerance)
}

impl Engine {
    fn outbox_mut(&mut self, name: &str) -> Result<&mut Outbox> {
        self.outboxes.get_mut(name).ok_or_else(|| no_outbox(name))
    }

    pub(super) fn enqueue(&mut self, r: EnqueueReq) -> Result<Enqueued> {
        let body = crate::strict::exact_compact(r.payload.get(), "payload")?;
        let o = self.outbox_mut(&r.outbox)?;
        let (id, created, persist) =
            o.enqueue_text(&r.partner, &r.operation, &r.idempotency_key, body, r.now)?;
        Ok(Enqueued {
            id,
            created,
            persist,
        })
    }

    pub(super) fn poll_transmit(&mut self, r: NowReq) -> Result<Polled> {
        let (transmit, persist) = self.outbox_mut(&r.outbox)?.poll_transmit(r.now);
        Ok(Polled { transmit, persist })
    }

    pub(super) fn handle_response(&mut self, r: ResponseReq, out: &mut Vec<u8>) -> Result<()> {
        let o = self.outbox_mut(&r.outbox)?;
        let persist = o.handle_response(r.id, r.status, &r.headers, &r.body, r.now)?;
        let message = o.message(r.id);
        ser(out, &Answered { message, persist })
    }

    pub(super) fn transport_error(&mut self, r: TransportReq, out: &mut Vec<u8>) -> Result<()> {
        let o = self.outbox_mut(&r.outbox)?;
        let persist = o.handle_transport_error(r.id, r.now)?;
        let message = o.message(r.id);
        ser(out, &Answered { message, persist })
    }

    pub(super) fn replay(&mut self, r: ReplayReq, out: &mut Vec<u8>) -> Result<()> {
        let o = self.outbox_mut(&r.outbox)?;
        let persist = o.replay(r.id, r.now)?;
        let message = o.message(r.id);
        ser(out, &Answered { message, persist })
    }

    pub(super) fn poll_timeout(&mut self, r: NameReq) -> Result<Timeout> {
        let t = self.outbox_mut(&r.outbox)?.poll_timeout();
        Ok(Timeout {
            timeout: t.and_then(instant_ceil_of_ms),
            timeout_ms: t,
        })
    }

    pub(super) fn poll_event(&mut self, r: NameReq) -> Result<NextEvent> {
        let event = self.outbox_mut(&r.outbox)?.poll_event();
        Ok(NextEvent { event })
    }

    pub(super) fn snapshot(&mut self, r: NameReq) -> Result<Snapshot> {
        Ok(self.outbox_mut(&r.outbox)?.snapshot())
    }

    pub(super) fn report(&mut self, r: NameReq) -> Result<crate::sync::outbox::SyncReport> {
        Ok(self.outbox_mut(&r.outbox)?.report())
    }

    pub(super) fn prune(&mut self, r: PruneReq) -> Result<Pruned> {
        let o = self.outbox_mut(&r.outbox)?;
        let pruned = o.prune(r.enqueued_before);
        Ok(Pruned {
            pruned,
            messages: o.len(),
        })
    }

    pub(super) fn drop_outbox(&mut self, r: NameReq) -> Result<Dropped> {
        self.outbox_mut(&r.outbox)?;
        let messages = self.outboxes.remove(&r.outbox).map_or(0, |o| o.len());
        Ok(Dropped {
            outbox: r.outbox,
            messages,
        })
    }

    pub(super) fn create(&mut self, r: CreateReq, out: &mut Vec<u8>) -> Result<()> {
        if r.outbox.is_empty() {
            return Err(Error::invalid("outbox", "the outbox name is empty"));
        }
        if self.outboxes.contains_key(&r.outbox) {
            return Err(Error::invalid(
                "outbox",
                format!(
                    "an outbox named `{}` already exists in this engine",
                    r.outbox
                ),
            ));
        }
        r.config.validate()?;
        let o = Outbox::new(&r.outbox, r.seed, r.config);
        ser(
            out,
            &Created {
                outbox: &r.outbox,
                header: o.header(),
            },
        )?;
        self.outboxes.insert(r.outbox, o);
        Ok(())
    }

    pub(super) fn restore(&mut self, r: RestoreReq, out: &mut Vec<u8>) -> Result<()> {
        let name = r.snapshot.header.name.clone();
        if let Some(given) = r.outbox.as_deref().filter(|g| *g != name) {
            return Err(Error::invalid(
                "outbox",
                format!("the snapshot is of outbox `{name}`, not `{given}`"),
            ));
        }
        if self.outboxes.contains_key(&name) {
            return Err(Error::invalid(
                "snapshot.header.name",
                format!(
                    "an outbox named `{name}` already exists in this engine (outbox_drop it first)"
                ),
            ));
        }
        r.snapshot
            .header
            .config
            .validate()
            .map_err(|e| e.within("snapshot.header"))?;
        let mut o = Outbox::restore(r.snapshot)?;
        let persist = match (r.resend_in_flight, r.now) {
            (true, Some(now)) => o.resend_in_flight(now),
            (true, None) => {
                return Err(Error::invalid(
                    "now",
                    "missing field `now` (needed to send in-flight requests again; or give \"resend_in_flight\": false)",
                ))
            }
            (false, _) => o.combine(Vec::new()),
        };
        ser(
            out,
            &Restored {
                outbox: &name,
                messages: o.len(),
                header: o.header(),
                persist,
            },
        )?;
        self.outboxes.insert(name, o);
        Ok(())
    }

    pub(super) fn activate(&mut self, r: ActivateReq) -> Result<Activated> {
        let inline;
        let catalog =
            match (r.policies, &r.catalog) {
                (Some(_), Some(_)) => {
                    return Err(Error::invalid(
                        "catalog",
                        "give either `policies` or `catalog`, not both",
                    ))
                }
                (None, None) => return Err(Error::invalid(
                    "catalog",
                    "missing field `catalog` (the name of a loaded catalog, or inline `policies`)",
                )),
                (Some(ps), None) => {
                    inline = Catalog::new(ps)?;
                    &inline
                }
                (None, Some(name)) => self
                    .catalogs
                    .get(name)
                    .ok_or_else(|| no_catalog("catalog", name))?,
            };
        let cal = Calendar::for_operation(r.zone, r.sale.sold_at);
        // Not `outbox_mut`: the catalog borrowed above is also the engine's.
        let outbox = self
            .outboxes
            .get_mut(&r.outbox)
            .ok_or_else(|| no_outbox(&r.outbox))?;
        let (lines, parts) = flows::activate_sale(catalog, outbox, &r.sale, &r.config, cal, r.now)?;
        let persist = outbox.combine(parts);
        Ok(Activated { lines, persist })
    }

    pub(super) fn claim_changed(&mut self, r: ClaimChangedReq) -> Result<Notified> {
        // The transition is judged before the outbox is looked up (the protocol's order).
        flows::check_transition(&r.claim, &r.transition)?;
        let o = self.outbox_mut(&r.outbox)?;
        let (enqueued, parts) = flows::claim_changed(o, &r.claim, &r.transition, &r.config, r.now)?;
        let persist = o.combine(parts);
        Ok(Notified { enqueued, persist })
    }
}
