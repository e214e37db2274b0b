//! # warranty-core
//!
//! Deterministic warranty rules: which policy covers a sold item ([`Catalog::resolve`]), when
//! its coverage ends ([`time::expiry`]), whether a failure is covered
//! ([`coverage::check_coverage`]), what a replacement inherits ([`coverage::replace`]), which
//! extended plans may be sold ([`plans::eligibility`]), whether a claim may go through and who
//! may move it ([`claims::validate_claim`], [`lifecycle::transition`]), the sans-IO sync layer
//! (outbox, signed webhooks, partner adapters, the sale and claim flows: [`sync`]), and the
//! JSON dispatcher every binding shares ([`call`], [`Engine`]).
//!
//! The core never reads the clock, the environment, files or randomness: "now" is always an
//! argument, and the same request bytes give the same response bytes.
//!
//! Features: `sync` (default) builds the sync layer and the partner adapters (`sync`, `crm`)
//! and their operations; without it the crate is the rules only, and the dispatcher answers a
//! sync operation with `UNKNOWN_OP` (the `warranty` npm module is built so). `testing` adds
//! proptest strategies and invariant checks for hosts' testers.
//!
//! ```
//! let response = warranty_core::call(r#"{"op":"expiry","start":"2024-01-31T10:00:00+01:00",
//!     "duration":{"value":1,"unit":"months"}}"#);
//! assert!(response.starts_with(r#"{"ok":true,"result":{"start":"2024-01-31T10:00:00+01:00","end":"2024-02-29T10:00:00+01:00","days":29"#));
//! ```
#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]
#![warn(missing_docs)]

pub mod catalog;
pub mod claims;
pub mod conformance;
pub mod coverage;
#[cfg(feature = "sync")]
pub mod crm;
pub mod dispatch;
pub mod error;
#[cfg(feature = "sync")]
#[doc(hidden)]
pub mod fuzz_hooks;
mod jsonpath;
pub mod lifecycle;
pub mod plans;
pub mod policy;
pub mod report;
pub mod stack;
pub mod strict;
#[cfg(feature = "sync")]
pub mod sync;
pub mod time;
mod tz;

#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "testing")]
pub mod testing_claims;
#[cfg(feature = "testing")]
pub mod testing_stack;

pub use catalog::{Catalog, Item, Resolution};
pub use claims::{
    validate_claim, Claim, ClaimContext, Finding, Rules, Severity, ValidationOutcome,
    ValidationReport,
};
pub use coverage::{
    Code, CoverageDecision, CoverageQuery, Outcome, ReplaceDecision, ReplaceQuery, WarrantyRecord,
};
pub use dispatch::{call, call_bytes, Engine};
pub use error::{Error, ErrorCode};
pub use lifecycle::{
    apply_partner_status, transition, verify_audit, verify_audit_keyed, Action, Actor, AuditEntry,
    AuditKey, ClaimState, Role, Status,
};
pub use policy::{Cover, CoverKind, Dec, Policy, Reason, ReplacementMode, State, UsageLimit};
pub use time::{Calendar, Duration, ExpiryMode, Instant, Unit, Zone};

/// The library version (from `Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
