//! Writes an NDJSON stream for the NDJSON, C and Node benches.
//!
//! - `gen_ndjson REQUESTS POLICIES`: one `load_catalog` of POLICIES policies (the
//!   few-candidates shape), then REQUESTS `resolve` requests against it;
//! - `gen_ndjson retail POLICIES REQUESTS CANDIDATES`: the retailer-shaped catalog of issue 22
//!   (`warranty_benches::retail_policies`, seed 22), then REQUESTS `resolve` requests with
//!   `"candidates": CANDIDATES` (`none`, `all`, or a number);
//! - `gen_ndjson expiring REQUESTS`: REQUESTS one-item `expiring` requests.
//!
//! `cargo run --release -p warranty-benches --example gen_ndjson -- 1000000 10000 > reqs.ndjson`
use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.first().map(String::as_str) {
        Some("retail") => {
            let policies = num(1, 10_000).max(1);
            let requests = num(2, 10_000);
            let candidates = match args.get(3).map(String::as_str) {
                Some("all") | None => r#""all""#.to_string(),
                Some("none") => r#""none""#.to_string(),
                Some(n) => n.to_string(),
            };
            let load = serde_json::json!({"op": "load_catalog", "name": "retail",
                "policies": warranty_benches::retail_policies(policies, 22)});
            writeln!(out, "{load}")?;
            for item in warranty_benches::retail_items(requests, 22) {
                let req =
                    warranty_benches::retail_resolve_request("retail", &item, Some(&candidates));
                writeln!(out, "{req}")?;
            }
        }
        Some("expiring") => {
            for k in 0..num(1, 10_000) {
                writeln!(out, "{}", warranty_benches::expiring_request(k))?;
            }
        }
        _ => {
            let requests = num(0, 1_000_000);
            let policies = num(1, 10_000).max(1);
            writeln!(
                out,
                "{}",
                warranty_benches::load_catalog_request("main", policies)
            )?;
            for k in 0..requests {
                writeln!(
                    out,
                    "{}",
                    warranty_benches::resolve_request("main", policies, k)
                )?;
            }
        }
    }
    out.flush()
}
