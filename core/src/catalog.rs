//! Catalogs of policies indexed once, and resolution of the policy that covers a sold item
//! (DESIGN §4, PROTOCOL.md `resolve`).

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::coverage::{Code, Outcome};
use crate::error::{Error, Result};
use crate::policy::{CoverKind, Policy, State};
use crate::time::{self, human_date, Calendar, Instant};

/// A sold item's identity: any of product code, product type, brand and family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Product code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Product type name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    /// Brand name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// Product family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
}

impl Item {
    /// The item's value for a key kind.
    pub fn get(&self, kind: CoverKind) -> Option<&str> {
        match kind {
            CoverKind::Product => self.product.as_deref(),
            CoverKind::ProductType => self.product_type.as_deref(),
            CoverKind::Brand => self.brand.as_deref(),
            CoverKind::Family => self.family.as_deref(),
        }
    }
}

/// One candidate policy and the most specific key it matched by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The policy id.
    pub policy: String,
    /// Its most specific matching key kind.
    pub matched_by: CoverKind,
}

/// The answer of `resolve`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// `covered` when a policy applies, else `not_covered`.
    pub outcome: Outcome,
    /// `[]` or `["NO_POLICY_MATCH"]`.
    pub codes: Vec<Code>,
    /// The winner's id.
    pub policy: Option<String>,
    /// How the winner matched.
    pub matched_by: Option<CoverKind>,
    /// Coverage start (= `sold_at`).
    pub start: Option<Instant>,
    /// The winner's expiry from `sold_at`.
    pub end: Option<Instant>,
    /// Every candidate, best first.
    pub candidates: Vec<Candidate>,
    /// A plain English sentence saying who won and why.
    pub message: String,
}

/// Policies indexed by covered-goods key, so that resolution looks up rather than scans.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    policies: Vec<Policy>,
    /// One map per [`CoverKind`]: value → indices of policies naming it.
    index: [HashMap<String, Vec<u32>>; 4],
}

impl Catalog {
    /// Indexes `policies`. Fails when ids repeat or a policy is invalid; paths are
    /// `policies[i]...`.
    pub fn new(policies: Vec<Policy>) -> Result<Self> {
        let mut index: [HashMap<String, Vec<u32>>; 4] = Default::default();
        let mut ids: HashMap<&str, usize> = HashMap::with_capacity(policies.len());
        if u32::try_from(policies.len()).is_err() {
            return Err(Error::invalid("policies", "too many policies"));
        }
        for (i, p) in policies.iter().enumerate() {
            p.validate().map_err(|e| e.within(&format!("policies[{i}]")))?;
            if ids.insert(p.id.as_str(), i).is_some() {
                return Err(Error::invalid(
                    format!("policies[{i}].id"),
                    format!("policy id `{}` appears twice in the catalog", p.id),
                ));
            }
            let n = i as u32;
            for c in &p.covers {
                if let Some(map) = index.get_mut(c.kind.index()) {
                    let v = map.entry(c.value.clone()).or_default();
                    if v.last() != Some(&n) {
                        v.push(n);
                    }
                }
            }
        }
        drop(ids);
        Ok(Catalog { policies, index })
    }

    /// The policies, in load order.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// Number of policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// True when the catalog holds no policy.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The policy with this id (a scan; meant for explanations, not the hot path).
    pub fn get(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// Candidate policies for an item, best first, as `(index, matched_by)`.
    pub fn candidates(
        &self,
        item: &Item,
        sold_at: Instant,
        business_unit: Option<&str>,
    ) -> Vec<(usize, CoverKind)> {
        let mut out: Vec<(usize, CoverKind)> = Vec::new();
        for kind in CoverKind::ALL {
            let Some(v) = item.get(kind) else { continue };
            let Some(hits) = self.index.get(kind.index()).and_then(|m| m.get(v)) else {
                continue;
            };
            for &n in hits {
                let i = n as usize;
                if let Some(p) = self.policies.get(i) {
                    if applies(p, sold_at, business_unit) {
                        out.push((i, kind));
                    }
                }
            }
        }
        if out.len() > 1 {
            // A policy matching by several kinds counts once, by its most specific kind.
            out.sort_unstable();
            out.dedup_by_key(|(i, _)| *i);
        }
        if out.len() > 1 {
            out.sort_by(|a, b| self.rank(*a, *b));
        }
        out
    }

    fn rank(&self, a: (usize, CoverKind), b: (usize, CoverKind)) -> Ordering {
        let (pa, pb) = (self.policies.get(a.0), self.policies.get(b.0));
        let (Some(pa), Some(pb)) = (pa, pb) else {
            return Ordering::Equal;
        };
        compare_candidates((pa, a.1), (pb, b.1))
    }

    /// Resolves the policy that covers `item` sold at `sold_at` by `business_unit`.
    pub fn resolve(
        &self,
        item: &Item,
        sold_at: Instant,
        business_unit: Option<&str>,
        cal: Calendar,
    ) -> Result<Resolution> {
        let cands = self.candidates(item, sold_at, business_unit);
        let list: Vec<Candidate> = cands
            .iter()
            .filter_map(|(i, k)| {
                self.policies.get(*i).map(|p| Candidate {
                    policy: p.id.clone(),
                    matched_by: *k,
                })
            })
            .collect();
        let winner = cands
            .first()
            .and_then(|(i, k)| self.policies.get(*i).map(|p| (*i, p, *k)));
        match winner {
            None => Ok(Resolution {
                outcome: Outcome::NotCovered,
                codes: vec![Code::NoPolicyMatch],
                policy: None,
                matched_by: None,
                start: None,
                end: None,
                candidates: list,
                message: "Not covered: no effective policy covers this item's product, type, brand or family at the sale date.".to_string(),
            }),
            Some((i, p, kind)) => {
                let end = time::expiry(sold_at, p.duration, p.expiry, cal).map_err(|_| {
                    Error::invalid(
                        format!("policies[{i}].duration"),
                        "the coverage end falls outside the supported years 1..=9999",
                    )
                })?;
                let message = explain(p, kind, item, &list, end, cal);
                Ok(Resolution {
                    outcome: Outcome::Covered,
                    codes: Vec::new(),
                    policy: Some(p.id.clone()),
                    matched_by: Some(kind),
                    start: Some(cal.localize(sold_at)),
                    end: Some(end),
                    candidates: list,
                    message,
                })
            }
        }
    }
}

/// Whether a policy may be applied to goods sold at `t` by `bu` (ignoring covered goods).
pub fn applies(p: &Policy, t: Instant, bu: Option<&str>) -> bool {
    p.state == State::Effective
        && p.effective_from.is_none_or(|f| f <= t)
        && p.effective_until.is_none_or(|u| t <= u)
        && (p.business_units.is_empty()
            || bu.is_some_and(|b| p.business_units.iter().any(|x| x == b)))
}

/// The candidate order of PROTOCOL.md: specificity, later `effective_from` first (null last),
/// `number` ascending, `id` ascending.
pub fn compare_candidates(a: (&Policy, CoverKind), b: (&Policy, CoverKind)) -> Ordering {
    a.1.cmp(&b.1)
        .then_with(|| match (a.0.effective_from, b.0.effective_from) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.0.number.cmp(&b.0.number))
        .then_with(|| a.0.id.cmp(&b.0.id))
}

fn explain(
    p: &Policy,
    kind: CoverKind,
    item: &Item,
    list: &[Candidate],
    end: Instant,
    cal: Calendar,
) -> String {
    let value = item.get(kind).unwrap_or("");
    let who = match &p.name {
        Some(n) => format!("{n} ({})", p.id),
        None => p.id.clone(),
    };
    let mut s = format!(
        "Covered by {who} for {} until {}: it names the {kind} {value}",
        p.duration,
        human_date(end, cal),
    );
    match list.len() {
        0 | 1 => s.push('.'),
        n => s.push_str(&format!(
            ", the most specific of {n} applicable policies (ties go to the latest effective date, then the lowest number)."
        )),
    }
    s
}
