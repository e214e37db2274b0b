//! Hostile bodies (the dispatcher's fuzzing corpus, fuzz/corpus/dispatch, and hand-made
//! extremes) at every POST endpoint with a key allowed to call it: never a 5xx, always the
//! error envelope, and a refused request changes nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failure is a test failure"
)]

mod common;

use common::*;

fn hostile_bodies() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let dir = root().join("fuzz/corpus/dispatch");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let b = std::fs::read(&f).unwrap();
        if b.len() < 60_000 {
            // The request itself, and what it carries under the fields the endpoints read.
            if let Ok(serde_json::Value::Object(m)) =
                serde_json::from_slice::<serde_json::Value>(&b)
            {
                for k in ["sale", "claim", "state", "snapshot", "request"] {
                    if let Some(v) = m.get(k) {
                        out.push(v.to_string().into_bytes());
                    }
                }
            }
            out.push(b);
        }
    }
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = "{\"a\":".repeat(50_000) + &"}".repeat(50_000);
    let huge_number = format!("{{\"store\":\"S\",\"order_id\":{}}}", "9".repeat(20_000));
    let far = sale("FAR", 1).replace("2026-03-20T18:05:00+02:00", "9999-12-31T23:59:59-23:59");
    let past = sale("PAST", 1).replace("2026-03-20T18:05:00+02:00", "0001-01-01T00:00:00+23:59");
    let dup = sale("DUP", 1).replacen(
        "\"store\":\"NIC-01\"",
        "\"store\":\"NIC-01\",\"store\":\"X\"",
        1,
    );
    let price = sale("PRICE", 1).replace("1899.00", "79228162514264337593543950336.1");
    let mut extremes: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"null".to_vec(),
        b"\"\"".to_vec(),
        b"{".to_vec(),
        b"{}".to_vec(),
        b"[]".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x7b],
        b"{\"a\":\"\\ud800\"}".to_vec(),
        b"{\"action\":\"submit\",\"reason\":\"\\u0000\"}".to_vec(),
        b"{\"name\":\"x\",\"media_type\":\"a/b\",\"size\":18446744073709551616,\"sha256\":\"0\"}"
            .to_vec(),
        b"{\"reason\":1e999}".to_vec(),
        deep_array.into_bytes(),
        deep_object.into_bytes(),
        huge_number.into_bytes(),
        far.into_bytes(),
        past.into_bytes(),
        dup.into_bytes(),
        price.into_bytes(),
    ];
    out.append(&mut extremes);
    out
}

#[test]
fn hostile_bodies_never_5xx_never_change_anything() {
    let dir = temp_dir("hostile");
    let cfg = write_config(
        &dir,
        &Setup {
            body_limit: 1 << 20,
            ..Setup::default()
        },
    );
    let s = server(&cfg);
    let a = &s.addr;
    assert_eq!(
        post(a, TILL, "/v1/claims", "setup", &claim("H-1")).status,
        201
    );
    let endpoints = [
        "/v1/activations",
        "/v1/coverage",
        "/v1/claims",
        "/v1/claims/H-1/validate",
        "/v1/claims/H-1/transitions",
        "/v1/claims/H-1/attachments",
        "/v1/outbox/1/replay",
        "/v1/outbox/1/drop",
        "/v1/subscriptions",
        "/v1/subscriptions/crm/deactivate",
    ];
    let bodies = hostile_bodies();
    let mut last = counts(&dir);
    let (mut n, mut accepted) = (0u64, 0u64);
    for (i, body) in bodies.iter().enumerate() {
        for e in endpoints {
            let idem = format!("h-{i}-{e}");
            let r = try_request(
                a,
                "POST",
                e,
                &[
                    ("authorization", "Bearer demo-owner-key"),
                    ("idempotency-key", &idem),
                ],
                body,
            )
            .unwrap_or_else(|| panic!("no answer to body {i} at {e}"));
            n += 1;
            assert!(
                r.status < 500,
                "{e} answered {} to body {i}: {}",
                r.status,
                r.body
            );
            let v = r.json();
            if (200..300).contains(&r.status) {
                assert_eq!(v["ok"], serde_json::json!(true));
                accepted += 1;
                last = counts(&dir);
            } else {
                assert_eq!(v["ok"], serde_json::json!(false), "{}", r.body);
                for k in ["code", "path", "message"] {
                    assert!(v["error"][k].is_string(), "{e}, body {i}: {}", r.body);
                }
                if e != "/v1/coverage" && i % 7 == 0 {
                    assert_eq!(
                        counts(&dir),
                        last,
                        "a refused request at {e} changed the store (body {i})"
                    );
                }
            }
        }
    }
    assert_eq!(counts(&dir), last);
    let v = get(a, OWNER, "/v1/audit/verify").json();
    assert_eq!(v["result"]["valid"], serde_json::json!(true), "{v}");
    println!("hostile: {n} requests, {accepted} accepted, no 5xx");
}
