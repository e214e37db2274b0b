//! Catalogs of policies indexed once, and resolution of the policy that covers a sold item
//! (DESIGN §4, PROTOCOL.md `resolve`).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::{self, human_date, Calendar, Instant};
use crate::warranty::coverage::{Code, Outcome};
use crate::warranty::policy::{CoverKind, Policy, State};

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

/// FxHash (rustc's hasher): catalog keys are short product codes and names chosen by the
/// host, so hash flooding is not a concern and SipHash would dominate a lookup.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type Index = HashMap<String, Vec<u32>, BuildHasherDefault<FxHasher>>;

/// Policies indexed by covered-goods key, so that resolution looks up rather than scans.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    policies: Vec<Policy>,
    /// One map per [`CoverKind`]: value → indices of policies naming it.
    index: [Index; 4],
}

impl std::fmt::Debug for FxHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FxHasher")
    }
}

/// The typed answer of [`Catalog::resolve`]: borrows the catalog, allocates one small vector,
/// and renders its explanation only when asked ([`Resolved::explain`]).
#[derive(Clone, Debug)]
pub struct Resolved<'a> {
    catalog: &'a Catalog,
    /// Raw hits, unordered; the best one is `winner`.
    hits: Vec<(usize, CoverKind)>,
    winner: Option<(usize, CoverKind)>,
    /// Coverage start (= `sold_at`, in the operation's calendar).
    pub start: Instant,
    /// The winner's expiry from `sold_at`; `None` when no policy applies.
    pub end: Option<Instant>,
}

impl<'a> Resolved<'a> {
    /// The winning policy.
    pub fn policy(&self) -> Option<&'a Policy> {
        self.winner.and_then(|(i, _)| self.catalog.policies.get(i))
    }

    /// How the winner matched.
    pub fn matched_by(&self) -> Option<CoverKind> {
        self.winner.map(|(_, k)| k)
    }

    /// Every candidate, best first (ordered on demand).
    pub fn candidates(&self) -> Vec<(&'a Policy, CoverKind)> {
        let mut hits = self.hits.clone();
        self.catalog.order(&mut hits);
        hits.into_iter()
            .filter_map(|(i, k)| self.catalog.policies.get(i).map(|p| (p, k)))
            .collect()
    }

    /// `covered` when a policy applies, else `not_covered`.
    pub fn outcome(&self) -> Outcome {
        if self.winner.is_none() {
            Outcome::NotCovered
        } else {
            Outcome::Covered
        }
    }

    /// The owned, explained decision (as the `resolve` operation returns it).
    pub fn explain(&self, item: &Item) -> Resolution {
        let list: Vec<Candidate> = self
            .candidates()
            .into_iter()
            .map(|(p, k)| Candidate {
                policy: p.id.clone(),
                matched_by: k,
            })
            .collect();
        match (self.policy(), self.matched_by(), self.end) {
            (Some(p), Some(kind), Some(end)) => Resolution {
                outcome: Outcome::Covered,
                codes: Vec::new(),
                policy: Some(p.id.clone()),
                matched_by: Some(kind),
                start: Some(self.start),
                end: Some(end),
                message: explain(p, kind, item, &list, end),
                candidates: list,
            },
            _ => Resolution {
                outcome: Outcome::NotCovered,
                codes: vec![Code::NoPolicyMatch],
                policy: None,
                matched_by: None,
                start: None,
                end: None,
                candidates: Vec::new(),
                message: "Not covered: no effective policy covers this item's product, type, brand or family at the sale date.".to_string(),
            },
        }
    }
}

impl Catalog {
    /// Indexes `policies`. Fails when ids repeat or a policy is invalid; paths are
    /// `policies[i]...`.
    pub fn new(policies: Vec<Policy>) -> Result<Self> {
        let mut index: [Index; 4] = Default::default();
        let mut ids: HashMap<&str, usize> = HashMap::with_capacity(policies.len());
        if u32::try_from(policies.len()).is_err() {
            return Err(Error::invalid("policies", "too many policies"));
        }
        for (i, p) in policies.iter().enumerate() {
            p.validate()
                .map_err(|e| e.within(&format!("policies[{i}]")))?;
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

    /// Candidate policies for an item, best first, as `(index, matched_by)`; a policy that
    /// matches by several kinds appears once, by its most specific kind.
    pub fn candidates(
        &self,
        item: &Item,
        sold_at: Instant,
        business_unit: Option<&str>,
    ) -> Vec<(usize, CoverKind)> {
        let mut out = self.raw_candidates(item, sold_at, business_unit);
        self.order(&mut out);
        out
    }

    /// Every applicable `(index, kind)` hit, unordered, possibly with a policy more than once.
    fn raw_candidates(
        &self,
        item: &Item,
        sold_at: Instant,
        business_unit: Option<&str>,
    ) -> Vec<(usize, CoverKind)> {
        let mut out: Vec<(usize, CoverKind)> = Vec::with_capacity(8);
        for &kind in CoverKind::ALL {
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
        out
    }

    /// Dedups raw hits (most specific kind per policy) and sorts them best first.
    fn order(&self, out: &mut Vec<(usize, CoverKind)>) {
        if out.len() > 1 {
            out.sort_unstable();
            out.dedup_by_key(|(i, _)| *i);
            out.sort_by(|a, b| self.rank(*a, *b));
        }
    }

    fn rank(&self, a: (usize, CoverKind), b: (usize, CoverKind)) -> Ordering {
        let (pa, pb) = (self.policies.get(a.0), self.policies.get(b.0));
        let (Some(pa), Some(pb)) = (pa, pb) else {
            return Ordering::Equal;
        };
        compare_candidates((pa, a.1), (pb, b.1))
    }

    /// Resolves the policy that covers `item` sold at `sold_at` by `business_unit`. The end is
    /// computed in `cal`; call [`Resolved::explain`] for the full explained decision.
    pub fn resolve(
        &self,
        item: &Item,
        sold_at: Instant,
        business_unit: Option<&str>,
        cal: Calendar,
    ) -> Result<Resolved<'_>> {
        let hits = self.raw_candidates(item, sold_at, business_unit);
        // The best hit; a policy's less specific duplicate hits rank below its best one.
        let winner = hits.iter().copied().min_by(|a, b| self.rank(*a, *b));
        let end = match winner {
            None => None,
            Some((i, _)) => {
                let p = self
                    .policies
                    .get(i)
                    .ok_or_else(|| Error::invalid("policies", "index out of date"))?;
                Some(
                    time::expiry(sold_at, p.duration, p.expiry, cal).map_err(|_| {
                        Error::invalid(
                            format!("policies[{i}].duration"),
                            "the coverage end falls outside the supported years 1..=9999",
                        )
                    })?,
                )
            }
        };
        Ok(Resolved {
            catalog: self,
            hits,
            winner,
            start: cal.localize(sold_at),
            end,
        })
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

fn explain(p: &Policy, kind: CoverKind, item: &Item, list: &[Candidate], end: Instant) -> String {
    let value = item.get(kind).unwrap_or("");
    let who = match &p.name {
        Some(n) => format!("{n} ({})", p.id),
        None => p.id.clone(),
    };
    let mut s = format!(
        "Covered by {who} for {} until {}: it names the {kind} {value}",
        p.duration,
        human_date(end),
    );
    match list.len() {
        0 | 1 => s.push('.'),
        n => s.push_str(&format!(
            ", the most specific of {n} applicable policies (ties go to the latest effective date, then the lowest number)."
        )),
    }
    s
}
