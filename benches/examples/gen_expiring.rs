//! Writes an NDJSON stream of N `expiring` requests, one item each (the batch form a host
//! streams through `wty call --ndjson` to send "expires in 30 days" notices).
//! `cargo run --release -p warranty-benches --example gen_expiring -- 1000000 > items.ndjson`
use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut out = BufWriter::new(std::io::stdout().lock());
    for k in 0..n {
        writeln!(out, "{}", warranty_benches::expiring_request(k))?;
    }
    out.flush()
}
