//! `warranty._native`: the Python extension module (PyO3, abi3). It is as thin as the C and
//! WASM bindings: strings in, the dispatcher's strings out (PROTOCOL.md), byte for byte what
//! `wty call` answers. The Python layer (`python/warranty/__init__.py`) adds one function per
//! operation and raises `WarrantyError` on an `ok:false` answer.
//!
//! The GIL is released while Rust works, so threads answering batches run in parallel. An
//! `Engine` is shared between threads behind a mutex: its calls are serialised, never racing.

mod arrow;
mod typed;

use std::sync::Mutex;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// The capsules of one exported record batch: `(schema, array)`.
type Capsules<'py> = (Bound<'py, PyCapsule>, Bound<'py, PyCapsule>);

/// Answers every row of a record batch (pyarrow's `__arrow_c_array__` capsules) with `engine`
/// and returns the answers' batch as capsules.
#[allow(
    clippy::too_many_arguments,
    reason = "the Python layer passes the options one by one"
)]
fn arrow_call<'py>(
    py: Python<'py>,
    engine: &Mutex<warranty_core::Engine>,
    op: String,
    schema: &Bound<'py, PyCapsule>,
    array: &Bound<'py, PyCapsule>,
    fixed: String,
    fields: Vec<String>,
    json_columns: Vec<String>,
    result: bool,
) -> PyResult<Capsules<'py>> {
    let options = arrow::Options {
        op,
        fixed,
        fields,
        json_columns,
        result,
    };
    with_batch(py, schema, array, |batch| {
        let mut engine = engine
            .lock()
            .map_err(|_| "the engine was poisoned by a panic".to_string())?;
        arrow::answer_batch(&mut engine, batch, &options)
    })
}

/// Imports a record batch from its capsules, answers it with `f` (the GIL released) and
/// exports the answers' batch as capsules.
fn with_batch<'py>(
    py: Python<'py>,
    schema: &Bound<'py, PyCapsule>,
    array: &Bound<'py, PyCapsule>,
    f: impl FnOnce(&arrow_array::RecordBatch) -> Result<arrow_array::RecordBatch, String> + Send,
) -> PyResult<Capsules<'py>> {
    use pyo3::types::PyCapsuleMethods;
    let schema_ptr = schema.pointer_checked(Some(c"arrow_schema"))?;
    let array_ptr = array.pointer_checked(Some(c"arrow_array"))?;
    // SAFETY: the capsules' names say they hold an `ArrowSchema` and an `ArrowArray` (the
    // PyCapsule protocol of the Arrow C Data Interface); the array is moved out of its capsule
    // (its release callback taken), the schema only read while the capsule lives.
    let batch = unsafe { arrow::import(schema_ptr.as_ptr().cast(), array_ptr.as_ptr().cast()) }
        .map_err(PyValueError::new_err)?;
    let out = py.detach(|| f(&batch));
    let (schema, array) =
        arrow::export(out.map_err(PyValueError::new_err)?).map_err(PyValueError::new_err)?;
    Ok((
        PyCapsule::new_with_value(py, schema, c"arrow_schema")?,
        PyCapsule::new_with_value(py, array, c"arrow_array")?,
    ))
}

/// `expiring` over a table of installed items, typed columns in and out (docs/python.md).
#[pyfunction]
fn expiring_arrow<'py>(
    py: Python<'py>,
    schema: &Bound<'py, PyCapsule>,
    array: &Bound<'py, PyCapsule>,
    fixed: String,
) -> PyResult<Capsules<'py>> {
    with_batch(py, schema, array, |batch| {
        typed::expiring_batch(batch, &fixed)
    })
}

/// [`arrow_call`] with a fresh engine.
#[pyfunction]
#[allow(
    clippy::too_many_arguments,
    reason = "the Python layer passes the options one by one"
)]
fn call_arrow<'py>(
    py: Python<'py>,
    op: String,
    schema: &Bound<'py, PyCapsule>,
    array: &Bound<'py, PyCapsule>,
    fixed: String,
    fields: Vec<String>,
    json_columns: Vec<String>,
    result: bool,
) -> PyResult<Capsules<'py>> {
    let engine = Mutex::new(warranty_core::Engine::new());
    arrow_call(
        py,
        &engine,
        op,
        schema,
        array,
        fixed,
        fields,
        json_columns,
        result,
    )
}

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

    /// Answers every row of a record batch against this engine (see `arrow_call`).
    #[allow(
        clippy::too_many_arguments,
        reason = "the Python layer passes the options one by one"
    )]
    fn call_arrow<'py>(
        &self,
        py: Python<'py>,
        op: String,
        schema: &Bound<'py, PyCapsule>,
        array: &Bound<'py, PyCapsule>,
        fixed: String,
        fields: Vec<String>,
        json_columns: Vec<String>,
        result: bool,
    ) -> PyResult<Capsules<'py>> {
        arrow_call(
            py,
            &self.inner,
            op,
            schema,
            array,
            fixed,
            fields,
            json_columns,
            result,
        )
    }

    /// `resolve` with the winner only for every row of a table of sold items, against one
    /// of this engine's catalogs: typed columns in and out (docs/python.md).
    fn resolve_arrow<'py>(
        &self,
        py: Python<'py>,
        schema: &Bound<'py, PyCapsule>,
        array: &Bound<'py, PyCapsule>,
        fixed: String,
    ) -> PyResult<Capsules<'py>> {
        with_batch(py, schema, array, |batch| {
            let mut engine = self
                .inner
                .lock()
                .map_err(|_| "the engine was poisoned by a panic".to_string())?;
            typed::resolve_batch(&mut engine, batch, &fixed)
        })
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
    m.add_function(wrap_pyfunction!(call_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(expiring_arrow, m)?)?;
    m.add_class::<Engine>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
