//! A failure judged on every layer of a stack, the clerk's explanation, and expiry queries.

use serde::Serialize;

use super::model::{Layer, LayerKind, Payer, StackItem};
use super::presets::Presets;
use super::timeline::{Extension, Stack, Timeline};
use crate::error::{Error, Result};
use crate::time::{self, human_date, Calendar, Duration, ExpiryMode, Instant, Unit};
use crate::warranty::coverage::{self, outcome_of, Code, CoverageQuery, Outcome, WarrantyRecord};
use crate::warranty::policy::Dec;

/// What a failure asks of a stack.
#[derive(Clone, Copy, Debug)]
pub struct Failure<'a> {
    /// When it failed.
    pub at: Instant,
    /// The coverage reason, if any.
    pub reason: Option<&'a str>,
    /// The component that failed, if known.
    pub component: Option<&'a str>,
    /// The usage reading at the failure, if any.
    pub usage: Option<Dec>,
}

/// One layer's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerAnswer {
    /// The layer id.
    pub id: String,
    /// Its kind.
    pub kind: LayerKind,
    /// Who pays if it covers.
    pub payer: Payer,
    /// The provider, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Statutory: the jurisdiction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Covered, not covered or needs review.
    pub outcome: Outcome,
    /// Every code that applies, in protocol order.
    pub codes: Vec<Code>,
    /// The layer's start.
    pub start: Option<Instant>,
    /// Its end (exclusive); `null` with no fixed end.
    pub end: Option<Instant>,
    /// Local days from the failure to `end`; 0 once ended, `null` with no end.
    pub remaining_days: Option<i64>,
    /// Statutory: the grace after repaired goods were returned, past `end`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_end: Option<Instant>,
    /// Statutory: when the reversed burden of proof ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burden_end: Option<Instant>,
    /// Statutory: whether the consumer need not prove the defect was there at delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burden_reversed: Option<bool>,
    /// Statutory: repairs and replacements that moved the end.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    /// Statutory: the legal references used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// A clause staff can read out.
    pub message: String,
}

/// The answer for a whole stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StackAnswer {
    /// The item id.
    pub item: String,
    /// The failure instant, in the operation's calendar.
    pub failure_at: Instant,
    /// Covered when a layer covers; needs review when one may; else not covered.
    pub outcome: Outcome,
    /// The layer that answers first (covered first, else needs review), if any.
    pub answered_by: Option<String>,
    /// Who bears the cost under that layer.
    pub payer: Option<Payer>,
    /// Whether a legal guarantee still presumes the defect was there at delivery.
    pub burden_reversed: bool,
    /// Every layer, in the item's order.
    pub layers: Vec<LayerAnswer>,
    /// The built-in preset table's version.
    pub preset_version: &'static str,
    /// The clerk's explanation.
    pub message: String,
}

fn label(layer: &Layer) -> String {
    let span = |d: Duration| {
        let unit = match d.unit {
            Unit::Days => "day",
            Unit::Weeks => "week",
            Unit::Months => "month",
            Unit::Years => "year",
        };
        format!("{}-{unit}", d.value)
    };
    let scope = if layer.components.is_empty() {
        String::new()
    } else {
        format!(" on the {}", layer.components.join(", "))
    };
    match (layer.kind, &layer.terms) {
        (LayerKind::Statutory, _) => format!(
            "the legal guarantee ({})",
            super::presets::jurisdiction_name(layer.jurisdiction.as_deref().unwrap_or(""))
        ),
        (LayerKind::Extended, Some(t)) => format!("the extended plan {}{scope}", t.label()),
        (kind, Some(t)) => {
            let who = match (&layer.provider, kind) {
                (Some(p), _) => format!("{p}'s"),
                (None, LayerKind::Seller) => "the seller's".to_string(),
                _ => "the manufacturer's".to_string(),
            };
            format!("{who} {} warranty{scope}", span(t.duration))
        }
        (_, None) => layer.id.clone(),
    }
}

/// A clause for a stack code (used by messages).
pub fn code_clause(code: Code) -> &'static str {
    match code {
        Code::StartEventMissing => "the event that starts it is not recorded",
        Code::NoStatutoryRule => "no statutory rule applies to the sale date",
        Code::AttachedAfterFailure => "it was attached after the failure",
        Code::Voided => "it was voided",
        Code::Transferred => "it ended when the item changed owner",
        Code::ComponentNotInScope => "it covers other components",
        Code::ComponentUnknown => "it covers named components and the failure names none",
        Code::NotALackOfConformity => "the reason is not a lack of conformity",
        Code::RepairedDefectOnly => "only a claim about the repaired defect is still open",
        Code::BurdenOnConsumer => "the customer must show the defect was there at delivery",
        Code::NoFixedPeriod => "the law sets no fixed period: judge the goods' expected life",
        Code::ReplacementNotCovered => "a replacement ended it",
        Code::NotStarted => "it has not started",
        Code::Expired => "it has ended",
        Code::UsageLimitExceeded => "usage is over its limit",
        Code::UsageUnknown => "it has a usage cap and no reading was given",
        Code::ReasonNotSupported => "the reason is not listed",
        Code::ReasonExcluded => "it excludes the reason",
        Code::ReasonUndecided => "it leaves the reason to a warranty manager",
        Code::NotUnderWarranty => "the item was not under warranty",
        Code::NoPolicyMatch => "no policy applies",
    }
}

/// Judges one layer for a failure.
pub fn judge(layer: &Layer, t: &Timeline, f: &Failure<'_>, cal: Calendar) -> Result<LayerAnswer> {
    let at = f.at;
    let mut codes: Vec<Code> = Vec::new();
    let statutory = layer.kind == LayerKind::Statutory;
    let mut burden_reversed = None;
    if let Some(m) = t.missing {
        codes.push(m);
    } else if let Some(start) = t.start {
        if statutory {
            if at < start {
                codes.push(Code::NotStarted);
            } else if t.end.is_some_and(|e| at >= e) {
                if t.grace_end.is_some_and(|g| at < g) {
                    codes.push(Code::RepairedDefectOnly);
                } else {
                    codes.push(Code::Expired);
                }
            } else if t.burden_end.is_none_or(|b| at >= b) {
                codes.push(if t.open {
                    Code::NoFixedPeriod
                } else {
                    Code::BurdenOnConsumer
                });
            }
            if f.reason
                .is_some_and(|r| layer.excluded_reasons.iter().any(|x| x == r))
            {
                codes.push(Code::NotALackOfConformity);
            }
            burden_reversed = Some(
                at >= start && t.end.is_none_or(|e| at < e) && t.burden_end.is_some_and(|b| at < b),
            );
        } else if let (Some(terms), Some(end)) = (&layer.terms, t.end) {
            let d = coverage::check_coverage(&CoverageQuery {
                policy: terms,
                warranty: &WarrantyRecord {
                    start,
                    end: Some(end),
                    usage_at_start: layer.usage_at_start,
                },
                as_of: at,
                reason: f.reason,
                usage: f.usage,
                calendar: cal,
            })
            .map_err(|mut e| {
                if let Some(rest) = e.path.strip_prefix("policy") {
                    e.path = format!("terms{rest}");
                }
                e
            })?;
            codes.extend(d.codes);
            if t.replaced_without_warranty_at.is_some_and(|x| at >= x) {
                codes.push(Code::ReplacementNotCovered);
            }
            if t.voided_at.is_some_and(|x| at >= x) {
                codes.push(Code::Voided);
            }
            if t.transferred_at.is_some_and(|x| at >= x) {
                codes.push(Code::Transferred);
            }
        }
    }
    if layer.attached_at.is_some_and(|x| x > at) {
        codes.push(Code::AttachedAfterFailure);
    }
    if !layer.components.is_empty() {
        match f.component {
            None => codes.push(Code::ComponentUnknown),
            Some(c) if !layer.components.iter().any(|x| x == c) => {
                codes.push(Code::ComponentNotInScope)
            }
            Some(_) => {}
        }
    }
    crate::order::sort_by(&mut codes, Ord::cmp);
    codes.dedup();
    let outcome = outcome_of(&codes);
    let remaining_days = t.end.map(|e| {
        if at >= e {
            0
        } else {
            cal.days_between(at, e).max(0)
        }
    });
    let mut a = LayerAnswer {
        id: layer.id.clone(),
        kind: layer.kind,
        payer: layer.kind.payer(),
        provider: layer.provider.clone(),
        jurisdiction: layer.jurisdiction.clone(),
        outcome,
        codes,
        start: t.start,
        end: t.end,
        remaining_days,
        grace_end: t.grace_end,
        burden_end: if statutory { t.burden_end } else { None },
        burden_reversed,
        extensions: t.extensions.clone(),
        references: t.references.clone(),
        message: String::new(),
    };
    a.message = layer_clause(layer, &a);
    Ok(a)
}

fn layer_clause(layer: &Layer, a: &LayerAnswer) -> String {
    let name = label(layer);
    let date = |t: Option<Instant>| t.map(human_date).unwrap_or_default();
    match a.outcome {
        Outcome::Covered => match a.end {
            Some(_) => format!("{name} covers it until {}", date(a.end)),
            None => format!("{name} covers it"),
        },
        _ if a.codes == [Code::Expired] => format!("{name} ended {}", date(a.end)),
        _ if a.codes == [Code::NotStarted] => format!("{name} only starts on {}", date(a.start)),
        _ => {
            let clauses: Vec<&str> = a.codes.iter().map(|c| code_clause(*c)).collect();
            format!("{name}: {}", clauses.join(", "))
        }
    }
}

/// Answers a failure for every layer of an item (the `stack_coverage` operation).
pub fn stack_coverage(stack: &Stack<'_>, f: &Failure<'_>) -> Result<StackAnswer> {
    let cal = stack.cal;
    let timelines = stack.timelines()?;
    let mut layers = Vec::with_capacity(timelines.len());
    for (i, (layer, t)) in stack.item.warranties.iter().zip(&timelines).enumerate() {
        let a = judge(layer, t, f, cal).map_err(|e| e.within(&format!("warranties[{i}]")))?;
        layers.push((layer, a));
    }
    // Precedence: manufacturer, seller, extended plan, legal guarantee; a layer scoped to
    // components before a whole-item one of the same kind; then the item's order.
    let mut order: Vec<&(&Layer, LayerAnswer)> = layers.iter().collect();
    crate::order::sort_by(&mut order, |(a, _), (b, _)| {
        (a.kind.rank(), a.components.is_empty()).cmp(&(b.kind.rank(), b.components.is_empty()))
    });
    let pick = |o: Outcome| order.iter().copied().find(|(_, a)| a.outcome == o);
    let chosen = pick(Outcome::Covered).or_else(|| pick(Outcome::NeedsReview));
    let message = explain(&layers, chosen);
    let answer = StackAnswer {
        item: stack.item.id.clone(),
        failure_at: cal.localize(f.at),
        outcome: chosen.map_or(Outcome::NotCovered, |(_, a)| a.outcome),
        answered_by: chosen.map(|(_, a)| a.id.clone()),
        payer: chosen.map(|(_, a)| a.payer),
        burden_reversed: layers.iter().any(|(_, a)| a.burden_reversed == Some(true)),
        layers: Vec::new(),
        preset_version: super::presets::PRESETS_VERSION,
        message,
    };
    Ok(StackAnswer {
        layers: layers.into_iter().map(|(_, a)| a).collect(),
        ..answer
    })
}

fn explain(layers: &[(&Layer, LayerAnswer)], chosen: Option<&(&Layer, LayerAnswer)>) -> String {
    let others = |skip: Option<&str>| -> Vec<&str> {
        layers
            .iter()
            .filter(|(_, a)| Some(a.id.as_str()) != skip)
            .map(|(_, a)| a.message.as_str())
            .collect()
    };
    let mut s = match chosen {
        Some((layer, a)) if a.outcome == Outcome::Covered => {
            let mut s = format!("Covered by {}", label(layer));
            if let Some(e) = a.end {
                s.push_str(&format!(" until {}", human_date(e)));
            }
            s.push_str(&format!(", {}", a.payer.words()));
            if let (Some(true), Some(b)) = (a.burden_reversed, a.burden_end) {
                s.push_str(&format!(
                    " (the customer need not prove the defect was there at delivery until {})",
                    human_date(b)
                ));
            }
            for m in others(Some(&a.id)) {
                s.push_str("; ");
                s.push_str(m);
            }
            s
        }
        Some((_, a)) => {
            let mut s = format!("Needs review: {}", a.message);
            for m in others(Some(&a.id)) {
                s.push_str("; ");
                s.push_str(m);
            }
            s
        }
        None if layers.is_empty() => "Not covered: the item carries no warranty".to_string(),
        None => format!("Not covered: {}", others(None).join("; ")),
    };
    s.push('.');
    s
}

/// Layers whose end falls in `[as_of, until)`, for "expires soon" notices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expiring {
    /// The item id.
    pub item: String,
    /// The layer id.
    pub layer: String,
    /// Its kind.
    pub kind: LayerKind,
    /// Who pays under it.
    pub payer: Payer,
    /// Its end.
    pub end: Instant,
    /// Local days from `as_of` to the end.
    pub remaining_days: i64,
}

/// The expiring layers of one item (unsorted); `kinds` empty means every kind.
pub fn expiring(
    stack: &Stack<'_>,
    as_of: Instant,
    until: Instant,
    kinds: &[LayerKind],
    out: &mut Vec<Expiring>,
) -> Result<()> {
    let timelines = stack.ends()?;
    for (layer, t) in stack.item.warranties.iter().zip(&timelines) {
        if !kinds.is_empty() && !kinds.contains(&layer.kind) {
            continue;
        }
        let Some(end) = t.end else { continue };
        let gone = [
            t.voided_at,
            t.transferred_at,
            t.replaced_without_warranty_at,
        ]
        .iter()
        .flatten()
        .any(|x| *x <= as_of);
        if gone || t.missing.is_some() || end < as_of || end >= until {
            continue;
        }
        out.push(Expiring {
            item: stack.item.id.clone(),
            layer: layer.id.clone(),
            kind: layer.kind,
            payer: layer.kind.payer(),
            end,
            remaining_days: stack.cal.days_between(as_of, end).max(0),
        });
    }
    Ok(())
}

/// The window end of an `expiring` query: `as_of` + `within`, exactly.
pub fn window_end(as_of: Instant, within: Duration, cal: Calendar) -> Result<Instant> {
    time::expiry(as_of, within, ExpiryMode::Exact, cal).map_err(|_| {
        Error::invalid(
            "within",
            "the window ends outside the supported years 1..=9999",
        )
    })
}

/// Orders expiring layers by end, then item, then layer.
pub fn sort_expiring(v: &mut [Expiring]) {
    crate::order::sort_by(v, |a, b| {
        (a.end, &a.item, &a.layer).cmp(&(b.end, &b.item, &b.layer))
    });
}

/// Every layer of `items` that ends within `within` of `as_of` (of `kinds`, or any kind when
/// empty), soonest first, with the window's end. Errors are placed at `items[i]…`.
pub fn expiring_items(
    items: &[StackItem],
    presets: Presets<'_>,
    as_of: Instant,
    within: Duration,
    kinds: &[LayerKind],
    cal: Calendar,
) -> Result<(Instant, Vec<Expiring>)> {
    let until = window_end(as_of, within, cal)?;
    let mut found = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = || format!("items[{i}]");
        let s = Stack::new(item, presets, cal).map_err(|e| e.within(&at()))?;
        expiring(&s, as_of, until, kinds, &mut found).map_err(|e| e.within(&at()))?;
    }
    sort_expiring(&mut found);
    Ok((until, found))
}
