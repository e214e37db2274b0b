//! Crash safety: the server is killed (SIGKILL) at a random moment while a seeded stream of
//! activations and claim transitions arrives and the fake partner misbehaves (201, 202, 409,
//! 429, 500, 503, timeouts, dropped connections), then restarted, `WTY_FAULT_RUNS` times
//! (12 by default; `make bench-serve-faults` runs 200). After each restart every request
//! that got a 2xx is in the store and the audit log verifies; at the end every outbox message
//! is delivered (the partner saw its key) or dead-lettered with its reason, the partner saw
//! no request the store does not know, a key was only ever sent again with its body, and
//! never while a request with it was still in flight. With `WTY_TEST_PG` (`make
//! serve-pg-test`) two instances share a PostgreSQL database and one of them is killed each
//! run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failure is a test failure"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// What the clients were told.
#[derive(Default)]
struct Acked {
    activations: BTreeSet<String>,
    /// Claim → statuses it may be in: the acknowledged one, or (when the answer to a later
    /// transition was lost with the server) the one that transition leads to.
    claims: BTreeMap<String, BTreeSet<String>>,
}

/// The claim steps the stream takes, in order, with the key allowed to take them.
const STEPS: &[(&str, &str, &str)] = &[
    ("validate", "draft", TILL),
    ("submit", "submitted", TILL),
    ("approve", "approved", MANAGER),
    ("repair", "repair", MANAGER),
    ("close", "closed", FINANCE),
];

fn client(addr: String, seed: u64, run: usize, stop: Arc<AtomicBool>, acked: Arc<Mutex<Acked>>) {
    let mut rng = Rng(seed);
    let mut i = 0u64;
    // Claims of this client: id → index of its next step (0 = not created yet).
    let mut claims: Vec<(String, usize)> = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        // A shop's pace rather than a flood: the run is about the moment of the kill.
        std::thread::sleep(Duration::from_millis(2 + rng.next() % 6));
        let roll = rng.next() % 10;
        if roll < 6 || claims.is_empty() && roll < 8 {
            let order = format!("R{run}-S{seed}-{i}");
            let lines = usize::try_from(1 + rng.next() % 3).unwrap();
            let auth = format!("Bearer {TILL}");
            let body = sale(&order, lines);
            let Some(r) = try_request(
                &addr,
                "POST",
                "/v1/activations",
                &[("authorization", &auth), ("idempotency-key", &order)],
                body.as_bytes(),
            ) else {
                return;
            };
            match r.status {
                201 => {
                    acked.lock().unwrap().activations.insert(order);
                }
                503 => {}
                s => panic!("activation answered {s}: {}", r.body),
            }
        } else if roll < 8 || claims.iter().all(|(_, s)| *s > STEPS.len()) {
            let id = format!("C{run}-S{seed}-{i}");
            let Some(r) = try_request(
                &addr,
                "POST",
                "/v1/claims",
                &[
                    ("authorization", &format!("Bearer {TILL}")),
                    ("idempotency-key", &id),
                ],
                claim(&id).as_bytes(),
            ) else {
                return;
            };
            if r.status == 201 {
                acked
                    .lock()
                    .unwrap()
                    .claims
                    .insert(id.clone(), ["draft".to_string()].into());
                claims.push((id, 0));
            } else {
                assert_eq!(r.status, 503, "{}", r.body);
            }
        } else {
            let open: Vec<usize> = (0..claims.len())
                .filter(|&k| claims[k].1 < STEPS.len())
                .collect();
            let Some(&k) = open.get(usize::try_from(rng.next()).unwrap() % open.len().max(1))
            else {
                continue;
            };
            let (id, step) = claims[k].clone();
            let (action, to, key) = STEPS[step];
            // The answer may be lost with the server: the claim may then be either.
            acked
                .lock()
                .unwrap()
                .claims
                .get_mut(&id)
                .unwrap()
                .insert(to.to_string());
            let (path, body) = if action == "validate" {
                (
                    format!("/v1/claims/{id}/validate"),
                    json!({"as_of": "2026-11-20T16:00:00+01:00"}).to_string(),
                )
            } else {
                (
                    format!("/v1/claims/{id}/transitions"),
                    json!({"action": action, "reason": "fault run"}).to_string(),
                )
            };
            let Some(r) = try_request(
                &addr,
                "POST",
                &path,
                &[
                    ("authorization", &format!("Bearer {key}")),
                    ("idempotency-key", &format!("{id}-{action}")),
                ],
                body.as_bytes(),
            ) else {
                return;
            };
            match r.status {
                200 => {
                    let mut a = acked.lock().unwrap();
                    let set = a.claims.get_mut(&id).unwrap();
                    set.clear();
                    set.insert(to.to_string());
                    claims[k].1 = step + 1;
                }
                503 => {
                    if action != "validate" {
                        let mut a = acked.lock().unwrap();
                        a.claims.get_mut(&id).unwrap().remove(to);
                    }
                }
                s => panic!("transition answered {s}: {}", r.body),
            }
        }
    }
}

/// Checks what was acknowledged in `run` (every run when `None`).
fn check_store(addr: &str, acked: &Acked, run: Option<usize>) {
    let this = |id: &str| run.is_none_or(|r| id[1..].split('-').next() == Some(&r.to_string()));
    for o in acked.activations.iter().filter(|o| this(o)) {
        let r = get(addr, OWNER, &format!("/v1/activations/{o}"));
        assert_eq!(
            r.status, 200,
            "acknowledged activation {o} is lost: {}",
            r.body
        );
    }
    for (id, may) in acked.claims.iter().filter(|(id, _)| this(id)) {
        let r = get(addr, OWNER, &format!("/v1/claims/{id}"));
        assert_eq!(r.status, 200, "acknowledged claim {id} is lost: {}", r.body);
        let status = r.json()["result"]["state"]["status"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            may.contains(&status),
            "claim {id} is {status}, acknowledged {may:?}"
        );
    }
    let v = get(addr, OWNER, "/v1/audit/verify").json();
    assert_eq!(v["result"]["valid"], json!(true), "{v}");
}

#[test]
fn killed_at_random_moments_nothing_lost_nothing_sent_twice() {
    let runs: usize = std::env::var("WTY_FAULT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let dir = temp_dir("faults");
    let log = dir.join("partner.log");
    let mut p = partner("mixed", 42, &log);
    let cfg = write_config(
        &dir,
        &Setup {
            partner: format!("http://{}", p.addr),
            base_ms: 20,
            cap_ms: 200,
            max_attempts: 6,
            partner_timeout_ms: 150,
            lease_ms: Some(1000),
            ..Setup::default()
        },
    );
    let acked = Arc::new(Mutex::new(Acked::default()));
    let mut rng = Rng(2026);
    // On PostgreSQL two instances share the database; one of them is killed each run.
    let instances = if pg_base().is_some() { 2 } else { 1 };
    let mut servers: Vec<Proc> = (0..instances).map(|_| server(&cfg)).collect();
    for run in 0..runs {
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..3usize)
            .map(|c| {
                let addr = servers[c % instances].addr.clone();
                let (stop, acked) = (stop.clone(), acked.clone());
                let seed = rng.next() | 1;
                std::thread::spawn(move || client(addr, seed + c as u64, run, stop, acked))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(30 + rng.next() % 400));
        let victim = usize::try_from(rng.next()).unwrap() % instances;
        servers[victim].kill();
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.join().unwrap();
        }
        servers[victim] = server(&cfg);
        check_store(&servers[0].addr, &acked.lock().unwrap(), Some(run));
    }
    drop(servers);
    // Let the worker finish: nothing pending or in flight.
    let s = server(&cfg);
    let idle = wait_for(120, || {
        ["pending", "in_flight"].iter().all(|st| {
            get(&s.addr, ADMIN, &format!("/v1/outbox?state={st}")).json()["result"]["count"]
                == json!(0)
        })
    });
    assert!(idle, "the outbox did not drain");
    check_store(&s.addr, &acked.lock().unwrap(), None);
    drop(s);
    p.kill();
    // Every message's fate, against what the partner received.
    let messages: Vec<Value> = with_db(&dir, |db| {
        db.query("SELECT message FROM outbox_messages ORDER BY id", &[])
            .unwrap()
            .iter()
            .map(|r| serde_json::from_str(&r[0].string()).unwrap())
            .collect()
    });
    let received: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut by_key: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for r in &received {
        by_key
            .entry(r["idempotency_key"].as_str().unwrap().to_string())
            .or_default()
            .push(r);
    }
    let known: BTreeMap<&str, &Value> = messages
        .iter()
        .map(|m| (m["idempotency_key"].as_str().unwrap(), m))
        .collect();
    assert_eq!(known.len(), messages.len(), "one message per key");
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    for m in &messages {
        let state = m["state"].as_str().unwrap();
        *states.entry(state.to_string()).or_default() += 1;
        let key = m["idempotency_key"].as_str().unwrap();
        match state {
            "delivered" | "accepted_pending" => {
                let want = if state == "delivered" { "201" } else { "202" };
                let seen = by_key.get(key).map(Vec::as_slice).unwrap_or(&[]);
                assert!(
                    seen.iter().any(|r| r["answer"] == json!(want)),
                    "message {key} is {state} but the partner never answered it {want}: {seen:?}"
                );
            }
            "dead_lettered" => {
                assert!(m["reason"].as_str().is_some_and(|r| !r.is_empty()), "{m}");
            }
            other => panic!("message {key} is still {other}"),
        }
    }
    // Never sent twice at once: after a request the sender gave up on (the partner held it
    // past the 150 ms timeout), the next one with its key comes after that timeout — from the
    // same instance, or from another once the lease ran out. On SQLite a restarted process is
    // the only instance and sends at once what its killed predecessor had in flight (that
    // sender is gone); on PostgreSQL the lease is waited for.
    for (key, reqs) in &by_key {
        for w in reqs.windows(2) {
            let same = w[0]["user_agent"] == w[1]["user_agent"];
            if w[0]["answer"] == json!("timeout") && (same || instances > 1) {
                let gap = w[1]["at_ms"].as_i64().unwrap() - w[0]["at_ms"].as_i64().unwrap();
                assert!(
                    gap >= 140,
                    "key {key} was sent again {gap} ms after a request still in flight"
                );
            }
        }
    }
    for (key, reqs) in &by_key {
        let m = known.get(key.as_str()).unwrap_or_else(|| {
            panic!("the partner received key {key}, which the store does not know")
        });
        for r in reqs {
            assert_eq!(
                r["body_sha256"], m["payload_sha256"],
                "key {key} was sent with another body"
            );
        }
    }
    let acked = acked.lock().unwrap();
    println!(
        "faults: {runs} runs, {} activations and {} claims acknowledged, {} messages {states:?}, {} requests received",
        acked.activations.len(),
        acked.claims.len(),
        messages.len(),
        received.len()
    );
    assert!(!acked.activations.is_empty());
}
