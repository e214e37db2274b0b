use warranty_benches::retail_policies;
use warranty_core::Engine;
fn main() {
    let json = retail_policies(10_000, 22);
    let load = serde_json::json!({"op": "load_catalog", "name": "retail", "policies": json}).to_string();
    let mut all = Vec::new();
    for _ in 0..200 {
        let mut e = Engine::new();
        let t = std::time::Instant::now();
        let a = e.call(&load);
        all.push(t.elapsed().as_secs_f64());
        assert!(a.starts_with(r#"{"ok":true"#));
        drop(e);
    }
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    eprintln!("best {:.3} ms median {:.3} ms", all[0] * 1e3, all[100] * 1e3);
}
