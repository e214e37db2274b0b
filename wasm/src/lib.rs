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
    /// The request buffer of [`Engine::call_in_place`]: JavaScript writes a request's UTF-8
    /// here (its address from [`Engine::request_buffer`]).
    request: Vec<u8>,
    /// The answer of the last [`Engine::call_in_place`]: its length (u32, little-endian),
    /// then its bytes.
    answer: Vec<u8>,
}

/// An answer buffer larger than this after a big answer is given back before the next call.
const ANSWER_KEEP: usize = 64 * 1024;

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
            request: Vec::new(),
            answer: Vec::new(),
        }
    }

    /// Makes the request buffer at least `len` bytes long (a new buffer of zeros when it is
    /// shorter) and returns its address in the module's memory, valid until the next
    /// `request_buffer`.
    #[wasm_bindgen(js_name = requestBuffer)]
    pub fn request_buffer(&mut self, len: usize) -> usize {
        if self.request.len() < len {
            self.request = vec![0; len];
        }
        self.request.as_ptr() as usize
    }

    /// Answers the request in the first `len` bytes of the request buffer (invalid UTF-8 is
    /// an `INVALID_JSON` answer, as for any byte input) and returns the address of the answer
    /// buffer: the answer's length as a little-endian u32, then the answer. The answer is
    /// [`Engine::call`]'s, byte for byte; it stays there until the next call. What the
    /// package's `Engine.call` uses for requests that fit, saving the string copies and the
    /// allocations of a `String` argument and result.
    #[wasm_bindgen(js_name = callInPlace)]
    pub fn call_in_place(&mut self, len: usize) -> usize {
        let Engine {
            inner,
            request,
            answer,
        } = self;
        if answer.capacity() > ANSWER_KEEP {
            *answer = Vec::new();
        }
        answer.clear();
        answer.extend_from_slice(&[0; 4]);
        inner.call_bytes_to(request.get(..len).unwrap_or_default(), answer);
        let n = u32::try_from(answer.len().saturating_sub(4)).unwrap_or(u32::MAX);
        if let Some(head) = answer.get_mut(..4) {
            head.copy_from_slice(&n.to_le_bytes());
        }
        answer.as_ptr() as usize
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
