//! # warranty-core
//!
//! Deterministic warranty rules and a sans-IO sync layer, in layers:
//!
//! - [`time`]: instants, zones, durations and the expiry calendar ([`time::expiry`]);
//! - [`warranty`]: policies and which one covers a sold item ([`Catalog::resolve`]), whether
//!   a failure is covered ([`warranty::coverage::check_coverage`]), what a replacement
//!   inherits ([`warranty::coverage::replace`]), which extended plans may be sold
//!   ([`warranty::plans::eligibility`]) and coverage stacks ([`warranty::stack`]);
//! - [`claims`]: whether a claim may go through ([`claims::validate_claim`]), who may move it
//!   ([`claims::lifecycle::transition`]), its audit trail and the claims report;
//! - `sync` (feature `sync`): the outbox, signed webhooks and the sale and claim flows;
//! - `partners` (feature `sync`): one adapter per partner API (CNH, CRM.COM, Warranty
//!   Life, product-code registration);
//! - [`protocol`]: the JSON dispatcher every binding shares ([`call`], [`Engine`]), its
//!   operation table and the conformance-vector runner.
//!
//! The core never reads the clock, the environment, files or randomness: "now" is always an
//! argument, and the same request bytes give the same response bytes.
//!
//! Features: `sync` (default) builds the sync layer and the partner adapters (`sync`, `partners`)
//! and their operations; without it the crate is the rules only, and the dispatcher answers a
//! sync operation with `UNKNOWN_OP` (the `warranty` npm module is built so). `testing` adds
//! proptest strategies and invariant checks for hosts' testers.
//!
//! ```
//! let response = warranty_core::call(r#"{"op":"expiry","start":"2024-01-31T10:00:00+01:00",
//!     "duration":{"value":1,"unit":"months"}}"#);
//! assert!(response.starts_with(r#"{"ok":true,"result":{"start":"2024-01-31T10:00:00+01:00","end":"2024-02-29T10:00:00+01:00","days":29"#));
//! ```
// No arithmetic that can overflow, wrap or divide by zero: money, dates and counts derived
// from input use checked (or, for counts of what is in memory, saturating) operations, and
// each exception says why it is safe (as Cedar does).
#![deny(clippy::arithmetic_side_effects)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        reason = "unit tests: a failed unwrap or index is the test failing"
    )
)]
#![warn(missing_docs)]

pub mod claims;
pub mod digest;
pub mod error;
#[cfg(feature = "sync")]
#[doc(hidden)]
pub mod fuzz_hooks;
pub(crate) mod jsonpath;
mod num;
mod order;
#[cfg(feature = "sync")]
pub mod partners;
pub mod protocol;
pub mod strict;
#[cfg(feature = "sync")]
pub mod sync;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod warranty;
mod wire;

pub use claims::audit::{verify_audit, verify_audit_keyed, AuditEntry, AuditKey};
pub use claims::lifecycle::{transition, Action, Actor, ClaimState, Role, Status};
pub use claims::partner_status::apply_partner_status;
pub use claims::{
    validate_claim, Claim, ClaimContext, Finding, Rules, Severity, ValidationOutcome,
    ValidationReport,
};
pub use error::{Error, ErrorCode};
pub use protocol::{call, call_bytes, Engine};
pub use time::{Calendar, Duration, ExpiryMode, Instant, Unit, Zone};
pub use warranty::catalog::{Candidates, Catalog, Item, Resolution};
pub use warranty::coverage::{
    Code, CoverageDecision, CoverageQuery, Outcome, ReplaceDecision, ReplaceQuery, WarrantyRecord,
};
pub use warranty::policy::{
    Cover, CoverKind, Dec, Policy, Reason, ReplacementMode, State, UsageLimit,
};

/// The library version (from `Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
