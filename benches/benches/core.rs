//! `cargo bench -p warranty-benches` (or `make bench`). Figures for the issue notes:
//! resolve (typed) vs a HashMap + chrono baseline, `call` with coverage, engine resolve,
//! catalog load.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use std::collections::HashMap;
use std::hint::black_box;

use chrono::{DateTime, FixedOffset, Months};
use criterion::{criterion_group, criterion_main, Criterion};
use warranty_benches::{
    claim_request, load_catalog_request, policies, resolve_request, COVERAGE_REQUEST,
};
use warranty_core::{Calendar, Catalog, Engine, Instant, Item, Policy};

const N: usize = 10_000;

fn catalog() -> (Catalog, Vec<Policy>) {
    let ps: Vec<Policy> = policies(N)
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    (Catalog::new(ps.clone()).unwrap(), ps)
}

fn bench_resolve(c: &mut Criterion) {
    let (cat, ps) = catalog();
    let sold: Instant = Instant::parse("2026-05-01T12:00:00+02:00").unwrap();
    let cal = Calendar::Fixed(sold.offset());
    let item = Item {
        product: Some("P4321".into()),
        product_type: Some("T7".into()),
        brand: Some("B3".into()),
        family: None,
    };
    let mut g = c.benchmark_group("resolve_10k");
    g.bench_function("typed_catalog_resolve", |b| {
        b.iter(|| {
            cat.resolve(black_box(&item), black_box(sold), None, cal)
                .unwrap()
        })
    });
    // The baseline: the same question answered by hand with plain HashMaps (one per key
    // kind, std SipHash) and chrono: look up the item's keys most specific first, take the
    // first policy found, add its months. No dates checked, no ties ordered, no explanation.
    let mut maps: [HashMap<String, Vec<usize>>; 3] = Default::default();
    for (i, p) in ps.iter().enumerate() {
        for c in &p.covers {
            let k = c.kind.index().min(2);
            maps[k].entry(c.value.clone()).or_default().push(i);
        }
    }
    let sold_dt: DateTime<FixedOffset> = sold.0;
    let keys = ["P4321", "T7", "B3"];
    g.bench_function("baseline_hashmap_chrono", |b| {
        b.iter(|| {
            let hit = keys
                .iter()
                .zip(&maps)
                .find_map(|(k, m)| m.get(black_box(*k)).and_then(|v| v.first()))
                .copied()
                .unwrap();
            black_box(sold_dt)
                .checked_add_months(Months::new(ps[hit].duration.value))
                .unwrap()
        })
    });
    let product_only = Item {
        product: Some("P4321".into()),
        ..Item::default()
    };
    g.bench_function("typed_catalog_resolve_product_only", |b| {
        b.iter(|| {
            cat.resolve(black_box(&product_only), black_box(sold), None, cal)
                .unwrap()
        })
    });
    g.finish();
}

fn bench_call(c: &mut Criterion) {
    let mut g = c.benchmark_group("dispatcher");
    g.bench_function("call_coverage_inline_policy", |b| {
        b.iter(|| warranty_core::call(black_box(COVERAGE_REQUEST)))
    });
    let mut engine = Engine::new();
    let load = load_catalog_request("main", N);
    assert!(engine.call(&load).starts_with("{\"ok\":true"));
    let reqs: Vec<String> = (0..1024).map(|k| resolve_request("main", N, k)).collect();
    let mut k = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(1024);
    g.bench_function("engine_resolve_loaded_catalog", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            out.clear();
            engine.call_to(black_box(&reqs[k]), &mut out);
            out.len()
        })
    });
    g.bench_function("call_stack_coverage_tv_lisbon", |b| {
        b.iter(|| warranty_core::call(black_box(warranty_benches::STACK_REQUEST)))
    });
    let expiring: Vec<String> = (0..1024).map(warranty_benches::expiring_request).collect();
    g.bench_function("engine_expiring_one_item", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            out.clear();
            engine.call_to(black_box(&expiring[k]), &mut out);
            out.len()
        })
    });
    // The typed path of the Python `expiring_arrow` batches: one item (the legal guarantee
    // and a manufacturer's year), its sale moved each time, no JSON.
    let mut item: warranty_core::warranty::stack::StackItem = serde_json::from_str(
        r#"{"id":"IT-1","warranties":[{"id":"legal","kind":"statutory","jurisdiction":"PT"},{"id":"MFR","kind":"manufacturer","terms":{"id":"TV-1Y","duration":{"value":1,"unit":"years"}}}]}"#,
    )
    .expect("the bench item");
    let as_of = Instant::parse("2027-06-01T09:00:00+00:00").expect("as_of");
    let cal = Calendar::for_operation(None, as_of);
    let within = warranty_core::Duration::new(90, warranty_core::Unit::Days);
    let until = warranty_core::warranty::stack::window_end(as_of, within, cal).expect("until");
    let sales: Vec<Instant> = (0..1024i64)
        .map(|k| Instant(as_of.0 - chrono::TimeDelta::days(400 + (k * 7919) % 1500)))
        .collect();
    let mut found = Vec::new();
    g.bench_function("stack_expiring_one_item_typed", |b| {
        b.iter(|| {
            use warranty_core::warranty::stack::{self, Event, EventKind, Presets, Stack};
            k = (k + 1) & 1023;
            item.events.clear();
            item.events.push(Event::at(EventKind::Sold, sales[k]));
            found.clear();
            let s = Stack::new(black_box(&item), Presets::new(&[]), cal).expect("a valid item");
            stack::expiring(&s, as_of, until, &[], &mut found).expect("expiring");
            found.len()
        })
    });
    g.finish();
    let mut g = c.benchmark_group("load");
    g.sample_size(20);
    g.bench_function("load_catalog_10k_from_json", |b| {
        b.iter(|| {
            let mut e = Engine::new();
            e.call(black_box(&load))
        })
    });
    g.finish();
}

fn bench_claims(c: &mut Criterion) {
    let mut g = c.benchmark_group("claims");
    let req = claim_request(20);
    assert!(warranty_core::call(&req).contains("\"outcome\":\"accept\""));
    g.bench_function("validate_claim_20_lines_call", |b| {
        b.iter(|| warranty_core::call(black_box(&req)))
    });
    // The typed API: the claim is already parsed; validation alone.
    #[derive(serde::Deserialize)]
    struct Req {
        claim: warranty_core::Claim,
        as_of: Instant,
        known_claims: Vec<warranty_core::claims::KnownClaim>,
    }
    let mut v: serde_json::Value = serde_json::from_str(&req).unwrap();
    let obj = v.as_object_mut().unwrap();
    obj.remove("op");
    obj.remove("zone");
    let r: Req = serde_json::from_value(v).unwrap();
    let rules = warranty_core::Rules::default();
    let cx = warranty_core::ClaimContext {
        as_of: r.as_of,
        calendar: Calendar::Zone(warranty_core::time::Tz::from_name("Europe/Rome").unwrap()),
        rules: &rules,
        known_claims: &r.known_claims,
    };
    assert_eq!(
        warranty_core::validate_claim(&r.claim, &cx)
            .unwrap()
            .outcome,
        warranty_core::ValidationOutcome::Accept
    );
    g.bench_function("validate_claim_20_lines_typed", |b| {
        b.iter(|| warranty_core::validate_claim(black_box(&r.claim), &cx))
    });
    g.finish();
}

fn bench_sync(c: &mut Criterion) {
    use std::collections::BTreeMap;
    use warranty_core::sync::{Outbox, OutboxConfig};
    let mut g = c.benchmark_group("sync");
    let t0 = 1_790_000_000_000i64;
    let at = |ms: i64| {
        Instant(
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap()
                .fixed_offset(),
        )
    };
    let payload =
        serde_json::json!({"ClaimHeader": {"DealerCode": "0000123456", "DmsClaimNumber": "DMS-1"}});
    let mut o = Outbox::new("bench", 42, OutboxConfig::default());
    let mut k = 0u64;
    let none = BTreeMap::new();
    g.bench_function("enqueue_poll_handle_response_cycle", |b| {
        b.iter(|| {
            k += 1;
            let now = at(t0 + k as i64);
            let (id, _, _) = o
                .enqueue(
                    "cnh",
                    "create_claim",
                    &format!("k{k}"),
                    payload.clone(),
                    now,
                )
                .unwrap();
            let (tx, _) = o.poll_transmit(now);
            assert_eq!(tx.map(|t| t.id), Some(id));
            o.handle_response(id, 201, &none, "", now).unwrap();
            while o.poll_event().is_some() {}
        })
    });
    // The same cycle as JSON through the dispatcher (what C, WASM and the CLI pay).
    let mut engine = warranty_core::Engine::new();
    engine.call(r#"{"op":"outbox_create","outbox":"bench","seed":42}"#);
    let mut j = 0u64;
    g.bench_function("dispatcher_enqueue_poll_handle_response_cycle", |b| {
        b.iter(|| {
            j += 1;
            let now = format!("2026-11-22T10:{:02}:{:02}Z", (j / 60) % 60, j % 60);
            let r = engine.call(&format!(
                r#"{{"op":"outbox_enqueue","outbox":"bench","partner":"cnh","operation":"create_claim","idempotency_key":"k{j}","payload":{{"ClaimHeader":{{"DealerCode":"0000123456","DmsClaimNumber":"DMS-1"}}}},"now":"{now}"}}"#
            ));
            assert!(r.starts_with(r#"{"ok":true"#), "{r}");
            let r = engine.call(&format!(
                r#"{{"op":"outbox_poll_transmit","outbox":"bench","now":"{now}"}}"#
            ));
            assert!(r.contains(&format!(r#""idempotency_key":"k{j}"}},"#)), "{r}");
            let r = engine.call(&format!(
                r#"{{"op":"outbox_handle_response","outbox":"bench","id":{j},"status":201,"now":"{now}"}}"#
            ));
            assert!(r.contains(r#""state":"delivered""#), "{r}");
        })
    });
    let mut big = Outbox::new("big", 42, OutboxConfig::default());
    for i in 0..10_000 {
        big.enqueue(
            "cnh",
            "create_claim",
            &format!("k{i}"),
            payload.clone(),
            at(t0),
        )
        .unwrap();
    }
    g.sample_size(20);
    g.bench_function("snapshot_restore_10k_messages_json", |b| {
        b.iter(|| {
            let json = serde_json::to_string(&big.snapshot()).unwrap();
            let snap: warranty_core::sync::Snapshot = serde_json::from_str(&json).unwrap();
            Outbox::restore(snap).unwrap().len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench_resolve, bench_call, bench_claims, bench_sync);
criterion_main!(benches);
