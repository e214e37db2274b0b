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
