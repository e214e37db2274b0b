//! Reading a request and writing an answer: which operation a request names (`peek_op`),
//! its typed body (`parse`, with errors placed at their path by `jsonpath`), and the
//! response envelope.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};

/// Serializes a result straight into the response buffer.
pub(super) fn ser<T: Serialize>(out: &mut Vec<u8>, v: &T) -> Result<()> {
    serde_json::to_writer(out, v)
        .map_err(|e| Error::internal(format!("cannot render the result: {e}")))
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    ok: bool,
    error: &'a Error,
}

/// The protocol's failure response for an error.
pub fn error_response(e: &Error) -> String {
    serde_json::to_string(&ErrorEnvelope { ok: false, error: e }).unwrap_or_else(|_| {
        "{\"ok\":false,\"error\":{\"code\":\"INTERNAL\",\"path\":\"\",\"message\":\"unrenderable error\"}}".to_string()
    })
}

/// Strips serde_json's " at line L column C" suffix.
pub(super) fn clean(msg: String) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    }
}

/// First pass: is it JSON, is it an object, and which `op` does it name?
pub(super) fn peek_op(request: &str) -> Result<String> {
    // Fast path for the common shape `{"op":"name",...`: the full parse that follows checks
    // the rest of the document (and rejects a second `op`).
    if let Some(rest) = request.strip_prefix("{\"op\":\"") {
        if let Some(end) = rest.find('"') {
            let name = rest.get(..end).unwrap_or("");
            if !name.contains('\\')
                && rest
                    .get(end.saturating_add(1)..)
                    .is_some_and(|r| r.starts_with([',', '}']))
            {
                return Ok(name.to_string());
            }
        }
    }
    if !request.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<IgnoredAny>(request) {
            Ok(_) => Error::invalid("", "the request must be a JSON object"),
            Err(e) => Error {
                code: ErrorCode::InvalidJson,
                path: String::new(),
                message: format!("the request is not JSON: {e}"),
            },
        });
    }
    match peek_top_level_op(request) {
        Ok(Some(serde_json::Value::String(s))) => Ok(s),
        Ok(None) => Err(Error {
            code: ErrorCode::UnknownOp,
            path: "op".into(),
            message: format!(
                "missing field `op`; known operations: {}",
                super::OPERATIONS.join(", ")
            ),
        }),
        Ok(Some(_)) => Err(Error {
            code: ErrorCode::UnknownOp,
            path: "op".into(),
            message: "`op` must be a string naming an operation".into(),
        }),
        Err(e) if e.is_data() => {
            let msg = clean(e.to_string());
            let path = if msg.contains("`op`") { "op" } else { "" };
            Err(Error::invalid(
                path,
                if path.is_empty() {
                    format!("the request must be a JSON object ({msg})")
                } else {
                    msg
                },
            ))
        }
        Err(e) => Err(Error {
            code: ErrorCode::InvalidJson,
            path: String::new(),
            message: format!("the request is not JSON: {}", e),
        }),
    }
}

/// The top-level `op` of an object document, read without reading what follows it: a host
/// that writes `op` after a 10 MB `policies` still pays one skip of them, but one that writes
/// it before (or after a short key) pays nothing for the rest here. The full parse that follows
/// checks the whole document (and refuses a second `op`).
fn peek_top_level_op(request: &str) -> serde_json::Result<Option<serde_json::Value>> {
    use serde::de::{Deserializer as _, MapAccess, Visitor};
    struct V<'a>(&'a mut Option<serde_json::Value>);
    impl<'de> Visitor<'de> for V<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "op" {
                    *self.0 = Some(map.next_value()?);
                    // Stop here: the rest is the full parse's to read.
                    return Ok(());
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let mut op = None;
    let mut de = serde_json::Deserializer::from_str(request);
    let read = (&mut de).deserialize_map(V(&mut op));
    match (read, &op) {
        // serde_json's "expected `,` or `}`" after a visitor that stopped early.
        (Err(_), Some(_)) => Ok(op),
        (Err(e), None) => Err(e),
        (Ok(()), _) => {
            de.end()?;
            Ok(op)
        }
    }
}

/// Whether serde's message is the one of the sync layer's number-or-text fields.
#[cfg(feature = "sync")]
fn sync_expecting(msg: &str) -> bool {
    msg.ends_with(crate::sync::u64_text::EXPECTING)
}

/// Without the sync layer there are no number-or-text fields.
#[cfg(not(feature = "sync"))]
fn sync_expecting(_: &str) -> bool {
    false
}

/// Second pass: the operation's typed request. A data error is placed by its position in the
/// document (`jsonpath`): the same first problem and path on every target, with no
/// path-tracking deserializer (which would double the code of every request type).
pub(super) fn parse<T: DeserializeOwned>(request: &str) -> Result<T> {
    crate::strict::from_str::<T>(request).map_err(|e| parse_error(request, &e))
}

/// The protocol error for serde's error on `request`. Not generic and kept out of line: one
/// copy for every request type (in WASM, a copy per type cost ~2 KB gzip'd each).
#[inline(never)]
fn parse_error(request: &str, e: &serde_json::Error) -> Error {
    if e.is_syntax() || e.is_eof() {
        return syntax_error(request, e);
    }
    // A data error in a document that is not JSON further on: not JSON wins.
    if let Err(j) = serde_json::from_str::<IgnoredAny>(request) {
        return not_json(&j);
    }
    let msg = clean(e.to_string());
    let mut at = crate::jsonpath::offset_of(request, e.line(), e.column());
    // The number-or-text fields (`sync::u64_text`, read with `deserialize_any`) refuse an
    // array or object just after its opening bracket: the value is at fault, not its
    // first element.
    if (sync_expecting(&msg)
        || msg.ends_with(crate::warranty::stack::model::STARTS_ON_EXPECTING)
        || msg.ends_with(crate::warranty::catalog::CANDIDATES_EXPECTING)
        || msg.contains(", expected struct "))
        && (msg.starts_with("invalid type: sequence") || msg.starts_with("invalid type: map"))
    {
        let before = request.get(..at).unwrap_or_default().trim_end();
        if before.ends_with(['[', '{']) {
            at = before.len().saturating_sub(1);
        }
    }
    let msg = crate::jsonpath::name_the_number(request, at, msg);
    let path = crate::jsonpath::path_at(request, at, msg.starts_with("unknown variant"));
    // serde reports a missing field after its object: name the field itself.
    let path = match missing_field(&msg) {
        Some(f) => crate::error::join_path(&path, f),
        None => path,
    };
    Error::invalid(path, msg)
}

/// A syntax error met while reading a request. serde_json also reports a number, boolean,
/// null or array where an enum's name belongs as a syntax error ("expected value"): when the
/// document is JSON, that is the value's fault, at its path.
pub(super) fn syntax_error(request: &str, e: &serde_json::Error) -> Error {
    if e.is_eof() {
        return not_json(e);
    }
    if let Err(j) = serde_json::from_str::<IgnoredAny>(request) {
        return not_json(&j);
    }
    let mut at = crate::jsonpath::offset_of(request, e.line(), e.column());
    if request.get(..at).unwrap_or_default().ends_with(['[', '{']) {
        at = at.saturating_sub(1);
    }
    Error::invalid(
        crate::jsonpath::path_at(request, at, false),
        "invalid type: expected a string naming one of the allowed values",
    )
}

pub(super) fn not_json(e: &serde_json::Error) -> Error {
    Error {
        code: ErrorCode::InvalidJson,
        path: String::new(),
        message: format!("the request is not JSON: {e}"),
    }
}

pub(super) fn missing_field(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// A request with nothing but its `op`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OpOnly {
    #[serde(rename = "op")]
    _op: IgnoredAny,
}
