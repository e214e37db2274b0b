//! Conformance vectors (PROTOCOL.md, "Conformance vectors"): `{"name", "request", "expect"}`,
//! where a response conforms when it matches `expect` as a subset.

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
}

/// Compares `actual` with `expected` as a subset: every key of an expected object is present
/// with a matching value, arrays have the same length and match element by element, scalars
/// are equal. Returns one line per mismatch (empty when it conforms).
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
    fn subset_semantics() {
        let a = json!({"ok": true, "result": {"x": 1, "y": [1, {"z": 2, "w": 3}]}});
        assert!(mismatches(&json!({"ok": true}), &a).is_empty());
        assert!(mismatches(&json!({"result": {"y": [1, {"z": 2}]}}), &a).is_empty());
        assert_eq!(mismatches(&json!({"result": {"y": [1]}}), &a).len(), 1);
        assert_eq!(mismatches(&json!({"result": {"x": 2}}), &a).len(), 1);
        assert_eq!(mismatches(&json!({"result": {"q": 2}}), &a).len(), 1);
        assert_eq!(mismatches(&json!({"ok": false}), &a).len(), 1);
    }
}
