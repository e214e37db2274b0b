//! The HTTP API against a real server process and the fake partner, on loopback.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failure is a test failure"
)]

mod common;

use common::*;
use serde_json::json;

#[test]
fn activation_is_stored_registered_and_delivered() {
    let dir = temp_dir("activation");
    let mut p = partner("ok", 1, &dir.join("partner.log"));
    let cfg = write_config(
        &dir,
        &Setup {
            partner: format!("http://{}", p.addr),
            ..Setup::default()
        },
    );
    let s = server(&cfg);
    let r = post(&s.addr, TILL, "/v1/activations", "a-1", &sale("ORD-1", 2));
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.headers.contains_key("x-request-id"));
    let v = r.json();
    assert_eq!(v["ok"], json!(true));
    assert_eq!(
        v["result"]["lines"][0]["record"]["policy"],
        json!("OLED-3Y")
    );
    assert_eq!(v["result"]["lines"].as_array().unwrap().len(), 2);
    // The records are there, by order and by serial.
    let g = get(&s.addr, FINANCE, "/v1/activations/ORD-1");
    assert_eq!(g.status, 200, "{}", g.body);
    assert_eq!(g.json()["result"]["lines"][1]["serial"], json!("ORD-1-SN1"));
    let g = get(&s.addr, FINANCE, "/v1/items/ORD-1-SN0");
    assert_eq!(g.status, 200, "{}", g.body);
    // Expiring: the three-year warranty ends 2029-03-20.
    let g = get(
        &s.addr,
        FINANCE,
        "/v1/expiring?from=2029-03-01T00:00:00%2B00:00&days=30",
    );
    assert_eq!(
        g.json()["result"]["items"].as_array().unwrap().len(),
        2,
        "{}",
        g.body
    );
    let g = get(
        &s.addr,
        FINANCE,
        "/v1/expiring?from=2029-04-01T00:00:00%2B00:00&days=30",
    );
    assert_eq!(g.json()["result"]["items"], json!([]));
    // Both registrations reach the partner with their key and the partner's credentials.
    assert!(wait_for(10, || {
        get(&s.addr, ADMIN, "/v1/outbox?state=delivered").json()["result"]["count"] == json!(2)
    }));
    let log = std::fs::read_to_string(dir.join("partner.log")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    for l in &lines {
        assert_eq!(l["authorization"], json!(true));
        assert!(l["idempotency_key"].as_str().unwrap().starts_with("ORD-1:"));
    }
    let rep = get(&s.addr, FINANCE, "/v1/reports/sync").json();
    assert_eq!(rep["result"]["total"]["delivered"], json!(2));
    p.kill();
}

#[test]
fn keys_roles_and_limits() {
    let dir = temp_dir("keys");
    let cfg = write_config(&dir, &Setup::default());
    let s = server(&cfg);
    let a = &s.addr;
    // No key, an unknown key, a revoked key: 401, for every endpoint.
    let endpoints: &[(&str, &str)] = &[
        ("POST", "/v1/activations"),
        ("GET", "/v1/activations/X"),
        ("GET", "/v1/items/X"),
        ("GET", "/v1/expiring"),
        ("POST", "/v1/coverage"),
        ("POST", "/v1/claims"),
        ("GET", "/v1/claims/X"),
        ("POST", "/v1/claims/X/validate"),
        ("POST", "/v1/claims/X/transitions"),
        ("POST", "/v1/claims/X/attachments"),
        ("GET", "/v1/claims/X/audit"),
        ("GET", "/v1/audit/verify"),
        ("GET", "/v1/audit/api"),
        ("GET", "/v1/reports/claims"),
        ("GET", "/v1/reports/sync"),
        ("GET", "/v1/outbox"),
        ("POST", "/v1/outbox/1/replay"),
        ("POST", "/v1/outbox/1/drop"),
        ("GET", "/v1/subscriptions"),
        ("POST", "/v1/subscriptions"),
        ("POST", "/v1/subscriptions/x/deactivate"),
    ];
    let before = counts(&dir);
    for (m, path) in endpoints {
        for key in [None, Some("not-a-key"), Some(REVOKED)] {
            let auth = key.map(|k| format!("Bearer {k}"));
            let mut h = vec![("idempotency-key", "k")];
            if let Some(a) = &auth {
                h.push(("authorization", a));
            }
            let r = request(a, m, path, &h, sale("X", 1).as_bytes());
            assert_eq!(r.status, 401, "{m} {path} with {key:?}: {}", r.body);
            let e = r.json();
            assert_eq!(e["ok"], json!(false));
            assert_eq!(e["error"]["code"], json!("UNAUTHORIZED"));
        }
    }
    // Another role's key: 403 with the rule, for every restricted endpoint.
    let restricted: &[(&str, &str, &str)] = &[
        ("POST", "/v1/activations", FINANCE),
        ("POST", "/v1/claims", FINANCE),
        ("POST", "/v1/claims/X/validate", FINANCE),
        ("POST", "/v1/claims/X/attachments", FINANCE),
        ("GET", "/v1/claims/X/audit", TILL),
        ("GET", "/v1/audit/verify", FINANCE),
        ("GET", "/v1/audit/api", MANAGER),
        ("GET", "/v1/reports/claims", TILL),
        ("GET", "/v1/reports/sync", TILL),
        ("GET", "/v1/outbox", MANAGER),
        ("POST", "/v1/outbox/1/replay", MANAGER),
        ("POST", "/v1/outbox/1/drop", TILL),
        ("GET", "/v1/subscriptions", FINANCE),
        ("POST", "/v1/subscriptions", MANAGER),
        ("POST", "/v1/subscriptions/x/deactivate", TILL),
    ];
    for (m, path, key) in restricted {
        let auth = format!("Bearer {key}");
        let r = request(
            a,
            m,
            path,
            &[("authorization", &auth), ("idempotency-key", "k")],
            b"{}",
        );
        assert_eq!(r.status, 403, "{m} {path}: {}", r.body);
        let e = r.json();
        assert_eq!(e["error"]["rule"], json!("ROLE_NOT_ALLOWED"));
        assert!(e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("ROLE_NOT_ALLOWED: a "));
    }
    assert_eq!(counts(&dir), before, "a refused request changed something");
    // 413 over the body limit, declared or not.
    let big = "x".repeat(70_000);
    let r = post(a, TILL, "/v1/activations", "big", &big);
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], json!("PAYLOAD_TOO_LARGE"));
    // 429 with Retry-After for a key over its rate (1 a second, burst 2).
    let mut statuses = Vec::new();
    for i in 0..4 {
        let r = get(a, SLOW, &format!("/v1/activations/R{i}"));
        statuses.push(r.status);
        if r.status == 429 {
            assert!(r
                .headers
                .get("retry-after")
                .is_some_and(|v| v.parse::<u64>().unwrap() >= 1));
            assert_eq!(r.json()["error"]["code"], json!("RATE_LIMITED"));
        }
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    // Other keys are not limited by it.
    assert_eq!(get(a, TILL, "/v1/activations/R0").status, 404);
    // A POST that writes needs an Idempotency-Key.
    let r = request(
        a,
        "POST",
        "/v1/activations",
        &[("authorization", "Bearer demo-till-key")],
        sale("NOKEY", 1).as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], json!("IDEMPOTENCY_KEY_REQUIRED"));
    // Unknown endpoint, wrong method.
    assert_eq!(get(a, TILL, "/v1/nothing").status, 404);
    assert_eq!(request(a, "DELETE", "/v1/claims/X", &[], b"").status, 405);
    // A request id is echoed when it is a plain token, replaced when not.
    let r = request(a, "GET", "/v1/health", &[("x-request-id", "abc-123")], b"");
    assert_eq!(r.headers["x-request-id"], "abc-123");
    let long = "x".repeat(100);
    let r = request(a, "GET", "/v1/health", &[("x-request-id", &long)], b"");
    assert!(!r.headers["x-request-id"].is_empty());
    assert_ne!(r.headers["x-request-id"], long);
}

#[test]
fn idempotency_keys() {
    let dir = temp_dir("idem");
    let cfg = write_config(&dir, &Setup::default());
    let s = server(&cfg);
    let a = &s.addr;
    let first = post(a, TILL, "/v1/activations", "order-9", &sale("ORD-9", 1));
    assert_eq!(first.status, 201, "{}", first.body);
    let again = post(a, TILL, "/v1/activations", "order-9", &sale("ORD-9", 1));
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(
        again.headers.get("idempotent-replayed").map(String::as_str),
        Some("true")
    );
    let other = post(a, TILL, "/v1/activations", "order-9", &sale("ORD-10", 1));
    assert_eq!(other.status, 409, "{}", other.body);
    assert_eq!(other.json()["error"]["code"], json!("IDEMPOTENCY_CONFLICT"));
    // Another endpoint with the same key is a conflict too.
    let other = post(a, TILL, "/v1/claims", "order-9", &claim("C-1"));
    assert_eq!(other.status, 409);
    // A first answer that was an error is the answer too.
    let bad = post(a, TILL, "/v1/activations", "bad-1", r#"{"store":"x"}"#);
    assert_eq!(bad.status, 422, "{}", bad.body);
    let bad2 = post(a, TILL, "/v1/activations", "bad-1", r#"{"store":"x"}"#);
    assert_eq!(bad2.body, bad.body);
    // Keys are per API key: the same key from another caller is its own.
    let mine = post(a, OWNER, "/v1/activations", "order-9", &sale("ORD-11", 1));
    assert_eq!(mine.status, 201, "{}", mine.body);
    assert_eq!(counts(&dir)[0], 2);
}

#[test]
fn claim_lifecycle_audit_and_reports() {
    let dir = temp_dir("claims");
    let mut p = partner("ok", 1, &dir.join("partner.log"));
    let cfg = write_config(
        &dir,
        &Setup {
            partner: format!("http://{}", p.addr),
            ..Setup::default()
        },
    );
    let s = server(&cfg);
    let a = &s.addr;
    let r = post(a, TILL, "/v1/claims", "c-1", &claim("DMS-1"));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["result"]["state"]["status"], json!("draft"));
    assert_eq!(
        post(a, TILL, "/v1/claims", "c-1b", &claim("DMS-1")).status,
        409
    );
    // A claim whose amount the reports could not read is refused, with the core's reason.
    let mut bad: serde_json::Value = serde_json::from_str(&claim("DMS-BAD")).unwrap();
    bad["claim"]["total"] = json!("12,50");
    let r = post(a, TILL, "/v1/claims", "c-bad", &bad.to_string());
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["path"], json!("claim.total"));
    bad["claim"]["total"] = json!("10.00");
    bad["claim"]["lines"][0]["currency"] = json!("ZZZ");
    let r = post(a, TILL, "/v1/claims", "c-bad2", &bad.to_string());
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(get(a, TILL, "/v1/claims/DMS-BAD").status, 404);
    let r = post(
        a,
        TILL,
        "/v1/claims/DMS-1/validate",
        "c-2",
        r#"{"as_of":"2026-11-20T16:00:00+01:00"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["result"]["state"]["validation"], json!("accept"));
    let r = post(
        a,
        TILL,
        "/v1/claims/DMS-1/transitions",
        "c-3",
        r#"{"action":"submit"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["result"]["audit"]["actor"], json!("till-1"));
    // The core's role matrix: a sales_staff may not approve (403 with the rule).
    let r = post(
        a,
        TILL,
        "/v1/claims/DMS-1/transitions",
        "c-4",
        r#"{"action":"approve"}"#,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], json!("TRANSITION_REFUSED"));
    // Not allowed from this status: 409; a reason needed: 422.
    let r = post(
        a,
        MANAGER,
        "/v1/claims/DMS-1/transitions",
        "c-5",
        r#"{"action":"close"}"#,
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let r = post(
        a,
        MANAGER,
        "/v1/claims/DMS-1/transitions",
        "c-6",
        r#"{"action":"reject"}"#,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let r = post(
        a,
        MANAGER,
        "/v1/claims/DMS-1/transitions",
        "c-7",
        r#"{"action":"approve"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post(
        a,
        TILL,
        "/v1/claims/DMS-1/attachments",
        "c-8",
        &json!({"name": "pump.jpg", "media_type": "image/jpeg", "size": 1234,
                "sha256": "a".repeat(64)})
        .to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = post(
        a,
        TILL,
        "/v1/claims/DMS-1/attachments",
        "c-9",
        r#"{"name":"x","media_type":"image/jpeg","size":1,"sha256":"zz"}"#,
    );
    assert_eq!(r.status, 422);
    let g = get(a, FINANCE, "/v1/claims/DMS-1").json();
    assert_eq!(g["result"]["state"]["status"], json!("approved"));
    assert_eq!(g["result"]["attachments"].as_array().unwrap().len(), 1);
    let au = get(a, MANAGER, "/v1/claims/DMS-1/audit").json();
    assert_eq!(au["result"]["entries"].as_array().unwrap().len(), 2);
    assert_eq!(au["result"]["verdict"]["valid"], json!(true));
    assert_eq!(au["result"]["verdict"]["authenticated"], json!(true));
    let v = get(a, OWNER, "/v1/audit/verify").json();
    assert_eq!(v["result"]["valid"], json!(true), "{v}");
    assert!(v["result"]["api_log"]["entries"].as_u64().unwrap() >= 9);
    let rep = get(a, FINANCE, "/v1/reports/claims").json();
    assert_eq!(rep["result"]["by_status"]["approved"], json!(1), "{rep}");
    assert_eq!(
        rep["result"]["approval_lead_time"]["count"],
        json!(1),
        "{rep}"
    );
    // The schema is at the latest migration.
    if pg_base().is_none() {
        let v = with_db(&dir, |db| db.count("PRAGMA user_version", &[]).unwrap());
        assert_eq!(
            usize::try_from(v).unwrap(),
            warranty_server::schema::VERSION
        );
    }
    // Each accepted transition went to the subscriber, signed.
    assert!(wait_for(10, || {
        get(a, ADMIN, "/v1/outbox?state=delivered").json()["result"]["count"] == json!(2)
    }));
    let log = std::fs::read_to_string(dir.join("partner.log")).unwrap();
    assert!(log.lines().all(|l| l.contains(r#""signed":true"#)), "{log}");
    // Someone edits the stored log: verification names it.
    with_db(&dir, |db| {
        db.execute(
            "UPDATE claim_audit SET entry = replace(entry, '\"role\":\"sales_staff\"', '\"role\":\"owner\"') WHERE seq = 0",
            &[],
        )
        .unwrap();
        db.execute("UPDATE api_log SET status = 201 WHERE seq = 2", &[])
            .unwrap();
    });
    let v = get(a, OWNER, "/v1/audit/verify").json();
    assert_eq!(v["result"]["valid"], json!(false));
    assert_eq!(v["result"]["broken_claims"][0]["claim"], json!("DMS-1"));
    assert_eq!(v["result"]["api_log"]["first_broken"], json!(2));
    p.kill();
}

#[test]
fn dead_letters_replayed_and_dropped_by_an_admin() {
    let dir = temp_dir("dead");
    // Nothing listens at the partner's address: every attempt is a transport error.
    let cfg = write_config(
        &dir,
        &Setup {
            max_attempts: 2,
            base_ms: 10,
            cap_ms: 20,
            ..Setup::default()
        },
    );
    let mut s = server(&cfg);
    let a = s.addr.clone();
    assert_eq!(
        post(&a, TILL, "/v1/activations", "d-1", &sale("D-1", 2)).status,
        201
    );
    assert!(wait_for(10, || {
        get(&a, ADMIN, "/v1/outbox?state=dead_lettered").json()["result"]["count"] == json!(2)
    }));
    let dl = get(&a, ADMIN, "/v1/outbox?state=dead_lettered").json();
    let m = &dl["result"]["messages"][0];
    assert!(
        m["reason"].as_str().unwrap().contains("transport error"),
        "{m}"
    );
    assert!(m.get("payload").is_none(), "the queue shows no payload");
    // Only an admin (or the owner) may act; a reason is needed.
    assert_eq!(
        post(
            &a,
            MANAGER,
            "/v1/outbox/1/replay",
            "r-0",
            r#"{"reason":"x"}"#
        )
        .status,
        403
    );
    assert_eq!(
        post(&a, ADMIN, "/v1/outbox/1/replay", "r-1", r#"{"reason":" "}"#).status,
        422
    );
    assert_eq!(
        post(
            &a,
            ADMIN,
            "/v1/outbox/99/replay",
            "r-2",
            r#"{"reason":"x"}"#
        )
        .status,
        404
    );
    // The partner comes up; the admin replays message 1 and drops message 2.
    let mut p = partner("ok", 1, &dir.join("partner.log"));
    s.kill();
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("http://127.0.0.1:9", &format!("http://{}", p.addr));
    std::fs::write(&cfg, text).unwrap();
    let s = server(&cfg);
    let a = s.addr.clone();
    let r = post(
        &a,
        ADMIN,
        "/v1/outbox/1/replay",
        "r-3",
        r#"{"reason":"partner back up"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post(
        &a,
        ADMIN,
        "/v1/outbox/2/drop",
        "r-4",
        r#"{"reason":"sold in error"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        post(&a, ADMIN, "/v1/outbox/2/replay", "r-5", r#"{"reason":"x"}"#).status,
        409
    );
    assert_eq!(
        post(&a, ADMIN, "/v1/outbox/2/drop", "r-6", r#"{"reason":"x"}"#).status,
        409
    );
    assert!(wait_for(10, || {
        get(&a, ADMIN, "/v1/outbox?state=delivered").json()["result"]["count"] == json!(1)
    }));
    // Replayed under its own key; the dropped one never sent.
    let log = std::fs::read_to_string(dir.join("partner.log")).unwrap();
    assert_eq!(log.lines().count(), 1);
    assert!(log.contains(r#""idempotency_key":"D-1:1""#), "{log}");
    let dl = get(&a, ADMIN, "/v1/outbox?state=dead_lettered").json();
    assert_eq!(
        dl["result"]["messages"][0]["dropped_reason"],
        json!("sold in error")
    );
    let actions: Vec<(String, i64, String, String)> = with_db(&dir, |db| {
        db.query(
            "SELECT action, message_id, reason, key_id FROM admin_actions ORDER BY seq",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].string(),
                r[1].int().unwrap(),
                r[2].string(),
                r[3].string(),
            )
        })
        .collect()
    });
    assert_eq!(
        actions,
        vec![
            ("replay".into(), 1, "partner back up".into(), "admin".into()),
            ("drop".into(), 2, "sold in error".into(), "admin".into())
        ]
    );
    p.kill();
}

#[test]
fn subscriptions_added_and_deactivated() {
    let dir = temp_dir("subs");
    let mut p = partner("ok", 1, &dir.join("partner.log"));
    let cfg = write_config(&dir, &Setup::default());
    let s = server(&cfg);
    let a = &s.addr;
    let body = json!({"name": "erp", "url": format!("http://{}/erp", p.addr),
                      "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
    .to_string();
    let r = post(a, ADMIN, "/v1/subscriptions", "s-1", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let bad = json!({"name": "x", "url": "http://127.0.0.1:1/", "secret": "whsec_!!"}).to_string();
    assert_eq!(post(a, ADMIN, "/v1/subscriptions", "s-2", &bad).status, 422);
    assert_eq!(
        post(a, ADMIN, "/v1/subscriptions", "s-3", &body).status,
        409
    );
    let l = get(a, OWNER, "/v1/subscriptions");
    assert!(!l.body.contains("whsec_"), "secrets are never shown");
    // The API log does not hold the secret either.
    let logged: String = with_db(&dir, |db| {
        db.query("SELECT body FROM api_log", &[])
            .unwrap()
            .iter()
            .map(|r| r[0].string())
            .collect()
    });
    assert!(!logged.contains("MfKQ9r8"), "{logged}");
    assert_eq!(
        post(a, TILL, "/v1/claims", "c-1", &claim("S-1")).status,
        201
    );
    assert_eq!(
        post(
            a,
            TILL,
            "/v1/claims/S-1/transitions",
            "c-2",
            r#"{"action":"submit"}"#
        )
        .status,
        200
    );
    assert!(wait_for(10, || std::fs::read_to_string(
        dir.join("partner.log")
    )
    .is_ok_and(|l| l.contains("/erp"))));
    let r = post(a, ADMIN, "/v1/subscriptions/erp/deactivate", "s-4", "{}");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        post(
            a,
            TILL,
            "/v1/claims/S-1/transitions",
            "c-3",
            r#"{"action":"cancel","reason":"customer withdrew"}"#
        )
        .status,
        200
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    let log = std::fs::read_to_string(dir.join("partner.log")).unwrap();
    assert_eq!(log.matches("/erp").count(), 1, "{log}");
    p.kill();
}

#[test]
fn coverage_is_the_dispatchers_stack_coverage() {
    let dir = temp_dir("coverage");
    let cfg = write_config(&dir, &Setup::default());
    let s = server(&cfg);
    let text = std::fs::read_to_string(root().join("examples/stacks/tv-lisbon.json")).unwrap();
    let mut req: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected = warranty_core::call(&req.to_string());
    req.as_object_mut().unwrap().remove("op");
    let r = post(&s.addr, TILL, "/v1/coverage", "", &req.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body, expected, "the same bytes as the dispatcher");
    let r = post(&s.addr, TILL, "/v1/coverage", "", "[1,2]");
    assert_eq!(r.status, 422);
    let r = post(&s.addr, TILL, "/v1/coverage", "", "{\"a\":1} x");
    assert_eq!(r.status, 400);
}

#[test]
fn a_full_database_answers_503_and_loses_nothing() {
    if pg_base().is_some() {
        // SQLite's size cap (`max_pages`); PostgreSQL's disk is not capped by the tests.
        return;
    }
    let dir = temp_dir("full");
    let cfg = write_config(
        &dir,
        &Setup {
            max_pages: Some(60),
            ..Setup::default()
        },
    );
    let s = server(&cfg);
    let mut acknowledged = Vec::new();
    let mut saw_503 = false;
    for i in 0..400 {
        let order = format!("F-{i}");
        let r = post(&s.addr, TILL, "/v1/activations", &order, &sale(&order, 3));
        match r.status {
            201 => acknowledged.push(order),
            503 => {
                saw_503 = true;
                assert_eq!(r.json()["error"]["code"], json!("UNAVAILABLE"));
            }
            other => panic!("{other}: {}", r.body),
        }
    }
    assert!(saw_503, "the database never filled up");
    assert!(!acknowledged.is_empty());
    // Reads still work, and every acknowledged sale is there.
    for o in &acknowledged {
        assert_eq!(
            get(&s.addr, TILL, &format!("/v1/activations/{o}")).status,
            200,
            "{o}"
        );
    }
    assert_eq!(
        get(&s.addr, OWNER, "/v1/audit/verify").json()["result"]["valid"],
        json!(true)
    );
}

/// Makes files read-only for the server (immutable as root, which ignores permissions; not
/// writable otherwise), and writable again when dropped, even after a failed assertion.
struct ReadOnly(Vec<std::path::PathBuf>, bool);

impl ReadOnly {
    fn new(files: Vec<std::path::PathBuf>) -> ReadOnly {
        let immutable = std::process::Command::new("chattr")
            .arg("+i")
            .args(&files)
            .status()
            .is_ok_and(|s| s.success());
        if !immutable {
            for f in &files {
                let mut p = std::fs::metadata(f).unwrap().permissions();
                p.set_readonly(true);
                std::fs::set_permissions(f, p).unwrap();
            }
        }
        ReadOnly(files, immutable)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.1 {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .args(&self.0)
                .status();
        } else {
            for f in &self.0 {
                if let Ok(m) = std::fs::metadata(f) {
                    let mut p = m.permissions();
                    #[allow(
                        clippy::permissions_set_readonly_false,
                        reason = "undoing the test's own change"
                    )]
                    p.set_readonly(false);
                    let _ = std::fs::set_permissions(f, p);
                }
            }
        }
    }
}

#[test]
fn a_read_only_database_answers_503_and_loses_nothing() {
    if pg_base().is_some() {
        return;
    }
    let dir = temp_dir("readonly");
    let cfg = write_config(&dir, &Setup::default());
    let s = server(&cfg);
    for i in 0..5 {
        let o = format!("RO-{i}");
        assert_eq!(
            post(&s.addr, TILL, "/v1/activations", &o, &sale(&o, 1)).status,
            201
        );
    }
    let files = ["warranty.db", "warranty.db-wal"]
        .iter()
        .map(|f| dir.join(f))
        .filter(|f| f.exists())
        .collect();
    let ro = ReadOnly::new(files);
    let r = post(&s.addr, TILL, "/v1/activations", "RO-5", &sale("RO-5", 1));
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], json!("UNAVAILABLE"));
    for i in 0..5 {
        assert_eq!(
            get(&s.addr, TILL, &format!("/v1/activations/RO-{i}")).status,
            200
        );
    }
    assert_eq!(get(&s.addr, TILL, "/v1/activations/RO-5").status, 404);
    drop(ro);
    // Writable again: the same request, retried with its key, goes through.
    let r = post(&s.addr, TILL, "/v1/activations", "RO-5", &sale("RO-5", 1));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(counts(&dir)[0], 6);
    assert_eq!(
        get(&s.addr, OWNER, "/v1/audit/verify").json()["result"]["valid"],
        json!(true)
    );
}
