//! `wty demo`: the main job on the bundled example data in `examples/`.
//!
//! Every answer below comes from the same JSON dispatcher the C and WASM bindings use.

// serde_json::Value indexing by key returns Null for a missing key; it never panics.
#![allow(
    clippy::indexing_slicing,
    reason = "serde_json::Value indexing by key returns Null for a missing key; it never panics"
)]

use std::io::{self, Write};

use serde_json::{json, Value};
use warranty_core::Engine;

const CRM_POLICIES: &str = include_str!("../../examples/crm-com-policies.json");
const PLANS: &str = include_str!("../../examples/plans.json");
const CLAIM: &str = include_str!("../../examples/claims/validate-tractor.json");
const STACK: &str = include_str!("../../examples/stacks/tv-lisbon.json");
const ZONE: &str = "Europe/Nicosia";

struct Demo<W: Write> {
    engine: Engine,
    out: W,
}

impl<W: Write> Demo<W> {
    fn ask(&mut self, request: Value) -> Value {
        let response = self.engine.call(&request.to_string());
        serde_json::from_str(&response).unwrap_or(Value::Null)
    }

    fn heading(&mut self, title: &str) -> io::Result<()> {
        writeln!(self.out, "\n== {title}")
    }

    /// Prints a decision: its message, then outcome and codes, or the error.
    fn show(&mut self, what: &str, response: &Value) -> io::Result<Value> {
        writeln!(self.out, "\n  {what}")?;
        if response["ok"] != json!(true) {
            let e = &response["error"];
            writeln!(
                self.out,
                "    ERROR {} at `{}`: {}",
                e["code"].as_str().unwrap_or("?"),
                e["path"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            )?;
            return Ok(Value::Null);
        }
        let r = response["result"].clone();
        if let Some(m) = r["message"].as_str() {
            writeln!(self.out, "    {m}")?;
        }
        if let Some(o) = r["outcome"].as_str() {
            let codes: Vec<&str> = r["codes"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            write!(self.out, "    outcome: {o}")?;
            if !codes.is_empty() {
                write!(self.out, "   codes: {}", codes.join(", "))?;
            }
            writeln!(self.out)?;
        }
        Ok(r)
    }
}

/// Runs the demo, writing to stdout.
pub fn run() -> io::Result<()> {
    let stdout = io::stdout();
    let mut d = Demo {
        engine: Engine::new(),
        out: io::BufWriter::new(stdout.lock()),
    };
    story(&mut d)?;
    d.out.flush()
}

fn story<W: Write>(d: &mut Demo<W>) -> io::Result<()> {
    writeln!(
        d.out,
        "warranty {} demo: a Nicosia electronics store and a US web shop, on the bundled data in examples/",
        warranty_core::VERSION
    )?;

    // 1. Catalog.
    d.heading("1. Policies imported from CRM.COM (examples/crm-com-policies.json)")?;
    let crm: Value = serde_json::from_str(CRM_POLICIES).unwrap_or(Value::Null);
    let imported =
        d.ask(json!({"op": "import_crm_com", "response": crm, "zone": ZONE, "catalog": "store"}));
    let policies = imported["result"]["policies"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    writeln!(
        d.out,
        "  {} policies loaded as catalog \"store\"; CRM.COM dates read in {ZONE}.",
        policies.len()
    )?;
    for p in &policies {
        let covers: Vec<String> = p["covers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_object)
                    .flat_map(|o| {
                        o.iter()
                            .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or("")))
                    })
                    .collect()
            })
            .unwrap_or_default();
        writeln!(
            d.out,
            "  - {:<34} {:>3} {:<6} {:<13} replacement {:<11} covers {}",
            p["name"].as_str().unwrap_or(p["id"].as_str().unwrap_or("")),
            p["duration"]["value"],
            p["duration"]["unit"].as_str().unwrap_or(""),
            p["state"].as_str().unwrap_or(""),
            p["replacement"].as_str().unwrap_or(""),
            covers.join(", ")
        )?;
    }
    for w in imported["result"]["warnings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        writeln!(d.out, "  note: {}", w.as_str().unwrap_or(""))?;
    }
    if imported["ok"] != json!(true) {
        d.show("import", &imported)?;
    }

    // 2. Sales.
    d.heading("2. Sales at the Nicosia store: which policy covers each item?")?;
    let sales = [
        (
            "OLED-55 television (LG), sold 20 Mar 2026 18:05",
            json!({"product": "OLED-55", "product_type": "Televisions", "brand": "LG"}),
            "2026-03-20T18:05:00+02:00",
        ),
        (
            "PH-43 television (Philips), sold 28 Nov 2025 11:30",
            json!({"product": "PH-43", "product_type": "Televisions", "brand": "Philips"}),
            "2025-11-28T11:30:00+02:00",
        ),
        (
            "Decoder-Sakkas (Phillips, Digital family), sold 1 Apr 2016",
            json!({"product": "Decoder-Sakkas", "brand": "Phillips", "family": "Digital"}),
            "2016-04-01T12:00:00+03:00",
        ),
        (
            "A camera (Sony), sold 2 May 2026",
            json!({"product": "A7", "brand": "Sony"}),
            "2026-05-02T10:00:00+03:00",
        ),
    ];
    for (what, item, sold_at) in sales {
        let r = d.ask(json!({"op": "resolve", "catalog": "store", "item": item, "sold_at": sold_at, "zone": ZONE}));
        let res = d.show(what, &r)?;
        if let Some(end) = res["end"].as_str() {
            writeln!(
                d.out,
                "    warranty record: policy {}, start {}, end {}",
                res["policy"].as_str().unwrap_or(""),
                res["start"].as_str().unwrap_or(""),
                end
            )?;
        }
    }

    // 3. Failures.
    let tv = policies
        .iter()
        .find(|p| p["id"] == json!("TV-2Y"))
        .cloned()
        .unwrap_or(Value::Null);
    d.heading("3. The PH-43 television fails on 20 Nov 2026: is it covered?")?;
    for (reason, what) in [
        ("DEFECT", "Reason DEFECT (manufacturing defect)"),
        ("DROP", "Reason DROP (dropped by the customer)"),
        ("POWER_SURGE", "Reason POWER_SURGE"),
    ] {
        let r = d.ask(json!({"op": "coverage", "policy": tv, "warranty": {"start": "2025-11-28T11:30:00+02:00"},
            "as_of": "2026-11-20T09:15:00+02:00", "reason": reason, "zone": ZONE}));
        let res = d.show(what, &r)?;
        if res["outcome"] == json!("covered") {
            writeln!(
                d.out,
                "    remaining: {} days, until {}",
                res["remaining_days"],
                res["end"].as_str().unwrap_or("")
            )?;
        }
    }

    // 4. Replacement.
    d.heading("4. The failed set is swapped: requested 20 Nov 2026, new set issued 23 Nov 2026")?;
    let r = d.ask(json!({"op": "replace", "policy": tv, "original": {"start": "2025-11-28T11:30:00+02:00"},
        "reason": "DEFECT", "requested_at": "2026-11-20T09:15:00+02:00", "issued_at": "2026-11-23T16:40:00+02:00", "zone": ZONE}));
    let res = d.show("Replacement for DEFECT (policy says carry over)", &r)?;
    if let Some(rep) = res["replacement"].as_object() {
        writeln!(
            d.out,
            "    new set: {} → {} ({} days carried over; the 3 days in the workshop are not lost)",
            rep.get("start").and_then(Value::as_str).unwrap_or(""),
            rep.get("end").and_then(Value::as_str).unwrap_or(""),
            rep.get("remaining_days").cloned().unwrap_or_default()
        )?;
    }
    let r = d.ask(json!({"op": "replace", "policy": tv, "original": {"start": "2025-11-28T11:30:00+02:00"},
        "reason": "DOA", "requested_at": "2025-11-29T10:00:00+02:00", "issued_at": "2025-11-29T15:00:00+02:00", "zone": ZONE}));
    d.show(
        "Dead on arrival the next day (reason DOA overrides: apply new)",
        &r,
    )?;

    // 5. Plans.
    d.heading("5. US web shop: which extended plans may be sold with a $1,899 OLED TV? (examples/plans.json)")?;
    let mut plans: Value = serde_json::from_str(PLANS).unwrap_or(Value::Null);
    if let Some(o) = plans.as_object_mut() {
        o.insert("op".into(), json!("plans"));
        o.insert("item".into(), json!({"category": "oled-tv", "price": "1899.00", "purchased_at": "2026-11-20T14:00:00-05:00", "country": "US"}));
        o.insert("sold_at".into(), json!("2026-11-20T14:05:00-05:00"));
        o.insert("zone".into(), json!("America/New_York"));
    }
    let r = d.ask(plans);
    let res = d.show("Plan offer at checkout", &r)?;
    for p in res["plans"].as_array().cloned().unwrap_or_default() {
        writeln!(
            d.out,
            "    [{}] {}",
            if p["eligible"] == json!(true) {
                "x"
            } else {
                " "
            },
            p["message"].as_str().unwrap_or("")
        )?;
    }
    claims_desk(d)?;
    sync_desk(d)?;
    stack_desk(d)?;
    writeln!(
        d.out,
        "\nEvery answer above came from `wty call`'s dispatcher; see docs/protocol.md to ask your own."
    )?;
    Ok(())
}

/// 6. A dealer's claims desk: validate, fix, submit, approve, audit, partner status.
fn claims_desk<W: Write>(d: &mut Demo<W>) -> io::Result<()> {
    d.heading(
        "6. Claims desk: a tractor's hydraulic pump (examples/claims/validate-tractor.json)",
    )?;
    let request: Value = serde_json::from_str(CLAIM).unwrap_or(Value::Null);
    let mut first = request.clone();
    first["claim"]["evidence"] = json!([{"kind": "photo", "reference": "IMG-0042"}]);
    first["claim"]["lines"][1]["currency"] = json!("USD");
    let r = d.ask(first);
    let res = d.show("First try: no POS invoice, one line in USD", &r)?;
    for f in res["findings"].as_array().cloned().unwrap_or_default() {
        writeln!(
            d.out,
            "    - {} {} at {}: {}",
            f["severity"].as_str().unwrap_or(""),
            f["code"].as_str().unwrap_or(""),
            f["path"].as_str().unwrap_or(""),
            f["message"].as_str().unwrap_or("")
        )?;
    }
    let r = d.ask(request);
    let res = d.show("Fixed: invoice attached, all lines in EUR", &r)?;
    let validation = res["outcome"].clone();
    for t in res["totals"].as_array().cloned().unwrap_or_default() {
        writeln!(
            d.out,
            "    claimed: {} {}",
            t["claimed"].as_str().unwrap_or(""),
            t["currency"].as_str().unwrap_or("")
        )?;
    }

    let mut state = json!({"claim": "DMS-2026-0042", "status": "draft", "validation": validation, "overridden": false});
    let mut log: Vec<Value> = Vec::new();
    let steps = [
        (
            "submit",
            "u-3",
            "sales_staff",
            "",
            "2026-11-20T16:05:00+01:00",
        ),
        (
            "approve",
            "u-3",
            "sales_staff",
            "",
            "2026-11-20T16:06:00+01:00",
        ),
        (
            "approve",
            "u-17",
            "warranty_manager",
            "",
            "2026-11-21T09:30:00+01:00",
        ),
        (
            "repair",
            "u-17",
            "warranty_manager",
            "",
            "2026-11-21T09:31:00+01:00",
        ),
    ];
    for (action, id, role, reason, at) in steps {
        let prev = log.last().map(|e| e["hash"].clone()).unwrap_or(Value::Null);
        let r = d.ask(
            json!({"op": "transition_claim", "state": state, "action": action,
            "actor": {"id": id, "role": role}, "at": at, "reason": reason, "prev_hash": prev}),
        );
        let res = d.show(&format!("{role} {id}: {action}"), &r)?;
        if !res.is_null() {
            writeln!(
                d.out,
                "    {} → {}   audit {}…",
                res["audit"]["from"].as_str().unwrap_or(""),
                res["audit"]["to"].as_str().unwrap_or(""),
                res["audit"]["hash"]
                    .as_str()
                    .unwrap_or("")
                    .get(..16)
                    .unwrap_or("")
            )?;
            state = res["state"].clone();
            log.push(res["audit"].clone());
        }
    }
    let prev = log.last().map(|e| e["hash"].clone()).unwrap_or(Value::Null);
    let r = d.ask(json!({"op": "apply_partner_status", "state": state, "prev_hash": prev,
        "update": {"status": "80", "status_description": "CLAIM PAID", "at": "2026-12-02T08:00:00+01:00"}}));
    let res = d.show("CNH reports CLAIM PAID", &r)?;
    writeln!(
        d.out,
        "    applied: {}, claim is now {}",
        res["applied"],
        res["state"]["status"].as_str().unwrap_or("")
    )?;
    if let Some(e) = res["audit"].as_object() {
        log.push(Value::Object(e.clone()));
    }
    let r = d.ask(json!({"op": "verify_audit", "entries": log}));
    let res = d.show("The audit log verifies", &r)?;
    writeln!(
        d.out,
        "    valid: {}, entries: {}",
        res["valid"], res["entries"]
    )?;
    if let Some(e) = log.get_mut(1) {
        e["role"] = json!("owner");
    }
    let r = d.ask(json!({"op": "verify_audit", "entries": log}));
    let res = d.show("Someone edits the approval's role in the stored log", &r)?;
    writeln!(
        d.out,
        "    valid: {}, first broken entry: {} ({})",
        res["valid"],
        res["first_broken"],
        res["problem"].as_str().unwrap_or("")
    )?;
    Ok(())
}

fn sync_desk<W: Write>(d: &mut Demo<W>) -> io::Result<()> {
    d.heading(
        "7. Sync: the sale starts coverage and registers with the manufacturer, whose API is busy",
    )?;
    let r = d.ask(json!({"op": "outbox_create", "outbox": "store-sync", "seed": 2026, "config": {
        "base_ms": 1000, "cap_ms": 60000, "partners": {"product_code": {
            "base_path": "https://api.example-registry.test",
            "routes": {"register_warranty": {"method": "POST", "path": "/individual-customers/warranty/with-product-code"}}}}}}));
    d.show(
        "An outbox for the store's partner messages (the host stores its header)",
        &r,
    )?;
    let sale = json!({"store": "NIC-01", "order_id": "NIC-2026-0311", "sold_at": "2026-03-20T18:05:00+02:00",
        "customer": {"first_name": "Helen", "last_name": "Clarke", "email": "helen@example.com",
                     "phone": "07911 123456", "country": "GB"},
        "lines": [
            {"line_id": "1", "item": {"product": "OLED-55", "product_type": "Televisions", "brand": "LG"},
             "price": "1899.00", "serial": "LG55-7781"},
            {"line_id": "2", "item": {"product": "A7", "brand": "Sony"}, "price": "1499.00", "serial": "SNY-0042"}]});
    let r = d.ask(
        json!({"op": "activate_sale", "outbox": "store-sync", "catalog": "store", "sale": sale,
        "config": {"product_code": true}, "zone": ZONE, "now": "2026-03-20T18:06:00+02:00"}),
    );
    let res = d.show("activate_sale: one step at the till", &r)?;
    for l in res["lines"].as_array().cloned().unwrap_or_default() {
        writeln!(
            d.out,
            "    line {} ({}): {}{}, registration messages {}",
            l["line_id"].as_str().unwrap_or(""),
            l["serial"].as_str().unwrap_or(""),
            l["record"]["outcome"].as_str().unwrap_or(""),
            l["record"]["end"]
                .as_str()
                .map(|e| format!(" until {e}"))
                .unwrap_or_default(),
            l["enqueued"]
        )?;
    }
    // The host's loop, with the partner answering 503 (Retry-After: 30) once, then 201.
    let mut now_ms: i64 = 1_774_022_760_000; // 2026-03-20T16:06:00Z
    let mut answered = 0;
    for _ in 0..10 {
        let now = warranty_core::Instant::from_unix_millis(now_ms)
            .map(|t| t.to_string())
            .unwrap_or_default();
        let r = d.ask(json!({"op": "outbox_poll_transmit", "outbox": "store-sync", "now": now}));
        let tx = r["result"]["transmit"].clone();
        if tx.is_null() {
            let t = d.ask(json!({"op": "outbox_poll_timeout", "outbox": "store-sync"}));
            match t["result"]["timeout_ms"].as_i64() {
                Some(due) => {
                    writeln!(
                        d.out,
                        "    nothing due; the host sleeps until {}",
                        t["result"]["timeout"].as_str().unwrap_or("")
                    )?;
                    now_ms = due;
                    continue;
                }
                None => break,
            }
        }
        let (status, headers) = if answered == 0 {
            (503, json!({"Retry-After": "30"}))
        } else {
            (201, json!({}))
        };
        answered += 1;
        writeln!(
            d.out,
            "    {} {} (attempt {}, Idempotency-Key {}) -> {status}",
            tx["method"].as_str().unwrap_or(""),
            tx["path"].as_str().unwrap_or(""),
            tx["attempt"],
            tx["idempotency_key"].as_str().unwrap_or("")
        )?;
        let r = d.ask(
            json!({"op": "outbox_handle_response", "outbox": "store-sync", "id": tx["id"],
            "status": status, "headers": headers, "body": "", "now": now}),
        );
        let m = &r["result"]["message"];
        writeln!(
            d.out,
            "      message {} is {}",
            m["id"],
            m["state"].as_str().unwrap_or("")
        )?;
    }
    let r = d.ask(json!({"op": "outbox_report", "outbox": "store-sync"}));
    let res = d.show("Sync report", &r)?;
    let t = &res["total"];
    writeln!(
        d.out,
        "    enqueued {}, delivered {}, pending {}, dead-lettered {}, attempts {}, success rate {}",
        t["enqueued"],
        t["delivered"],
        t["pending"],
        t["dead_lettered"],
        t["attempts"],
        t["success_rate"].as_str().unwrap_or("-")
    )?;
    Ok(())
}

/// 8. A coverage stack: legal guarantee, manufacturer and component warranties on one TV.
fn stack_desk<W: Write>(d: &mut Demo<W>) -> io::Result<()> {
    d.heading(
        "8. Lisbon: a TV sold 1 Sep 2026, repaired twice under the legal guarantee, fails on 12 Oct 2027 (examples/stacks/tv-lisbon.json)",
    )?;
    let request: Value = serde_json::from_str(STACK).unwrap_or(Value::Null);
    let r = d.ask(request.clone());
    let res = d.show("Every warranty on the item, for this failure", &r)?;
    writeln!(
        d.out,
        "    answered by: {}, paid by: {}, burden of proof reversed: {}",
        res["answered_by"].as_str().unwrap_or("nobody"),
        res["payer"].as_str().unwrap_or("the customer"),
        res["burden_reversed"]
    )?;
    for l in res["layers"].as_array().cloned().unwrap_or_default() {
        writeln!(
            d.out,
            "    [{}] {:<12} {:<13} until {}",
            l["outcome"].as_str().unwrap_or(""),
            l["id"].as_str().unwrap_or(""),
            l["kind"].as_str().unwrap_or(""),
            l["end"].as_str().unwrap_or("no fixed end")
        )?;
        for x in l["extensions"].as_array().cloned().unwrap_or_default() {
            writeln!(
                d.out,
                "        {} on {} → {} ({})",
                x["rule"].as_str().unwrap_or(""),
                x["at"].as_str().unwrap_or(""),
                x["end"].as_str().unwrap_or(""),
                x["reference"].as_str().unwrap_or("")
            )?;
        }
    }
    let mut panel = request.clone();
    panel["component"] = json!("panel");
    let r = d.ask(panel);
    d.show(
        "The same failure, if it is the panel (a 3-year component warranty)",
        &r,
    )?;
    let mut dropped = request.clone();
    dropped["reason"] = json!("DROP");
    let r = d.ask(dropped);
    d.show("The same TV, dropped by the customer", &r)?;
    let r = d.ask(json!({"op": "expiring", "as_of": "2027-08-10T09:00:00+01:00",
        "within": {"value": 30, "unit": "days"}, "zone": "Europe/Lisbon", "items": [request["item"]]}));
    if r["ok"] == json!(true) {
        writeln!(
            d.out,
            "\n  Expiring within 30 days of 10 Aug 2027 (the notice a shop sends)"
        )?;
        for x in r["result"]["expiring"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            writeln!(
                d.out,
                "    {} {} ends {} ({} days left; {} pays until then)",
                x["item"].as_str().unwrap_or(""),
                x["layer"].as_str().unwrap_or(""),
                x["end"].as_str().unwrap_or(""),
                x["remaining_days"],
                x["payer"].as_str().unwrap_or("")
            )?;
        }
    }
    Ok(())
}
