//! Rule 8: the claim's failure and lines against its policy's coverage.

use super::*;

pub(super) fn coverage_checks(
    c: &Claim,
    cx: &ClaimContext<'_>,
    d: &Dates,
    usage: Option<Dec>,
    r: &mut Report,
) -> Result<Option<CoverageDecision>> {
    let (Some(policy), Some(warranty), Some(failure)) = (&c.policy, &c.warranty, d.failure) else {
        return Ok(None);
    };
    // A failure on a date is covered when any moment of that date is: check at the start of
    // the failure date, or at the warranty start when that falls on the same date or later.
    let cal = cx.calendar;
    let day_start = failure
        .and_hms_opt(0, 0, 0)
        .and_then(|t| cal.resolve(t, None));
    let Some(day_start) = day_start else {
        return Ok(None);
    };
    let as_of = if cal.date(warranty.start) == failure {
        warranty.start.max(day_start)
    } else {
        day_start
    };
    let usage_given_but_rejected = !blank(&c.usage) && usage.is_none();
    let reason = (!blank(&c.reason)).then_some(c.reason.as_str());
    let decision = crate::warranty::coverage::check_coverage(&CoverageQuery {
        policy,
        warranty,
        as_of,
        reason,
        usage,
        calendar: cal,
    })
    .map_err(|e| e.within("claim"))?;
    for code in &decision.codes {
        let (path, sev) = match code {
            Code::UsageLimitExceeded => ("claim.usage", Severity::Error),
            Code::UsageUnknown if usage_given_but_rejected => continue,
            Code::UsageUnknown => ("claim.usage", Severity::Warning),
            Code::ReasonNotSupported | Code::ReasonExcluded => ("claim.reason", Severity::Error),
            Code::ReasonUndecided => ("claim.reason", Severity::Warning),
            _ => ("claim.failure_date", Severity::Error),
        };
        r.push(
            *code,
            sev,
            path,
            format!("Coverage at the failure: {}", decision.message),
            &[
                ("policy", policy.id.clone()),
                ("failure_date", failure.to_string()),
            ],
        );
    }
    // Parts and labour windows, where they end earlier than the coverage.
    for (i, l) in c.lines.iter().enumerate() {
        let (end, code, what) = match l.category.as_str() {
            "parts" => (decision.parts_end, RuleCode::PartsWindowExpired, "parts"),
            "labour" => (decision.labour_end, RuleCode::LabourWindowExpired, "labour"),
            _ => continue,
        };
        if let Some(end) = end {
            if as_of >= end {
                r.error(
                    code,
                    format!("claim.lines[{i}]"),
                    format!(
                        "The {what} window of {} ended on {}, before the failure on {failure}",
                        policy.id,
                        cal.date(end)
                    ),
                    &[("window_end", cal.localize(end).to_string())],
                );
            }
        }
    }
    Ok(Some(decision))
}
