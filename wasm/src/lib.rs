//! The WASM binding: a thin adapter over the core's JSON dispatcher. The npm package in
//! `wasm/pkg` (built by `make wasm`) wraps these exports with typed helpers
//! (`wasm/js/api.js`) and TypeScript declarations (`wasm/js/index.d.ts`, `sync.d.ts`). Built
//! twice: without features it is the `warranty` module (the rules), with the `sync` feature
//! the `warranty/sync` module (the whole library).
//!
//! Responses are byte for byte what `wty call` prints (without its newline) and what
//! `wty_call` returns in C.

use warranty_core::Engine as CoreEngine;
use wasm_bindgen::prelude::wasm_bindgen;

/// Answers one PROTOCOL.md request with a fresh engine.
#[wasm_bindgen]
pub fn call(request: &str) -> String {
    warranty_core::call(request)
}

/// The library version, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    warranty_core::VERSION.to_string()
}

/// An engine keeps named catalogs between calls. Free it with `free()` (or let the garbage
/// collector do it: the package is built with weak references).
#[wasm_bindgen]
pub struct Engine {
    inner: CoreEngine,
}

#[wasm_bindgen]
impl Engine {
    /// An engine with no catalogs.
    #[wasm_bindgen(constructor)]
    #[allow(
        clippy::new_without_default,
        reason = "wasm-bindgen exposes `new` as the JS constructor; a Default impl would not reach JS"
    )]
    pub fn new() -> Engine {
        Engine {
            inner: CoreEngine::new(),
        }
    }

    /// Answers one request with this engine.
    pub fn call(&mut self, request: &str) -> String {
        self.inner.call(request)
    }

    /// Answers NDJSON (one request per line) exactly as `wty call --ndjson`.
    #[wasm_bindgen(js_name = callBatch)]
    pub fn call_batch(&mut self, requests: &str) -> String {
        let mut out = Vec::with_capacity(requests.len());
        self.inner.call_ndjson(requests.as_bytes(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binding_answers_like_the_core() {
        let req = r#"{"op":"version"}"#;
        assert_eq!(call(req), warranty_core::call(req));
        let mut e = Engine::new();
        assert_eq!(e.call(req), warranty_core::call(req));
        let batch = e.call_batch("{\"op\":\"version\"}\n\n{\"op\":\"x\"}\n");
        assert_eq!(batch.lines().count(), 2);
        assert_eq!(version(), warranty_core::VERSION);
    }
}
