//! Deterministic data sets shared by the benchmarks and `scripts/bench-ndjson.sh`.

use serde_json::{json, Value};

/// `n` policies: one per product code `P{i}`, plus every 100th naming a type, every 200th a
/// brand and every 1,000th a family, so that items match at several levels.
pub fn policies(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut covers = vec![json!({"product": format!("P{i}")})];
            if i % 100 == 0 {
                covers.push(json!({"product_type": format!("T{}", i / 100 % 50)}));
            }
            if i % 200 == 0 {
                covers.push(json!({"brand": format!("B{}", i / 200 % 20)}));
            }
            if i % 1000 == 0 {
                covers.push(json!({"family": format!("F{}", i / 1000 % 5)}));
            }
            json!({
                "id": format!("POL-{i}"),
                "number": format!("{}", i % 97),
                "name": format!("Policy {i}"),
                "duration": {"value": 12 + (i % 4) * 12, "unit": "months"},
                "replacement": "carry_over",
                "effective_from": "2020-01-01T00:00:00+00:00",
                "covers": covers,
                "reasons": [{"id": "DEFECT", "provides_coverage": true}, {"id": "DROP", "provides_coverage": false}]
            })
        })
        .collect()
}

/// A `load_catalog` request for `n` policies under `name`.
pub fn load_catalog_request(name: &str, n: usize) -> String {
    json!({"op": "load_catalog", "name": name, "policies": policies(n)}).to_string()
}

/// The `k`-th resolve request against catalog `name` of `n` policies.
pub fn resolve_request(name: &str, n: usize, k: usize) -> String {
    let i = (k * 7919) % n;
    json!({"op": "resolve", "catalog": name,
        "item": {"product": format!("P{i}"), "product_type": format!("T{}", k % 50), "brand": format!("B{}", k % 20)},
        "sold_at": "2026-05-01T12:00:00+02:00"})
    .to_string()
}

/// A `coverage` request with the policy inline.
pub const COVERAGE_REQUEST: &str = include_str!("../data/coverage.json");

/// A `validate_claim` request for a claim with `n` lines that passes every rule.
pub fn claim_request(n: usize) -> String {
    let lines: Vec<Value> = (0..n)
        .map(|i| {
            let cat = match i % 4 {
                0 => "parts",
                1 => "labour",
                2 => "sublet",
                _ => "other",
            };
            json!({"category": cat, "material_code": format!("MAT-{i}"), "quantity": "1",
                   "amount": format!("{}.{:02}", 10 + i, i % 100), "currency": "EUR",
                   "third_party_invoice": if cat == "sublet" { "TP-1" } else { "" }})
        })
        .collect();
    let total: rust_decimal::Decimal = (0..n)
        .map(|i| rust_decimal::Decimal::new(((10 + i) * 100 + i % 100) as i64, 2))
        .sum();
    json!({
        "op": "validate_claim", "as_of": "2026-11-20T16:00:00+01:00", "zone": "Europe/Rome",
        "claim": {
            "dealer": "0000123456", "workshop": "WS01", "dms_claim_number": "DMS-2026-0042",
            "reference_date": "2026-11-20", "serial": "HCCZFA10HMCJ11111", "usage": "812.5",
            "failure_date": "2026-11-10", "repair_start": "2026-11-12", "repair_end": "2026-11-14",
            "warranty_type": "A",
            "failure": {"component": "HYD-PUMP", "failure_code": "LEAK", "severity": "2", "description": "Leak"},
            "texts": {"complaint": [{"row": "01", "text": "Oil under the tractor"}],
                      "cause": [{"row": "01", "text": "Seal worn"}, {"row": "02", "text": "No damage"}]},
            "lines": lines, "total": total.to_string(),
            "evidence": [{"kind": "pos_invoice", "reference": "INV-1"}, {"kind": "photo", "reference": "IMG-1"}],
            "reason": "DEFECT",
            "policy": {"id": "TRACTOR-2Y", "duration": {"value": 2, "unit": "years"},
                       "usage_limit": {"unit": "hours", "limit": "2000"},
                       "reasons": [{"id": "DEFECT", "provides_coverage": true}]},
            "warranty": {"start": "2025-03-01T10:00:00+01:00", "usage_at_start": "12"}
        },
        "known_claims": [{"dms_claim_number": "DMS-2026-0001", "serial": "OTHER", "component": "HYD-PUMP", "failure_date": "2026-11-01"}]
    })
    .to_string()
}

/// An `expiring` request for one item `k` (the batch form: one line per item): sold on one of
/// 730 days, a Portuguese legal guarantee and a 1-year manufacturer warranty, asked which
/// layers end within 30 days of 2027-06-01.
pub fn expiring_request(k: usize) -> String {
    let day = k % 730;
    let sold = chrono::NaiveDate::from_ymd_opt(2025, 6, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(day as u64)))
        .unwrap_or_default();
    format!(
        concat!(
            r#"{{"op":"expiring","as_of":"2027-06-01T09:00:00+01:00","within":{{"value":30,"unit":"days"}},"#,
            r#""items":[{{"id":"IT-{k}","events":[{{"event":"sold","at":"{sold}T10:00:00+01:00"}}],"#,
            r#""warranties":[{{"id":"legal","kind":"statutory","jurisdiction":"PT"}},"#,
            r#"{{"id":"MFR","kind":"manufacturer","terms":{{"id":"TV-1Y","duration":{{"value":1,"unit":"years"}}}}}}]}}]}}"#
        ),
        k = k,
        sold = sold.format("%Y-%m-%d"),
    )
}

/// A `stack_coverage` request: a TV sold in Lisbon, repaired twice under the legal guarantee,
/// failing after its manufacturer warranty ended (the demo's case).
pub const STACK_REQUEST: &str = include_str!("../../examples/stacks/tv-lisbon.json");

/// A seeded generator (SplitMix64): the same catalog and queries for a seed on every platform,
/// in Rust, and through `gen_ndjson retail` for the C and Node benches.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The retailer's product master (issue 22): 5,000 products, 120 product types, 300 brands
/// and 25 families; each product has one type, brand and family.
pub const PRODUCTS: u64 = 5_000;
/// Product types in the master.
pub const TYPES: u64 = 120;
/// Brands in the master.
pub const BRANDS: u64 = 300;
/// Families in the master (each type belongs to one).
pub const FAMILIES: u64 = 25;

/// A sold item of the product master: its four keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetailItem {
    /// `P{n}`.
    pub product: String,
    /// `T{n}`.
    pub product_type: String,
    /// `B{n}`.
    pub brand: String,
    /// `F{n}`.
    pub family: String,
    /// The sale, RFC 3339.
    pub sold_at: String,
}

fn product_keys(p: u64) -> (u64, u64, u64) {
    let t = p.wrapping_mul(2_654_435_761) % TYPES;
    let b = p.wrapping_mul(40_503) % BRANDS;
    (t, b, t % FAMILIES)
}

/// A day from 2016-01-01 (the catalog's ten years start there) as `YYYY-MM-DD`.
fn day(offset: u64) -> String {
    chrono::NaiveDate::from_ymd_opt(2016, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(offset)))
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// `n` policies shaped like a retailer's catalog (issue 22): 1–3 `covers` entries each (about
/// 40% product, 25% product type, 20% brand, 15% family), 85% `effective`, `effective_from`
/// over ten years (mostly the 1st of a month, so ties happen), 65% with an `effective_until`,
/// durations in days, weeks, months and years, `number`s that collide.
pub fn retail_policies(n: usize, seed: u64) -> Vec<Value> {
    let mut r = Rng::new(seed);
    (0..n)
        .map(|i| {
            let k = 1 + r.below(3);
            let covers: Vec<Value> = (0..k)
                .map(|_| match r.below(100) {
                    0..=39 => json!({"product": format!("P{}", r.below(PRODUCTS))}),
                    40..=64 => json!({"product_type": format!("T{}", r.below(TYPES))}),
                    65..=84 => json!({"brand": format!("B{}", r.below(BRANDS))}),
                    _ => json!({"family": format!("F{}", r.below(FAMILIES))}),
                })
                .collect();
            let month = r.below(120);
            let from_day = if r.below(10) < 8 {
                format!("{}-{:02}-01", 2016 + month / 12, 1 + month % 12)
            } else {
                day(r.below(3_650))
            };
            fn pick(r: &mut Rng, values: &[u64]) -> u64 {
                let i = r.below(values.len() as u64) as usize;
                values.get(i).copied().unwrap_or(1)
            }
            let (value, unit) = match r.below(4) {
                0 => (pick(&mut r, &[90, 180, 365]), "days"),
                1 => (pick(&mut r, &[26, 52, 104]), "weeks"),
                2 => (pick(&mut r, &[6, 12, 24, 36]), "months"),
                _ => (pick(&mut r, &[1, 2, 3, 5]), "years"),
            };
            let mut p = json!({
                "id": format!("POL-{i:06}"),
                "number": format!("{}", r.below(50)),
                "name": format!("Retail policy {i}"),
                "state": if r.below(100) < 85 { "effective" } else { "not_effective" },
                "duration": {"value": value, "unit": unit},
                "effective_from": format!("{from_day}T00:00:00+00:00"),
                "covers": covers,
            });
            if r.below(100) < 65 {
                let years = 1 + r.below(6);
                let until = chrono::NaiveDate::parse_from_str(&from_day, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.checked_add_months(chrono::Months::new(12 * years as u32)))
                    .unwrap_or_default();
                if let Some(o) = p.as_object_mut() {
                    let until = format!("{}T23:59:59+00:00", until.format("%Y-%m-%d"));
                    o.insert("effective_until".into(), json!(until));
                }
            }
            p
        })
        .collect()
}

/// `count` sold items of the product master, sold over the catalog's ten years.
pub fn retail_items(count: usize, seed: u64) -> Vec<RetailItem> {
    let mut r = Rng::new(seed ^ 0x5EED);
    (0..count)
        .map(|_| {
            let p = r.below(PRODUCTS);
            let (t, b, f) = product_keys(p);
            RetailItem {
                product: format!("P{p}"),
                product_type: format!("T{t}"),
                brand: format!("B{b}"),
                family: format!("F{f}"),
                sold_at: format!("{}T{:02}:00:00+01:00", day(r.below(3_650)), 9 + r.below(10)),
            }
        })
        .collect()
}

/// A `resolve` request for `item` against the loaded catalog `name`; `candidates` is the
/// option's JSON (`"none"`, `"all"`, a number) or `None` for the default.
pub fn retail_resolve_request(name: &str, item: &RetailItem, candidates: Option<&str>) -> String {
    let c = candidates.map_or(String::new(), |c| format!(r#","candidates":{c}"#));
    format!(
        r#"{{"op":"resolve","catalog":"{name}","item":{{"product":"{}","product_type":"{}","brand":"{}","family":"{}"}},"sold_at":"{}"{c}}}"#,
        item.product, item.product_type, item.brand, item.family, item.sold_at
    )
}
