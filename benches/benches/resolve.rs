//! `cargo bench -p warranty-benches --bench resolve`: `resolve` on a retailer-shaped catalog
//! (issue 22; `warranty_benches::retail_policies`) of 100 to 100,000 policies, where an item
//! has on the order of a hundred candidates, next to a hand-written HashMap floor that answers
//! the same winner (checked equal on every query before measuring). docs/performance.md has
//! the figures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use criterion::{criterion_group, criterion_main, Criterion};
use warranty_benches::{retail_items, retail_policies, retail_resolve_request, RetailItem};
use warranty_core::{Calendar, Candidates, Catalog, Engine, Instant, Item, Policy};

const SIZES: [usize; 4] = [100, 1_000, 10_000, 100_000];
const QUERIES: usize = 1_024;
const SEED: u64 = 22;

/// The floor: what a host would write by hand for the winner alone. One std HashMap per key
/// kind, lists of the effective policies pre-sorted in the protocol's order, a binary search
/// past the policies not yet in force, the first whose window and business units fit.
struct Floor {
    maps: [HashMap<String, Vec<FloorEntry>>; 4],
}

struct FloorEntry {
    from: Option<DateTime<FixedOffset>>,
    until: Option<DateTime<FixedOffset>>,
    any_unit: bool,
    policy: usize,
}

impl Floor {
    fn new(ps: &[Policy]) -> Self {
        let mut maps: [HashMap<String, Vec<FloorEntry>>; 4] = Default::default();
        for (i, p) in ps.iter().enumerate() {
            if p.state != warranty_core::warranty::policy::State::Effective {
                continue;
            }
            for c in &p.covers {
                maps[c.kind.index()]
                    .entry(c.value.clone())
                    .or_default()
                    .push(FloorEntry {
                        from: p.effective_from.map(|t| t.0),
                        until: p.effective_until.map(|t| t.0),
                        any_unit: p.business_units.is_empty(),
                        policy: i,
                    });
            }
        }
        for m in &mut maps {
            for list in m.values_mut() {
                list.sort_by(|a, b| {
                    let (pa, pb) = (&ps[a.policy], &ps[b.policy]);
                    match (pa.effective_from, pb.effective_from) {
                        (Some(x), Some(y)) => y.cmp(&x),
                        (Some(_), None) => Ordering::Less,
                        (None, Some(_)) => Ordering::Greater,
                        (None, None) => Ordering::Equal,
                    }
                    .then_with(|| pa.number.cmp(&pb.number))
                    .then_with(|| pa.id.cmp(&pb.id))
                });
            }
        }
        Floor { maps }
    }

    fn winner(&self, keys: [&str; 4], t: DateTime<FixedOffset>) -> Option<(usize, usize)> {
        keys.iter()
            .zip(&self.maps)
            .enumerate()
            .find_map(|(kind, (k, m))| {
                let list = m.get(*k)?;
                let skip = list.partition_point(|e| e.from.is_some_and(|f| f > t));
                list[skip..]
                    .iter()
                    .find(|e| e.any_unit && e.until.is_none_or(|u| t <= u))
                    .map(|e| (e.policy, kind))
            })
    }
}

struct Shape {
    policies: Vec<Policy>,
    catalog: Catalog,
    items: Vec<(Item, Instant, RetailItem)>,
    load: String,
}

fn shape(n: usize) -> Shape {
    let json = retail_policies(n, SEED);
    let policies: Vec<Policy> = json
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect();
    let catalog = Catalog::new(policies.clone()).unwrap();
    let items = retail_items(QUERIES, SEED)
        .into_iter()
        .map(|r| {
            let item = Item {
                product: Some(r.product.clone()),
                product_type: Some(r.product_type.clone()),
                brand: Some(r.brand.clone()),
                family: Some(r.family.clone()),
            };
            (item, Instant::parse(&r.sold_at).unwrap(), r)
        })
        .collect();
    let load =
        serde_json::json!({"op": "load_catalog", "name": "retail", "policies": json}).to_string();
    Shape {
        policies,
        catalog,
        items,
        load,
    }
}

fn bench_retail(c: &mut Criterion) {
    for n in SIZES {
        let s = shape(n);
        let floor = Floor::new(&s.policies);
        let cal = Calendar::Fixed(FixedOffset::east_opt(3600).unwrap());
        // The floor and the library agree on every query; count the candidates listed.
        let mut listed = 0usize;
        let mut covered = 0usize;
        for (item, t, r) in &s.items {
            let keys = [&*r.product, &*r.product_type, &*r.brand, &*r.family];
            let want = floor.winner(keys, t.0);
            let got = s
                .catalog
                .resolve_with(item, *t, None, cal, Candidates::None)
                .unwrap();
            let got = got.policy().map(|p| {
                (
                    s.policies.iter().position(|q| q.id == p.id).unwrap(),
                    got.matched_by().unwrap().index(),
                )
            });
            assert_eq!(got, want, "floor and resolve disagree on {r:?}");
            covered += usize::from(want.is_some());
            listed += s
                .catalog
                .resolve(item, *t, None, cal)
                .unwrap()
                .candidate_count();
        }
        eprintln!(
            "retail {n}: {covered} of {QUERIES} queries covered, {:.1} candidates listed per query",
            listed as f64 / QUERIES as f64
        );
        let mut g = c.benchmark_group(format!("resolve_retail_{n}"));
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(2));
        let mut k = 0usize;
        g.bench_function("floor_hashmap_winner", |b| {
            b.iter(|| {
                k = (k + 1) % QUERIES;
                let (_, t, r) = &s.items[k];
                floor.winner(
                    black_box([&*r.product, &*r.product_type, &*r.brand, &*r.family]),
                    t.0,
                )
            })
        });
        g.bench_function("typed_winner", |b| {
            b.iter(|| {
                k = (k + 1) % QUERIES;
                let (item, t, _) = &s.items[k];
                s.catalog
                    .resolve_with(black_box(item), *t, None, cal, Candidates::None)
                    .unwrap()
                    .policy_index()
            })
        });
        g.bench_function("typed_winner_and_end", |b| {
            b.iter(|| {
                k = (k + 1) % QUERIES;
                let (item, t, _) = &s.items[k];
                s.catalog
                    .resolve_with(black_box(item), *t, None, cal, Candidates::None)
                    .unwrap()
                    .end()
                    .unwrap()
            })
        });
        g.bench_function("typed_all_candidates", |b| {
            b.iter(|| {
                k = (k + 1) % QUERIES;
                let (item, t, _) = &s.items[k];
                s.catalog
                    .resolve(black_box(item), *t, None, cal)
                    .unwrap()
                    .candidate_count()
            })
        });
        let mut engine = Engine::new();
        assert!(engine.call(&s.load).starts_with(r#"{"ok":true"#));
        let none: Vec<String> = s
            .items
            .iter()
            .map(|(_, _, r)| retail_resolve_request("retail", r, Some(r#""none""#)))
            .collect();
        let all: Vec<String> = s
            .items
            .iter()
            .map(|(_, _, r)| retail_resolve_request("retail", r, None))
            .collect();
        let mut out = Vec::with_capacity(64 * 1024);
        g.bench_function("engine_json_winner", |b| {
            b.iter(|| {
                k = (k + 1) % QUERIES;
                out.clear();
                engine.call_to(black_box(&none[k]), &mut out);
                out.len()
            })
        });
        g.bench_function("engine_json_all_candidates", |b| {
            b.iter(|| {
                k = (k + 1) % QUERIES;
                out.clear();
                engine.call_to(black_box(&all[k]), &mut out);
                out.len()
            })
        });
        g.finish();
        if n == 10_000 {
            let mut g = c.benchmark_group("load");
            g.sample_size(20);
            // The build alone: the engine (and its catalog) are dropped outside the timing.
            g.bench_function("load_catalog_retail_10k_from_json", |b| {
                b.iter_custom(|iters| {
                    let mut spent = Duration::ZERO;
                    for _ in 0..iters {
                        let mut e = Engine::new();
                        let t = std::time::Instant::now();
                        let answer = e.call(black_box(&s.load));
                        spent += t.elapsed();
                        assert!(answer.starts_with(r#"{"ok":true"#));
                        drop(e);
                    }
                    spent
                })
            });
            g.bench_function("catalog_new_retail_10k_typed", |b| {
                b.iter_batched(
                    || s.policies.clone(),
                    |ps| Catalog::new(black_box(ps)).unwrap(),
                    criterion::BatchSize::LargeInput,
                )
            });
            g.finish();
        }
    }
}

criterion_group!(benches, bench_retail);
criterion_main!(benches);
