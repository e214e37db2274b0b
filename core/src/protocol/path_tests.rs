//! Differential test: error paths found from positions (`jsonpath`) against
//! `serde_path_to_error`, on every vector's request mutated many ways.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

use super::ops::check_paths as check;
use super::parse::{clean, missing_field, not_json, parse, syntax_error};
use crate::error::{Error, Result};

fn reference<T: DeserializeOwned>(request: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(request);
    let v: T = serde_path_to_error::deserialize(crate::strict::Strict(&mut de)).map_err(|e| {
        if e.inner().is_syntax() || e.inner().is_eof() {
            if serde_json::from_str::<IgnoredAny>(request).is_ok() {
                let path = e.path().to_string();
                let path = if path == "." { String::new() } else { path };
                return Error::invalid(path, syntax_error(request, e.inner()).message);
            }
            return not_json(e.inner());
        }
        if let Err(j) = serde_json::from_str::<IgnoredAny>(request) {
            return not_json(&j);
        }
        let path = e.path().to_string();
        let msg = clean(e.inner().to_string());
        let path = if path == "." { String::new() } else { path };
        let path = match missing_field(&msg) {
            Some(f) => crate::error::join_path(&path, f),
            None => path,
        };
        Error::invalid(path, msg)
    })?;
    de.end().map_err(|e| not_json(&e))?;
    Ok(v)
}

pub(super) fn same<T: DeserializeOwned>(req: &str) -> std::result::Result<(), String> {
    let a = parse::<T>(req).err();
    // Intended difference: our messages name the number serde's type error no longer names
    // (`jsonpath::name_the_number`); the reference gets the same treatment at the same path.
    let b = reference::<T>(req).err().map(|mut e| {
        if let Some(a) = &a {
            let rest = crate::jsonpath::serde_number_rest(&e.message).map(str::to_string);
            if let (true, Some(rest)) = (a.path == e.path, rest) {
                if let Some((head, _)) = a.message.split_once("`, ") {
                    e.message = format!("{head}`{rest}");
                }
            }
        }
        e
    });
    // Intended difference: an unknown key inside a `covers` entry is reported at that
    // key (as for every other unknown field); the tracking deserializer names the entry.
    let cover_key = |a: &Option<Error>, b: &Option<Error>| match (a, b) {
        (Some(a), Some(b)) => {
            a.message == b.message
                && a.message.starts_with("unknown field")
                && b.path.ends_with(']')
                && a.path.starts_with(&format!("{}.", b.path))
        }
        _ => false,
    };
    if a == b || cover_key(&a, &b) {
        Ok(())
    } else {
        Err(format!("{req}\n  positions: {a:?}\n  reference: {b:?}"))
    }
}

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

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Object(m) => m.values().map(count).sum(),
        Value::Array(a) => a.iter().map(count).sum(),
        _ => 0,
    }
}

fn replacement(rng: &mut Rng) -> Value {
    match rng.below(12) {
        0 => Value::Null,
        1 => Value::Bool(true),
        2 => serde_json::json!(-1),
        3 => serde_json::json!(1.5),
        4 => serde_json::json!(""),
        5 => serde_json::json!("2026-02-30T10:00:00+01:00"),
        6 => serde_json::json!("Europe/Atlantis"),
        7 => serde_json::json!({}),
        8 => serde_json::json!([]),
        9 => serde_json::json!({"unknown": 1}),
        10 => serde_json::json!([{"x": "y"}]),
        _ => serde_json::json!("x\"y\n"),
    }
}

/// Mutates the `k`-th node (pre-order): replace it, drop a key, or add an unknown key.
fn mutate(v: &mut Value, k: &mut usize, rng: &mut Rng) -> bool {
    if *k == 0 {
        match (rng.below(4), &mut *v) {
            (0, Value::Object(m)) if !m.is_empty() => {
                let key = m
                    .keys()
                    .nth(rng.below(m.len()))
                    .cloned()
                    .unwrap_or_default();
                m.remove(&key);
            }
            (1, Value::Object(m)) => {
                m.insert("zz_unknown".into(), Value::Null);
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

#[test]
fn error_paths_from_positions_match_a_tracking_deserializer() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors");
    let mut requests: Vec<Value> = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        if v["request"].is_object() {
            requests.push(v["request"].clone());
        }
    }
    assert!(requests.len() > 300);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut failures = Vec::new();
    for case in 0..40_000 {
        let mut req = requests[rng.below(requests.len())].clone();
        let op = req["op"].as_str().unwrap_or("").to_string();
        let mut k = 1 + rng.below(count(&req).saturating_sub(1));
        mutate(&mut req, &mut k, &mut rng);
        let text = if case % 3 == 0 {
            serde_json::to_string_pretty(&req).unwrap()
        } else {
            req.to_string()
        };
        if let Err(e) = check(&op, &text) {
            failures.push(e);
        }
    }
    let mut kinds: Vec<String> = failures
        .iter()
        .map(|f| {
            f.lines()
                .skip_while(|l| !l.starts_with("  positions"))
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .collect();
    kinds.sort();
    kinds.dedup_by(|a, b| a.get(..60) == b.get(..60));
    assert!(
        failures.is_empty(),
        "{} differences, kinds:\n{}",
        failures.len(),
        kinds.join("\n")
    );
}
