//! Claims: the claim model (generalised from CNH eSubmission Create Claim) and
//! [`validate_claim`], which returns a deterministic report of findings (DESIGN §8,
//! `docs/claims.md`).
//!
//! Every scalar of a claim is taken as a string and checked here, so that a claim with bad
//! dates, amounts or row numbers yields findings (all of them at once) rather than a single
//! parse error. Only a wrong JSON type (a number where a string belongs, an unknown field) is
//! an `INVALID_INPUT` error.

pub mod lifecycle;
pub mod report;

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::time::{Calendar, Instant};
use crate::warranty::coverage::{self, Code, CoverageDecision, CoverageQuery, WarrantyRecord};
use crate::warranty::policy::{Dec, Policy};

/// The CNH warranty type codes (ClaimHeader.Failure.WarrantyType) and their names.
pub const WARRANTY_TYPES: &[(&str, &str)] = &[
    ("A", "Base Warranty"),
    ("B", "Extra Base"),
    ("C", "Service Policy"),
    ("D", "Spare Parts Warranty"),
    ("E", "Emissions"),
    ("G", "Extra Base (NAFTA Use Case)"),
    ("H", "Campaign"),
    ("I", "Extended Warranty"),
    ("J", "Dealer Demo"),
    ("K", "Breakdown Assistance (BDA)"),
    ("L", "Base Warranty - Rent to Own Unit"),
    ("M", "Case ProCare Maintenance Program"),
    ("N", "Non-serialized Attachment Warranty"),
    ("P", "Ultrashield Inspection"),
    ("Q", "Major Assembly Parts Warranty"),
    ("T", "Sales Policy"),
    ("V", "CNH Company Demo"),
    ("W", "Wholegoods Shortage"),
    ("Y", "PPP"),
    ("Z", "P.D.I."),
    ("0", "Planned Maintenance"),
    ("3", "High Voltage Components (EV)"),
    ("5", "EV Batteries"),
];

/// The text blocks of a claim, in the order they are checked and reported.
pub const TEXT_BLOCKS: &[&str] = &[
    "complaint",
    "cause",
    "correction",
    "complications",
    "special_instructions",
];

/// A warranty claim. Strings left out are empty; dates are `YYYY-MM-DD`; amounts and
/// quantities are decimal strings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Claim {
    /// Dealer code (CNH `DealerCode`). Required.
    pub dealer: String,
    /// Workshop code. Required.
    pub workshop: String,
    /// The dealer's own claim number (the host's idempotency key). Required.
    pub dms_claim_number: String,
    /// Job order number.
    pub job_order: String,
    /// The date the claim was created. Required.
    pub reference_date: String,
    /// Serial number or VIN. Required.
    pub serial: String,
    /// Usage reading at the failure (hours, km, …), a decimal string.
    pub usage: String,
    /// Failure date (workshop entry). Required.
    pub failure_date: String,
    /// Repair start date.
    pub repair_start: String,
    /// Repair date (workshop leave).
    pub repair_end: String,
    /// Installation / invoice date of the spare part (warranty type D).
    pub installed_date: String,
    /// Spare-part invoice number (warranty type D).
    pub spare_part_invoice: String,
    /// Pre-authorisation code.
    pub authorization_number: String,
    /// CNH warranty type code (`A`…`Z`, `0`, `3`, `5`). Required.
    pub warranty_type: String,
    /// Campaign / PIP / recall number (warranty type H).
    pub campaign_number: String,
    /// Purchased protection plan policy number (warranty type Y).
    pub ppp_policy_number: String,
    /// What failed.
    pub failure: Failure,
    /// Text blocks, each a list of numbered rows.
    pub texts: Texts,
    /// Claimed positions. At least one is required.
    pub lines: Vec<Line>,
    /// The declared claim total; when given it must equal the sum of the line amounts.
    pub total: String,
    /// Evidence attached to the claim.
    pub evidence: Vec<Evidence>,
    /// The coverage reason (an id on the policy's reason list). Required.
    pub reason: String,
    /// The item's policy, as in `coverage`.
    pub policy: Option<Policy>,
    /// The item's warranty record, as in `coverage`.
    pub warranty: Option<WarrantyRecord>,
}

/// The failed component.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Failure {
    /// Component code. Required.
    pub component: String,
    /// Failure code. Required.
    pub failure_code: String,
    /// Failure severity rating.
    pub severity: String,
    /// Failure description.
    pub description: String,
    /// The id CNH's EZ Labor answer gave (`ezLaborUniqueID`), when the claim uses EZ Labor.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ez_labor_unique_id: String,
}

/// The five text blocks of a claim.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Texts {
    /// Customer complaint.
    pub complaint: Vec<Row>,
    /// Cause.
    pub cause: Vec<Row>,
    /// Correction.
    pub correction: Vec<Row>,
    /// Complications.
    pub complications: Vec<Row>,
    /// Special instructions.
    pub special_instructions: Vec<Row>,
}

impl Texts {
    fn blocks(&self) -> [(&'static str, &[Row]); 5] {
        [
            ("complaint", &self.complaint),
            ("cause", &self.cause),
            ("correction", &self.correction),
            ("complications", &self.complications),
            ("special_instructions", &self.special_instructions),
        ]
    }
}

/// One numbered row of a text block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Row {
    /// `"01"` to `"99"`, unique and consecutive from `"01"` within a block.
    pub row: String,
    /// The text.
    pub text: String,
}

/// One claimed position.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Line {
    /// `parts`, `labour`, `sublet` or `other`. Required.
    pub category: String,
    /// Material code; required for parts.
    pub material_code: String,
    /// Quantity, a decimal string > 0. Required.
    pub quantity: String,
    /// Claimed amount for the position, a decimal string >= 0. Required.
    pub amount: String,
    /// ISO 4217 currency code. Required.
    pub currency: String,
    /// Third-party invoice number; required for sublet (external work).
    pub third_party_invoice: String,
    /// Free description.
    pub description: String,
}

/// A piece of evidence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Evidence {
    /// `pos_invoice`, `photo` or `document`.
    pub kind: String,
    /// The host's reference to it (invoice number, file id, …). Required.
    pub reference: String,
}

/// Evidence kinds a claim may carry.
pub const EVIDENCE_KINDS: &[&str] = &["pos_invoice", "photo", "document"];

/// What a host may tune; every field has a documented default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
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

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The claim cannot be accepted.
    Error,
    /// Someone should look.
    Warning,
}

/// The overall verdict of a validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationOutcome {
    /// No findings.
    Accept,
    /// At least one error.
    Reject,
    /// Warnings only.
    NeedsReview,
}

impl ValidationOutcome {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ValidationOutcome::Accept => "accept",
            ValidationOutcome::Reject => "reject",
            ValidationOutcome::NeedsReview => "needs_review",
        }
    }
}

/// One problem found in a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable code, e.g. `POS_INVOICE_MISSING`.
    pub code: &'static str,
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

/// A strict `YYYY-MM-DD` calendar date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok());
    let year = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

/// ISO 4217 minor units of a currency code, `None` when the code is not a currency. Codes
/// without minor units (XAU, XDR, …) take 0 decimals.
pub fn minor_units(code: &str) -> Option<u32> {
    let c = iso_currency::Currency::from_code(code)?;
    Some(c.exponent().map(u32::from).unwrap_or(0))
}

struct Report {
    findings: Vec<Finding>,
}

impl Report {
    fn push(
        &mut self,
        code: &'static str,
        severity: Severity,
        path: impl Into<String>,
        message: impl Into<String>,
        params: &[(&'static str, String)],
    ) {
        self.findings.push(Finding {
            code,
            severity,
            path: path.into(),
            message: message.into(),
            params: params.iter().cloned().collect(),
        });
    }
    fn error(
        &mut self,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        params: &[(&'static str, String)],
    ) {
        self.push(code, Severity::Error, path, message, params);
    }
    fn missing(&mut self, path: &str, what: &str) {
        self.error(
            "REQUIRED_FIELD_MISSING",
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

fn required(c: &Claim, r: &mut Report) {
    let header = [
        ("claim.dealer", &c.dealer, "The dealer code"),
        ("claim.workshop", &c.workshop, "The workshop code"),
        (
            "claim.dms_claim_number",
            &c.dms_claim_number,
            "The DMS claim number",
        ),
        (
            "claim.reference_date",
            &c.reference_date,
            "The reference date",
        ),
        ("claim.serial", &c.serial, "The serial number / VIN"),
        ("claim.failure_date", &c.failure_date, "The failure date"),
        ("claim.warranty_type", &c.warranty_type, "The warranty type"),
        (
            "claim.failure.component",
            &c.failure.component,
            "The failed component code",
        ),
        (
            "claim.failure.failure_code",
            &c.failure.failure_code,
            "The failure code",
        ),
        ("claim.reason", &c.reason, "The coverage reason"),
    ];
    for (path, value, what) in header {
        if blank(value) {
            r.missing(path, what);
        }
    }
    if c.policy.is_none() {
        r.missing("claim.policy", "The item's policy");
    }
    if c.warranty.is_none() {
        r.missing("claim.warranty", "The item's warranty record");
    }
    if c.lines.is_empty() {
        r.missing("claim.lines", "At least one claim line");
    }
    for (i, l) in c.lines.iter().enumerate() {
        let p = |f: &str| format!("claim.lines[{i}].{f}");
        if blank(&l.category) {
            r.missing(&p("category"), "The line category");
        }
        if blank(&l.quantity) {
            r.missing(&p("quantity"), "The quantity");
        }
        if blank(&l.amount) {
            r.missing(&p("amount"), "The claimed amount");
        }
        if blank(&l.currency) {
            r.missing(&p("currency"), "The currency");
        }
        if l.category == "parts" && blank(&l.material_code) {
            r.missing(&p("material_code"), "A parts line's material code");
        }
        if l.category == "sublet" && blank(&l.third_party_invoice) {
            r.missing(
                &p("third_party_invoice"),
                "A sublet line's third-party invoice number",
            );
        }
    }
    for (i, e) in c.evidence.iter().enumerate() {
        if blank(&e.kind) {
            r.missing(&format!("claim.evidence[{i}].kind"), "The evidence kind");
        }
        if blank(&e.reference) {
            r.missing(
                &format!("claim.evidence[{i}].reference"),
                "The evidence reference",
            );
        }
    }
}

fn warranty_type(c: &Claim, r: &mut Report) {
    if blank(&c.warranty_type) {
        return;
    }
    let Some((_, name)) = WARRANTY_TYPES.iter().find(|(k, _)| *k == c.warranty_type) else {
        r.error(
            "WARRANTY_TYPE_UNKNOWN",
            "claim.warranty_type",
            format!(
                "`{}` is not a CNH warranty type (A, B, C, D, E, G, H, I, J, K, L, M, N, P, Q, T, V, W, Y, Z, 0, 3, 5)",
                c.warranty_type
            ),
            &[("warranty_type", c.warranty_type.clone())],
        );
        return;
    };
    let needs: &[(&str, &str, &String)] = match c.warranty_type.as_str() {
        "D" => &[
            (
                "claim.spare_part_invoice",
                "the spare-part invoice number",
                &c.spare_part_invoice,
            ),
            (
                "claim.installed_date",
                "the installation date",
                &c.installed_date,
            ),
        ],
        "H" => &[(
            "claim.campaign_number",
            "the campaign number",
            &c.campaign_number,
        )],
        "Y" => &[(
            "claim.ppp_policy_number",
            "the protection plan policy number",
            &c.ppp_policy_number,
        )],
        _ => &[],
    };
    for (path, what, value) in needs {
        if blank(value) {
            r.error(
                "REQUIRED_FOR_WARRANTY_TYPE",
                *path,
                format!("A {name} claim (type {}) needs {what}", c.warranty_type),
                &[
                    ("field", (*path).to_string()),
                    ("warranty_type", c.warranty_type.clone()),
                ],
            );
        }
    }
}

fn dates(c: &Claim, cx: &ClaimContext<'_>, r: &mut Report) -> Dates {
    let today = cx.calendar.date(cx.as_of);
    let mut parse = |path: &str, s: &str| -> Option<NaiveDate> {
        if blank(s) {
            return None;
        }
        match parse_date(s) {
            Some(d) => {
                if d > today {
                    r.error(
                        "DATE_IN_FUTURE",
                        path,
                        format!("{s} is after today ({today})"),
                        &[("date", s.to_string()), ("as_of", today.to_string())],
                    );
                }
                Some(d)
            }
            None => {
                r.error(
                    "DATE_INVALID",
                    path,
                    format!("`{s}` is not a calendar date written YYYY-MM-DD"),
                    &[("value", s.to_string())],
                );
                None
            }
        }
    };
    let d = Dates {
        reference: parse("claim.reference_date", &c.reference_date),
        failure: parse("claim.failure_date", &c.failure_date),
        repair_start: parse("claim.repair_start", &c.repair_start),
        repair_end: parse("claim.repair_end", &c.repair_end),
        installed: parse("claim.installed_date", &c.installed_date),
    };
    // Order: installed <= failure <= repair start <= repair end; failure <= reference date.
    let order = [
        (
            d.installed,
            "installation date",
            d.failure,
            "failure date",
            "claim.failure_date",
        ),
        (
            d.failure,
            "failure date",
            d.repair_start,
            "repair start",
            "claim.repair_start",
        ),
        (
            d.repair_start.or(d.failure),
            if d.repair_start.is_some() {
                "repair start"
            } else {
                "failure date"
            },
            d.repair_end,
            "repair date",
            "claim.repair_end",
        ),
        (
            d.failure,
            "failure date",
            d.reference,
            "reference date",
            "claim.reference_date",
        ),
    ];
    for (a, an, b, bn, path) in order {
        if let (Some(a), Some(b)) = (a, b) {
            if a > b {
                r.error(
                    "DATE_ORDER",
                    path,
                    format!("The {bn} ({b}) is before the {an} ({a})"),
                    &[("after", a.to_string()), ("before", b.to_string())],
                );
            }
        }
    }
    // Filing deadline: the claim is filed (reference date) at most N days after the repair
    // (or the failure when there is no repair date).
    if let (Some(filed), Some(base)) = (d.reference, d.repair_end.or(d.failure)) {
        let days = (filed - base).num_days();
        let limit = i64::from(cx.rules.filing_deadline_days);
        if days > limit {
            r.error(
                "FILING_DEADLINE_PASSED",
                "claim.reference_date",
                format!(
                    "Filed {days} days after the {} ({base}); the deadline is {limit} days",
                    if d.repair_end.is_some() {
                        "repair"
                    } else {
                        "failure"
                    }
                ),
                &[
                    ("days", days.to_string()),
                    ("deadline_days", limit.to_string()),
                ],
            );
        }
    }
    d
}

/// Checks the usage reading; returns it when it may be used for coverage.
fn usage(c: &Claim, cx: &ClaimContext<'_>, r: &mut Report) -> Option<Dec> {
    if blank(&c.usage) {
        return None;
    }
    let Ok(u) = Dec::from_str(&c.usage) else {
        r.error(
            "USAGE_INVALID",
            "claim.usage",
            format!("`{}` is not a non-negative decimal reading", c.usage),
            &[("value", c.usage.clone())],
        );
        return None;
    };
    let at_start = c.warranty.as_ref().and_then(|w| w.usage_at_start);
    let known = cx
        .known_claims
        .iter()
        .filter(|k| !blank(&c.serial) && k.serial == c.serial)
        .filter_map(|k| Dec::from_str(&k.usage).ok());
    let last = at_start.into_iter().chain(known).max();
    if let Some(last) = last {
        if u < last {
            r.error(
                "USAGE_NOT_MONOTONIC",
                "claim.usage",
                format!("The reading {u} is lower than the last known reading {last}"),
                &[("usage", u.to_string()), ("last_known", last.to_string())],
            );
            return None;
        }
    }
    Some(u)
}

fn rows(c: &Claim, r: &mut Report) {
    for (block, rows) in c.texts.blocks() {
        let mut seen = BTreeSet::new();
        for (i, row) in rows.iter().enumerate() {
            let path = format!("claim.texts.{block}[{i}].row");
            let b = row.row.as_bytes();
            let n = match b {
                [x, y] if x.is_ascii_digit() && y.is_ascii_digit() => {
                    u32::from(x - b'0') * 10 + u32::from(y - b'0')
                }
                _ => 0,
            };
            if n == 0 {
                r.error(
                    "ROW_NUMBER_INVALID",
                    path,
                    format!(
                        "`{}` is not a two-digit row number from \"01\" to \"99\"",
                        row.row
                    ),
                    &[("row", row.row.clone())],
                );
                continue;
            }
            let expected = i + 1;
            if !seen.insert(n) {
                r.error(
                    "ROW_NUMBER_DUPLICATE",
                    path,
                    format!("Row {} appears twice in {block}", row.row),
                    &[("row", row.row.clone())],
                );
            } else if usize::try_from(n).ok() != Some(expected) {
                r.error(
                    "ROW_NUMBERS_NOT_CONSECUTIVE",
                    path,
                    format!(
                        "Row {} should be {expected:02}: rows run 01, 02, … in order",
                        row.row
                    ),
                    &[
                        ("row", row.row.clone()),
                        ("expected", format!("{expected:02}")),
                    ],
                );
            }
        }
    }
}

fn money(c: &Claim, r: &mut Report) -> Vec<CurrencyTotal> {
    let mut first_currency: Option<&str> = None;
    let mut sums: BTreeMap<String, Option<Decimal>> = BTreeMap::new();
    let mut all_valid = true;
    for (i, l) in c.lines.iter().enumerate() {
        let p = |f: &str| format!("claim.lines[{i}].{f}");
        if !blank(&l.category)
            && !["parts", "labour", "sublet", "other"].contains(&l.category.as_str())
        {
            r.error(
                "LINE_CATEGORY_UNKNOWN",
                p("category"),
                format!(
                    "`{}` is not a line category (parts, labour, sublet, other)",
                    l.category
                ),
                &[("category", l.category.clone())],
            );
        }
        if !blank(&l.quantity) {
            match parse_decimal(&l.quantity) {
                None => r.error(
                    "QUANTITY_INVALID",
                    p("quantity"),
                    format!("`{}` is not a decimal number", l.quantity),
                    &[("value", l.quantity.clone())],
                ),
                Some(q) if q <= Decimal::ZERO => r.error(
                    "QUANTITY_NOT_POSITIVE",
                    p("quantity"),
                    format!("The quantity must be above 0, not {}", l.quantity),
                    &[("quantity", l.quantity.clone())],
                ),
                Some(_) => {}
            }
        }
        let units = if blank(&l.currency) {
            None
        } else {
            match minor_units(&l.currency) {
                None => {
                    r.error(
                        "CURRENCY_UNKNOWN",
                        p("currency"),
                        format!("`{}` is not an ISO 4217 currency code", l.currency),
                        &[("currency", l.currency.clone())],
                    );
                    None
                }
                Some(u) => {
                    match first_currency {
                        None => first_currency = Some(&l.currency),
                        Some(f) if f != l.currency => r.error(
                            "CURRENCY_MIXED",
                            p("currency"),
                            format!(
                                "A claim has one currency: this line is in {}, the first in {f}",
                                l.currency
                            ),
                            &[
                                ("currency", l.currency.clone()),
                                ("claim_currency", f.to_string()),
                            ],
                        ),
                        Some(_) => {}
                    }
                    Some(u)
                }
            }
        };
        let amount = if blank(&l.amount) {
            None
        } else {
            match parse_decimal(&l.amount) {
                None => {
                    r.error(
                        "AMOUNT_INVALID",
                        p("amount"),
                        format!("`{}` is not a decimal amount", l.amount),
                        &[("value", l.amount.clone())],
                    );
                    None
                }
                Some(a) if a < Decimal::ZERO => {
                    r.error(
                        "AMOUNT_NEGATIVE",
                        p("amount"),
                        format!("The amount {} is below 0", l.amount),
                        &[("amount", l.amount.clone())],
                    );
                    None
                }
                Some(a) => {
                    if let Some(u) = units {
                        if a.normalize().scale() > u {
                            r.error(
                                "AMOUNT_PRECISION",
                                p("amount"),
                                format!(
                                    "{} {} has more decimals than the currency's {u}",
                                    l.amount, l.currency
                                ),
                                &[("amount", l.amount.clone()), ("minor_units", u.to_string())],
                            );
                        }
                    }
                    Some(a)
                }
            }
        };
        match (amount, units) {
            (Some(a), Some(_)) => {
                let slot = sums
                    .entry(l.currency.clone())
                    .or_insert(Some(Decimal::ZERO));
                *slot = slot.and_then(|s| s.checked_add(a));
                if slot.is_none() {
                    all_valid = false;
                }
            }
            _ => all_valid = false,
        }
    }
    if sums.values().any(Option::is_none) {
        r.error(
            "AMOUNT_OVERFLOW",
            "claim.lines",
            "The line amounts add up to more than can be represented",
            &[],
        );
    }
    if !blank(&c.total) {
        match parse_decimal(&c.total) {
            None => r.error(
                "AMOUNT_INVALID",
                "claim.total",
                format!("`{}` is not a decimal amount", c.total),
                &[("value", c.total.clone())],
            ),
            Some(t) => {
                // Only comparable when every line has a valid amount in one currency.
                if all_valid && sums.len() == 1 {
                    if let Some(Some(sum)) = sums.values().next() {
                        if *sum != t {
                            r.error(
                                "TOTAL_MISMATCH",
                                "claim.total",
                                format!(
                                    "The declared total {} differs from the sum of the lines {sum}",
                                    c.total
                                ),
                                &[("declared", c.total.clone()), ("computed", sum.to_string())],
                            );
                        }
                    }
                }
            }
        }
    }
    sums.into_iter()
        .filter_map(|(currency, sum)| {
            sum.map(|s| CurrencyTotal {
                currency,
                claimed: s.to_string(),
            })
        })
        .collect()
}

/// The component and failure codes against the lists the host was given (a blank code is
/// already a missing field).
fn allowed_codes(c: &Claim, rules: &Rules, r: &mut Report) {
    for (allowed, value, code, path, what) in [
        (
            &rules.defect_codes,
            &c.failure.component,
            "DEFECT_CODE_UNKNOWN",
            "claim.failure.component",
            "defect",
        ),
        (
            &rules.failure_codes,
            &c.failure.failure_code,
            "FAILURE_CODE_UNKNOWN",
            "claim.failure.failure_code",
            "failure",
        ),
    ] {
        let Some(allowed) = allowed else { continue };
        if !blank(value) && !allowed.iter().any(|a| a == value) {
            r.error(
                code,
                path,
                format!(
                    "`{value}` is not one of the {} {what} codes allowed for this claim",
                    allowed.len()
                ),
                &[("code", value.clone())],
            );
        }
    }
}

/// A claim that uses EZ Labor (the host gave `rules.ez_labor`, or the claim carries an id)
/// has one labour line; with the rule, the claim carries its id and the line its work units.
fn ez_labor(c: &Claim, rules: &Rules, r: &mut Report) {
    let id = &c.failure.ez_labor_unique_id;
    if rules.ez_labor.is_none() && blank(id) {
        return;
    }
    let path = "claim.failure.ez_labor_unique_id";
    if let Some(rule) = &rules.ez_labor {
        if blank(id) {
            r.error(
                "EZ_LABOR_ID_MISSING",
                path,
                format!(
                    "The claim uses EZ Labor but does not carry its id {}",
                    rule.unique_id
                ),
                &[("expected", rule.unique_id.clone())],
            );
        } else if id.trim() != rule.unique_id.trim() {
            r.error(
                "EZ_LABOR_ID_MISMATCH",
                path,
                format!(
                    "The EZ Labor id {id} is not the one CNH gave ({})",
                    rule.unique_id
                ),
                &[("expected", rule.unique_id.clone()), ("found", id.clone())],
            );
        }
    }
    let labour: Vec<(usize, &Line)> = c
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.category == "labour")
        .collect();
    let [(i, line)] = labour.as_slice() else {
        r.error(
            "EZ_LABOR_LINES",
            "claim.lines",
            format!(
                "An EZ Labor claim has exactly one labour line; this one has {}",
                labour.len()
            ),
            &[("count", labour.len().to_string())],
        );
        return;
    };
    let Some(wu) = rules.ez_labor.as_ref().and_then(|e| e.freeze_wu) else {
        return;
    };
    if let Some(q) = parse_decimal(&line.quantity) {
        if q != wu.0 {
            r.error(
                "EZ_LABOR_WORK_UNITS",
                format!("claim.lines[{i}].quantity"),
                format!(
                    "The labour line claims {} work units; EZ Labor froze them at {wu}",
                    line.quantity
                ),
                &[
                    ("expected", wu.to_string()),
                    ("found", line.quantity.clone()),
                ],
            );
        }
    }
}

/// Each mandatory PIP part is on the claim's parts lines, in at least its quantity (lines of
/// the same part number are added up).
fn pip_parts(c: &Claim, rules: &Rules, r: &mut Report) {
    let Some(parts) = &rules.pip_parts else {
        return;
    };
    for p in parts.iter().filter(|p| p.mandatory) {
        let mine: Vec<&Line> = c
            .lines
            .iter()
            .filter(|l| l.category == "parts" && l.material_code.trim() == p.material_code.trim())
            .collect();
        let on_claim = !mine.is_empty();
        let have: Decimal = mine.iter().filter_map(|l| parse_decimal(&l.quantity)).sum();
        let params = [
            ("material_code", p.material_code.clone()),
            ("quantity", p.quantity.to_string()),
            ("found", have.to_string()),
        ];
        if !on_claim {
            r.error(
                "PIP_PART_MISSING",
                "claim.lines",
                format!(
                    "PIP {} needs part {} ({}); the claim does not have it",
                    p.pip_code, p.material_code, p.quantity
                ),
                &params,
            );
        } else if have < p.quantity.0 {
            r.error(
                "PIP_PART_SHORT",
                "claim.lines",
                format!(
                    "PIP {} needs {} of part {}; the claim has {have}",
                    p.pip_code, p.quantity, p.material_code
                ),
                &params,
            );
        }
    }
}

fn evidence(c: &Claim, rules: &Rules, r: &mut Report) {
    for (i, e) in c.evidence.iter().enumerate() {
        if !blank(&e.kind) && !EVIDENCE_KINDS.contains(&e.kind.as_str()) {
            r.error(
                "EVIDENCE_KIND_UNKNOWN",
                format!("claim.evidence[{i}].kind"),
                format!(
                    "`{}` is not an evidence kind (pos_invoice, photo, document)",
                    e.kind
                ),
                &[("kind", e.kind.clone())],
            );
        }
    }
    // A blank reference is its own finding (REQUIRED_FIELD_MISSING), not a missing kind.
    let has = |kind: &str| c.evidence.iter().any(|e| e.kind == kind);
    if !has("pos_invoice") {
        r.error(
            "POS_INVOICE_MISSING",
            "claim.evidence",
            "The POS invoice is missing: a claim cannot be accepted without proof of purchase",
            &[("kind", "pos_invoice".into())],
        );
    }
    let mut wanted: BTreeSet<&str> = BTreeSet::new();
    for key in ["*", c.warranty_type.as_str()] {
        if let Some(kinds) = rules.required_evidence.get(key) {
            wanted.extend(kinds.iter().map(String::as_str));
        }
    }
    wanted.remove("pos_invoice");
    for kind in wanted {
        if !has(kind) {
            r.error(
                "EVIDENCE_MISSING",
                "claim.evidence",
                format!("A {kind} is required for this claim"),
                &[
                    ("kind", kind.to_string()),
                    ("warranty_type", c.warranty_type.clone()),
                ],
            );
        }
    }
}

fn coverage_checks(
    c: &Claim,
    cx: &ClaimContext<'_>,
    d: &Dates,
    usage: Option<Dec>,
    r: &mut Report,
) -> Result<Option<CoverageDecision>> {
    let (Some(policy), Some(warranty), Some(failure)) = (&c.policy, &c.warranty, d.failure) else {
        return Ok(None);
    };
    // A failure on a date is covered when any moment of that date is: check at the start of
    // the failure date, or at the warranty start when that falls on the same date or later.
    let cal = cx.calendar;
    let day_start = failure
        .and_hms_opt(0, 0, 0)
        .and_then(|t| cal.resolve(t, None));
    let Some(day_start) = day_start else {
        return Ok(None);
    };
    let as_of = if cal.date(warranty.start) == failure {
        warranty.start.max(day_start)
    } else {
        day_start
    };
    let usage_given_but_rejected = !blank(&c.usage) && usage.is_none();
    let reason = (!blank(&c.reason)).then_some(c.reason.as_str());
    let decision = coverage::check_coverage(&CoverageQuery {
        policy,
        warranty,
        as_of,
        reason,
        usage,
        calendar: cal,
    })
    .map_err(|e| e.within("claim"))?;
    for code in &decision.codes {
        let (path, sev) = match code {
            Code::UsageLimitExceeded => ("claim.usage", Severity::Error),
            Code::UsageUnknown if usage_given_but_rejected => continue,
            Code::UsageUnknown => ("claim.usage", Severity::Warning),
            Code::ReasonNotSupported | Code::ReasonExcluded => ("claim.reason", Severity::Error),
            Code::ReasonUndecided => ("claim.reason", Severity::Warning),
            _ => ("claim.failure_date", Severity::Error),
        };
        let code_str = code_name(*code);
        r.push(
            code_str,
            sev,
            path,
            format!("Coverage at the failure: {}", decision.message),
            &[
                ("policy", policy.id.clone()),
                ("failure_date", failure.to_string()),
            ],
        );
    }
    // Parts and labour windows, where they end earlier than the coverage.
    for (i, l) in c.lines.iter().enumerate() {
        let (end, code, what) = match l.category.as_str() {
            "parts" => (decision.parts_end, "PARTS_WINDOW_EXPIRED", "parts"),
            "labour" => (decision.labour_end, "LABOUR_WINDOW_EXPIRED", "labour"),
            _ => continue,
        };
        if let Some(end) = end {
            if as_of >= end {
                r.error(
                    code,
                    format!("claim.lines[{i}]"),
                    format!(
                        "The {what} window of {} ended on {}, before the failure on {failure}",
                        policy.id,
                        cal.date(end)
                    ),
                    &[("window_end", cal.localize(end).to_string())],
                );
            }
        }
    }
    Ok(Some(decision))
}

fn code_name(c: Code) -> &'static str {
    c.as_str()
}

fn duplicates(c: &Claim, cx: &ClaimContext<'_>, d: &Dates, r: &mut Report) {
    if !blank(&c.dms_claim_number)
        && cx
            .known_claims
            .iter()
            .any(|k| k.dms_claim_number == c.dms_claim_number)
    {
        r.error(
            "DUPLICATE_CLAIM_NUMBER",
            "claim.dms_claim_number",
            format!("Claim {} is already known", c.dms_claim_number),
            &[("dms_claim_number", c.dms_claim_number.clone())],
        );
    }
    let (Some(failure), false, false) = (d.failure, blank(&c.serial), blank(&c.failure.component))
    else {
        return;
    };
    let window = i64::from(cx.rules.duplicate_window_days);
    for k in cx.known_claims {
        if k.dms_claim_number == c.dms_claim_number
            || k.serial != c.serial
            || k.component != c.failure.component
        {
            continue;
        }
        let Some(kd) = parse_date(&k.failure_date) else {
            continue;
        };
        let apart = (failure - kd).num_days().abs();
        if apart <= window {
            r.push(
                "POSSIBLE_DUPLICATE",
                Severity::Warning,
                "claim.failure.component",
                format!(
                    "Claim {} for the same serial and component failed {apart} days apart (window {window} days)",
                    k.dms_claim_number
                ),
                &[
                    ("dms_claim_number", k.dms_claim_number.clone()),
                    ("days_apart", apart.to_string()),
                ],
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2024-02-29").is_some());
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "2024-02-29T00:00",
            " 2024-02-29",
            "20240229",
            "",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

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
