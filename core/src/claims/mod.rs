//! Claims: the claim model (generalised from CNH eSubmission Create Claim) and
//! [`validate_claim`], which returns a deterministic report of findings (DESIGN §8,
//! `docs/claims.md`).
//!
//! Every scalar of a claim is taken as a string and checked here, so that a claim with bad
//! dates, amounts or row numbers yields findings (all of them at once) rather than a single
//! parse error. Only a wrong JSON type (a number where a string belongs, an unknown field) is
//! an `INVALID_INPUT` error.

//!
//! - `model.rs`: the claim ([`Claim`], its failure, texts, lines and evidence);
//! - `validate/`: [`validate_claim`] and its rules, one file per group of rules (numbered as
//!   in `docs/claims.md`);
//! - [`lifecycle`]: who may move a claim; [`audit`]: its hash-chained trail;
//!   [`partner_status`]: a partner's status updates;
//! - [`report`]: the claims report.

pub mod audit;
pub mod lifecycle;
mod model;
pub mod partner_status;
pub mod report;
mod validate;

pub use model::*;
pub use validate::{
    minor_units, validate_claim, ClaimContext, CurrencyTotal, EzLaborRule, Finding, FindingCode,
    KnownClaim, PipPart, RuleCode, Rules, Severity, ValidationOutcome, ValidationReport,
};
