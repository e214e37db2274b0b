//! The one error type of the core: a stable code, a field path and a message.

use serde::Serialize;

crate::wire::wire_enum! {
    /// Stable machine-readable error codes of protocol v1 (`PROTOCOL.md`, "Envelope").
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
    pub enum ErrorCode {
        /// The request is not JSON (or not UTF-8). Path `""`.
        InvalidJson = "INVALID_JSON",
        /// `op` is missing or names no operation. Path `op`.
        UnknownOp = "UNKNOWN_OP",
        /// A field is missing, of the wrong type, out of range, unknown, or not a real date/zone.
        InvalidInput = "INVALID_INPUT",
        /// A claim transition is not allowed (lifecycle, role matrix, reason or override rules);
        /// the message starts with the rule, e.g. `ROLE_NOT_ALLOWED: …`.
        TransitionRefused = "TRANSITION_REFUSED",
        /// A bug in the library, not in the request: a binding caught a panic, or an answer could
        /// not be rendered. Path `""`; please report the request.
        Internal = "INTERNAL",
    }
}

/// An error with a code, the dot/bracket path of the offending field
/// (`policies[2].covers[0]`, `""` for the whole request) and a readable message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code:?} at `{path}`: {message}")]
pub struct Error {
    /// What kind of problem this is.
    pub code: ErrorCode,
    /// Where in the request it is.
    pub path: String,
    /// What is wrong, in plain English.
    pub message: String,
}

impl Error {
    /// An `INVALID_INPUT` error at `path`.
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            code: ErrorCode::InvalidInput,
            path: path.into(),
            message: message.into(),
        }
    }

    /// An `INTERNAL` error (a bug in the library, path `""`).
    pub fn internal(message: impl Into<String>) -> Self {
        Error {
            code: ErrorCode::Internal,
            path: String::new(),
            message: message.into(),
        }
    }

    /// Prefixes the path with `prefix` (`"policy"` + `duration.unit` → `policy.duration.unit`).
    pub fn within(mut self, prefix: &str) -> Self {
        self.path = join_path(prefix, &self.path);
        self
    }
}

/// Joins two path fragments: `join_path("a", "b")` is `a.b`, `join_path("a", "[1]")` is `a[1]`.
pub fn join_path(prefix: &str, rest: &str) -> String {
    if prefix.is_empty() {
        rest.to_string()
    } else if rest.is_empty() {
        prefix.to_string()
    } else if rest.starts_with('[') {
        format!("{prefix}{rest}")
    } else {
        format!("{prefix}.{rest}")
    }
}

/// Result alias of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;
