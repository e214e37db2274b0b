//! [`validate_claim`]: a claim checked against every rule of `docs/claims.md`, in order,
//! giving all findings at once. Each group of rules is in its own file; this one holds the
//! rules' inputs and outputs, the shared readers (dates, decimals, currencies) and the order.

mod coverage;
mod currency;
mod dates;
mod duplicates;
mod evidence;
mod fields;
mod money;
mod partner;

use self::coverage::coverage_checks;
use dates::{dates, usage};
use duplicates::duplicates;
use evidence::evidence;
use fields::{required, rows, warranty_type};
use money::money;
use partner::{allowed_codes, ez_labor, pip_parts};

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::model::*;
use crate::error::Result;
use crate::time::parse_date;
use crate::time::{Calendar, Instant};
use crate::warranty::coverage::{Code, CoverageDecision, CoverageQuery};
use crate::warranty::policy::Dec;

/// What a host may tune; every field has a documented default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
// Read by `text_struct!` (below) as `#[serde(deny_unknown_fields, default)]` would.
pub struct Rules {
    /// Days after the repair date (or the failure date when there is no repair date) within
    /// which the claim must be filed (its reference date). Default 30.
    pub filing_deadline_days: u32,
    /// Known claims for the same serial and component whose failure date is at most this many
    /// days away are reported as a possible duplicate (warning). Default 30.
    pub duplicate_window_days: u32,
    /// Evidence kinds required per warranty type, on top of the POS invoice that every claim
    /// needs (`{"D": ["document"], "*": ["photo"]}`; `*` applies to every type). Default none.
    pub required_evidence: BTreeMap<String, Vec<String>>,
    /// The defect codes the claim's component code may be (e.g. the codes CNH's Defect/Failure
    /// code lookup returned: `cnh_defect_failure_answer`). Absent: any code.
    pub defect_codes: Option<Vec<String>>,
    /// The failure codes the claim's failure code may be. Absent: any code.
    pub failure_codes: Option<Vec<String>>,
    /// The claim uses EZ Labor with this answer (CNH's `cnh_ez_labor_answer`): it must carry
    /// the id and one labour line of these work units. Absent: only a claim that carries an
    /// id is held to the one labour line.
    pub ez_labor: Option<EzLaborRule>,
    /// The parts of the claim's PIP (CNH's `cnh_pip_answer`): the mandatory ones must be on
    /// the claim's parts lines, in at least their quantity. Absent: no PIP check.
    pub pip_parts: Option<Vec<PipPart>>,
}

crate::strict::text_struct!(Rules: default {
    other filing_deadline_days,
    other duplicate_window_days,
    other required_evidence,
    other defect_codes,
    other failure_codes,
    other ez_labor,
    other pip_parts,
});

/// What `validate_claim` checks of a claim that uses EZ Labor (the EZ Labor answer's
/// `unique_id` and `freeze_wu`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EzLaborRule {
    /// The id the claim's `failure.ez_labor_unique_id` must be.
    pub unique_id: String,
    /// The work units its one labour line's quantity must be.
    #[serde(default)]
    pub freeze_wu: Option<Dec>,
}

/// One part of a PIP (`table_results`), as the answer gives it and as `rules.pip_parts`
/// takes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
// Read by `text_struct!` (below) as `#[serde(deny_unknown_fields, default)]` would.
pub struct PipPart {
    /// `pip_code`.
    pub pip_code: String,
    /// `levelid`.
    pub level: String,
    /// `defect_code`.
    pub defect_code: String,
    /// `mandatory`: the claim must carry this part.
    pub mandatory: bool,
    /// `material_type` (item category).
    pub material_type: String,
    /// `material_code`: the part number.
    pub material_code: String,
    /// `material_quantity`.
    pub quantity: Dec,
}

crate::strict::text_struct!(PipPart: default {
    text pip_code,
    text level,
    text defect_code,
    other mandatory,
    text material_type,
    text material_code,
    other quantity,
});

impl Default for Rules {
    fn default() -> Self {
        Rules {
            filing_deadline_days: 30,
            duplicate_window_days: 30,
            required_evidence: BTreeMap::new(),
            defect_codes: None,
            failure_codes: None,
            ez_labor: None,
            pip_parts: None,
        }
    }
}

/// A claim the host already knows, for the duplicate checks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
// Read by `text_struct!` (below) as `#[serde(deny_unknown_fields, default)]` would.
pub struct KnownClaim {
    /// Its DMS claim number.
    pub dms_claim_number: String,
    /// Its serial / VIN.
    pub serial: String,
    /// Its failed component code.
    pub component: String,
    /// Its failure date, `YYYY-MM-DD`.
    pub failure_date: String,
    /// Its usage reading, a decimal string (used as the last known reading of the serial).
    pub usage: String,
}

crate::strict::text_struct!(KnownClaim: default {
    text dms_claim_number,
    text serial,
    text component,
    text failure_date,
    text usage,
});

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The claim cannot be accepted.
    Error,
    /// Someone should look.
    Warning,
}

crate::wire::wire_enum! {
    /// The overall verdict of a validation.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ValidationOutcome {
        /// No findings.
        Accept = "accept",
        /// At least one error.
        Reject = "reject",
        /// Warnings only.
        NeedsReview = "needs_review",
    }
}

crate::wire::wire_enum! {
    /// The codes of the claim rules (`docs/claims.md`, "validate_claim"), by rule.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
    pub enum RuleCode {
        // Rule 1: required fields.
        /// `REQUIRED_FIELD_MISSING`.
        RequiredFieldMissing = "REQUIRED_FIELD_MISSING",
        // Rule 2: the warranty type.
        /// `WARRANTY_TYPE_UNKNOWN`.
        WarrantyTypeUnknown = "WARRANTY_TYPE_UNKNOWN",
        /// `REQUIRED_FOR_WARRANTY_TYPE`.
        RequiredForWarrantyType = "REQUIRED_FOR_WARRANTY_TYPE",
        // Rule 3: dates.
        /// `DATE_INVALID`.
        DateInvalid = "DATE_INVALID",
        /// `DATE_IN_FUTURE`.
        DateInFuture = "DATE_IN_FUTURE",
        /// `DATE_ORDER`.
        DateOrder = "DATE_ORDER",
        /// `FILING_DEADLINE_PASSED`.
        FilingDeadlinePassed = "FILING_DEADLINE_PASSED",
        // Rule 4: usage.
        /// `USAGE_INVALID`.
        UsageInvalid = "USAGE_INVALID",
        /// `USAGE_NOT_MONOTONIC`.
        UsageNotMonotonic = "USAGE_NOT_MONOTONIC",
        // Rule 5: text rows.
        /// `ROW_NUMBER_INVALID`.
        RowNumberInvalid = "ROW_NUMBER_INVALID",
        /// `ROW_NUMBER_DUPLICATE`.
        RowNumberDuplicate = "ROW_NUMBER_DUPLICATE",
        /// `ROW_NUMBERS_NOT_CONSECUTIVE`.
        RowNumbersNotConsecutive = "ROW_NUMBERS_NOT_CONSECUTIVE",
        // Rule 6: lines and money.
        /// `LINE_CATEGORY_UNKNOWN`.
        LineCategoryUnknown = "LINE_CATEGORY_UNKNOWN",
        /// `QUANTITY_INVALID`.
        QuantityInvalid = "QUANTITY_INVALID",
        /// `QUANTITY_NOT_POSITIVE`.
        QuantityNotPositive = "QUANTITY_NOT_POSITIVE",
        /// `CURRENCY_UNKNOWN`.
        CurrencyUnknown = "CURRENCY_UNKNOWN",
        /// `CURRENCY_MIXED`.
        CurrencyMixed = "CURRENCY_MIXED",
        /// `AMOUNT_INVALID`.
        AmountInvalid = "AMOUNT_INVALID",
        /// `AMOUNT_NEGATIVE`.
        AmountNegative = "AMOUNT_NEGATIVE",
        /// `AMOUNT_PRECISION`.
        AmountPrecision = "AMOUNT_PRECISION",
        /// `AMOUNT_OVERFLOW`.
        AmountOverflow = "AMOUNT_OVERFLOW",
        /// `TOTAL_MISMATCH`.
        TotalMismatch = "TOTAL_MISMATCH",
        // Rule 7: evidence.
        /// `EVIDENCE_KIND_UNKNOWN`.
        EvidenceKindUnknown = "EVIDENCE_KIND_UNKNOWN",
        /// `POS_INVOICE_MISSING`.
        PosInvoiceMissing = "POS_INVOICE_MISSING",
        /// `EVIDENCE_MISSING`.
        EvidenceMissing = "EVIDENCE_MISSING",
        // Rule 8: coverage windows (the coverage codes themselves are `FindingCode::Coverage`).
        /// `PARTS_WINDOW_EXPIRED`.
        PartsWindowExpired = "PARTS_WINDOW_EXPIRED",
        /// `LABOUR_WINDOW_EXPIRED`.
        LabourWindowExpired = "LABOUR_WINDOW_EXPIRED",
        // Rule 9: duplicates.
        /// `DUPLICATE_CLAIM_NUMBER`.
        DuplicateClaimNumber = "DUPLICATE_CLAIM_NUMBER",
        /// `POSSIBLE_DUPLICATE`.
        PossibleDuplicate = "POSSIBLE_DUPLICATE",
        // Rule 10: allowed codes.
        /// `DEFECT_CODE_UNKNOWN`.
        DefectCodeUnknown = "DEFECT_CODE_UNKNOWN",
        /// `FAILURE_CODE_UNKNOWN`.
        FailureCodeUnknown = "FAILURE_CODE_UNKNOWN",
        // Rule 11: EZ Labor.
        /// `EZ_LABOR_ID_MISSING`.
        EzLaborIdMissing = "EZ_LABOR_ID_MISSING",
        /// `EZ_LABOR_ID_MISMATCH`.
        EzLaborIdMismatch = "EZ_LABOR_ID_MISMATCH",
        /// `EZ_LABOR_LINES`.
        EzLaborLines = "EZ_LABOR_LINES",
        /// `EZ_LABOR_WORK_UNITS`.
        EzLaborWorkUnits = "EZ_LABOR_WORK_UNITS",
        // Rule 12: PIP parts.
        /// `PIP_PART_MISSING`.
        PipPartMissing = "PIP_PART_MISSING",
        /// `PIP_PART_SHORT`.
        PipPartShort = "PIP_PART_SHORT",
    }
}

/// The code of a claim finding: one of the rules' own, or the code the coverage check gave
/// at the failure (rule 8: `NOT_STARTED`, `EXPIRED`, `USAGE_LIMIT_EXCEEDED`, …). Written as
/// its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FindingCode {
    /// A claim rule's code.
    Rule(RuleCode),
    /// A coverage code (rule 8).
    Coverage(Code),
}

impl FindingCode {
    /// The wire name, e.g. `"POS_INVOICE_MISSING"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::Rule(c) => c.as_str(),
            FindingCode::Coverage(c) => c.as_str(),
        }
    }
}

impl From<RuleCode> for FindingCode {
    fn from(c: RuleCode) -> Self {
        FindingCode::Rule(c)
    }
}

impl From<Code> for FindingCode {
    fn from(c: Code) -> Self {
        FindingCode::Coverage(c)
    }
}

impl Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for FindingCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One problem found in a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable code, e.g. `POS_INVOICE_MISSING`.
    pub code: FindingCode,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The path of the field in the request, e.g. `claim.lines[2].currency`.
    pub path: String,
    /// A sentence for staff.
    pub message: String,
    /// The values the message was built from.
    pub params: BTreeMap<&'static str, String>,
}

/// The claimed total of one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CurrencyTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// Sum of the line amounts in that currency.
    pub claimed: String,
}

/// The result of [`validate_claim`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValidationReport {
    /// `accept` (no findings), `reject` (an error), `needs_review` (warnings only).
    pub outcome: ValidationOutcome,
    /// Every finding, in the documented order.
    pub findings: Vec<Finding>,
    /// Line amounts summed per currency (valid lines only), by currency code.
    pub totals: Vec<CurrencyTotal>,
    /// The coverage decision at the failure, when it could be made.
    pub coverage: Option<CoverageDecision>,
}

/// What [`validate_claim`] needs besides the claim.
#[derive(Clone, Debug)]
pub struct ClaimContext<'a> {
    /// "Now" for the claim: no date may be after its local date.
    pub as_of: Instant,
    /// The local calendar (request zone, else the offset of `as_of`).
    pub calendar: Calendar,
    /// The host's tunable rules.
    pub rules: &'a Rules,
    /// Claims the host already has, for duplicate checks and the last usage reading.
    pub known_claims: &'a [KnownClaim],
}

/// A signed decimal string (claims carry amounts a clerk typed; negatives are findings).
fn parse_decimal(s: &str) -> Option<Decimal> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
        && !digits.starts_with('.')
        && !digits.ends_with('.');
    if ok {
        Decimal::from_str_exact(s).ok()
    } else {
        None
    }
}

/// ISO 4217 minor units of a currency code, `None` when the code is not a currency. Codes
/// without minor units (XAU, XDR, …) take 0 decimals.
pub fn minor_units(code: &str) -> Option<u32> {
    currency::minor_units(code)
}

struct Report {
    findings: Vec<Finding>,
}

impl Report {
    #[inline(never)]
    fn push(
        &mut self,
        code: impl Into<FindingCode>,
        severity: Severity,
        path: impl Into<String>,
        message: impl Into<String>,
        params: &[(&'static str, String)],
    ) {
        self.findings.push(Finding {
            code: code.into(),
            severity,
            path: path.into(),
            message: message.into(),
            // Inserted one by one: `collect` into a map would build a sort for it.
            params: {
                let mut m = BTreeMap::new();
                for (k, v) in params {
                    m.insert(*k, v.clone());
                }
                m
            },
        });
    }
    #[inline(never)]
    fn error(
        &mut self,
        code: RuleCode,
        path: impl Into<String>,
        message: impl Into<String>,
        params: &[(&'static str, String)],
    ) {
        self.push(code, Severity::Error, path, message, params);
    }
    #[inline(never)]
    fn missing(&mut self, path: &str, what: &str) {
        self.error(
            RuleCode::RequiredFieldMissing,
            path,
            format!("{what} is required"),
            &[("field", path.to_string())],
        );
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// The claim's dates, parsed where present and valid.
struct Dates {
    reference: Option<NaiveDate>,
    failure: Option<NaiveDate>,
    repair_start: Option<NaiveDate>,
    repair_end: Option<NaiveDate>,
    installed: Option<NaiveDate>,
}

/// Validates a claim (DESIGN §8). Total: any claim gives a report, never a panic. Findings come
/// in the order of `docs/claims.md`: required fields, warranty type, dates, usage, rows,
/// lines and money, evidence, coverage, duplicates; within a rule, in document order.
pub fn validate_claim(claim: &Claim, cx: &ClaimContext<'_>) -> Result<ValidationReport> {
    let mut r = Report {
        findings: Vec::new(),
    };
    required(claim, &mut r);
    warranty_type(claim, &mut r);
    let dates = dates(claim, cx, &mut r);
    let usage = usage(claim, cx, &mut r);
    rows(claim, &mut r);
    let totals = money(claim, &mut r);
    evidence(claim, cx.rules, &mut r);
    let coverage = coverage_checks(claim, cx, &dates, usage, &mut r)?;
    duplicates(claim, cx, &dates, &mut r);
    allowed_codes(claim, cx.rules, &mut r);
    ez_labor(claim, cx.rules, &mut r);
    pip_parts(claim, cx.rules, &mut r);
    let outcome = if r.findings.iter().any(|f| f.severity == Severity::Error) {
        ValidationOutcome::Reject
    } else if r.findings.is_empty() {
        ValidationOutcome::Accept
    } else {
        ValidationOutcome::NeedsReview
    };
    Ok(ValidationReport {
        outcome,
        findings: r.findings,
        totals,
        coverage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_come_from_iso_4217() {
        assert_eq!(minor_units("EUR"), Some(2));
        assert_eq!(minor_units("JPY"), Some(0));
        assert_eq!(minor_units("KWD"), Some(3));
        assert_eq!(minor_units("XAU"), Some(0));
        assert_eq!(minor_units("eur"), None);
        assert_eq!(minor_units("EURO"), None);
    }

    #[test]
    fn decimals_allow_a_sign_but_no_exponent() {
        assert_eq!(parse_decimal("-1.50"), Some(Decimal::new(-150, 2)));
        for bad in ["1e3", "+1", ".5", "5.", "1,5", "--1", "-", ""] {
            assert!(parse_decimal(bad).is_none(), "{bad}");
        }
    }
}
