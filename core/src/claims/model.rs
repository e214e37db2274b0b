//! The claim model, generalised from CNH eSubmission Create Claim: every scalar is a string,
//! checked by `validate_claim`, so that bad values become findings rather than parse errors.

use serde::Serialize;

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
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
// Read by `text_struct!` (below) as `#[serde(deny_unknown_fields, default)]` would.
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
    /// Time the unit entered the workshop (CNH `TimeIn`), sent as given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub time_in: String,
    /// Time the unit left the workshop (CNH `TimeOut`), sent as given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub time_out: String,
    /// The spare part's usage at its invoice or installation date (CNH
    /// `AmountUseSparePart`, warranty type D), sent as given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub spare_part_usage: String,
    /// Self-assessment or non-self-assessment (CNH `Assessment`), sent as given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub assessment: String,
    /// The failed component's serial number (CNH `FailedComponentSerial`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub failed_component_serial: String,
    /// The replacing component's serial number (CNH `ReplacedComponentSerial`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub replaced_component_serial: String,
    /// The purchased-protection-plan (PPP) header fields (warranty type Y).
    #[serde(skip_serializing_if = "Ppp::is_empty")]
    pub ppp: Ppp,
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

crate::strict::text_struct!(Claim: default {
    text dealer,
    text workshop,
    text dms_claim_number,
    text job_order,
    text reference_date,
    text serial,
    text usage,
    text failure_date,
    text repair_start,
    text repair_end,
    text installed_date,
    text spare_part_invoice,
    text authorization_number,
    text warranty_type,
    text campaign_number,
    text ppp_policy_number,
    text time_in,
    text time_out,
    text spare_part_usage,
    text assessment,
    text failed_component_serial,
    text replaced_component_serial,
    other ppp,
    other failure,
    other texts,
    other lines,
    text total,
    other evidence,
    text reason,
    other policy,
    other warranty,
});

/// The failed component.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
// Read by `text_struct!` (below) as `#[serde(deny_unknown_fields, default)]` would.
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
    /// Service participation (CNH `Failure.ServiceParticipation`), sent as given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_participation: String,
    /// Record id (CNH `Failure.recordId`), sent as given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub record_id: String,
}

crate::strict::text_struct!(Failure: default {
    text component,
    text failure_code,
    text severity,
    text description,
    text ez_labor_unique_id,
    text service_participation,
    text record_id,
});

/// The purchased-protection-plan (PPP) fields of a CNH claim header (`zz…`), each sent as
/// given and left out when empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
// Read by `text_struct!` (below) as `#[serde(deny_unknown_fields, default)]` would.
pub struct Ppp {
    /// `zzphoneNo`: the PPP phone number.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub phone: String,
    /// `zzemail`: the PPP e-mail address.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// `zznonCnhSerialNo`: the serial number of a non-CNH unit.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub non_cnh_serial: String,
    /// `zzcnhSoldUnit`: the CNH sold unit.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cnh_sold_unit: String,
    /// `zzrefclaimno`: the referenced claim number.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ref_claim_number: String,
    /// `zzbaseRefClmno`: the base referenced claim number.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub base_ref_claim_number: String,
    /// `zzttmId`: the TTM id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ttm_id: String,
    /// `zzcoverage`: the PPP coverage.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub coverage: String,
    /// `zzclaim_subtype` (eSubmission v2.6): the claim subtype, e.g. Saf-t-Cab PPP.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub claim_subtype: String,
    /// `zzppp_ete` (eSubmission v2.6): the ETE contract.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ete_contract: String,
}

crate::strict::text_struct!(Ppp: default {
    text phone,
    text email,
    text non_cnh_serial,
    text cnh_sold_unit,
    text ref_claim_number,
    text base_ref_claim_number,
    text ttm_id,
    text coverage,
    text claim_subtype,
    text ete_contract,
});

impl Ppp {
    /// Whether no PPP field is given.
    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|(_, v)| v.is_empty())
    }

    /// Every field with its CNH name, in the seed's order.
    pub fn fields(&self) -> [(&'static str, &str); 10] {
        [
            ("zzphoneNo", &self.phone),
            ("zzemail", &self.email),
            ("zznonCnhSerialNo", &self.non_cnh_serial),
            ("zzcnhSoldUnit", &self.cnh_sold_unit),
            ("zzrefclaimno", &self.ref_claim_number),
            ("zzbaseRefClmno", &self.base_ref_claim_number),
            ("zzttmId", &self.ttm_id),
            ("zzcoverage", &self.coverage),
            ("zzclaim_subtype", &self.claim_subtype),
            ("zzppp_ete", &self.ete_contract),
        ]
    }
}

/// The five text blocks of a claim.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
// Read by `text_struct!` (below) as `#[serde(deny_unknown_fields, default)]` would.
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

crate::strict::text_struct!(Texts: default {
    other complaint,
    other cause,
    other correction,
    other complications,
    other special_instructions,
});

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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
// Read by `text_struct!` (below) as `#[serde(deny_unknown_fields, default)]` would.
pub struct Row {
    /// `"01"` to `"99"`, unique and consecutive from `"01"` within a block.
    pub row: String,
    /// The text.
    pub text: String,
}

crate::strict::text_struct!(Row: default {
    text row,
    text text,
});

/// One claimed position.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
// Read by `text_struct!` (below) as `#[serde(deny_unknown_fields, default)]` would.
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
    /// Drawing description (CNH `ItemPosition.DrawingDescription`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub drawing_description: String,
    /// A non-CNH part's material number (CNH `ItemPosition.ZznoncnhMatnr`, PPP claims).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub non_cnh_material: String,
    /// A non-CNH part's description (CNH `ItemPosition.ZznoncnhDesc`, PPP claims).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub non_cnh_description: String,
}

crate::strict::text_struct!(Line: default {
    text category,
    text material_code,
    text quantity,
    text amount,
    text currency,
    text third_party_invoice,
    text description,
    text drawing_description,
    text non_cnh_material,
    text non_cnh_description,
});

/// A piece of evidence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
// Read by `text_struct!` (below) as `#[serde(deny_unknown_fields, default)]` would.
pub struct Evidence {
    /// `pos_invoice`, `photo` or `document`.
    pub kind: String,
    /// The host's reference to it (invoice number, file id, …). Required.
    pub reference: String,
}

crate::strict::text_struct!(Evidence: default {
    text kind,
    text reference,
});

/// Evidence kinds a claim may carry.
pub const EVIDENCE_KINDS: &[&str] = &["pos_invoice", "photo", "document"];
