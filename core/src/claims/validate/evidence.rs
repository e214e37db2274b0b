//! Rule 7: the evidence a claim must carry.

use super::*;

pub(super) fn evidence(c: &Claim, rules: &Rules, r: &mut Report) {
    for (i, e) in c.evidence.iter().enumerate() {
        if !blank(&e.kind) && !EVIDENCE_KINDS.contains(&e.kind.as_str()) {
            r.error(
                RuleCode::EvidenceKindUnknown,
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
            RuleCode::PosInvoiceMissing,
            "claim.evidence",
            "The POS invoice is missing: a claim cannot be accepted without proof of purchase",
            &[("kind", "pos_invoice".into())],
        );
    }
    // Each kind once, in the order of their names.
    let mut wanted: Vec<&str> = Vec::new();
    for key in ["*", c.warranty_type.as_str()] {
        if let Some(kinds) = rules.required_evidence.get(key) {
            wanted.extend(kinds.iter().map(String::as_str));
        }
    }
    crate::order::sort_by(&mut wanted, Ord::cmp);
    wanted.dedup();
    wanted.retain(|k| *k != "pos_invoice");
    for kind in wanted {
        if !has(kind) {
            r.error(
                RuleCode::EvidenceMissing,
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
