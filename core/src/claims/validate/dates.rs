//! Rules 3 and 4: the claim's dates (real, not in the future, in order, filed in time) and its usage reading.

use super::*;

pub(super) fn dates(c: &Claim, cx: &ClaimContext<'_>, r: &mut Report) -> Dates {
    let today = cx.calendar.date(cx.as_of);
    let mut parse = |path: &str, s: &str| -> Option<NaiveDate> {
        if blank(s) {
            return None;
        }
        match parse_date(s) {
            Some(d) => {
                if d > today {
                    r.error(
                        RuleCode::DateInFuture,
                        path,
                        format!("{s} is after today ({today})"),
                        &[("date", s.to_string()), ("as_of", today.to_string())],
                    );
                }
                Some(d)
            }
            None => {
                r.error(
                    RuleCode::DateInvalid,
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
                    RuleCode::DateOrder,
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
        let days = filed.signed_duration_since(base).num_days();
        let limit = i64::from(cx.rules.filing_deadline_days);
        if days > limit {
            r.error(
                RuleCode::FilingDeadlinePassed,
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
pub(super) fn usage(c: &Claim, cx: &ClaimContext<'_>, r: &mut Report) -> Option<Dec> {
    if blank(&c.usage) {
        return None;
    }
    let Ok(u) = Dec::from_str(&c.usage) else {
        r.error(
            RuleCode::UsageInvalid,
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
                RuleCode::UsageNotMonotonic,
                "claim.usage",
                format!("The reading {u} is lower than the last known reading {last}"),
                &[("usage", u.to_string()), ("last_known", last.to_string())],
            );
            return None;
        }
    }
    Some(u)
}
