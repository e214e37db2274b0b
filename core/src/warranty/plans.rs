//! Extended-plan eligibility in the Warranty Life model (DESIGN §7, `docs/protocol.md` `plans`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::{self, human_date, shift_date, Calendar, Duration, ExpiryMode, Instant};
use crate::warranty::policy::Dec;

/// An extended warranty plan that may be sold with an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Plan id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Categories the plan applies to (descendants included).
    pub categories: Vec<String>,
    /// If non-empty, one of these must be among the item's flags.
    #[serde(default)]
    pub product_flags: Vec<String>,
    /// Lowest item price the plan applies to (inclusive); null = no floor.
    #[serde(default)]
    pub min_price: Option<Dec>,
    /// Highest item price the plan applies to (inclusive); null = no ceiling.
    #[serde(default)]
    pub max_price: Option<Dec>,
    /// Coverage duration, counted from the item's purchase.
    pub duration: Duration,
    /// Parts window, if different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts_duration: Option<Duration>,
    /// Labour window, if different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labour_duration: Option<Duration>,
    /// The plan may be sold from this instant; null = open.
    #[serde(default)]
    pub available_from: Option<Instant>,
    /// The plan may be sold until this instant; null = open.
    #[serde(default)]
    pub available_to: Option<Instant>,
    /// How long after the item's purchase the plan may be sold; 0 = same local day only.
    pub sellable_within: Duration,
    /// Country the plan is sold in (`US`, `CA`, ...); null = any.
    #[serde(default)]
    pub country: Option<String>,
    /// Whether items with unrepaired damage may be covered.
    #[serde(default)]
    pub covers_damaged: bool,
}

/// A category and its parent, to decide "a descendant of one of the plan's categories".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Category id.
    pub id: String,
    /// Display name (Warranty Life's `name`; not used by the rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Parent category id; null (or absent) for a top-level category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// The item a plan would be sold with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanItem {
    /// The item's category id.
    pub category: String,
    /// The item's product flags.
    #[serde(default)]
    pub flags: Vec<String>,
    /// Price paid, excluding taxes.
    pub price: Dec,
    /// The item's date of purchase; coverage starts here.
    pub purchased_at: Instant,
    /// Country of sale.
    pub country: String,
    /// The item has damage that was not repaired.
    #[serde(default)]
    pub has_damage: bool,
}

/// Why a plan may not be sold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PlanCode {
    /// The item's category is not one of the plan's (nor below one).
    CategoryNotCovered,
    /// None of the plan's product flags is among the item's.
    ProductFlagMismatch,
    /// Price below the plan's minimum.
    PriceBelowMin,
    /// Price above the plan's maximum.
    PriceAboveMax,
    /// The plan is not on sale yet.
    PlanNotYetAvailable,
    /// The plan is no longer on sale.
    PlanNoLongerAvailable,
    /// The warranty sale is before the item's purchase.
    SoldBeforePurchase,
    /// The warranty sale is past the plan's sellable window.
    SellableWindowPassed,
    /// The plan is sold in another country.
    CountryMismatch,
    /// The item has unrepaired damage and the plan does not cover that.
    UnrepairedDamage,
}

/// One plan's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanVerdict {
    /// Plan id.
    pub plan: String,
    /// Whether it may be sold.
    pub eligible: bool,
    /// Every failing rule, in the order of this enum's declaration.
    pub codes: Vec<PlanCode>,
    /// Coverage start: the item's purchase.
    pub start: Instant,
    /// Coverage end.
    pub end: Instant,
    /// Parts window end, where it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts_end: Option<Instant>,
    /// Labour window end, where it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labour_end: Option<Instant>,
    /// A plain English sentence.
    pub message: String,
}

/// The answer of `plans`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanOffer {
    /// Ids of the plans that may be sold, in request order.
    pub eligible: Vec<String>,
    /// Every plan with its verdict, in request order.
    pub plans: Vec<PlanVerdict>,
}

fn in_categories(item_cat: &str, wanted: &[String], parents: &HashMap<&str, Option<&str>>) -> bool {
    let mut cur = Some(item_cat);
    // A walk longer than the tree means a cycle: stop.
    for _ in 0..=parents.len() {
        let Some(c) = cur else { return false };
        if wanted.iter().any(|w| w == c) {
            return true;
        }
        cur = parents.get(c).copied().flatten();
    }
    false
}

/// Decides for every plan whether it may be sold with `item` at `sold_at`.
pub fn eligibility(
    plans: &[Plan],
    categories: &[Category],
    item: &PlanItem,
    sold_at: Instant,
    cal: Calendar,
) -> Result<PlanOffer> {
    let parents: HashMap<&str, Option<&str>> = categories
        .iter()
        .map(|c| (c.id.as_str(), c.parent.as_deref()))
        .collect();
    let mut verdicts = Vec::with_capacity(plans.len());
    for (i, plan) in plans.iter().enumerate() {
        let mut codes = Vec::new();
        if !in_categories(&item.category, &plan.categories, &parents) {
            codes.push(PlanCode::CategoryNotCovered);
        }
        if !plan.product_flags.is_empty()
            && !plan.product_flags.iter().any(|f| item.flags.contains(f))
        {
            codes.push(PlanCode::ProductFlagMismatch);
        }
        if plan.min_price.is_some_and(|m| item.price < m) {
            codes.push(PlanCode::PriceBelowMin);
        }
        if plan.max_price.is_some_and(|m| item.price > m) {
            codes.push(PlanCode::PriceAboveMax);
        }
        if plan.available_from.is_some_and(|f| sold_at < f) {
            codes.push(PlanCode::PlanNotYetAvailable);
        }
        if plan.available_to.is_some_and(|t| sold_at > t) {
            codes.push(PlanCode::PlanNoLongerAvailable);
        }
        let bought = cal.date(item.purchased_at);
        let sold = cal.date(sold_at);
        if sold_at < item.purchased_at {
            codes.push(PlanCode::SoldBeforePurchase);
        } else if shift_date(bought, plan.sellable_within).is_none_or(|last| sold > last) {
            codes.push(PlanCode::SellableWindowPassed);
        }
        if plan.country.as_ref().is_some_and(|c| *c != item.country) {
            codes.push(PlanCode::CountryMismatch);
        }
        if item.has_damage && !plan.covers_damaged {
            codes.push(PlanCode::UnrepairedDamage);
        }
        let range = |path: &str| {
            Error::invalid(
                format!("plans[{i}].{path}"),
                "the coverage end falls outside the supported years 1..=9999",
            )
        };
        let start = cal.localize(item.purchased_at);
        let end = time::expiry(item.purchased_at, plan.duration, ExpiryMode::Exact, cal)
            .map_err(|_| range("duration"))?;
        let window = |d: Option<Duration>, path: &str| -> Result<Option<Instant>> {
            match d {
                Some(d) => {
                    let e = time::expiry(item.purchased_at, d, ExpiryMode::Exact, cal)
                        .map_err(|_| range(path))?;
                    Ok((e != end).then_some(e))
                }
                None => Ok(None),
            }
        };
        let parts_end = window(plan.parts_duration, "parts_duration")?;
        let labour_end = window(plan.labour_duration, "labour_duration")?;
        let eligible = codes.is_empty();
        let name = plan.name.as_deref().unwrap_or(&plan.id);
        let message = if eligible {
            format!(
                "{name} may be sold: it would cover the item from {} until {}.",
                human_date(start),
                human_date(end)
            )
        } else {
            let why: Vec<&str> = codes.iter().map(|c| plan_clause(*c)).collect();
            format!("{name} may not be sold: {}.", why.join("; "))
        };
        verdicts.push(PlanVerdict {
            plan: plan.id.clone(),
            eligible,
            codes,
            start,
            end,
            parts_end,
            labour_end,
            message,
        });
    }
    Ok(PlanOffer {
        eligible: verdicts
            .iter()
            .filter(|v| v.eligible)
            .map(|v| v.plan.clone())
            .collect(),
        plans: verdicts,
    })
}

fn plan_clause(c: PlanCode) -> &'static str {
    match c {
        PlanCode::CategoryNotCovered => "the item's category is not covered",
        PlanCode::ProductFlagMismatch => "the item has none of the plan's product flags",
        PlanCode::PriceBelowMin => "the item's price is below the plan's minimum",
        PlanCode::PriceAboveMax => "the item's price is above the plan's maximum",
        PlanCode::PlanNotYetAvailable => "the plan is not on sale yet",
        PlanCode::PlanNoLongerAvailable => "the plan is no longer on sale",
        PlanCode::SoldBeforePurchase => "the plan cannot be sold before the item is bought",
        PlanCode::SellableWindowPassed => "the time to buy it after the item's purchase has passed",
        PlanCode::CountryMismatch => "the plan is sold in another country",
        PlanCode::UnrepairedDamage => "the item has unrepaired damage",
    }
}
