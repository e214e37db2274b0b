//! What CNH answers before a claim is submitted: EZ Labor (may the labour go as one line, and
//! how many work units) and PIP Multilevel (the parts a Product Improvement Program claim,
//! warranty type H, must carry). Their answers become `validate_claim` rules
//! (`rules.ez_labor`, `rules.pip_parts`) and, for PIP, pre-filled claim lines.

use serde::Serialize;

use super::sap;
use crate::claims::{Line, PipPart};
use crate::error::{Error, Result};
use crate::warranty::policy::Dec;

/// One defect code of the EZ Labor answer (`table_defect`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EzDefect {
    /// `defect_code`.
    pub code: String,
    /// `defect_description`.
    pub description: String,
}

/// The EZ Labor answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EzLabor {
    /// `message` is `S`.
    pub ok: bool,
    /// `message_text`.
    pub message_text: String,
    /// `ez_result`: the claim may use EZ Labor (`YES`/`OK`) or not (`NO`/`KO`).
    pub available: bool,
    /// `ez_reason`.
    pub reason: String,
    /// `ez_labor_code`.
    pub labor_code: String,
    /// `ez_labor_time`.
    pub labor_time: String,
    /// `ez_unique_id`: the claim must carry it (`failure.ez_labor_unique_id`).
    pub unique_id: String,
    /// `ez_freeze_wu`: the work units the claim's one labour line must have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze_wu: Option<String>,
    /// `ez_attempts`: attempts left before the work units freeze.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u64>,
    /// `ez_attempts_message`.
    pub attempts_message: String,
    /// `table_defect`.
    pub defects: Vec<EzDefect>,
}

/// Reads the EZ Labor answer. With `message` `S`, `ez_result` must say yes or no, and a yes
/// must carry `ez_unique_id`; `ez_freeze_wu` is an exact, non-negative decimal.
pub fn read_ez_labor_answer(body: &str) -> Result<EzLabor> {
    let v = sap::parse(body)?;
    if !v.is_object() {
        return Err(Error::invalid("body", "expected an object with `message`"));
    }
    let t = |k: &str| sap::trimmed(&v, k);
    let message = t("message");
    if !matches!(message.as_str(), "S" | "E") {
        return Err(Error::invalid("body.message", "`S` or `E`"));
    }
    let ok = message == "S";
    let result = t("ez_result").to_ascii_uppercase();
    let available = match result.as_str() {
        "YES" | "OK" => true,
        "NO" | "KO" => false,
        "" if !ok => false,
        _ => {
            return Err(Error::invalid(
                "body.ez_result",
                format!("`{result}` is not YES/OK or NO/KO"),
            ))
        }
    };
    let unique_id = t("ez_unique_id");
    if available && unique_id.is_empty() {
        return Err(Error::invalid(
            "body.ez_unique_id",
            "EZ Labor said yes without the id the claim must carry",
        ));
    }
    let freeze_wu = match sap::amount(&v, "ez_freeze_wu", "body")? {
        Some(d) if d.is_sign_negative() && !d.is_zero() => {
            return Err(Error::invalid(
                "body.ez_freeze_wu",
                "work units cannot be negative",
            ))
        }
        d => d.map(|d| d.to_string()),
    };
    let defects = sap::rows(v.get("table_defect"), "body.table_defect")?
        .into_iter()
        .map(|(_, x)| EzDefect {
            code: sap::trimmed(x, "defect_code"),
            description: sap::trimmed(x, "defect_description"),
        })
        .collect();
    Ok(EzLabor {
        ok,
        message_text: t("message_text"),
        available,
        reason: t("ez_reason"),
        labor_code: t("ez_labor_code"),
        labor_time: t("ez_labor_time"),
        unique_id,
        freeze_wu,
        attempts: sap::whole(&v, "ez_attempts", "body")?,
        attempts_message: t("ez_attempts_message"),
        defects,
    })
}

/// The PIP Multilevel answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PipAnswer {
    /// `Message` is `S`.
    pub ok: bool,
    /// `message_text`.
    pub message_text: String,
    /// The PIP's parts (`rules.pip_parts`).
    pub parts: Vec<PipPart>,
    /// The claim's warranty type for a PIP: `H`.
    pub warranty_type: &'static str,
    /// The PIP code, for the claim's `campaign_number` (the first part's).
    pub campaign_number: String,
    /// Claim lines pre-filled from the parts (category `parts`, part number, quantity); the
    /// host adds amounts and currency.
    pub lines: Vec<Line>,
}

/// Reads the PIP Multilevel answer. Each part needs its `material_code` and a non-negative
/// exact `material_quantity`; `mandatory` is `X` (or `Y`, `YES`, `TRUE`) or blank (or `N`,
/// `NO`, `FALSE`).
pub fn read_pip_answer(body: &str) -> Result<PipAnswer> {
    let v = sap::parse(body)?;
    if !v.is_object() {
        return Err(Error::invalid("body", "expected an object with `Message`"));
    }
    // The seed spells it `Message` here; accept the EZ Labor answer's `message` too.
    let message = match sap::trimmed(&v, "Message") {
        m if m.is_empty() => sap::trimmed(&v, "message"),
        m => m,
    };
    if !matches!(message.as_str(), "S" | "E") {
        return Err(Error::invalid("body.Message", "`S` or `E`"));
    }
    let mut parts = Vec::new();
    for (path, x) in sap::rows(v.get("table_results"), "body.table_results")? {
        let t = |k: &str| sap::trimmed(x, k);
        let material_code = t("material_code");
        if material_code.is_empty() {
            return Err(Error::invalid(
                format!("{path}.material_code"),
                "a part without its number",
            ));
        }
        let quantity = match sap::amount(x, "material_quantity", &path)? {
            Some(q) if !q.is_sign_negative() || q.is_zero() => Dec(q.abs()),
            Some(_) => {
                return Err(Error::invalid(
                    format!("{path}.material_quantity"),
                    "a quantity cannot be negative",
                ))
            }
            None => {
                return Err(Error::invalid(
                    format!("{path}.material_quantity"),
                    "a part without its quantity",
                ))
            }
        };
        let flag = t("mandatory").to_ascii_uppercase();
        let mandatory = match flag.as_str() {
            "X" | "Y" | "YES" | "TRUE" => true,
            "" | "N" | "NO" | "FALSE" => false,
            _ => {
                return Err(Error::invalid(
                    format!("{path}.mandatory"),
                    format!("`{flag}` is not a flag (`X` or blank)"),
                ))
            }
        };
        parts.push(PipPart {
            pip_code: t("pip_code"),
            level: t("levelid"),
            defect_code: t("defect_code"),
            mandatory,
            material_type: t("material_type"),
            material_code,
            quantity,
        });
    }
    let lines = parts
        .iter()
        .map(|p| Line {
            category: "parts".into(),
            material_code: p.material_code.clone(),
            quantity: p.quantity.to_string(),
            ..Line::default()
        })
        .collect();
    Ok(PipAnswer {
        ok: message == "S",
        message_text: sap::trimmed(&v, "message_text"),
        campaign_number: parts
            .first()
            .map(|p| p.pip_code.clone())
            .unwrap_or_default(),
        parts,
        warranty_type: "H",
        lines,
    })
}
