//! The rules' operations (`docs/protocol.md`): expiry, coverage, replacement, resolution,
//! plan eligibility, catalogs, claims and their lifecycle. Each request type is the
//! operation's JSON body; each handler calls the domain and returns its answer. The table in
//! `ops.rs` pairs them with their names.

use serde::de::IgnoredAny;
use serde::Serialize;

use super::parse::OpOnly;
use super::Engine;
use crate::error::{Error, Result};
use crate::time::{self, human_date, Calendar, Duration, ExpiryMode, Instant, Zone};
use crate::warranty::catalog::{Candidates, Catalog, Item};
use crate::warranty::coverage::{self, CoverageQuery, ReplaceQuery, WarrantyRecord};
use crate::warranty::plans::{self, Category, Plan, PlanItem};
use crate::warranty::policy::{Dec, Policy};

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct ExpiryReq {
    _op: IgnoredAny,
    start: Instant,
    duration: Duration,
    expiry: ExpiryMode,
    zone: Option<Zone>,
}

crate::strict::text_struct!(ExpiryReq {
    need_other _op = "op",
    need_other start,
    need_other duration,
    other expiry,
    other zone,
});

#[derive(Serialize)]
pub(super) struct ExpiryResult {
    start: Instant,
    end: Instant,
    days: i64,
    message: String,
}

pub(super) fn expiry(r: ExpiryReq) -> Result<ExpiryResult> {
    let cal = Calendar::for_operation(r.zone, r.start);
    let end = time::expiry(r.start, r.duration, r.expiry, cal).map_err(|_| {
        Error::invalid(
            "duration.value",
            "the end falls outside the supported years 1..=9999",
        )
    })?;
    let days = cal.days_between(r.start, end);
    Ok(ExpiryResult {
        start: cal.localize(r.start),
        end,
        days,
        message: format!(
            "Coverage of {} from {} ends on {} ({days} {}).",
            r.duration,
            human_date(cal.localize(r.start)),
            human_date(end),
            if days == 1 { "day" } else { "days" }
        ),
    })
}

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct CoverageReq {
    _op: IgnoredAny,
    policy: Policy,
    warranty: WarrantyRecord,
    as_of: Instant,
    reason: Option<String>,
    usage: Option<Dec>,
    zone: Option<Zone>,
}

crate::strict::text_struct!(CoverageReq {
    need_other _op = "op",
    need_other policy,
    need_other warranty,
    need_other as_of,
    opt_text reason,
    other usage,
    other zone,
});

pub(super) fn coverage(r: CoverageReq) -> Result<coverage::CoverageDecision> {
    r.policy.validate().map_err(|e| e.within("policy"))?;
    coverage::check_coverage(&CoverageQuery {
        policy: &r.policy,
        warranty: &r.warranty,
        as_of: r.as_of,
        reason: r.reason.as_deref(),
        usage: r.usage,
        calendar: Calendar::for_operation(r.zone, r.warranty.start),
    })
}

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct ReplaceReq {
    _op: IgnoredAny,
    policy: Policy,
    original: WarrantyRecord,
    reason: String,
    requested_at: Instant,
    issued_at: Instant,
    usage: Option<Dec>,
    zone: Option<Zone>,
}

crate::strict::text_struct!(ReplaceReq {
    need_other _op = "op",
    need_other policy,
    need_other original,
    need_text reason,
    need_other requested_at,
    need_other issued_at,
    other usage,
    other zone,
});

pub(super) fn replace(r: ReplaceReq) -> Result<coverage::ReplaceDecision> {
    r.policy.validate().map_err(|e| e.within("policy"))?;
    coverage::replace(&ReplaceQuery {
        policy: &r.policy,
        original: &r.original,
        reason: &r.reason,
        requested_at: r.requested_at,
        issued_at: r.issued_at,
        usage: r.usage,
        calendar: Calendar::for_operation(r.zone, r.original.start),
    })
    .map_err(|e| {
        if e.path == "warranty.end" {
            Error {
                path: "original.end".into(),
                ..e
            }
        } else {
            e
        }
    })
}

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct ResolveReq {
    _op: IgnoredAny,
    policies: Option<Vec<Policy>>,
    catalog: Option<String>,
    item: Item,
    sold_at: Instant,
    business_unit: Option<String>,
    zone: Option<Zone>,
    candidates: Candidates,
}

crate::strict::text_struct!(ResolveReq {
    need_other _op = "op",
    other policies,
    opt_text catalog,
    need_other item,
    need_other sold_at,
    opt_text business_unit,
    other zone,
    other candidates,
});

#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct ResolveResult(crate::warranty::catalog::Resolution);

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct LoadReq {
    _op: IgnoredAny,
    name: String,
    policies: Vec<Policy>,
}

crate::strict::text_struct!(LoadReq {
    need_other _op = "op",
    need_text name,
    need_other policies,
});

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct UnloadReq {
    _op: IgnoredAny,
    name: String,
}

crate::strict::text_struct!(UnloadReq {
    need_other _op = "op",
    need_text name,
});

#[derive(Serialize)]
pub(super) struct CatalogInfo {
    name: String,
    policies: usize,
}

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct PlansReq {
    _op: IgnoredAny,
    plans: Vec<Plan>,
    categories: Vec<Category>,
    item: PlanItem,
    sold_at: Instant,
    zone: Option<Zone>,
}

crate::strict::text_struct!(PlansReq {
    need_other _op = "op",
    need_other plans,
    other categories,
    need_other item,
    need_other sold_at,
    other zone,
});

pub(super) fn plans(r: PlansReq) -> Result<plans::PlanOffer> {
    let cal = Calendar::for_operation(r.zone, r.item.purchased_at);
    plans::eligibility(&r.plans, &r.categories, &r.item, r.sold_at, cal)
}

// --- claims -------------------------------------------------------------------------------

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct ValidateClaimReq {
    _op: IgnoredAny,
    claim: crate::claims::Claim,
    as_of: Instant,
    zone: Option<Zone>,
    rules: crate::claims::Rules,
    known_claims: Vec<crate::claims::KnownClaim>,
}

crate::strict::text_struct!(ValidateClaimReq {
    need_other _op = "op",
    need_other claim,
    need_other as_of,
    other zone,
    other rules,
    other known_claims,
});

pub(super) fn validate_claim(r: ValidateClaimReq) -> Result<crate::claims::ValidationReport> {
    if let Some(p) = &r.claim.policy {
        p.validate().map_err(|e| e.within("claim.policy"))?;
    }
    crate::claims::validate_claim(
        &r.claim,
        &crate::claims::ClaimContext {
            as_of: r.as_of,
            calendar: Calendar::for_operation(r.zone, r.as_of),
            rules: &r.rules,
            known_claims: &r.known_claims,
        },
    )
}

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct TransitionReq {
    _op: IgnoredAny,
    state: crate::claims::lifecycle::ClaimState,
    action: crate::claims::lifecycle::Action,
    actor: crate::claims::lifecycle::Actor,
    at: Instant,
    reason: String,
    prev_hash: Option<String>,
    audit_key: Option<AuditKeyReq>,
}

crate::strict::text_struct!(TransitionReq {
    need_other _op = "op",
    need_other state,
    need_other action,
    need_other actor,
    need_other at,
    text reason,
    opt_text prev_hash,
    other audit_key,
});

/// An audit key as requests give it: `{"id", "secret"}` (base64).
// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct AuditKeyReq {
    id: String,
    secret: String,
}

crate::strict::text_struct!(AuditKeyReq {
    need_text id,
    need_text secret,
});

impl AuditKeyReq {
    fn key(&self, path: &str) -> Result<crate::claims::audit::AuditKey> {
        crate::claims::audit::AuditKey::from_base64(self.id.clone(), &self.secret)
            .map_err(|e| e.within(path))
    }
}

fn audit_key(k: &Option<AuditKeyReq>) -> Result<Option<crate::claims::audit::AuditKey>> {
    k.as_ref().map(|k| k.key("audit_key")).transpose()
}

pub(super) fn transition(r: TransitionReq) -> Result<crate::claims::lifecycle::Transitioned> {
    let key = audit_key(&r.audit_key)?;
    let mut t = crate::claims::lifecycle::transition(&crate::claims::lifecycle::Transition {
        state: &r.state,
        action: r.action,
        actor: &r.actor,
        at: r.at,
        reason: &r.reason,
        prev_hash: r.prev_hash.as_deref(),
    })?;
    if let Some(key) = &key {
        t.audit = t.audit.keyed(key);
    }
    Ok(t)
}

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct VerifyAuditReq {
    _op: IgnoredAny,
    entries: Vec<serde_json::Value>,
    keys: Vec<AuditKeyReq>,
}

crate::strict::text_struct!(VerifyAuditReq {
    need_other _op = "op",
    need_other entries,
    other keys,
});

pub(super) fn verify_audit(r: VerifyAuditReq) -> Result<crate::claims::audit::AuditVerdict> {
    let keys = r
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| k.key(&format!("keys[{i}]")))
        .collect::<Result<Vec<_>>>()?;
    let entries: Vec<crate::claims::audit::StoredEntry> = r
        .entries
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(line) => crate::claims::audit::StoredEntry::Line(line),
            other => crate::claims::audit::StoredEntry::Value(other),
        })
        .collect();
    Ok(crate::claims::audit::verify_audit_keyed(&entries, &keys))
}

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct PartnerReq {
    _op: IgnoredAny,
    state: crate::claims::lifecycle::ClaimState,
    update: crate::claims::partner_status::PartnerStatus,
    prev_hash: Option<String>,
    audit_key: Option<AuditKeyReq>,
}

crate::strict::text_struct!(PartnerReq {
    need_other _op = "op",
    need_other state,
    need_other update,
    opt_text prev_hash,
    other audit_key,
});

pub(super) fn partner(r: PartnerReq) -> Result<crate::claims::partner_status::PartnerApplied> {
    let key = audit_key(&r.audit_key)?;
    let mut applied = crate::claims::partner_status::apply_partner_status(
        &r.state,
        &r.update,
        r.prev_hash.as_deref(),
    )?;
    if let Some(key) = &key {
        applied.audit = applied.audit.map(|a| a.keyed(key));
    }
    Ok(applied)
}

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct ReportReq {
    _op: IgnoredAny,
    claims: Vec<crate::claims::report::ClaimSummary>,
}

crate::strict::text_struct!(ReportReq {
    need_other _op = "op",
    need_other claims,
});

pub(super) fn no_catalog(path: &str, name: &str) -> Error {
    Error::invalid(
        path,
        format!("no catalog named `{name}` is loaded (use load_catalog)"),
    )
}

impl Engine {
    pub(super) fn resolve(&self, r: ResolveReq) -> Result<ResolveResult> {
        let cal = Calendar::for_operation(r.zone, r.sold_at);
        let bu = r.business_unit.as_deref();
        let res = match (r.policies, r.catalog) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "catalog",
                    "give either `policies` or `catalog`, not both",
                ))
            }
            (None, None) => {
                return Err(Error::invalid(
                    "policies",
                    "missing field `policies` (or `catalog`, the name of a loaded catalog)",
                ))
            }
            (Some(ps), None) => {
                let c = Catalog::new(ps)?;
                c.resolve_with(&r.item, r.sold_at, bu, cal, r.candidates)?
                    .explain(&r.item)?
            }
            (None, Some(name)) => {
                let c = self
                    .catalogs
                    .get(&name)
                    .ok_or_else(|| no_catalog("catalog", &name))?;
                c.resolve_with(&r.item, r.sold_at, bu, cal, r.candidates)?
                    .explain(&r.item)?
            }
        };
        Ok(ResolveResult(res))
    }

    pub(super) fn load_catalog(&mut self, r: LoadReq) -> Result<CatalogInfo> {
        let c = Catalog::new(r.policies)?;
        let info = CatalogInfo {
            name: r.name.clone(),
            policies: c.len(),
        };
        self.catalogs.insert(r.name, c);
        Ok(info)
    }

    pub(super) fn unload_catalog(&mut self, r: UnloadReq) -> Result<CatalogInfo> {
        match self.catalogs.remove(&r.name) {
            Some(c) => Ok(CatalogInfo {
                name: r.name,
                policies: c.len(),
            }),
            None => Err(no_catalog("name", &r.name)),
        }
    }

    pub(super) fn list_catalogs(&mut self, _: OpOnly) -> Result<CatalogList> {
        let catalogs = self
            .catalogs
            .iter()
            .map(|(n, c)| CatalogInfo {
                name: n.clone(),
                policies: c.len(),
            })
            .collect();
        Ok(CatalogList { catalogs })
    }
}

#[derive(Serialize)]
pub(super) struct CatalogList {
    catalogs: Vec<CatalogInfo>,
}

#[derive(Serialize)]
pub(super) struct Version {
    version: &'static str,
    protocol: u32,
    operations: &'static [&'static str],
}

pub(super) fn version(_: OpOnly) -> Result<Version> {
    Ok(Version {
        version: crate::VERSION,
        protocol: super::PROTOCOL_VERSION,
        operations: super::OPERATIONS,
    })
}

pub(super) fn claims_report(r: ReportReq) -> Result<crate::claims::report::ClaimsReport> {
    crate::claims::report::claims_report(&r.claims)
}
