//! The claim model, generalised from CNH eSubmission Create Claim: every scalar is a string,
//! checked by `validate_claim`, so that bad values become findings rather than parse errors.

use serde::{Deserialize, Serialize};

use crate::warranty::coverage::WarrantyRecord;
use crate::warranty::policy::Policy;

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
    pub(super) fn blocks(&self) -> [(&'static str, &[Row]); 5] {
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
