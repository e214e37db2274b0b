//! The outbox against a simulated partner, in process and deterministic: thousands of random
//! schedules of 2xx, 202, 5xx, 429 with Retry-After, 408, 4xx, transport errors, and host
//! crashes between any two calls (with or without the last result persisted), restoring from
//! what the host stored. Checks: every message ends delivered or dead-lettered, none is lost,
//! a request is sent again only as a retry under its idempotency key, backoff stays inside the
//! jitter bounds, and the stored records always rebuild exactly the live outbox.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::json;
use warranty_core::sync::outbox::{Header, MessageState, Outbox, OutboxConfig, Persist, Snapshot};
use warranty_core::Instant;

/// What the host keeps on disk: the header and the messages, upserted from `Persist`.
#[derive(Clone)]
struct Store {
    header: Header,
    messages: BTreeMap<u64, warranty_core::sync::Message>,
    /// The host's event log (write-ahead, from `Persist`).
    events: Vec<warranty_core::sync::Event>,
}

impl Store {
    fn apply(&mut self, p: &Persist) {
        self.header.rng = p.rng;
        self.header.next_id = p.next_id;
        self.events.extend(p.events.iter().cloned());
        for m in &p.messages {
            self.messages.insert(m.id, m.clone());
        }
    }
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            header: self.header.clone(),
            messages: self.messages.values().cloned().collect(),
        }
    }
}

fn at(ms: i64) -> Instant {
    Instant(
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .fixed_offset(),
    )
}

#[derive(Clone, Copy, Debug)]
enum Answer {
    Ok(u16),
    Retry(u16, Option<u32>),
    Refuse(u16),
    Transport,
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        3 => prop::sample::select(vec![200u16, 201, 204]).prop_map(Answer::Ok),
        1 => Just(Answer::Ok(202)),
        3 => (prop::sample::select(vec![500u16, 502, 503, 504, 408, 409, 425]), Just(None)).prop_map(|(s, r)| Answer::Retry(s, r)),
        2 => (0u32..200).prop_map(|s| Answer::Retry(429, Some(s))),
        1 => prop::sample::select(vec![400u16, 401, 404, 422]).prop_map(Answer::Refuse),
        2 => Just(Answer::Transport),
    ]
}

#[derive(Clone, Copy, Debug)]
enum Crash {
    None,
    /// After the host stored the last result.
    AfterPersist,
    /// Before the host stored (and so before it acted on) the last result.
    BeforePersist,
}

fn crash() -> impl Strategy<Value = Crash> {
    prop_oneof![8 => Just(Crash::None), 1 => Just(Crash::AfterPersist), 1 => Just(Crash::BeforePersist)]
}

#[derive(Default)]
struct Partner {
    /// Every request received: (key, attempt, body).
    log: Vec<(String, u32, String)>,
    /// Keys it answered with a final status (2xx or non-retryable 4xx).
    finished: BTreeMap<String, u16>,
}

fn run(
    n: usize,
    seed: u64,
    answers: Vec<Answer>,
    crashes: Vec<Crash>,
    max_attempts: u32,
) -> Result<(), TestCaseError> {
    let config = OutboxConfig {
        base_ms: 500,
        cap_ms: 20_000,
        max_attempts,
        deadline_ms: 3_600_000,
        ..OutboxConfig::default()
    };
    let mut outbox = Outbox::new("sim", seed, config);
    let mut store = Store {
        header: outbox.snapshot().header,
        messages: BTreeMap::new(),
        events: Vec::new(),
    };
    let mut now: i64 = 1_790_000_000_000;
    let mut payloads: BTreeMap<String, String> = BTreeMap::new();
    for i in 0..n {
        let key = format!("K{i}");
        let payload = json!({"claim": i, "text": "é💥"});
        // The second enqueue of the same key and payload is a no-op.
        for first in [true, false] {
            let partner = if i % 2 == 0 { "cnh" } else { "wl" };
            let (_, created, p) = outbox
                .enqueue(partner, "create_claim", &key, payload.clone(), at(now))
                .unwrap();
            prop_assert_eq!(created, first);
            store.apply(&p);
        }
        payloads.insert(key, serde_json::to_string(&payload).unwrap());
    }
    let mut partner = Partner::default();
    let mut step = 0usize;
    let mut crash_i = 0usize;
    let limit = (n * (max_attempts as usize + 2) + crashes.len()) * 4 + 200;
    loop {
        step += 1;
        prop_assert!(step < limit, "no progress after {step} steps");
        // The stored records always rebuild the live outbox exactly.
        let rebuilt = Outbox::restore(store.snapshot()).unwrap();
        prop_assert_eq!(rebuilt.snapshot(), outbox.snapshot());
        let (tx, p) = outbox.poll_transmit(at(now));
        let Some(tx) = tx else {
            match outbox.poll_timeout() {
                Some(t) => {
                    prop_assert!(t > now);
                    now = t;
                    continue;
                }
                None => break,
            }
        };
        let c = crashes.get(crash_i).copied().unwrap_or(Crash::None);
        crash_i += 1;
        if let Crash::BeforePersist = c {
            // The transmit was never stored nor sent: restart from the store.
            outbox = Outbox::restore(store.snapshot()).unwrap();
            let p = outbox.resend_in_flight(at(now));
            store.apply(&p);
            continue;
        }
        store.apply(&p);
        // The request goes out.
        prop_assert_eq!(&tx.body, &payloads[&tx.idempotency_key]);
        prop_assert_eq!(tx.headers.get("idempotency-key"), Some(&tx.idempotency_key));
        if let Some(prev) = partner
            .log
            .iter()
            .rev()
            .find(|(k, _, _)| *k == tx.idempotency_key)
        {
            prop_assert!(
                tx.attempt > prev.1,
                "attempt numbers must grow: {} after {}",
                tx.attempt,
                prev.1
            );
        }
        partner
            .log
            .push((tx.idempotency_key.clone(), tx.attempt, tx.body.clone()));
        let a = answers[step % answers.len()];
        now += 50;
        let before_attempts = outbox.message(tx.id).unwrap().attempts;
        let p = match a {
            Answer::Ok(s) | Answer::Refuse(s) | Answer::Retry(s, None) => outbox
                .handle_response(
                    tx.id,
                    s,
                    &BTreeMap::new(),
                    r#"{"message":"partner says no"}"#,
                    at(now),
                )
                .unwrap(),
            Answer::Retry(s, Some(secs)) => {
                let h: BTreeMap<String, String> =
                    [("Retry-After".to_string(), secs.to_string())].into();
                outbox.handle_response(tx.id, s, &h, "", at(now)).unwrap()
            }
            Answer::Transport => outbox.handle_transport_error(tx.id, at(now)).unwrap(),
        };
        if let Answer::Ok(s) | Answer::Refuse(s) = a {
            partner.finished.insert(tx.idempotency_key.clone(), s);
        }
        // Backoff bounds: full jitter under the ceiling, never before Retry-After.
        if let (MessageState::Pending, Some(due_ms)) = (
            outbox.message(tx.id).unwrap().state,
            outbox.message(tx.id).unwrap().due_ms,
        ) {
            let delay = due_ms - now;
            let ra = match a {
                Answer::Retry(_, Some(s)) => i64::from(s) * 1000,
                _ => 0,
            };
            let ceiling = i64::try_from(outbox.ceiling_ms(before_attempts)).unwrap();
            prop_assert!(delay >= ra, "delay {delay} before Retry-After {ra}");
            prop_assert!(
                delay <= ceiling.max(ra),
                "delay {delay} above ceiling {ceiling} / {ra}"
            );
        }
        match c {
            Crash::BeforePersist => {
                // The answer was received but never stored: the request will be sent again.
                outbox = Outbox::restore(store.snapshot()).unwrap();
                let p = outbox.resend_in_flight(at(now));
                store.apply(&p);
            }
            Crash::AfterPersist => {
                store.apply(&p);
                outbox = Outbox::restore(store.snapshot()).unwrap();
                let p = outbox.resend_in_flight(at(now));
                store.apply(&p);
            }
            Crash::None => store.apply(&p),
        }
        // Events drain like a host would.
        while outbox.poll_event().is_some() {}
    }
    // Nothing lost: every message is finished, and the report adds up.
    prop_assert_eq!(outbox.len(), n);
    for i in 1..=n as u64 {
        let m = outbox.message(i).unwrap();
        prop_assert!(
            matches!(
                m.state,
                MessageState::Delivered
                    | MessageState::AcceptedPending
                    | MessageState::DeadLettered
            ),
            "{:?}",
            m.state
        );
        // A message the partner finished for good is never sent after that, except when the
        // host lost that answer in a crash (then under the same key, as a retry).
        let sends = partner
            .log
            .iter()
            .filter(|(k, _, _)| *k == m.idempotency_key)
            .count();
        prop_assert!(sends >= 1 && sends as u32 <= max_attempts + crashes.len() as u32);
    }
    // Every message that finished has its final event in the host's log.
    for i in 1..=n as u64 {
        let finals = store
            .events
            .iter()
            .filter(|e| e.id() == i && e.kind() != warranty_core::sync::EventKind::Audit)
            .count();
        prop_assert!(finals >= 1, "no final event for message {i}");
    }
    let r = outbox.report();
    prop_assert_eq!(r.total.enqueued, n);
    prop_assert_eq!(r.total.pending, 0);
    prop_assert_eq!(
        r.total.delivered + r.total.accepted_pending + r.total.dead_lettered,
        n
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn outbox_loses_nothing_under_failures_and_crashes(
        n in 1usize..12,
        seed in any::<u64>(),
        answers in prop::collection::vec(answer(), 1..60),
        crashes in prop::collection::vec(crash(), 1..60),
        max_attempts in 1u32..8,
    ) {
        run(n, seed, answers, crashes, max_attempts)?;
    }

    #[test]
    fn a_restored_outbox_behaves_exactly_as_the_original(
        seed in any::<u64>(), answers in prop::collection::vec(answer(), 1..40), cut in 0usize..40,
    ) {
        let mut a = Outbox::new("twin", seed, OutboxConfig::default());
        let mut now = 1_790_000_000_000i64;
        for i in 0..5 {
            a.enqueue("p", "op", &format!("k{i}"), json!(i), at(now)).unwrap();
        }
        let mut b: Option<Outbox> = None;
        for (step, ans) in answers.iter().enumerate() {
            if step == cut {
                b = Some(Outbox::restore(a.snapshot()).unwrap());
            }
            let mut outs = Vec::new();
            for o in std::iter::once(&mut a).chain(b.as_mut()) {
                let t = o.poll_timeout().unwrap_or(now).max(now);
                let (tx, _) = o.poll_transmit(at(t));
                let res = tx.map(|tx| match ans {
                    Answer::Transport => o.handle_transport_error(tx.id, at(t + 10)).map(|p| p.messages),
                    Answer::Retry(s, r) => {
                        let h: BTreeMap<String, String> = r.map(|r| [("retry-after".to_string(), r.to_string())].into()).unwrap_or_default();
                        o.handle_response(tx.id, *s, &h, "", at(t + 10)).map(|p| p.messages)
                    }
                    Answer::Ok(s) | Answer::Refuse(s) => o.handle_response(tx.id, *s, &BTreeMap::new(), "", at(t + 10)).map(|p| p.messages),
                });
                outs.push((serde_json::to_string(&o.snapshot()).unwrap(), format!("{res:?}"), o.poll_timeout()));
            }
            now += 1;
            if outs.len() == 2 {
                prop_assert_eq!(&outs[0], &outs[1]);
            }
        }
    }
}

#[test]
fn same_key_different_payload_is_an_error_and_changes_nothing() {
    let mut o = Outbox::new("x", 7, OutboxConfig::default());
    let t = at(1_790_000_000_000);
    o.enqueue("cnh", "create_claim", "DMS-1", json!({"a": 1}), t)
        .unwrap();
    let before = o.snapshot();
    let e = o
        .enqueue("cnh", "create_claim", "DMS-1", json!({"a": 2}), t)
        .unwrap_err();
    assert_eq!(e.path, "payload");
    assert_eq!(o.snapshot(), before);
    // The same key for another partner is another message.
    assert!(
        o.enqueue("wl", "create_claim", "DMS-1", json!({"a": 2}), t)
            .unwrap()
            .1
    );
}

#[test]
fn retry_after_as_an_http_date() {
    let mut o = Outbox::new("x", 7, OutboxConfig::default());
    let t0 = 1_790_000_000_000i64;
    o.enqueue("cnh", "op", "k", json!(1), at(t0)).unwrap();
    let (tx, _) = o.poll_transmit(at(t0));
    let date = chrono::DateTime::from_timestamp_millis(t0 + 120_000)
        .unwrap()
        .to_rfc2822()
        .replace("+0000", "GMT");
    let h: BTreeMap<String, String> = [("Retry-After".to_string(), date)].into();
    o.handle_response(tx.unwrap().id, 503, &h, "", at(t0))
        .unwrap();
    assert!(o.poll_timeout().unwrap() >= t0 + 120_000);
}
