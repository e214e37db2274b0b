//! Writes an NDJSON stream: one `load_catalog` of N policies, then R `resolve` requests.
//! `cargo run --release -p warranty-benches --example gen_ndjson -- 1000000 10000 > reqs.ndjson`
use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let requests = args.first().copied().unwrap_or(1_000_000);
    let policies = args.get(1).copied().unwrap_or(10_000).max(1);
    let mut out = BufWriter::new(std::io::stdout().lock());
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
    out.flush()
}
