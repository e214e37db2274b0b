//! CNH Smart Alert (the Claim Status Inquiry called right after submission): per claim, its
//! status and CNH's `smart_alert_feedback`. An alert moves nothing by itself: it is surfaced
//! as a finding for a person; the status comes with the partner update that
//! `apply_partner_status` takes.

use serde::Serialize;

use super::sap;
use crate::claims::lifecycle::Status;
use crate::claims::partner_status::{map_partner_status, PartnerStatus};
use crate::claims::Severity;
use crate::error::{Error, Result};
use crate::time::Instant;

/// One claim of the answer (`table_results`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertClaim {
    /// `cnh_claim_number`.
    pub cnh_claim_number: String,
    /// `dealer_code`.
    pub dealer_code: String,
    /// `serial_number`: the VIN the dealer entered.
    pub serial: String,
    /// `status` (e.g. `80`).
    pub status: String,
    /// `status_description` (e.g. `CLAIM PAID`).
    pub status_description: String,
    /// `failure_date`.
    pub failure_date: String,
    /// `creation_date`.
    pub creation_date: String,
    /// `smart_alert_feedback`.
    pub feedback: String,
    /// Whether the feedback is an alert (anything but blank or `OK`).
    pub alert: bool,
    /// The status mapped onto the claim lifecycle, when it is a known one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_status: Option<Status>,
    /// The update to give `apply_partner_status`, when the status is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<PartnerStatus>,
}

crate::wire::wire_enum! {
    /// Why a Smart Alert row needs a person.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
    pub enum AlertCode {
        /// CNH's feedback on the claim (anything but blank or `OK`).
        SmartAlert = "SMART_ALERT",
        /// A status this library does not map; the claim is not moved.
        PartnerStatusUnknown = "PARTNER_STATUS_UNKNOWN",
    }
}

/// Something a person should look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertFinding {
    /// Why.
    pub code: AlertCode,
    /// Always `warning`: nothing is decided for the person.
    pub severity: Severity,
    /// Where, in this answer (`claims[i].feedback`, `claims[i].status`).
    pub path: String,
    /// The claim (CNH's number).
    pub claim: String,
    /// What to look at.
    pub message: String,
}

/// The Smart Alert answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SmartAlert {
    /// `message_id` is `S`.
    pub ok: bool,
    /// `message_id` (`S` or `E`).
    pub message_id: String,
    /// `message_text` (e.g. "No claims found based on input parameters").
    pub message_text: String,
    /// The claims, in the answer's order.
    pub claims: Vec<AlertClaim>,
    /// The alerts and unknown statuses, in the claims' order.
    pub findings: Vec<AlertFinding>,
}

/// Reads the Smart Alert answer received at `at` (the instant the updates carry).
pub fn read_smart_alert_answer(body: &str, at: Instant) -> Result<SmartAlert> {
    let v = sap::parse(body)?;
    if !v.is_object() {
        return Err(Error::invalid(
            "body",
            "expected an object with `message_id`",
        ));
    }
    let message_id = sap::trimmed(&v, "message_id");
    if message_id.is_empty() {
        return Err(Error::invalid("body.message_id", "missing (`S` or `E`)"));
    }
    let mut claims = Vec::new();
    let mut findings = Vec::new();
    for (i, (path, x)) in sap::rows(v.get("table_results"), "body.table_results")?
        .into_iter()
        .enumerate()
    {
        let t = |k: &str| sap::trimmed(x, k);
        let number = t("cnh_claim_number");
        if number.is_empty() {
            return Err(Error::invalid(
                format!("{path}.cnh_claim_number"),
                "a result without its claim number",
            ));
        }
        let status = t("status");
        let description = t("status_description");
        let feedback = t("smart_alert_feedback");
        let alert = !(feedback.is_empty() || feedback.eq_ignore_ascii_case("OK"));
        let some = |s: &String| (!s.is_empty()).then(|| s.clone());
        let update = PartnerStatus {
            partner: Some("cnh".into()),
            status: some(&status),
            status_description: some(&description),
            at,
        };
        let (partner_status, update) = match map_partner_status(&update) {
            Ok(s) => (Some(s), Some(update)),
            Err(e) => {
                findings.push(AlertFinding {
                    code: AlertCode::PartnerStatusUnknown,
                    severity: Severity::Warning,
                    path: format!("claims[{i}].status"),
                    claim: number.clone(),
                    message: format!(
                        "Claim {number}: {}; the claim is not moved",
                        e.message.trim_end_matches('.')
                    ),
                });
                (None, None)
            }
        };
        if alert {
            findings.push(AlertFinding {
                code: AlertCode::SmartAlert,
                severity: Severity::Warning,
                path: format!("claims[{i}].feedback"),
                claim: number.clone(),
                message: format!("CNH Smart Alert on claim {number}: {feedback}"),
            });
        }
        claims.push(AlertClaim {
            cnh_claim_number: number,
            dealer_code: t("dealer_code"),
            serial: t("serial_number"),
            status,
            status_description: description,
            failure_date: t("failure_date"),
            creation_date: t("creation_date"),
            feedback,
            alert,
            partner_status,
            update,
        });
    }
    Ok(SmartAlert {
        ok: message_id == "S",
        message_id,
        message_text: sap::trimmed(&v, "message_text"),
        claims,
        findings,
    })
}
