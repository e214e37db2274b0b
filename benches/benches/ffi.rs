//! The C ABI's cost over the Rust dispatcher (`cargo bench -p warranty-benches --bench ffi`):
//! the same requests through `Engine::call` and through `wty_call` / `wty_call_batch`, as a C
//! host calls them (NUL-terminated request in, C string out, freed with `wty_string_free`).
#![allow(
    unsafe_code,
    reason = "the benchmark calls the C ABI, which is unsafe by nature"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use std::ffi::{c_char, CString};
use std::hint::black_box;
use std::ptr;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use warranty::{
    wty_call, wty_call_batch, wty_engine_free, wty_engine_new, wty_status, wty_string_free,
};
use warranty_benches::{load_catalog_request, resolve_request, COVERAGE_REQUEST};
use warranty_core::Engine;

const N: usize = 10_000;

/// One `wty_call`, response freed; returns the status.
fn c_call(engine: *mut warranty::wty_engine, req: &CString) -> wty_status {
    let mut out: *mut c_char = ptr::null_mut();
    // SAFETY: a live engine, a NUL-terminated request, a writable out pointer; the response
    // is freed once.
    unsafe {
        let st = wty_call(engine, req.as_ptr(), &mut out);
        wty_string_free(out);
        st
    }
}

fn bench_ffi(c: &mut Criterion) {
    let mut g = c.benchmark_group("ffi");
    // coverage with the policy inline, on a long-lived engine in both cases.
    let mut engine = Engine::new();
    g.bench_function("rust_call_coverage", |b| {
        b.iter(|| engine.call(black_box(COVERAGE_REQUEST)))
    });
    let c_engine = wty_engine_new();
    let cov = CString::new(COVERAGE_REQUEST).unwrap();
    assert_eq!(c_call(c_engine, &cov), wty_status::WTY_OK);
    g.bench_function("wty_call_coverage", |b| {
        b.iter(|| c_call(c_engine, black_box(&cov)))
    });

    // resolve against a loaded 10k catalog.
    let load = load_catalog_request("main", N);
    assert!(engine.call(&load).starts_with("{\"ok\":true"));
    assert_eq!(
        c_call(c_engine, &CString::new(load).unwrap()),
        wty_status::WTY_OK
    );
    let reqs: Vec<String> = (0..1024).map(|k| resolve_request("main", N, k)).collect();
    let c_reqs: Vec<CString> = reqs
        .iter()
        .map(|r| CString::new(r.as_str()).unwrap())
        .collect();
    let mut k = 0usize;
    g.bench_function("rust_call_resolve_loaded_catalog", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            engine.call(black_box(&reqs[k]))
        })
    });
    g.bench_function("wty_call_resolve_loaded_catalog", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            c_call(c_engine, black_box(&c_reqs[k]))
        })
    });
    // The retailer-shaped catalog (issue 22) at 10,000 policies, winner only, through C.
    let retail = warranty_benches::retail_policies(N, 22);
    let retail_load =
        serde_json::json!({"op": "load_catalog", "name": "retail", "policies": retail}).to_string();
    assert_eq!(
        c_call(c_engine, &CString::new(retail_load).unwrap()),
        wty_status::WTY_OK
    );
    let retail_reqs: Vec<CString> = warranty_benches::retail_items(1024, 22)
        .iter()
        .map(|r| {
            CString::new(warranty_benches::retail_resolve_request(
                "retail",
                r,
                Some(r#""none""#),
            ))
            .unwrap()
        })
        .collect();
    g.bench_function("wty_call_resolve_retail_10k_winner", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            c_call(c_engine, black_box(&retail_reqs[k]))
        })
    });
    g.finish();

    // wty_call_batch over 100,000 resolve requests.
    let mut g = c.benchmark_group("ffi_batch");
    g.sample_size(10);
    g.throughput(Throughput::Elements(100_000));
    let batch: String = (0..100_000)
        .map(|k| reqs[k % 1024].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let batch = CString::new(batch).unwrap();
    g.bench_function("wty_call_batch_100k_resolve", |b| {
        b.iter(|| {
            let mut out: *mut c_char = ptr::null_mut();
            // SAFETY: as in `c_call`.
            unsafe {
                let st = wty_call_batch(c_engine, batch.as_ptr(), &mut out);
                wty_string_free(out);
                st
            }
        })
    });
    g.finish();
    // SAFETY: freed once, after its last use.
    unsafe { wty_engine_free(c_engine) };
}

criterion_group!(benches, bench_ffi);
criterion_main!(benches);
