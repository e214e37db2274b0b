//! The JSON protocol every binding shares (PROTOCOL.md, `docs/protocol.md`).
//!
//! [`call`] answers one request with a fresh, throw-away [`Engine`]; an [`Engine`] keeps named
//! catalogs and outboxes between calls. Both return the response as a compact JSON string:
//! the same bytes for the same request everywhere.
//!
//! - `ops.rs`: the operation table (names, request types, handlers), from which the
//!   operation lists and the dispatcher's match are generated;
//! - `parse.rs`: which operation a request names, its typed body, errors placed at their
//!   path (`crate::jsonpath`) and the response envelope; [`crate::strict`]: the JSON reader that
//!   refuses repeated keys;
//! - `rules_ops.rs`, `stack_ops.rs`, `outbox_ops.rs`, `partner_ops.rs`: the operations'
//!   request types and handlers, one file per area;
//! - [`conformance`]: the conformance-vector runner every binding's test suite shares.

pub mod conformance;
mod ops;
#[cfg(feature = "sync")]
mod outbox_ops;
mod parse;
#[cfg(feature = "sync")]
mod partner_ops;
#[cfg(test)]
mod path_tests;
mod rules_ops;
mod stack_ops;

use std::collections::BTreeMap;

use serde::de::IgnoredAny;

use crate::error::{Error, ErrorCode, Result};
use crate::warranty::catalog::Catalog;

pub use ops::{OPERATIONS, SYNC_OPERATIONS};
pub use parse::error_response;

/// The protocol version this dispatcher speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// The message of the `INTERNAL` answer a binding gives after catching a panic.
pub const PANIC_MESSAGE: &str =
    "internal error: the library panicked; the engine is still usable, please report the request";

/// The answer a binding gives when it caught a panic: an `INTERNAL` error (a bug in the
/// library, not in the request).
pub fn panic_response() -> String {
    error_response(&Error::internal(PANIC_MESSAGE))
}

/// Holds named catalogs, so that hosts load 10,000 policies once and resolve against them by
/// name, and named outboxes (the sync operations). An engine is used by one thread at a time
/// (`&mut self`); distinct engines are independent.
#[derive(Debug, Default)]
pub struct Engine {
    catalogs: BTreeMap<String, Catalog>,
    #[cfg(feature = "sync")]
    outboxes: BTreeMap<String, crate::sync::Outbox>,
}

/// Answers one request (a fresh engine each time: catalogs loaded here are dropped).
pub fn call(request: &str) -> String {
    Engine::new().call(request)
}

/// Like [`call`], for bytes that may not be UTF-8 (`INVALID_JSON` when they are not).
pub fn call_bytes(request: &[u8]) -> String {
    Engine::new().call_bytes(request)
}

impl Engine {
    /// An engine with no catalogs.
    pub fn new() -> Self {
        Engine::default()
    }

    /// Answers one request; see PROTOCOL.md.
    pub fn call(&mut self, request: &str) -> String {
        // Room for most answers (a `resolve` answer is about 300 bytes): growing the buffer
        // costs a reallocation, which in WebAssembly was 80 ns of a `resolve` in Node.
        let mut out = Vec::with_capacity(1024);
        self.call_to(request, &mut out);
        // Every byte written is serde_json output or ASCII: valid UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Answers one request given as bytes; invalid UTF-8 is an `INVALID_JSON` response.
    pub fn call_bytes(&mut self, request: &[u8]) -> String {
        match std::str::from_utf8(request) {
            Ok(s) => self.call(s),
            Err(e) => error_response(&Error {
                code: ErrorCode::InvalidJson,
                path: String::new(),
                message: format!(
                    "the request is not UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            }),
        }
    }

    /// Answers one request, appending the UTF-8 response to `out` (no trailing newline),
    /// and returns whether it is `ok:true`. The fastest entry point: results are serialized
    /// straight into `out`.
    pub fn call_to(&mut self, request: &str, out: &mut Vec<u8>) -> bool {
        let start = out.len();
        out.extend_from_slice(b"{\"ok\":true,\"result\":");
        match self.dispatch(request, out) {
            Ok(()) => {
                out.push(b'}');
                true
            }
            Err(e) => {
                out.truncate(start);
                out.extend_from_slice(error_response(&e).as_bytes());
                false
            }
        }
    }

    /// Answers one NDJSON line (surrounding ASCII whitespace ignored), appending the response
    /// and a `\n` to `out`. Returns `None` for a blank line (nothing written), otherwise
    /// `Some(ok)` with whether the response is `ok:true`. Every binding's batch call and the
    /// CLI's `call --ndjson` go through here, so they answer a stream the same way.
    pub fn call_line(&mut self, line: &[u8], out: &mut Vec<u8>) -> Option<bool> {
        let line = line.trim_ascii();
        if line.is_empty() {
            return None;
        }
        let ok = self.call_bytes_to(line, out);
        out.push(b'\n');
        Some(ok)
    }

    /// Answers one request given as bytes (the whole input is the request; invalid UTF-8 is
    /// an `INVALID_JSON` response), appending the response to `out`. Returns whether it is
    /// `ok:true`. What `wty call` and the C `wty_call` do.
    pub fn call_bytes_to(&mut self, request: &[u8], out: &mut Vec<u8>) -> bool {
        match std::str::from_utf8(request) {
            Ok(s) => self.call_to(s, out),
            Err(_) => {
                out.extend_from_slice(self.call_bytes(request).as_bytes());
                false
            }
        }
    }

    /// Answers a whole NDJSON stream held in memory: one response line per non-blank request
    /// line, in order, all through this engine. Returns `(answered, failed)`: how many
    /// requests were answered and how many of those answers are `ok:false`.
    pub fn call_ndjson(&mut self, input: &[u8], out: &mut Vec<u8>) -> (usize, usize) {
        let (mut answered, mut failed) = (0, 0);
        for line in input.split(|&b| b == b'\n') {
            if let Some(ok) = self.call_line(line, out) {
                answered = usize::saturating_add(answered, 1);
                failed = usize::saturating_add(failed, usize::from(!ok));
            }
        }
        (answered, failed)
    }

    /// A loaded catalog.
    pub fn catalog(&self, name: &str) -> Option<&Catalog> {
        self.catalogs.get(name)
    }

    /// Loads (or replaces) a catalog under `name`.
    pub fn insert_catalog(&mut self, name: impl Into<String>, catalog: Catalog) {
        self.catalogs.insert(name.into(), catalog);
    }

    /// Runs a request and writes the serialized `result` into `out`.
    fn dispatch(&mut self, request: &str, out: &mut Vec<u8>) -> Result<()> {
        let op = parse::peek_op(request)?;
        ops::run(self, &op, request, out).unwrap_or_else(|| Err(unknown_op(&op, request)))
    }
}

/// The answer to an operation this build does not have: not JSON first, then a sync
/// operation in a build without the sync layer (naming the module that has it), then a name
/// nobody has (listing the known ones).
fn unknown_op(op: &str, request: &str) -> Error {
    match serde_json::from_str::<IgnoredAny>(request) {
        Err(e) => parse::not_json(&e),
        Ok(_) if cfg!(not(feature = "sync")) && SYNC_OPERATIONS.contains(&op) => Error {
            code: ErrorCode::UnknownOp,
            path: "op".into(),
            message: format!(
                "`{op}` is a sync operation, not in this build: use the `warranty/sync` npm \
                 module, or build warranty-core with its `sync` feature"
            ),
        },
        Ok(_) => Error {
            code: ErrorCode::UnknownOp,
            path: "op".into(),
            message: format!(
                "`{op}` is not an operation; known: {}",
                OPERATIONS.join(", ")
            ),
        },
    }
}

#[cfg(test)]
mod build_tests {
    use super::*;

    #[test]
    fn every_operation_is_named_once_and_the_sync_ones_only_with_the_feature() {
        let mut all: Vec<&str> = OPERATIONS.to_vec();
        all.extend(SYNC_OPERATIONS.iter().filter(|op| !OPERATIONS.contains(op)));
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "an operation is listed twice");
        assert_eq!(
            SYNC_OPERATIONS.iter().all(|op| OPERATIONS.contains(op)),
            cfg!(feature = "sync")
        );
        assert!(OPERATIONS.contains(&"stack_coverage"));
    }

    #[test]
    fn a_sync_operation_answers_by_the_build() {
        let v: serde_json::Value = serde_json::from_str(&call(
            r#"{"op":"webhook_sign","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","id":"m","timestamp":1,"body":"{}"}"#,
        ))
        .unwrap();
        if cfg!(feature = "sync") {
            assert_eq!(v["ok"], true, "{v}");
        } else {
            assert_eq!(v["error"]["code"], "UNKNOWN_OP", "{v}");
            assert_eq!(v["error"]["path"], "op");
            let msg = v["error"]["message"].as_str().unwrap();
            assert!(msg.contains("`warranty/sync`"), "{msg}");
        }
        // An operation nobody has lists this build's operations.
        let v: serde_json::Value = serde_json::from_str(&call(r#"{"op":"nope"}"#)).unwrap();
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains("stack_coverage"));
        assert_eq!(msg.contains("outbox_create"), cfg!(feature = "sync"));
    }

    #[test]
    fn call_to_says_whether_the_answer_is_ok() {
        let mut e = Engine::new();
        let mut out = Vec::new();
        assert!(e.call_to(r#"{"op":"version"}"#, &mut out));
        assert!(!e.call_to(r#"{"op":"nope"}"#, &mut out));
        assert!(!e.call_bytes_to(b"\xff", &mut out));
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(r#"{"ok":true"#), "{text}");
        assert_eq!(text.matches(r#"{"ok":false"#).count(), 2, "{text}");
    }

    #[test]
    fn the_panic_answer_is_an_internal_error() {
        let v: serde_json::Value = serde_json::from_str(&panic_response()).unwrap();
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"]["code"], ErrorCode::Internal.as_str());
        assert_eq!(v["error"]["code"], "INTERNAL");
        assert_eq!(v["error"]["path"], "");
        assert_eq!(v["error"]["message"], PANIC_MESSAGE);
    }

    #[cfg(feature = "sync")]
    #[test]
    fn claim_changed_judges_the_transition_before_the_outbox() {
        let example: serde_json::Value = serde_json::from_str(include_str!(
            "../../../examples/claims/validate-tractor.json"
        ))
        .unwrap();
        let claim = &example["claim"];
        let number = claim["dms_claim_number"].clone();
        let t: serde_json::Value = serde_json::from_str(&call(
            &serde_json::json!({"op": "transition_claim",
                "state": {"claim": number, "status": "draft"}, "action": "submit",
                "actor": {"id": "u-1", "role": "sales_staff"}, "at": "2026-11-20T16:05:00+01:00"})
            .to_string(),
        ))
        .unwrap();
        let mut transition = t["result"].clone();
        transition["audit"]["reason"] = "edited".into();
        let v: serde_json::Value = serde_json::from_str(&call(
            &serde_json::json!({"op": "claim_changed", "outbox": "none", "claim": claim,
                "transition": transition, "now": "2026-11-20T16:05:00+01:00"})
            .to_string(),
        ))
        .unwrap();
        assert_eq!(v["error"]["path"], "transition.audit.hash", "{v}");
    }
}
