//! Writes N hostile requests as NDJSON to stdout for the hostile-input run
//! (`scripts/hostile-run.sh`, docs/fuzzing.md): every vector's request mutated
//! structurally (a node replaced by another type, a key dropped or added, an object turned
//! into an array, a key repeated, deep nesting, huge numbers, odd text) and byte by byte
//! (characters flipped, inserted, deleted; truncation); one request in three instead keeps
//! its shape and gets extreme values (`warranty_core::fuzz_hooks::extreme`: decimals at
//! ±(2⁹⁶−1) and 28 places, years 1 and 9999, offsets ±23:59, arrays of up to 1,000
//! elements). The operation is drawn first, uniformly over every operation of the table,
//! then one of its vectors: every operation gets its share (and one without a vector stops
//! the generator). Lines are valid UTF-8 without NUL or
//! newline, so the same bytes can be sent through the CLI, `wty_call_batch` and the WASM
//! module's `callBatch`. Deterministic: the same N and seed give the same file.
//!
//! usage: gen_hostile VECTOR_DIR[:SCENARIO_DIR…] N [SEED] > hostile.ndjson
//!
//! Scenarios give each of their steps' requests (stateful operations such as `claim_changed`
//! have their vectors there).

#![allow(
    clippy::indexing_slicing,
    reason = "a test-data generator: every index is below the length it was drawn from"
)]

use std::io::Write;

use serde_json::Value;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
}

const ODD: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "é",
    "💥",
    "\u{202e}",
    "\\",
    "\"",
    "2026-02-30T10:00:00+01:00",
    "2026-03-29T02:30:00+02:00[Europe/Berlin]",
    "9999-12-31T23:59:59+14:00",
    "-0001-01-01T00:00:00Z",
    "Europe/Atlantis",
    "UTC",
    "+99:99",
    "NaN",
    "1e309",
    "-1",
    "18446744073709551616",
    "whsec_",
    "whsec_!!!",
    "DEFECT",
    "claim",
    "{}",
    "[]",
    "null",
];

fn replacement(rng: &mut Rng) -> Value {
    match rng.below(14) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => serde_json::json!(-1),
        3 => serde_json::json!(1.5e300),
        4 => serde_json::json!(u64::MAX),
        5 => serde_json::json!(i64::MIN),
        6 => Value::from(ODD[rng.below(ODD.len())]),
        7 => serde_json::json!({}),
        8 => serde_json::json!([]),
        9 => serde_json::json!({"zz_unknown": [1, {"x": null}]}),
        10 => Value::from("x".repeat(rng.below(600))),
        11 => {
            let mut v = Value::from(1);
            for _ in 0..rng.below(200) {
                v = Value::Array(vec![v]);
            }
            v
        }
        12 => Value::Array((0..rng.below(40)).map(|i| Value::from(i as u64)).collect()),
        _ => Value::from(format!("{}", rng.next())),
    }
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Object(m) => m.values().map(count).sum(),
        Value::Array(a) => a.iter().map(count).sum(),
        _ => 0,
    }
}

fn mutate(v: &mut Value, k: &mut usize, rng: &mut Rng) -> bool {
    if *k == 0 {
        match (rng.below(5), &mut *v) {
            (0, Value::Object(m)) if !m.is_empty() => {
                let key = m
                    .keys()
                    .nth(rng.below(m.len()))
                    .cloned()
                    .unwrap_or_default();
                m.remove(&key);
            }
            (1, Value::Object(m)) => {
                m.insert("zz_unknown".into(), replacement(rng));
            }
            (2, Value::Object(m)) => {
                *v = Value::Array(m.values().cloned().collect());
            }
            _ => *v = replacement(rng),
        }
        return true;
    }
    *k -= 1;
    match v {
        Value::Object(m) => m.values_mut().any(|c| mutate(c, k, rng)),
        Value::Array(a) => a.iter_mut().any(|c| mutate(c, k, rng)),
        _ => false,
    }
}

fn byte_mutate(s: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for _ in 0..1 + rng.below(4) {
        if chars.is_empty() {
            break;
        }
        let i = rng.below(chars.len());
        let c = b" {}[]\":,0123456789-+.eEtrufalsn\\x"[rng.below(33)] as char;
        match rng.below(4) {
            0 => chars[i] = c,
            1 => chars.insert(i, c),
            2 => {
                chars.remove(i);
            }
            _ => chars.truncate(i),
        }
    }
    chars.into_iter().collect()
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(n)) = (
        args.get(1),
        args.get(2).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: gen_hostile VECTOR_DIR N [SEED]");
        std::process::exit(2);
    };
    let seed = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15u64);
    let mut by_op: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    let mut paths = Vec::new();
    for d in dir.split(':') {
        for e in std::fs::read_dir(d)? {
            paths.push(e?.path());
        }
    }
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p)?;
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let steps = match v["steps"].as_array() {
            Some(steps) => steps.iter().map(|s| s["request"].clone()).collect(),
            None => vec![v["request"].clone()],
        };
        for r in steps {
            if let Some(op) = r["op"].as_str() {
                by_op.entry(op.to_string()).or_default().push(r.clone());
            }
        }
    }
    let missing: Vec<&str> = warranty_core::protocol::OPERATIONS
        .iter()
        .copied()
        .filter(|op| !by_op.contains_key(*op))
        .collect();
    if !missing.is_empty() {
        eprintln!("gen_hostile: no vector in {dir} for {}", missing.join(", "));
        std::process::exit(2);
    }
    // Operations the table does not name (a vector for an unknown op) stay in the draw.
    let requests: Vec<Vec<Value>> = by_op.into_values().collect();
    let mut rng = Rng(seed | 1);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for _ in 0..n {
        let of_op = &requests[rng.below(requests.len())];
        let mut req = of_op[rng.below(of_op.len())].clone();
        let extreme = rng.below(3) == 0;
        if extreme {
            warranty_core::fuzz_hooks::extreme(&mut req, &mut |n| rng.below(n), 1_000);
        } else {
            for _ in 0..1 + rng.below(3) {
                let mut k = rng.below(count(&req));
                mutate(&mut req, &mut k, &mut rng);
            }
        }
        let mut line = req.to_string();
        match if extreme { 5 } else { rng.below(6) } {
            0 => line = byte_mutate(&line, &mut rng),
            1 => {
                // Repeat the first key: `{"op":"x",...` → `{"op":"x","op":"x",...`.
                if let Some(end) = line.find(',') {
                    let first = line[1..end].to_string();
                    line.insert_str(end + 1, &format!("{first},"));
                }
            }
            _ => {}
        }
        let line: String = line
            .chars()
            .filter(|&c| c != '\n' && c != '\r' && c != '\0')
            .collect();
        // A blank line would get no answer: keep one answer per line.
        let line = if line.trim().is_empty() {
            "x".to_string()
        } else {
            line
        };
        writeln!(out, "{line}")?;
    }
    out.flush()
}
