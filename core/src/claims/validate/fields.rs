//! Rules 1, 2 and 5: required fields, the warranty type and what it needs, numbered text rows.

use super::*;

pub(super) fn required(c: &Claim, r: &mut Report) {
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

pub(super) fn warranty_type(c: &Claim, r: &mut Report) {
    if blank(&c.warranty_type) {
        return;
    }
    let Some((_, name)) = WARRANTY_TYPES.iter().find(|(k, _)| *k == c.warranty_type) else {
        r.error(
            RuleCode::WarrantyTypeUnknown,
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
                RuleCode::RequiredForWarrantyType,
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

pub(super) fn rows(c: &Claim, r: &mut Report) {
    for (block, rows) in c.texts.blocks() {
        let mut seen = BTreeSet::new();
        for (i, row) in rows.iter().enumerate() {
            let path = format!("claim.texts.{block}[{i}].row");
            let b = row.row.as_bytes();
            let n = match b {
                [x, y] if x.is_ascii_digit() && y.is_ascii_digit() => {
                    row.row.parse::<u32>().unwrap_or(0)
                }
                _ => 0,
            };
            if n == 0 {
                r.error(
                    RuleCode::RowNumberInvalid,
                    path,
                    format!(
                        "`{}` is not a two-digit row number from \"01\" to \"99\"",
                        row.row
                    ),
                    &[("row", row.row.clone())],
                );
                continue;
            }
            let expected = i.saturating_add(1);
            if !seen.insert(n) {
                r.error(
                    RuleCode::RowNumberDuplicate,
                    path,
                    format!("Row {} appears twice in {block}", row.row),
                    &[("row", row.row.clone())],
                );
            } else if usize::try_from(n).ok() != Some(expected) {
                r.error(
                    RuleCode::RowNumbersNotConsecutive,
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
