//! End to end through `wty call --ndjson`, as a host would run its sync loop: one long-lived
//! `wty` process per "host run", a simulated partner in this test, and a host store that
//! applies every `persist` record before acting on the answer. Host runs are killed
//! (SIGKILL) at awkward moments -- right after a request was handed out and before its answer
//! was reported -- and the next run restores the outbox from the store in a new process.
//! Checks: every message ends delivered or dead-lettered, nothing is lost, the partner sees a
//! key again only as a retry (attempt numbers grow), and the in-flight request of a killed
//! run is sent again under its key.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{json, Value};

struct Wty {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Wty {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wty"))
            .args(["call", "--ndjson"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("wty starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Wty {
            child,
            stdin,
            stdout,
        }
    }

    /// One request, one answer (the `result`); panics on `ok:false`.
    fn call(&mut self, req: Value) -> Value {
        let r = self.try_call(req.clone());
        assert_eq!(r["ok"], true, "{req} -> {r}");
        r["result"].clone()
    }

    fn try_call(&mut self, req: Value) -> Value {
        writeln!(self.stdin, "{req}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    }

    /// A crash: the process is killed, whatever it was doing.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn finish(mut self) {
        drop(self.stdin);
        assert!(self.child.wait().unwrap().success());
    }
}

/// What the host keeps in its database: the outbox header and the messages by id.
#[derive(Default)]
struct Store {
    header: Value,
    messages: BTreeMap<u64, Value>,
    events: Vec<Value>,
}

impl Store {
    fn apply(&mut self, persist: &Value) {
        self.header["rng"] = persist["rng"].clone();
        self.header["next_id"] = persist["next_id"].clone();
        for m in persist["messages"].as_array().unwrap() {
            self.messages.insert(m["id"].as_u64().unwrap(), m.clone());
        }
        self.events
            .extend(persist["events"].as_array().unwrap().iter().cloned());
    }

    fn snapshot(&self) -> Value {
        json!({"header": self.header, "messages": self.messages.values().collect::<Vec<_>>()})
    }
}

/// The partner: answers by key and attempt, and remembers every request it saw.
#[derive(Default)]
struct Partner {
    seen: Vec<(String, u64, String)>,
}

impl Partner {
    fn answer(&mut self, tx: &Value) -> Option<(u16, Value, String)> {
        let key = tx["idempotency_key"].as_str().unwrap().to_string();
        let attempt = tx["attempt"].as_u64().unwrap();
        self.seen.push((
            key.clone(),
            attempt,
            tx["body"].as_str().unwrap().to_string(),
        ));
        let n: u64 = key.trim_start_matches("ORDER-").parse().unwrap();
        match (n % 5, attempt) {
            (0, 1) => Some((
                503,
                json!({"Retry-After": "2"}),
                "{\"message\":\"busy\"}".into(),
            )),
            (1, 1..=2) => Some((429, json!({}), String::new())),
            (2, 1) => None, // transport error
            (3, _) => Some((422, json!({}), "{\"message\":\"serial unknown\"}".into())),
            _ => Some((201, json!({}), "{\"ok\":true}".into())),
        }
    }
}

/// RFC 3339 for epoch milliseconds (whole seconds are enough here).
fn at(ms: i64) -> String {
    warranty_core::Instant::from_unix_millis(ms)
        .expect("in range")
        .to_string()
}

const START_MS: i64 = 1_795_341_600_000; // 2026-11-22T10:00:00Z

/// Runs the host loop for at most `steps` polls; returns whether the outbox is drained. With
/// `kill_in_flight`, the run ends by crashing right after a request was handed out.
fn host_run(
    wty: &mut Wty,
    store: &mut Store,
    partner: &mut Partner,
    now: &mut i64,
    steps: usize,
) -> bool {
    for _ in 0..steps {
        let r = wty.call(json!({"op": "outbox_poll_transmit", "outbox": "pos", "now": at(*now)}));
        store.apply(&r["persist"]);
        let tx = r["transmit"].clone();
        if tx.is_null() {
            let t = wty.call(json!({"op": "outbox_poll_timeout", "outbox": "pos"}));
            match t["timeout_ms"].as_i64() {
                None => return true,
                Some(due) => {
                    *now = (*now).max(due);
                    continue;
                }
            }
        }
        let id = tx["id"].clone();
        let answer = match partner.answer(&tx) {
            Some((status, headers, body)) => {
                json!({"op": "outbox_handle_response", "outbox": "pos", "id": id, "status": status, "headers": headers, "body": body, "now": at(*now)})
            }
            None => {
                json!({"op": "outbox_transport_error", "outbox": "pos", "id": id, "now": at(*now)})
            }
        };
        *now += 250;
        let r = wty.call(answer);
        store.apply(&r["persist"]);
    }
    false
}

#[test]
fn enqueue_poll_respond_crash_restore_finish() {
    let mut store = Store::default();
    let mut partner = Partner::default();
    let mut now = START_MS;

    // Run 1: create, enqueue 10 sale registrations, work a little, crash with one in flight.
    let mut wty = Wty::start();
    let created = wty.call(json!({"op": "outbox_create", "outbox": "pos", "seed": "18446744073709551557",
        "config": {"base_ms": 500, "cap_ms": 4000, "partners": {"registry": {"base_path": "/v1", "routes": {"register": {"method": "PUT", "path": "/registrations"}}}}}}));
    assert_eq!(
        created["header"]["rng"], "18446744073709551557",
        "u64 kept exact as text"
    );
    store.header = created["header"].clone();
    for n in 0..10 {
        let r = wty.call(json!({"op": "outbox_enqueue", "outbox": "pos", "partner": "registry", "operation": "register",
            "idempotency_key": format!("ORDER-{n}"), "payload": {"order": n, "serial": format!("SN{n:04}")}, "now": at(now)}));
        assert_eq!(r["created"], true);
        store.apply(&r["persist"]);
    }
    // The same key and payload again is a no-op; another payload under it is refused and
    // changes nothing.
    let again = wty.call(json!({"op": "outbox_enqueue", "outbox": "pos", "partner": "registry", "operation": "register",
        "idempotency_key": "ORDER-3", "payload": {"order": 3, "serial": "SN0003"}, "now": at(now)}));
    assert_eq!(
        (again["id"].as_u64(), &again["created"]),
        (Some(4), &json!(false))
    );
    let clash = wty.try_call(json!({"op": "outbox_enqueue", "outbox": "pos", "partner": "registry", "operation": "register",
        "idempotency_key": "ORDER-3", "payload": {"order": 3, "serial": "OTHER"}, "now": at(now)}));
    assert_eq!(clash["error"]["path"], "payload", "{clash}");

    assert!(!host_run(&mut wty, &mut store, &mut partner, &mut now, 6));
    let r = wty.call(json!({"op": "outbox_poll_transmit", "outbox": "pos", "now": at(now)}));
    store.apply(&r["persist"]);
    let lost_key = r["transmit"]["idempotency_key"]
        .as_str()
        .expect("a request in flight")
        .to_string();
    let lost_attempt = r["transmit"]["attempt"].as_u64().unwrap();
    partner.seen.push((
        lost_key.clone(),
        lost_attempt,
        r["transmit"]["body"].as_str().unwrap().into(),
    ));
    wty.kill(); // the request may have reached the partner; its answer never came back

    // Run 2: a new process restores from the store, works, and crashes again mid-way.
    let mut wty = Wty::start();
    let restored =
        wty.call(json!({"op": "outbox_restore", "snapshot": store.snapshot(), "now": at(now)}));
    assert_eq!(restored["messages"], 10);
    store.apply(&restored["persist"]);
    let resent: Vec<&str> = restored["persist"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["idempotency_key"].as_str().unwrap())
        .collect();
    assert_eq!(
        resent,
        [lost_key.as_str()],
        "the in-flight request is due again"
    );
    assert!(!host_run(&mut wty, &mut store, &mut partner, &mut now, 5));
    wty.kill();

    // Run 3: restore again and finish.
    let mut wty = Wty::start();
    let restored = wty.call(json!({"op": "outbox_restore", "outbox": "pos", "snapshot": store.snapshot(), "now": at(now)}));
    store.apply(&restored["persist"]);
    assert!(
        host_run(&mut wty, &mut store, &mut partner, &mut now, 200),
        "drained"
    );
    let report = wty.call(json!({"op": "outbox_report", "outbox": "pos"}));
    let snapshot = wty.call(json!({"op": "outbox_snapshot", "outbox": "pos"}));
    wty.finish();

    // Nothing lost: every message is delivered or dead-lettered, in the store as in the engine.
    assert_eq!(
        snapshot,
        store.snapshot(),
        "the store rebuilds the live outbox"
    );
    for m in store.messages.values() {
        let n: u64 = m["idempotency_key"]
            .as_str()
            .unwrap()
            .trim_start_matches("ORDER-")
            .parse()
            .unwrap();
        let want = if n % 5 == 3 {
            "dead_lettered"
        } else {
            "delivered"
        };
        assert_eq!(m["state"], want, "{m}");
    }
    assert_eq!(report["total"]["enqueued"], 10);
    assert_eq!(report["total"]["delivered"], 8);
    assert_eq!(report["total"]["dead_lettered"], 2);
    assert_eq!(report["total"]["pending"], 0);
    assert_eq!(report["total"]["success_rate"], "0.8000");
    // The partner saw each key only with growing attempts and the same body.
    let mut last: BTreeMap<&str, (u64, &str)> = BTreeMap::new();
    for (key, attempt, body) in &partner.seen {
        if let Some((a, b)) = last.get(key.as_str()) {
            assert!(attempt > a, "{key}: attempt {attempt} after {a}");
            assert_eq!(b, body, "{key}: the body changed");
        }
        last.insert(key, (*attempt, body));
    }
    assert_eq!(last.len(), 10);
    // 18 requests in all (first attempts, retries after 503, 429 twice and transport
    // errors): the request lost in the crash was attempt 1 of its key, and the partner saw
    // attempt 2 next.
    assert_eq!(partner.seen.len(), 18, "{:?}", partner.seen);
    let lost_seen = partner
        .seen
        .iter()
        .filter(|(k, _, _)| *k == lost_key)
        .count();
    assert!(
        lost_seen >= 2,
        "the request lost in the crash was sent again"
    );
    // The host's event log has a final event for every message.
    for m in store.messages.values() {
        let id = &m["id"];
        assert!(
            store
                .events
                .iter()
                .any(|e| &e["id"] == id
                    && (e["event"] == "delivered" || e["event"] == "dead_lettered")),
            "{m}"
        );
    }
}
