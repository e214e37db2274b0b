//! Rules 10, 11 and 12: what the host learned from the partner before submitting (CNH's allowed defect and failure codes, EZ Labor, PIP parts).

use super::*;

/// The component and failure codes against the lists the host was given (a blank code is
/// already a missing field).
pub(super) fn allowed_codes(c: &Claim, rules: &Rules, r: &mut Report) {
    for (allowed, value, code, path, what) in [
        (
            &rules.defect_codes,
            &c.failure.component,
            RuleCode::DefectCodeUnknown,
            "claim.failure.component",
            "defect",
        ),
        (
            &rules.failure_codes,
            &c.failure.failure_code,
            RuleCode::FailureCodeUnknown,
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
pub(super) fn ez_labor(c: &Claim, rules: &Rules, r: &mut Report) {
    let id = &c.failure.ez_labor_unique_id;
    if rules.ez_labor.is_none() && blank(id) {
        return;
    }
    let path = "claim.failure.ez_labor_unique_id";
    if let Some(rule) = &rules.ez_labor {
        if blank(id) {
            r.error(
                RuleCode::EzLaborIdMissing,
                path,
                format!(
                    "The claim uses EZ Labor but does not carry its id {}",
                    rule.unique_id
                ),
                &[("expected", rule.unique_id.clone())],
            );
        } else if id.trim() != rule.unique_id.trim() {
            r.error(
                RuleCode::EzLaborIdMismatch,
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
            RuleCode::EzLaborLines,
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
                RuleCode::EzLaborWorkUnits,
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
pub(super) fn pip_parts(c: &Claim, rules: &Rules, r: &mut Report) {
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
        let quantities: Vec<Decimal> = mine
            .iter()
            .filter_map(|l| parse_decimal(&l.quantity))
            .collect();
        // The sum as a parameter; past Decimal's range it is said so (the comparison below
        // stays exact either way).
        let have = quantities
            .iter()
            .try_fold(Decimal::ZERO, |a, q| a.checked_add(*q))
            .map_or_else(|| "out of range".to_string(), |d| d.to_string());
        let params = [
            ("material_code", p.material_code.clone()),
            ("quantity", p.quantity.to_string()),
            ("found", have.clone()),
        ];
        if !on_claim {
            r.error(
                RuleCode::PipPartMissing,
                "claim.lines",
                format!(
                    "PIP {} needs part {} ({}); the claim does not have it",
                    p.pip_code, p.material_code, p.quantity
                ),
                &params,
            );
        } else if !at_least(quantities, p.quantity.0) {
            r.error(
                RuleCode::PipPartShort,
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

/// Whether `quantities` add up to at least `required`, exactly and without overflow at any
/// size: the running difference starts at −required and takes a negative quantity while it
/// is not below zero, a positive one while it is, so it never leaves Decimal's range; when
/// the sign it needs runs out, the remaining ones cannot change the answer.
fn at_least(quantities: Vec<Decimal>, required: Decimal) -> bool {
    let (mut up, mut down): (Vec<Decimal>, Vec<Decimal>) =
        quantities.into_iter().partition(|q| !q.is_sign_negative());
    let Some(mut diff) = Decimal::ZERO.checked_sub(required) else {
        return false;
    };
    loop {
        let next = if diff.is_sign_negative() && !diff.is_zero() {
            up.pop()
        } else {
            down.pop()
        };
        match next {
            // Opposite signs: the sum lies between the two, inside the range.
            Some(q) => match diff.checked_add(q) {
                Some(d) => diff = d,
                None => return !diff.is_sign_negative(),
            },
            None => return !diff.is_sign_negative() || diff.is_zero(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::at_least;
    use rust_decimal::Decimal;

    #[test]
    fn pip_quantities_compare_exactly_past_the_decimal_range() {
        let max = Decimal::MAX;
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        assert!(at_least(vec![max, max], max));
        assert!(at_least(vec![max, Decimal::ONE, -max], Decimal::ONE));
        assert!(!at_least(vec![max, -max], Decimal::ONE));
        assert!(!at_least(vec![-max, -max], Decimal::ZERO));
        assert!(at_least(vec![d("1.5"), d("0.5")], d("2")));
        assert!(!at_least(vec![d("1.5"), d("0.49")], d("2")));
        assert!(at_least(vec![], Decimal::ZERO));
        assert!(!at_least(vec![], d("0.01")));
        assert!(at_least(vec![d("-1")], d("-1")));
    }
}
