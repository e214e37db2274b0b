//! CNH eSubmission adapter (seed: `cnh-esubmission-warranty-claims-api.txt`): the Create
//! Claim request body built from our [`Claim`], and the response read back into what the
//! outbox and the claim lifecycle need.
//!
//! Decimals (`ClaimedAmount`, `Quantity`, `laborWU`) are sent as strings with their exact digits; optional
//! fields the claim leaves empty are left out of the body.

pub mod documents;
pub mod invoice;
pub mod pre_submission;
pub(crate) mod sap;
pub mod smart_alert;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::claims::lifecycle::Status;
use crate::claims::partner_status::{map_partner_status, PartnerStatus};
use crate::claims::{Claim, Row};
use crate::error::{Error, Result};
use crate::partners::put_nonempty as put;
use crate::time::Instant;

/// The Create Claim path below the partner's base URL.
pub const CREATE_CLAIM_PATH: &str = "/external/services/warrantyclaim/createclaim";

/// Request-level options of Create Claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CnhOptions {
    /// `smartAlertFlag`: ask CNH for Smart Alert feedback (default true).
    pub smart_alert: bool,
    /// `attachmentFlag`: attachments follow (default: the claim has photos or documents).
    pub attachment: Option<bool>,
    /// `language` (default `EN`).
    pub language: String,
    /// `Failure.SupplierCode` (default `000`, as CNH documents).
    pub supplier_code: String,
    /// `CnhClaimNumber`, only when resubmitting a claim CNH already numbered.
    pub cnh_claim_number: Option<String>,
}

impl Default for CnhOptions {
    fn default() -> Self {
        CnhOptions {
            smart_alert: true,
            attachment: None,
            language: "EN".into(),
            supplier_code: "000".into(),
            cnh_claim_number: None,
        }
    }
}

fn rows(rows: &[Row]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("RowNumber".into(), Value::String(r.row.clone()));
                m.insert("RowText".into(), Value::String(r.text.clone()));
                Value::Object(m)
            })
            .collect(),
    )
}

/// The Create Claim body for `claim`. The claim should have passed `validate_claim`; the
/// fields CNH marks required (dealer, workshop, DMS claim number, reference date, serial,
/// vehicle hours) are checked here too, as `INVALID_INPUT` at `claim.<field>`.
pub fn create_claim_body(claim: &Claim, opts: &CnhOptions) -> Result<Value> {
    for (path, v) in [
        ("claim.dealer", &claim.dealer),
        ("claim.workshop", &claim.workshop),
        ("claim.dms_claim_number", &claim.dms_claim_number),
        ("claim.reference_date", &claim.reference_date),
        ("claim.serial", &claim.serial),
        ("claim.usage", &claim.usage),
    ] {
        if v.trim().is_empty() {
            return Err(Error::invalid(
                path,
                "CNH Create Claim requires this field (VehicleHours for `usage`)",
            ));
        }
    }
    let mut h = Map::new();
    put(&mut h, "DealerCode", &claim.dealer);
    put(&mut h, "WorkshopCode", &claim.workshop);
    put(&mut h, "DmsClaimNumber", &claim.dms_claim_number);
    put(&mut h, "JobOrderNumber", &claim.job_order);
    put(&mut h, "ReferenceDate", &claim.reference_date);
    if let Some(n) = &opts.cnh_claim_number {
        put(&mut h, "CnhClaimNumber", n);
    }
    put(&mut h, "SerialNumber", &claim.serial);
    put(&mut h, "VehicleHours", &claim.usage);
    put(&mut h, "WorkshopEntryDate", &claim.failure_date);
    put(&mut h, "WorkshopLeaveDate", &claim.repair_end);
    put(&mut h, "InstalledDate", &claim.installed_date);
    put(&mut h, "SparePartInvoiceNumber", &claim.spare_part_invoice);
    put(&mut h, "AuthorizationNumber", &claim.authorization_number);
    put(&mut h, "TimeIn", &claim.time_in);
    put(&mut h, "TimeOut", &claim.time_out);
    put(&mut h, "AmountUseSparePart", &claim.spare_part_usage);
    put(&mut h, "Assessment", &claim.assessment);
    put(
        &mut h,
        "FailedComponentSerial",
        &claim.failed_component_serial,
    );
    put(
        &mut h,
        "ReplacedComponentSerial",
        &claim.replaced_component_serial,
    );
    put(&mut h, "RepairStartDate", &claim.repair_start);
    for (key, value) in claim.ppp.fields() {
        put(&mut h, key, value);
    }

    let mut f = Map::new();
    put(&mut f, "WarrantyType", &claim.warranty_type);
    put(&mut f, "SupplierCode", &opts.supplier_code);
    put(&mut f, "CampaignNumber", &claim.campaign_number);
    put(&mut f, "ComponentCode", &claim.failure.component);
    put(&mut f, "FailureCode", &claim.failure.failure_code);
    put(&mut f, "FailureSeverityRating", &claim.failure.severity);
    put(&mut f, "FailureDescription", &claim.failure.description);
    put(&mut f, "zzpolicyNo", &claim.ppp_policy_number);
    put(&mut f, "ezLaborUniqueID", &claim.failure.ez_labor_unique_id);
    put(
        &mut f,
        "ServiceParticipation",
        &claim.failure.service_participation,
    );
    put(&mut f, "recordId", &claim.failure.record_id);
    // An EZ Labor claim's one labour line is its "labor work unit" field (`laborWU`).
    if !claim.failure.ez_labor_unique_id.trim().is_empty() {
        let mut labour = claim.lines.iter().filter(|l| l.category == "labour");
        if let (Some(l), None) = (labour.next(), labour.next()) {
            put(&mut f, "laborWU", &l.quantity);
        }
    }
    for (key, block) in [
        ("FailureComplaint", &claim.texts.complaint),
        ("FailureCause", &claim.texts.cause),
        ("FailureCorrection", &claim.texts.correction),
        ("FailureComplications", &claim.texts.complications),
        (
            "FailureSpecialInstructions",
            &claim.texts.special_instructions,
        ),
    ] {
        if !block.is_empty() {
            f.insert(key.into(), rows(block));
        }
    }
    let positions: Vec<Value> = claim
        .lines
        .iter()
        .map(|l| {
            let mut p = Map::new();
            put(&mut p, "PositionCategory", &l.category.to_ascii_uppercase());
            put(&mut p, "MaterialCode", &l.material_code);
            put(&mut p, "Quantity", &l.quantity);
            put(&mut p, "ClaimedAmount", &l.amount);
            put(&mut p, "AmountCurrency", &l.currency);
            put(&mut p, "OperationDescription", &l.description);
            put(&mut p, "DrawingDescription", &l.drawing_description);
            put(&mut p, "ThirdPartyInvoiceNumber", &l.third_party_invoice);
            put(&mut p, "ZznoncnhMatnr", &l.non_cnh_material);
            put(&mut p, "ZznoncnhDesc", &l.non_cnh_description);
            Value::Object(p)
        })
        .collect();
    f.insert("ItemPosition".into(), Value::Array(positions));
    h.insert("Failure".into(), Value::Object(f));

    let attachment = opts
        .attachment
        .unwrap_or_else(|| claim.evidence.iter().any(|e| e.kind != "pos_invoice"));
    let flag = |b: bool| Value::String(if b { "X" } else { "" }.into());
    let mut body = Map::new();
    body.insert("ClaimHeader".into(), Value::Object(h));
    body.insert("smartAlertFlag".into(), flag(opts.smart_alert));
    body.insert("attachmentFlag".into(), flag(attachment));
    body.insert("language".into(), Value::String(opts.language.clone()));
    Ok(Value::Object(body))
}

/// The credentials of a DMS for CNH's DEP (seed: "Authentication"): the dealer's Dealer
/// Portal user and password for DMS access, and the `subscription_key` CNH assigned to the DMS
/// for one environment.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CnhCredentials {
    /// The Dealer Portal user id set up for DMS access.
    pub username: String,
    /// Its password.
    pub password: String,
    /// The DMS's subscription key (unique to the DMS and the environment).
    pub subscription_key: String,
}

/// The headers every DEP call carries: HTTP Basic from the dealer's credentials and the DMS's
/// `subscription_key`, plus the JSON content type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CnhAuthHeaders {
    /// `Basic base64(username:password)`.
    #[serde(rename = "Authorization")]
    pub authorization: String,
    /// The subscription key, as the header CNH names `subscription_key`.
    pub subscription_key: String,
    /// `application/json` (the seed: the content type follows the payload).
    #[serde(rename = "Content-Type")]
    pub content_type: &'static str,
}

impl CnhCredentials {
    /// The headers, or `INVALID_INPUT` at `credentials.<field>`: an empty user or one with
    /// `:` (Basic cannot carry it), an empty password, a key that is empty or not visible
    /// ASCII (it goes into a header as written).
    pub fn headers(&self) -> Result<CnhAuthHeaders> {
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine as _;
        if self.username.is_empty() || self.username.contains(':') {
            return Err(Error::invalid(
                "credentials.username",
                "the Dealer Portal user is empty or contains `:`",
            ));
        }
        if self.password.is_empty() {
            return Err(Error::invalid(
                "credentials.password",
                "the password is empty",
            ));
        }
        if self.password.chars().any(char::is_control) {
            return Err(Error::invalid(
                "credentials.password",
                "the password contains a control character",
            ));
        }
        if self.subscription_key.is_empty()
            || !self.subscription_key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(Error::invalid(
                "credentials.subscription_key",
                "a subscription key is visible ASCII with no spaces",
            ));
        }
        Ok(CnhAuthHeaders {
            authorization: format!(
                "Basic {}",
                STANDARD.encode(format!("{}:{}", self.username, self.password))
            ),
            subscription_key: self.subscription_key.clone(),
            content_type: "application/json",
        })
    }
}

/// One message row of a CNH response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CnhMessage {
    /// `row_number`.
    #[serde(default)]
    pub row_number: String,
    /// `row_text`.
    #[serde(default)]
    pub row_text: String,
}

/// The fields of a Create Claim response, as the seed's Response Description lists them
/// (others are ignored, as partner responses grow).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CnhClaimResponse {
    /// `dealer_code`.
    pub dealer_code: String,
    /// `workshop_code`.
    pub workshop_code: String,
    /// `dms_claim_number`.
    pub dms_claim_number: String,
    /// `job_order_number`.
    pub job_order_number: String,
    /// `reference_date`, as CNH writes it.
    pub reference_date: String,
    /// `cnh_claim_number`.
    pub cnh_claim_number: String,
    /// `serial_number`.
    pub serial_number: String,
    /// `van_code`.
    pub van_code: String,
    /// `dealer_name`.
    pub dealer_name: String,
    /// `zzext_clmno`: the Assurant claim number (extended-warranty claims).
    pub zzext_clmno: String,
    /// `status` (numeric, e.g. `"10"`).
    pub status: String,
    /// `status_description`.
    pub status_description: String,
    /// `claimed_value`.
    pub claimed_value: String,
    /// `reimbursed_value`.
    pub reimbursed_value: String,
    /// `currency`.
    pub currency: String,
    /// `message` rows.
    pub message: Vec<CnhMessage>,
}

pub use crate::partners::Disposition;

/// A Create Claim answer, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CnhAnswer {
    /// What the outbox should do.
    pub disposition: Disposition,
    /// The parsed body, when it was a Create Claim response.
    pub response: Option<CnhClaimResponse>,
    /// Our status for the claim, when CNH's status maps onto one.
    pub claim_status: Option<Status>,
    /// The partner's messages, one line each (`row_text`, or the body's `message`).
    pub messages: Vec<String>,
}

/// Reads a Create Claim answer. A 200 must carry a JSON object (a malformed 200 is an
/// `INVALID_INPUT` error at `body`: the caller keeps the message and retries or asks a
/// person); error bodies may be anything and are kept as messages.
pub fn read_create_claim_response(status: u16, body: &str, at: Instant) -> Result<CnhAnswer> {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    if (200..=299).contains(&status) {
        let Some(Value::Object(_)) = &parsed else {
            return Err(Error::invalid(
                "body",
                format!("CNH answered {status} without a JSON object body"),
            ));
        };
        let r: CnhClaimResponse =
            crate::strict::from_field(body, "body", "not a Create Claim response")?;
        let claim_status = if r.status.is_empty() && r.status_description.is_empty() {
            None
        } else {
            map_partner_status(&PartnerStatus {
                partner: Some("cnh".into()),
                status: (!r.status.is_empty()).then(|| r.status.clone()),
                status_description: (!r.status_description.is_empty())
                    .then(|| r.status_description.clone()),
                at,
            })
            .ok()
        };
        let messages = r.message.iter().map(|m| m.row_text.clone()).collect();
        return Ok(CnhAnswer {
            disposition: Disposition::Delivered,
            response: Some(r),
            claim_status,
            messages,
        });
    }
    let disposition = Disposition::of_failure(status);
    let mut messages = Vec::new();
    match &parsed {
        Some(Value::Object(o)) => {
            if let Some(Value::Array(rows)) = o.get("message") {
                for r in rows {
                    if let Some(t) = r.get("row_text").and_then(Value::as_str) {
                        messages.push(t.to_string());
                    }
                }
            }
            for k in ["message", "statusCode", "error"] {
                if let Some(Value::String(t)) = o.get(k) {
                    messages.push(t.clone());
                }
            }
        }
        Some(Value::String(t)) => messages.push(t.clone()),
        _ => {}
    }
    if messages.is_empty() && !body.trim().is_empty() {
        messages.push(body.trim().chars().take(500).collect());
    }
    Ok(CnhAnswer {
        disposition,
        response: None,
        claim_status: None,
        messages,
    })
}

/// The Defect/Failure code lookup's search terms (`ZcnWtClaimLookupEw20`): complete or partial
/// codes and descriptions, `*` for everything at the next level.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DefectFailureLookup {
    /// `DefCodeGroup`, e.g. `10`.
    pub defect_group: String,
    /// `DefCodeSub`, e.g. `10102`.
    pub defect_sub: String,
    /// `DefCodeSubSub`, e.g. `10102AK`.
    pub defect_sub_sub: String,
    /// `DefDescGroup`, e.g. `Engine`.
    pub defect_description_group: String,
    /// `DefDescSub`, e.g. `Pan and covers`.
    pub defect_description_sub: String,
    /// `DefDescSubSub`, e.g. `ENGIN BLOCK COVER`.
    pub defect_description_sub_sub: String,
    /// `FailCode`, e.g. `001`.
    pub failure_code: String,
    /// `FailDesc`, e.g. `SPECIAL INSPECTION CHECKS`.
    pub failure_description: String,
    /// `IRelobExt`: the serial number, to narrow the answer.
    pub serial: String,
    /// `Lang`: one letter (`E`, English, when empty).
    pub language: String,
}

/// Where the Defect/Failure code lookup is sent (`POST`, below the partner's base URL).
pub const DEFECT_FAILURE_PATH: &str = "/external/services/warrantyclaim/defectfailure";

/// The lookup's request body: every field of `ZcnWtClaimLookupEw20` (Char100, `Lang` Char1).
pub fn defect_failure_body(l: &DefectFailureLookup) -> Result<Value> {
    let language = if l.language.is_empty() {
        "E"
    } else {
        l.language.as_str()
    };
    if language.chars().count() != 1 || !language.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(Error::invalid(
            "lookup.language",
            "one capital letter (`E` for English)",
        ));
    }
    let mut m = Map::new();
    for (key, field, value) in [
        ("DefCodeGroup", "defect_group", &l.defect_group),
        ("DefCodeSub", "defect_sub", &l.defect_sub),
        ("DefCodeSubSub", "defect_sub_sub", &l.defect_sub_sub),
        (
            "DefDescGroup",
            "defect_description_group",
            &l.defect_description_group,
        ),
        (
            "DefDescSub",
            "defect_description_sub",
            &l.defect_description_sub,
        ),
        (
            "DefDescSubSub",
            "defect_description_sub_sub",
            &l.defect_description_sub_sub,
        ),
        ("FailCode", "failure_code", &l.failure_code),
        ("FailDesc", "failure_description", &l.failure_description),
        ("IRelobExt", "serial", &l.serial),
    ] {
        sap::optional(value, 100, &format!("lookup.{field}"))?;
        m.insert(key.into(), Value::String(value.clone()));
    }
    m.insert("Lang".into(), Value::String(language.into()));
    let mut body = Map::new();
    body.insert("ZcnWtClaimLookupEw20".into(), Value::Object(m));
    Ok(Value::Object(body))
}

/// One code of the lookup's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodeEntry {
    /// `Code` (`MatCode` for materials and operations).
    pub code: String,
    /// `Description` (`MaterialDescription`).
    pub description: String,
}

/// The lookup's answer, as lists a claim (and `validate_claim`'s `rules`) can use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DefectFailureCodes {
    /// `ToutDefect`: the codes for the claim's component (`rules.defect_codes`).
    pub defects: Vec<CodeEntry>,
    /// `ToutFailure`: the failure codes (`rules.failure_codes`).
    pub failures: Vec<CodeEntry>,
    /// `ToutMaterial`.
    pub materials: Vec<CodeEntry>,
    /// `ToutOperation`.
    pub operations: Vec<CodeEntry>,
}

/// Reads the lookup's answer (`ZcnWtClaimLookupEw20Response`). Each table's `Item` may be one
/// object or an array of them (SAP sends either); a missing table is empty; unknown fields
/// are ignored. A body that is not that object (a repeated key included, as for the Create
/// Claim answer), or an item without its code, is an error at its path below `body`.
pub fn read_defect_failure_answer(body: &str) -> Result<DefectFailureCodes> {
    let v: Value = crate::strict::from_field(body, "body", "not JSON")?;
    let root = "ZcnWtClaimLookupEw20Response";
    let Some(r) = v.get(root).and_then(Value::as_object) else {
        return Err(Error::invalid(
            "body",
            format!("expected an object with `{root}`"),
        ));
    };
    let table = |name: &str, code: &str, description: &str| -> Result<Vec<CodeEntry>> {
        let at = format!("body.{root}.{name}");
        let items = match r.get(name) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Object(t)) => match t.get("Item") {
                None | Some(Value::Null) => return Ok(Vec::new()),
                Some(Value::Array(a)) => a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| (format!("{at}.Item[{i}]"), x))
                    .collect::<Vec<_>>(),
                Some(x) => vec![(format!("{at}.Item"), x)],
            },
            Some(_) => return Err(Error::invalid(at, "expected an object with `Item`")),
        };
        items
            .into_iter()
            .map(|(path, x)| {
                let text = |k: &str| x.get(k).and_then(Value::as_str).map(str::to_string);
                match text(code) {
                    Some(c) if !c.trim().is_empty() => Ok(CodeEntry {
                        code: c,
                        description: text(description).unwrap_or_default(),
                    }),
                    _ => Err(Error::invalid(
                        format!("{path}.{code}"),
                        "an entry without its code",
                    )),
                }
            })
            .collect()
    };
    Ok(DefectFailureCodes {
        defects: table("ToutDefect", "Code", "Description")?,
        failures: table("ToutFailure", "Code", "Description")?,
        materials: table("ToutMaterial", "MatCode", "MaterialDescription")?,
        operations: table("ToutOperation", "MatCode", "MaterialDescription")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim() -> Claim {
        let req: Value = serde_json::from_str(include_str!(
            "../../../../examples/claims/validate-tractor.json"
        ))
        .unwrap();
        serde_json::from_value(req["claim"].clone()).unwrap()
    }

    fn at() -> Instant {
        Instant::parse("2026-11-21T10:00:00+01:00").unwrap()
    }

    #[test]
    fn the_body_follows_the_create_claim_attributes() {
        let b = create_claim_body(&claim(), &CnhOptions::default()).unwrap();
        let h = &b["ClaimHeader"];
        assert_eq!(h["DealerCode"], "0000123456");
        assert_eq!(h["DmsClaimNumber"], "DMS-2026-0042");
        assert_eq!(h["ReferenceDate"], "2026-11-20");
        assert_eq!(h["SerialNumber"], "HCCZFA10HMCJ11111");
        assert_eq!(h["VehicleHours"], "812.5");
        assert_eq!(h["WorkshopEntryDate"], "2026-11-10");
        assert_eq!(h["WorkshopLeaveDate"], "2026-11-14");
        assert_eq!(h["RepairStartDate"], "2026-11-12");
        assert!(h.get("CnhClaimNumber").is_none());
        let f = &h["Failure"];
        assert_eq!(f["WarrantyType"], "A");
        assert_eq!(f["SupplierCode"], "000");
        assert_eq!(f["ComponentCode"], "HYD-PUMP");
        assert_eq!(f["FailureCause"][1]["RowNumber"], "02");
        assert_eq!(f["FailureCause"][1]["RowText"], "No external damage");
        assert_eq!(f["ItemPosition"][0]["ClaimedAmount"], "184.20");
        assert_eq!(f["ItemPosition"][0]["PositionCategory"], "PARTS");
        assert_eq!(f["ItemPosition"][2]["ThirdPartyInvoiceNumber"], "TP-991");
        assert!(f.get("laborWU").is_none() && f.get("ezLaborUniqueID").is_none());
        let mut ez = claim();
        ez.failure.ez_labor_unique_id = "EZ-42".into();
        let b = create_claim_body(&ez, &CnhOptions::default()).unwrap();
        let f = &b["ClaimHeader"]["Failure"];
        assert_eq!(
            (&f["ezLaborUniqueID"], &f["laborWU"]),
            (&serde_json::json!("EZ-42"), &serde_json::json!("2.5"))
        );
        assert_eq!(b["smartAlertFlag"], "X");
        assert_eq!(b["attachmentFlag"], "X"); // the claim has a photo
        assert_eq!(b["language"], "EN");
    }

    #[test]
    fn every_create_claim_attribute_of_v2_6_has_a_claim_field() {
        let mut c = claim();
        // Left out when empty: the example claim has none of them.
        let b = create_claim_body(&c, &CnhOptions::default()).unwrap();
        for k in [
            "TimeIn",
            "Assessment",
            "zzphoneNo",
            "zzclaim_subtype",
            "zzppp_ete",
        ] {
            assert!(b["ClaimHeader"].get(k).is_none(), "{k}");
        }
        assert!(b["ClaimHeader"]["Failure"].get("recordId").is_none());
        let given: Value = serde_json::json!({
            "time_in": "08:15", "time_out": "17:40", "spare_part_usage": "120.5",
            "assessment": "SELF", "failed_component_serial": "FC-1",
            "replaced_component_serial": "RC-2",
            "ppp": {"phone": "+1 555 0100", "email": "ppp@example.com", "non_cnh_serial": "N-9",
                    "cnh_sold_unit": "Y", "ref_claim_number": "R-1", "base_ref_claim_number": "B-1",
                    "ttm_id": "T-7", "coverage": "FULL", "claim_subtype": "SAF-T-CAB",
                    "ete_contract": "ETE-3"}
        });
        let mut v = serde_json::to_value(&c).unwrap();
        for (k, x) in given.as_object().unwrap() {
            v[k] = x.clone();
        }
        v["failure"]["service_participation"] = "50".into();
        v["failure"]["record_id"] = "REC-1".into();
        v["lines"][0]["drawing_description"] = "Pump housing".into();
        v["lines"][0]["non_cnh_material"] = "NC-100".into();
        v["lines"][0]["non_cnh_description"] = "Third-party hose".into();
        c = serde_json::from_value(v).unwrap();
        let b = create_claim_body(&c, &CnhOptions::default()).unwrap();
        let h = &b["ClaimHeader"];
        for (k, want) in [
            ("TimeIn", "08:15"),
            ("TimeOut", "17:40"),
            ("AmountUseSparePart", "120.5"),
            ("Assessment", "SELF"),
            ("FailedComponentSerial", "FC-1"),
            ("ReplacedComponentSerial", "RC-2"),
            ("zzphoneNo", "+1 555 0100"),
            ("zzemail", "ppp@example.com"),
            ("zznonCnhSerialNo", "N-9"),
            ("zzcnhSoldUnit", "Y"),
            ("zzrefclaimno", "R-1"),
            ("zzbaseRefClmno", "B-1"),
            ("zzttmId", "T-7"),
            ("zzcoverage", "FULL"),
            ("zzclaim_subtype", "SAF-T-CAB"),
            ("zzppp_ete", "ETE-3"),
        ] {
            assert_eq!(h[k], want, "{k}");
        }
        let f = &h["Failure"];
        assert_eq!(
            (&f["ServiceParticipation"], &f["recordId"]),
            (&"50".into(), &"REC-1".into())
        );
        let p = &f["ItemPosition"][0];
        assert_eq!(p["DrawingDescription"], "Pump housing");
        assert_eq!(p["ZznoncnhMatnr"], "NC-100");
        assert_eq!(p["ZznoncnhDesc"], "Third-party hose");
        assert!(f["ItemPosition"][1].get("ZznoncnhMatnr").is_none());
        // An unknown PPP field is refused, as every claim field.
        let bad: std::result::Result<Claim, _> =
            serde_json::from_value(serde_json::json!({"ppp": {"phone_no": "1"}}));
        assert!(bad.is_err());
    }

    #[test]
    fn dep_headers_carry_basic_auth_and_the_subscription_key() {
        let creds = |u: &str, p: &str, k: &str| CnhCredentials {
            username: u.into(),
            password: p.into(),
            subscription_key: k.into(),
        };
        let h = creds("dms-user", "pa:ss", "0123abcd").headers().unwrap();
        // base64("dms-user:pa:ss"): only the first `:` separates the user.
        assert_eq!(h.authorization, "Basic ZG1zLXVzZXI6cGE6c3M=");
        assert_eq!(h.subscription_key, "0123abcd");
        assert_eq!(
            serde_json::to_value(&h).unwrap(),
            serde_json::json!({"Authorization": "Basic ZG1zLXVzZXI6cGE6c3M=",
                "subscription_key": "0123abcd", "Content-Type": "application/json"})
        );
        for (c, path) in [
            (creds("", "p", "k"), "credentials.username"),
            (creds("a:b", "p", "k"), "credentials.username"),
            (creds("u", "", "k"), "credentials.password"),
            (creds("u", "p\n", "k"), "credentials.password"),
            (creds("u", "p", ""), "credentials.subscription_key"),
            (creds("u", "p", "a b"), "credentials.subscription_key"),
            (creds("u", "p", "ключ"), "credentials.subscription_key"),
        ] {
            assert_eq!(c.headers().unwrap_err().path, path);
        }
    }

    #[test]
    fn required_fields_are_checked() {
        let mut c = claim();
        c.usage.clear();
        let e = create_claim_body(&c, &CnhOptions::default()).unwrap_err();
        assert_eq!(e.path, "claim.usage");
    }

    #[test]
    fn answers_map_to_outbox_dispositions() {
        let ok = r#"{"dealer_code":"0000123456","dms_claim_number":"DMS-2026-0042","cnh_claim_number":"202500006190",
            "status":"10","status_description":"DRAFT","claimed_value":"386.70","currency":"EUR",
            "message":[{"row_number":"01","row_text":"Claim Processing Completed."}],"zzext_clmno":""}"#;
        let a = read_create_claim_response(200, ok, at()).unwrap();
        assert_eq!(a.disposition, Disposition::Delivered);
        assert_eq!(a.response.unwrap().cnh_claim_number, "202500006190");
        assert_eq!(a.claim_status, Some(Status::Draft));
        assert_eq!(a.messages, ["Claim Processing Completed."]);

        let bad = r#"{"statusCode":"400","message":"Required request body missing error!"}"#;
        let a = read_create_claim_response(400, bad, at()).unwrap();
        assert_eq!(a.disposition, Disposition::DeadLetter);
        assert_eq!(a.messages, ["Required request body missing error!", "400"]);
        let a = read_create_claim_response(
            422,
            "Please, fill all mandatory data to call the service.",
            at(),
        )
        .unwrap();
        assert_eq!(a.disposition, Disposition::DeadLetter);
        assert_eq!(a.messages.len(), 1);
        assert_eq!(
            read_create_claim_response(401, "", at())
                .unwrap()
                .disposition,
            Disposition::DeadLetter
        );
        let a = read_create_claim_response(500, "Internal Server Error", at()).unwrap();
        assert_eq!(a.disposition, Disposition::Retry);
        assert_eq!(a.messages, ["Internal Server Error"]);
    }

    #[test]
    fn a_malformed_success_is_an_error_not_a_delivery() {
        for body in [
            "",
            "<html>oops</html>",
            "[1,2]",
            "{\"cnh_claim_number\": 5}",
        ] {
            let e = read_create_claim_response(200, body, at()).unwrap_err();
            // A wrong type is placed at its key inside the body.
            let want = if body.contains("cnh_claim_number") {
                "body.cnh_claim_number"
            } else {
                "body"
            };
            assert_eq!(e.path, want, "{body}");
        }
    }
}
