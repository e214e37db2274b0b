//! The C ABI of the warranty library (`include/warranty.h`, `libwarranty.a`, `libwarranty.so`).
//!
//! A thin adapter over the core's JSON dispatcher: every operation the dispatcher knows is
//! reachable through [`wty_call`] with no change here. Responses are byte for byte what
//! `wty call` prints (without its trailing newline).
//!
//! Rules every export follows (see `docs/c-api.md`):
//! - a NULL argument is [`wty_status::WTY_NULL_ARGUMENT`], never a crash;
//! - a panic is caught at the boundary and becomes [`wty_status::WTY_PANIC`]; the engine stays
//!   usable;
//! - every string handed out is freed with [`wty_string_free`] (not libc `free()`), every
//!   engine with [`wty_engine_free`]; both accept NULL.

#![allow(
    non_camel_case_types,
    reason = "C names: the header's types are snake_case as C hosts expect"
)]

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use warranty_core::Engine;

/// Major version of the library this header belongs to.
pub const WTY_VERSION_MAJOR: u32 = 0;
/// Minor version of the library this header belongs to.
pub const WTY_VERSION_MINOR: u32 = 1;
/// Patch version of the library this header belongs to.
pub const WTY_VERSION_PATCH: u32 = 0;

/// The response written when a panic was caught at the boundary (a bug in the library): the
/// core's `INTERNAL` error.
fn panic_response() -> Vec<u8> {
    warranty_core::protocol::panic_response().into_bytes()
}

/// What a call returns. The response itself says more (`error.code`, `error.path`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum wty_status {
    /// The response is `{"ok":true,…}` (for a batch: every response is).
    WTY_OK = 0,
    /// The response is `{"ok":false,"error":{…}}` (for a batch: at least one is).
    WTY_INVALID = 1,
    /// An argument was NULL; nothing was done and, when `response_json` itself is not NULL,
    /// `*response_json` is set to NULL.
    WTY_NULL_ARGUMENT = 2,
    /// The library panicked (a bug). The response is an `INTERNAL` error object; the engine
    /// stays usable.
    WTY_PANIC = 3,
}

/// An engine: named catalogs loaded once and used by later calls.
///
/// Thread safety: an engine is used by one thread at a time (calls on the same engine must not
/// overlap); distinct engines are fully independent and may be used from different threads at
/// once. An engine may be moved between threads.
pub struct wty_engine {
    inner: Engine,
}

/// Runs `f` behind the panic boundary: `Err(())` when it panicked.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, ()> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| ())
}

/// The library version as a static NUL-terminated string, e.g. `"0.1.0"`.
///
/// Never NULL; do not free it. Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn wty_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

/// Creates an engine with no catalogs. Free it with `wty_engine_free`.
///
/// Returns NULL only when memory is exhausted. Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn wty_engine_new() -> *mut wty_engine {
    match guarded(|| {
        Box::new(wty_engine {
            inner: Engine::new(),
        })
    }) {
        Ok(b) => Box::into_raw(b),
        Err(()) => ptr::null_mut(),
    }
}

/// Frees an engine and everything loaded into it. NULL is a no-op.
///
/// # Safety
/// `engine` is NULL or a pointer from `wty_engine_new` that was not freed yet and is not in use
/// by another thread.
#[no_mangle]
pub unsafe extern "C" fn wty_engine_free(engine: *mut wty_engine) {
    if engine.is_null() {
        return;
    }
    // SAFETY: the caller hands back a pointer from `Box::into_raw` in `wty_engine_new`, once.
    let engine = unsafe { Box::from_raw(engine) };
    let _ = guarded(move || drop(engine));
}

/// Answers one request (a PROTOCOL.md JSON object, NUL-terminated UTF-8) with `engine`.
///
/// Writes a newly allocated NUL-terminated JSON response to `*response_json` (free it with
/// `wty_string_free`): byte for byte what `wty call` prints, without the trailing newline.
/// Returns `WTY_OK` for `{"ok":true,…}`, `WTY_INVALID` for `{"ok":false,…}` (invalid UTF-8 is
/// an `INVALID_JSON` response), `WTY_NULL_ARGUMENT` when an argument is NULL (then
/// `*response_json` is NULL when it can be written), `WTY_PANIC` after a caught panic.
///
/// Thread safety: one thread at a time per engine; distinct engines in parallel.
///
/// # Safety
/// `engine` is NULL or a live engine; `request_json` is NULL or a NUL-terminated string;
/// `response_json` is NULL or points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn wty_call(
    engine: *mut wty_engine,
    request_json: *const c_char,
    response_json: *mut *mut c_char,
) -> wty_status {
    // SAFETY: forwarded contract; `engine` is checked for NULL inside and, when not NULL, is a
    // live engine used by this thread only.
    let engine = unsafe { engine.as_mut() };
    match engine {
        // SAFETY: forwarded contract.
        Some(e) => unsafe {
            answer(request_json, response_json, |req, out| {
                e.inner.call_bytes_to(req, out)
            })
        },
        None => {
            // SAFETY: forwarded contract.
            unsafe { clear(response_json) };
            wty_status::WTY_NULL_ARGUMENT
        }
    }
}

/// Answers one request with a fresh engine that is dropped afterwards (catalogs loaded by the
/// request are not kept). Same response and statuses as `wty_call`.
///
/// Thread safety: safe from any thread, at any time.
///
/// # Safety
/// As `wty_call`, without the engine.
#[no_mangle]
pub unsafe extern "C" fn wty_call_once(
    request_json: *const c_char,
    response_json: *mut *mut c_char,
) -> wty_status {
    // SAFETY: forwarded contract.
    unsafe {
        answer(request_json, response_json, |req, out| {
            Engine::new().call_bytes_to(req, out)
        })
    }
}

/// Answers NDJSON: one request per line (blank lines skipped), all through `engine` in order,
/// exactly as `wty call --ndjson`. Writes the responses, one per line, each ending in `\n`, to
/// `*responses_ndjson` (free it with `wty_string_free`; empty input gives `""`).
///
/// Returns `WTY_OK` when every response is `ok:true`, `WTY_INVALID` when at least one is
/// `ok:false`, `WTY_NULL_ARGUMENT`, or `WTY_PANIC` (then `*responses_ndjson` is the `INTERNAL` error
/// object alone; requests before the panic may have changed the engine).
///
/// Thread safety: one thread at a time per engine; distinct engines in parallel.
///
/// # Safety
/// As `wty_call`.
#[no_mangle]
pub unsafe extern "C" fn wty_call_batch(
    engine: *mut wty_engine,
    requests_ndjson: *const c_char,
    responses_ndjson: *mut *mut c_char,
) -> wty_status {
    // SAFETY: forwarded contract.
    let engine = unsafe { engine.as_mut() };
    match engine {
        // SAFETY: forwarded contract.
        Some(e) => unsafe {
            answer(requests_ndjson, responses_ndjson, |req, out| {
                let (_, failed) = e.inner.call_ndjson(req, out);
                failed == 0
            })
        },
        None => {
            // SAFETY: forwarded contract.
            unsafe { clear(responses_ndjson) };
            wty_status::WTY_NULL_ARGUMENT
        }
    }
}

/// Frees a string returned by this library. NULL is a no-op. Not libc `free()`; never pass a
/// string that did not come from this library, nor the same string twice.
///
/// # Safety
/// `s` is NULL or a string returned through `response_json` / `responses_ndjson` that was not
/// freed yet.
#[no_mangle]
pub unsafe extern "C" fn wty_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    // SAFETY: `s` came from `CString::into_raw` in `answer`, once.
    let s = unsafe { CString::from_raw(s) };
    let _ = guarded(move || drop(s));
}

/// Sets `*out` to NULL when `out` is not NULL.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn clear(out: *mut *mut c_char) {
    if !out.is_null() {
        // SAFETY: not NULL and writable by the caller's contract.
        unsafe { *out = ptr::null_mut() };
    }
}

/// The shared body of the calls: checks the arguments, runs `run` behind the panic boundary
/// with the request bytes and an output buffer (`run` returns whether the answer is ok), and
/// hands the buffer out as a C string.
///
/// # Safety
/// `request` is NULL or NUL-terminated; `out` is NULL or writable.
unsafe fn answer(
    request: *const c_char,
    out: *mut *mut c_char,
    run: impl FnOnce(&[u8], &mut Vec<u8>) -> bool,
) -> wty_status {
    if out.is_null() {
        return wty_status::WTY_NULL_ARGUMENT;
    }
    // SAFETY: `out` is not NULL and writable by contract.
    unsafe { *out = ptr::null_mut() };
    if request.is_null() {
        return wty_status::WTY_NULL_ARGUMENT;
    }
    // SAFETY: not NULL and NUL-terminated by contract; read only during this call.
    let request = unsafe { CStr::from_ptr(request) }.to_bytes();
    let (bytes, status) = match guarded(|| {
        let mut buf = Vec::with_capacity(256);
        let ok = run(request, &mut buf);
        (buf, ok)
    }) {
        Ok((buf, true)) => (buf, wty_status::WTY_OK),
        Ok((buf, false)) => (buf, wty_status::WTY_INVALID),
        Err(()) => (panic_response(), wty_status::WTY_PANIC),
    };
    // JSON output escapes every control character, so it holds no NUL byte; should one ever
    // appear, the caller gets the INTERNAL error instead of a truncated string.
    let c =
        CString::new(bytes).unwrap_or_else(|_| CString::new(panic_response()).unwrap_or_default());
    // SAFETY: `out` is not NULL and writable by contract.
    unsafe { *out = c.into_raw() };
    status
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]
mod tests {
    use super::*;

    fn call(engine: *mut wty_engine, req: &[u8]) -> (wty_status, String) {
        let req = CString::new(req).unwrap();
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: valid pointers for the duration of the call.
        let st = unsafe { wty_call(engine, req.as_ptr(), &mut out) };
        assert!(!out.is_null());
        // SAFETY: `out` came from the library.
        let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
        // SAFETY: freed once.
        unsafe { wty_string_free(out) };
        (st, s)
    }

    #[test]
    fn version_matches_cargo_and_constants() {
        // SAFETY: static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(wty_version()) }.to_str().unwrap();
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
        assert_eq!(v, warranty_core::VERSION);
        // The header's string macro (written by cbindgen.toml) names the same version.
        let header = include_str!("../../include/warranty.h");
        assert!(header.contains(&format!("#define WTY_VERSION \"{v}\"\n")));
        let parts: Vec<u32> = v.split('.').map(|p| p.parse().unwrap()).collect();
        assert_eq!(
            parts,
            [WTY_VERSION_MAJOR, WTY_VERSION_MINOR, WTY_VERSION_PATCH]
        );
        for (name, n) in ["MAJOR", "MINOR", "PATCH"].iter().zip(&parts) {
            assert!(header.contains(&format!("#define WTY_VERSION_{name} {n}\n")));
        }
    }

    #[test]
    fn statuses_follow_the_response() {
        let e = wty_engine_new();
        let (st, s) = call(e, br#"{"op":"version"}"#);
        assert_eq!(st, wty_status::WTY_OK);
        assert_eq!(s, warranty_core::call(r#"{"op":"version"}"#));
        let (st, s) = call(e, b"{\"op\":\"nope\"}");
        assert_eq!(st, wty_status::WTY_INVALID);
        assert!(s.contains("UNKNOWN_OP"), "{s}");
        let (st, s) = call(e, b"\xff\xfe");
        assert_eq!(st, wty_status::WTY_INVALID);
        assert!(s.contains("INVALID_JSON"), "{s}");
        // SAFETY: freed once.
        unsafe { wty_engine_free(e) };
    }

    #[test]
    fn null_arguments_are_a_status() {
        let req = CString::new("{}").unwrap();
        let mut out: *mut c_char = 1 as *mut c_char;
        // SAFETY: NULL engine is allowed by the contract.
        let st = unsafe { wty_call(ptr::null_mut(), req.as_ptr(), &mut out) };
        assert_eq!(st, wty_status::WTY_NULL_ARGUMENT);
        assert!(out.is_null());
        let e = wty_engine_new();
        out = 1 as *mut c_char;
        // SAFETY: NULL request is allowed by the contract.
        let st = unsafe { wty_call(e, ptr::null(), &mut out) };
        assert_eq!(st, wty_status::WTY_NULL_ARGUMENT);
        assert!(out.is_null());
        // SAFETY: NULL out is allowed by the contract.
        let st = unsafe { wty_call_batch(e, req.as_ptr(), ptr::null_mut()) };
        assert_eq!(st, wty_status::WTY_NULL_ARGUMENT);
        // SAFETY: NULL is a no-op.
        unsafe {
            wty_string_free(ptr::null_mut());
            wty_engine_free(ptr::null_mut());
            wty_engine_free(e);
        }
    }

    #[test]
    fn a_panic_becomes_a_status_and_an_internal_error() {
        let mut out: *mut c_char = ptr::null_mut();
        let req = CString::new("{}").unwrap();
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        // SAFETY: valid pointers.
        let st = unsafe { answer(req.as_ptr(), &mut out, |_, _| panic!("boom")) };
        std::panic::set_hook(prev);
        assert_eq!(st, wty_status::WTY_PANIC);
        // SAFETY: from the library.
        let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
        // SAFETY: freed once.
        unsafe { wty_string_free(out) };
        assert_eq!(
            s,
            "{\"ok\":false,\"error\":{\"code\":\"INTERNAL\",\"path\":\"\",\"message\":\"internal error: the library panicked; the engine is still usable, please report the request\"}}"
        );
    }

    #[test]
    fn batch_answers_like_the_cli_stream() {
        let e = wty_engine_new();
        let input = CString::new("{\"op\":\"version\"}\n\n  \n{\"op\":\"x\"}\n").unwrap();
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: valid pointers.
        let st = unsafe { wty_call_batch(e, input.as_ptr(), &mut out) };
        assert_eq!(st, wty_status::WTY_INVALID);
        // SAFETY: from the library.
        let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(s.ends_with('\n'));
        // SAFETY: freed once, engine freed once.
        unsafe {
            wty_string_free(out);
            wty_engine_free(e);
        }
    }
}
