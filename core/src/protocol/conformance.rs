//! Conformance vectors (PROTOCOL.md, "Conformance vectors"): `{"name", "request", "expect"}`,
//! where a response conforms when it matches `expect` as a subset, and scenarios
//! (`{"name", "steps"}`) whose steps share one engine. [`Case`] reads either from a file's
//! text and runs it; `wty conformance` and `core/tests/vectors.rs` (under `cargo test`) are
//! its two front ends, which read the files.

use serde::Deserialize;
use serde_json::Value;

/// One vector file.
#[derive(Clone, Debug, Deserialize)]
pub struct Vector {
    /// A unique, descriptive name.
    pub name: String,
    /// The request, sent as compact JSON.
    #[serde(default)]
    pub request: Value,
    /// The request as exact text, sent instead of `request` when present: for what a JSON
    /// value cannot hold (a repeated key) or bytes a host might send as they are.
    #[serde(default)]
    pub request_text: Option<String>,
    /// What the response must contain.
    pub expect: Value,
    /// Paths (`result.rows[2].max_repairs`) that must not be in the response: what a subset
    /// cannot say.
    #[serde(default)]
    pub absent: Vec<String>,
}

impl Vector {
    /// The request bytes to send: `request_text` when present, else `request` as compact JSON.
    pub fn request_text(&self) -> String {
        request_text(&self.request, self.request_text.as_deref())
    }
}

impl Step {
    /// The request bytes to send: `request_text` when present, else `request` as compact JSON.
    pub fn request_text(&self) -> String {
        request_text(&self.request, self.request_text.as_deref())
    }
}

/// A vector or a scenario, ready to run: its name and its steps (request bytes, expected
/// subset). A vector is one step.
#[derive(Clone, Debug)]
pub struct Case {
    /// The file's `name`.
    pub name: String,
    /// The requests in order, each with what its response must contain and the paths it
    /// must not contain.
    pub steps: Vec<(String, Value, Vec<String>)>,
}

/// Why a [`Case`] did not conform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFailure {
    /// The step that failed (0-based).
    pub step: usize,
    /// One line per mismatch ([`mismatches`]).
    pub mismatches: Vec<String>,
    /// The response that did not conform.
    pub response: String,
}

impl Case {
    /// Reads a vector or a scenario (a scenario has `steps`) from a file's text.
    pub fn parse(text: &str) -> Result<Case, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if v.get("steps").is_some() {
            let s: Scenario = serde_json::from_value(v).map_err(|e| e.to_string())?;
            let steps = s
                .steps
                .into_iter()
                .map(|st| (st.request_text(), st.expect, st.absent))
                .collect();
            Ok(Case {
                name: s.name,
                steps,
            })
        } else {
            let v: Vector = serde_json::from_value(v).map_err(|e| e.to_string())?;
            let text = v.request_text();
            Ok(Case {
                name: v.name,
                steps: vec![(text, v.expect, v.absent)],
            })
        }
    }

    /// Runs the steps through one fresh engine, stopping at the first that does not conform.
    pub fn run(&self) -> Result<(), CaseFailure> {
        let mut engine = crate::Engine::new();
        for (step, (request, expect, absent)) in self.steps.iter().enumerate() {
            let response = engine.call(request);
            let actual: Value = serde_json::from_str(&response).unwrap_or_default();
            let mut diff = mismatches(expect, &actual);
            for path in absent {
                if let Some(v) = lookup(&actual, path) {
                    diff.push(format!("{path}: expected absent, got {v}"));
                }
            }
            if !diff.is_empty() {
                return Err(CaseFailure {
                    step,
                    mismatches: diff,
                    response,
                });
            }
        }
        Ok(())
    }
}

fn request_text(request: &Value, text: Option<&str>) -> String {
    match text {
        Some(t) => t.to_string(),
        None => request.to_string(),
    }
}

/// A scenario (tests/scenarios): requests sent in order through one engine, each with what
/// its response must contain. For stateful operations (outboxes, loaded catalogs).
#[derive(Clone, Debug, Deserialize)]
pub struct Scenario {
    /// A unique, descriptive name.
    pub name: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step of a [`Scenario`].
#[derive(Clone, Debug, Deserialize)]
pub struct Step {
    /// The request, sent as compact JSON.
    #[serde(default)]
    pub request: Value,
    /// The request as exact text, sent instead of `request` when present.
    #[serde(default)]
    pub request_text: Option<String>,
    /// What the response must contain.
    pub expect: Value,
    /// Paths that must not be in the response.
    #[serde(default)]
    pub absent: Vec<String>,
}

/// The value at `path` (`a.b[2].c`, the error paths' syntax), if there is one.
pub fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let mut at = value;
    for part in path.split('.') {
        let (key, indexes) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            at = at.get(key)?;
        }
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            let i: usize = index.strip_suffix(']')?.parse().ok()?;
            at = at.get(i)?;
        }
    }
    Some(at)
}

/// Compares `actual` with `expected` as a subset: every key of an expected object is present
/// with a matching value, arrays have the same length and match element by element, scalars
/// are equal (numbers by value). Returns one line per mismatch (empty when it conforms).
pub fn mismatches(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(expected, actual, "", &mut out);
    out
}

fn walk(e: &Value, a: &Value, path: &str, out: &mut Vec<String>) {
    let at = if path.is_empty() { "(root)" } else { path };
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            for (k, ev) in eo {
                let p = crate::error::join_path(path, k);
                match ao.get(k) {
                    Some(av) => walk(ev, av, &p, out),
                    None => out.push(format!("{p}: expected {ev}, but the key is missing")),
                }
            }
        }
        (Value::Array(ea), Value::Array(aa)) => {
            if ea.len() != aa.len() {
                out.push(format!(
                    "{at}: expected {} elements {e}, got {} elements {a}",
                    ea.len(),
                    aa.len()
                ));
            } else {
                for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                    walk(ev, av, &format!("{path}[{i}]"), out);
                }
            }
        }
        // Numbers are equal by value (`499.0` is `499`), exactly where both are decimals.
        (Value::Number(x), Value::Number(y)) => {
            let (xs, ys) = (x.to_string(), y.to_string());
            let equal = match (
                crate::num::exact_decimal(&xs),
                crate::num::exact_decimal(&ys),
            ) {
                (Some(p), Some(q)) => p == q,
                _ => xs == ys || (x.as_f64().is_some() && x.as_f64() == y.as_f64()),
            };
            if !equal {
                out.push(format!("{at}: expected {e}, got {a}"));
            }
        }
        _ => {
            if e != a {
                out.push(format!("{at}: expected {e}, got {a}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_paths() {
        let v = json!({"result": {"rows": [{"a": 1}, {"a": 2, "b": null}]}});
        assert_eq!(lookup(&v, "result.rows[1].a"), Some(&json!(2)));
        assert_eq!(lookup(&v, "result.rows[1].b"), Some(&Value::Null));
        assert_eq!(lookup(&v, "result.rows[0].b"), None);
        assert_eq!(lookup(&v, "result.rows[2]"), None);
        let case = Case::parse(
            r#"{"name": "n", "request": {"op": "version"}, "expect": {"ok": true}, "absent": ["result.operations"]}"#,
        )
        .unwrap();
        let fail = case.run().unwrap_err();
        assert!(fail.mismatches[0].starts_with("result.operations: expected absent"));
    }

    #[test]
    fn subset_semantics() {
        let a = json!({"ok": true, "result": {"x": 1, "y": [1, {"z": 2, "w": 3}]}});
        assert!(mismatches(&json!({"ok": true}), &a).is_empty());
        assert!(mismatches(&json!({"result": {"y": [1, {"z": 2}]}}), &a).is_empty());
        assert_eq!(mismatches(&json!({"result": {"y": [1]}}), &a).len(), 1);
        assert_eq!(mismatches(&json!({"result": {"x": 2}}), &a).len(), 1);
        assert_eq!(mismatches(&json!({"result": {"q": 2}}), &a).len(), 1);
        assert_eq!(mismatches(&json!({"ok": false}), &a).len(), 1);
    }

    #[test]
    fn numbers_match_by_value() {
        let n = |t: &str| serde_json::from_str::<Value>(t).unwrap();
        assert!(mismatches(&n("499.0"), &n("499")).is_empty());
        assert!(mismatches(&n("0.0"), &n("0.00")).is_empty());
        assert!(mismatches(&n("1.5e3"), &n("1500")).is_empty());
        assert!(mismatches(&n("1e300"), &n("1e300")).is_empty());
        assert_eq!(mismatches(&n("1.5"), &n("1.25")).len(), 1);
        assert_eq!(mismatches(&n("1"), &n("\"1\"")).len(), 1);
    }
}
