//! `warranty._native`: the Python extension module (PyO3, abi3). It is as thin as the C and
//! WASM bindings: strings in, the dispatcher's strings out (PROTOCOL.md), byte for byte what
//! `wty call` answers. The Python layer (`python/warranty/__init__.py`) adds one function per
//! operation and raises `WarrantyError` on an `ok:false` answer.
//!
//! The GIL is released while Rust works, so threads answering batches run in parallel. An
//! `Engine` is shared between threads behind a mutex: its calls are serialised, never racing.

use std::sync::Mutex;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// Answers one request (a JSON object as text) with a fresh engine; returns the response
/// text. Never raises for a bad request: the answer is an `ok:false` envelope.
#[pyfunction]
fn call(py: Python<'_>, request: &str) -> String {
    let request = request.to_owned();
    py.detach(move || warranty_core::call(&request))
}

/// Answers an NDJSON stream (one request a line) with one engine; one response line per
/// non-blank request line, in order: the bytes of `wty call --ndjson`.
#[pyfunction]
fn call_ndjson(py: Python<'_>, requests: &str) -> String {
    let requests = requests.to_owned();
    py.detach(move || {
        let mut out = Vec::with_capacity(requests.len());
        warranty_core::Engine::new().call_ndjson(requests.as_bytes(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    })
}

/// An engine: catalogs and outboxes loaded once and kept between calls.
#[pyclass(module = "warranty._native", name = "Engine")]
struct Engine {
    inner: Mutex<warranty_core::Engine>,
}

impl Engine {
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut warranty_core::Engine) -> T + Send,
    ) -> PyResult<T> {
        py.detach(|| {
            let mut engine = self
                .inner
                .lock()
                .map_err(|_| PyRuntimeError::new_err("the engine was poisoned by a panic"))?;
            Ok(f(&mut engine))
        })
    }
}

#[pymethods]
impl Engine {
    #[new]
    fn new() -> Self {
        Engine {
            inner: Mutex::new(warranty_core::Engine::new()),
        }
    }

    /// Answers one request against this engine's catalogs and outboxes.
    fn call(&self, py: Python<'_>, request: &str) -> PyResult<String> {
        let request = request.to_owned();
        self.with(py, move |e| e.call(&request))
    }

    /// Answers an NDJSON stream against this engine, one response line per request line.
    fn call_ndjson(&self, py: Python<'_>, requests: &str) -> PyResult<String> {
        let requests = requests.to_owned();
        self.with(py, move |e| {
            let mut out = Vec::with_capacity(requests.len());
            e.call_ndjson(requests.as_bytes(), &mut out);
            String::from_utf8(out).unwrap_or_default()
        })
    }
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(call, m)?)?;
    m.add_function(wrap_pyfunction!(call_ndjson, m)?)?;
    m.add_class::<Engine>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
