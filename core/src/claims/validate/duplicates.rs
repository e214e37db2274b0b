//! Rule 9: known claims with the same number, or the same serial and component close in time.

use super::*;

pub(super) fn duplicates(c: &Claim, cx: &ClaimContext<'_>, d: &Dates, r: &mut Report) {
    if !blank(&c.dms_claim_number)
        && cx
            .known_claims
            .iter()
            .any(|k| k.dms_claim_number == c.dms_claim_number)
    {
        r.error(
            RuleCode::DuplicateClaimNumber,
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
        let apart = failure.signed_duration_since(kd).num_days().abs();
        if apart <= window {
            r.push(
                RuleCode::PossibleDuplicate,
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
