//! The dispatcher's sync operations against the typed outbox: random sequences of enqueue
//! (new keys, repeated keys, clashing payloads), polls, answers of every kind (with
//! Retry-After as seconds or as an HTTP date), transport errors, answers for ids that are not
//! in flight, timeouts, events, snapshots and drop+restore cycles are applied to an `Outbox`
//! and, as JSON, to an `Engine`. Every answer must be the typed result serialised (or the
//! same error), and a restore from the JSON snapshot must behave exactly as the original.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{json, Value};
use warranty_core::sync::outbox::{Outbox, OutboxConfig};
use warranty_core::{Engine, Instant};

const T0: i64 = 1_795_341_600_000;

fn at(ms: i64) -> Instant {
    Instant(
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .fixed_offset(),
    )
}

#[derive(Clone, Debug)]
enum Step {
    Enqueue {
        key: u8,
        variant: u8,
    },
    Poll,
    Answer {
        pick: u8,
        status: u16,
        retry_after: Option<u32>,
        date: bool,
    },
    Transport {
        pick: u8,
    },
    Wait {
        ms: u32,
    },
    Timeout,
    Event,
    Report,
    RestoreFromSnapshot,
    Prune {
        back_ms: u32,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0u8..6, 0u8..3).prop_map(|(key, variant)| Step::Enqueue { key, variant }),
        4 => Just(Step::Poll),
        4 => (
            any::<u8>(),
            prop_oneof![Just(200u16), Just(201), Just(202), Just(400), Just(404), Just(408),
                        Just(409), Just(422), Just(425), Just(429), Just(500), Just(503)],
            proptest::option::of(0u32..400),
            any::<bool>()
        )
            .prop_map(|(pick, status, retry_after, date)| Step::Answer { pick, status, retry_after, date }),
        1 => any::<u8>().prop_map(|pick| Step::Transport { pick }),
        2 => (0u32..120_000).prop_map(|ms| Step::Wait { ms }),
        1 => Just(Step::Timeout),
        1 => Just(Step::Event),
        1 => Just(Step::Report),
        1 => Just(Step::RestoreFromSnapshot),
        1 => (0u32..200_000).prop_map(|back_ms| Step::Prune { back_ms }),
    ]
}

/// The engine's answer to `req`: `Ok(result)` or `Err((code, path))`.
fn ask(engine: &mut Engine, req: Value) -> Result<Value, (String, String)> {
    let r: Value = serde_json::from_str(&engine.call(&req.to_string())).unwrap();
    if r["ok"] == true {
        Ok(r["result"].clone())
    } else {
        Err((
            r["error"]["code"].as_str().unwrap().to_string(),
            r["error"]["path"].as_str().unwrap().to_string(),
        ))
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

fn http_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn json_operations_are_the_typed_outbox(
        seed in any::<u64>(),
        max_attempts in 1u32..5,
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let config = OutboxConfig { base_ms: 500, cap_ms: 8_000, max_attempts, ..OutboxConfig::default() };
        let mut typed = Outbox::new("o", seed, config.clone());
        let mut engine = Engine::new();
        let created = ask(&mut engine, json!({"op": "outbox_create", "outbox": "o", "seed": seed.to_string(),
            "config": to_json(&config)})).unwrap();
        prop_assert_eq!(&created["header"], &to_json(typed.header()));
        let mut now = T0;
        let mut in_flight: Vec<u64> = Vec::new();
        for s in steps {
            let t = at(now);
            let ts = t.0.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            match s {
                Step::Enqueue { key, variant } => {
                    let payload = json!({"key": key, "variant": variant});
                    let want = typed.enqueue("p", "op", &format!("k{key}"), payload.clone(), t)
                        .map(|(id, created, persist)| json!({"id": id, "created": created, "persist": to_json(&persist)}))
                        .map_err(|e| (e.code.as_str().to_string(), e.path));
                    let got = ask(&mut engine, json!({"op": "outbox_enqueue", "outbox": "o", "partner": "p",
                        "operation": "op", "idempotency_key": format!("k{key}"), "payload": payload, "now": ts}));
                    prop_assert_eq!(got, want);
                }
                Step::Poll => {
                    let (tx, persist) = typed.poll_transmit(t);
                    if let Some(tx) = &tx {
                        in_flight.push(tx.id);
                    }
                    let got = ask(&mut engine, json!({"op": "outbox_poll_transmit", "outbox": "o", "now": ts})).unwrap();
                    prop_assert_eq!(got, json!({"transmit": to_json(&tx), "persist": to_json(&persist)}));
                }
                Step::Answer { pick, status, retry_after, date } => {
                    // Mostly an id in flight; sometimes one that is not (refused, changes nothing).
                    let id = if in_flight.is_empty() || pick % 7 == 0 {
                        u64::from(pick % 5) + 1
                    } else {
                        in_flight.remove(usize::from(pick) % in_flight.len())
                    };
                    let mut headers = BTreeMap::new();
                    if let Some(secs) = retry_after {
                        let v = if date { http_date(now + i64::from(secs) * 1000) } else { secs.to_string() };
                        headers.insert("Retry-After".to_string(), v);
                    }
                    let body = if status >= 400 { "{\"message\":\"nope\"}" } else { "" };
                    let want = typed.handle_response(id, status, &headers, body, t)
                        .map(|persist| json!({"message": to_json(&typed.message(id)), "persist": to_json(&persist)}))
                        .map_err(|e| (e.code.as_str().to_string(), e.path));
                    let got = ask(&mut engine, json!({"op": "outbox_handle_response", "outbox": "o", "id": id,
                        "status": status, "headers": headers, "body": body, "now": ts}));
                    prop_assert_eq!(got, want);
                }
                Step::Transport { pick } => {
                    let id = in_flight.pop().unwrap_or(u64::from(pick % 5) + 1);
                    let want = typed.handle_transport_error(id, t)
                        .map(|persist| json!({"message": to_json(&typed.message(id)), "persist": to_json(&persist)}))
                        .map_err(|e| (e.code.as_str().to_string(), e.path));
                    let got = ask(&mut engine, json!({"op": "outbox_transport_error", "outbox": "o", "id": id, "now": ts}));
                    prop_assert_eq!(got, want);
                }
                Step::Wait { ms } => now += i64::from(ms),
                Step::Timeout => {
                    let got = ask(&mut engine, json!({"op": "outbox_poll_timeout", "outbox": "o"})).unwrap();
                    prop_assert_eq!(&got["timeout_ms"], &to_json(&typed.poll_timeout()));
                    if let Some(ms) = typed.poll_timeout() {
                        // Rounded up to the second, never before the exact time.
                        let shown = Instant::parse(got["timeout"].as_str().unwrap()).unwrap();
                        let shown_ms = shown.0.timestamp_millis();
                        prop_assert!(shown_ms >= ms && shown_ms - ms < 1000);
                    }
                }
                Step::Event => {
                    let got = ask(&mut engine, json!({"op": "outbox_poll_event", "outbox": "o"})).unwrap();
                    prop_assert_eq!(got, json!({"event": to_json(&typed.poll_event())}));
                }
                Step::Report => {
                    let got = ask(&mut engine, json!({"op": "outbox_report", "outbox": "o"})).unwrap();
                    prop_assert_eq!(got, to_json(&typed.report()));
                }
                Step::Prune { back_ms } => {
                    let before = now - i64::from(back_ms);
                    let pruned = typed.prune(at(before));
                    let got = ask(&mut engine, json!({"op": "outbox_prune", "outbox": "o",
                        "enqueued_before": at(before).0.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)})).unwrap();
                    prop_assert_eq!(got, json!({"pruned": pruned, "messages": typed.len()}));
                }
                Step::RestoreFromSnapshot => {
                    // A restart: the JSON snapshot goes back in; in-flight requests are due again.
                    let snap = ask(&mut engine, json!({"op": "outbox_snapshot", "outbox": "o"})).unwrap();
                    prop_assert_eq!(&snap, &to_json(&typed.snapshot()));
                    ask(&mut engine, json!({"op": "outbox_drop", "outbox": "o"})).unwrap();
                    let restored = ask(&mut engine, json!({"op": "outbox_restore", "snapshot": snap, "now": ts})).unwrap();
                    typed = Outbox::restore(typed.snapshot()).unwrap();
                    let persist = typed.resend_in_flight(t);
                    in_flight.clear();
                    prop_assert_eq!(&restored["persist"], &to_json(&persist));
                    prop_assert_eq!(&restored["header"], &to_json(typed.header()));
                }
            }
        }
        let snap = ask(&mut engine, json!({"op": "outbox_snapshot", "outbox": "o"})).unwrap();
        prop_assert_eq!(snap, to_json(&typed.snapshot()));
    }
}

/// Every scenario's requests (tests/scenarios), in order.
fn scenarios() -> &'static [Vec<String>] {
    static S: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/scenarios");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                let v: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
                v["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["request"].to_string())
                    .collect()
            })
            .collect()
    })
}

fn run(steps: &[Vec<u8>]) -> Vec<String> {
    let mut engine = Engine::new();
    steps.iter().map(|s| engine.call_bytes(s)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// A scenario with one request corrupted (a byte changed or the request cut short): every
    /// answer is a well-formed envelope, and the same inputs give the same bytes.
    #[test]
    fn corrupted_scenarios_stay_total_and_deterministic(
        pick in any::<usize>(),
        step in any::<usize>(),
        cut in any::<usize>(),
        byte in any::<u8>(),
    ) {
        let all = scenarios();
        let sc = &all[pick % all.len()];
        let mut steps: Vec<Vec<u8>> = sc.iter().map(|s| s.as_bytes().to_vec()).collect();
        let victim = &mut steps[step % sc.len()];
        let at = cut % (victim.len() + 1);
        if at < victim.len() && byte % 2 == 0 { victim[at] = byte; } else { victim.truncate(at); }
        let first = run(&steps);
        for r in &first {
            let v: Value = serde_json::from_str(r).expect("an answer is JSON");
            match v["ok"].as_bool() {
                Some(true) => prop_assert!(v.get("result").is_some()),
                Some(false) => {
                    prop_assert!(v["error"]["code"].is_string() && v["error"]["path"].is_string()
                        && v["error"]["message"].is_string(), "{}", r);
                }
                None => prop_assert!(false, "no ok: {}", r),
            }
        }
        prop_assert_eq!(first, run(&steps));
    }
}
