//! `cargo run --release -p warranty-benches --example load_in_process`: the `load_catalog`
//! request of the retail bench (10,000 policies, seed 22) timed 200 times in a fresh process,
//! each into a new `Engine`; prints the best and the median. The criterion figure
//! (`cargo bench --bench resolve -- load/`) is taken after the query benches, in a process
//! that already holds other catalogs; this is the load a host does at start-up.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a measuring tool: a failed load is the tool failing"
)]

use warranty_benches::retail_policies;
use warranty_core::Engine;

fn main() {
    let json = retail_policies(10_000, 22);
    let load =
        serde_json::json!({"op": "load_catalog", "name": "retail", "policies": json}).to_string();
    let mut spent = Vec::new();
    for _ in 0..200 {
        let mut e = Engine::new();
        let t = std::time::Instant::now();
        let answer = e.call(&load);
        spent.push(t.elapsed().as_secs_f64());
        assert!(answer.starts_with(r#"{"ok":true"#), "{answer}");
        drop(e);
    }
    spent.sort_by(f64::total_cmp);
    println!(
        "load_catalog, 10,000 retail policies ({} bytes): best {:.2} ms, median {:.2} ms",
        load.len(),
        spent[0] * 1e3,
        spent[spent.len() / 2] * 1e3
    );
}
