//! The JSON dispatcher shared by every binding (PROTOCOL.md, `docs/protocol.md`).
//!
//! [`call`] answers one request with a fresh, throw-away [`Engine`]; an [`Engine`] keeps named
//! catalogs between calls. Both return the response as a compact JSON string: the same bytes
//! for the same request everywhere.

pub mod conformance;
mod jsonpath;
pub mod strict;

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
#[cfg(feature = "sync")]
use crate::partners::crm_com;
use crate::time::{self, human_date, Calendar, Duration, ExpiryMode, Instant, Zone};
use crate::warranty::catalog::{Catalog, Item};
use crate::warranty::coverage::{self, CoverageQuery, ReplaceQuery, WarrantyRecord};
use crate::warranty::plans::{self, Category, Plan, PlanItem};
use crate::warranty::policy::{Dec, Policy};

/// The protocol version this dispatcher speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// Declares the operation lists once: the rules (always built) and the sync layer's
/// (partner adapters and outboxes, built with the `sync` feature).
macro_rules! operations {
    (rules: [$($rules:literal),* $(,)?], sync: [$($sync:literal),* $(,)?] $(,)?) => {
        /// Every operation this build's dispatcher knows, in documentation order.
        #[cfg(feature = "sync")]
        pub const OPERATIONS: &[&str] = &[$($rules,)* $($sync,)*];
        /// Every operation this build's dispatcher knows, in documentation order (a build
        /// without the `sync` feature: the rules only).
        #[cfg(not(feature = "sync"))]
        pub const OPERATIONS: &[&str] = &[$($rules,)*];
        /// The operations of the sync layer, known by name in every build: a build without
        /// the `sync` feature (the `warranty` npm module) answers them with an `UNKNOWN_OP`
        /// that names the module that has them.
        pub const SYNC_OPERATIONS: &[&str] = &[$($sync,)*];
    };
}

operations! {
    rules: [
        "expiry",
        "coverage",
        "replace",
        "resolve",
        "plans",
        "load_catalog",
        "unload_catalog",
        "list_catalogs",
        "version",
        "validate_claim",
        "transition_claim",
        "verify_audit",
        "apply_partner_status",
        "claims_report",
        "stack_coverage",
        "expiring",
        "statutory_presets",
    ],
    sync: [
        "import_crm_com",
        "outbox_create",
        "outbox_enqueue",
        "outbox_poll_transmit",
        "outbox_handle_response",
        "outbox_transport_error",
        "outbox_poll_timeout",
        "outbox_poll_event",
        "outbox_snapshot",
        "outbox_restore",
        "outbox_report",
        "outbox_prune",
        "outbox_drop",
        "webhook_sign",
        "webhook_verify",
        "activate_sale",
        "claim_changed",
        "cnh_claim_body",
        "cnh_read_response",
        "cnh_defect_failure_request",
        "cnh_defect_failure_answer",
        "cnh_attachment_request",
        "cnh_attachment_answer",
        "cnh_mps_tc_request",
        "cnh_document_answer",
        "cnh_smart_alert_answer",
        "cnh_ez_labor_answer",
        "cnh_pip_answer",
        "cnh_invoice_request",
        "cnh_invoice_answer",
        "cnh_invoice_reconcile",
        "product_code_registration",
        "warranty_life_plans",
        "warranty_life_request",
        "warranty_life_auth",
        "warranty_life_page",
        "crm_installed_item_coverage",
    ],
}

/// Holds named catalogs, so that hosts load 10,000 policies once and resolve against them by
/// name, and named outboxes (the sync operations). An engine is used by one thread at a time
/// (`&mut self`); distinct engines are independent.
#[derive(Debug, Default)]
pub struct Engine {
    catalogs: BTreeMap<String, Catalog>,
    #[cfg(feature = "sync")]
    outboxes: BTreeMap<String, crate::sync::Outbox>,
}

/// Answers one request (a fresh engine each time: catalogs loaded here are dropped).
pub fn call(request: &str) -> String {
    Engine::new().call(request)
}

/// Like [`call`], for bytes that may not be UTF-8 (`INVALID_JSON` when they are not).
pub fn call_bytes(request: &[u8]) -> String {
    Engine::new().call_bytes(request)
}

impl Engine {
    /// An engine with no catalogs.
    pub fn new() -> Self {
        Engine::default()
    }

    /// Answers one request; see PROTOCOL.md.
    pub fn call(&mut self, request: &str) -> String {
        let mut out = Vec::with_capacity(256);
        self.call_to(request, &mut out);
        // Every byte written is serde_json output or ASCII: valid UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Answers one request given as bytes; invalid UTF-8 is an `INVALID_JSON` response.
    pub fn call_bytes(&mut self, request: &[u8]) -> String {
        match std::str::from_utf8(request) {
            Ok(s) => self.call(s),
            Err(e) => error_response(&Error {
                code: ErrorCode::InvalidJson,
                path: String::new(),
                message: format!(
                    "the request is not UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            }),
        }
    }

    /// Answers one request, appending the UTF-8 response to `out` (no trailing newline).
    /// The fastest entry point: results are serialized straight into `out`.
    pub fn call_to(&mut self, request: &str, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(b"{\"ok\":true,\"result\":");
        match self.dispatch(request, out) {
            Ok(()) => out.push(b'}'),
            Err(e) => {
                out.truncate(start);
                out.extend_from_slice(error_response(&e).as_bytes());
            }
        }
    }

    /// Answers one NDJSON line (surrounding ASCII whitespace ignored), appending the response
    /// and a `\n` to `out`. Returns `None` for a blank line (nothing written), otherwise
    /// `Some(ok)` with whether the response is `ok:true`. Every binding's batch call and the
    /// CLI's `call --ndjson` go through here, so they answer a stream the same way.
    pub fn call_line(&mut self, line: &[u8], out: &mut Vec<u8>) -> Option<bool> {
        let line = line.trim_ascii();
        if line.is_empty() {
            return None;
        }
        let ok = self.call_bytes_to(line, out);
        out.push(b'\n');
        Some(ok)
    }

    /// Answers one request given as bytes (the whole input is the request; invalid UTF-8 is
    /// an `INVALID_JSON` response), appending the response to `out`. Returns whether it is
    /// `ok:true`. What `wty call` and the C `wty_call` do.
    pub fn call_bytes_to(&mut self, request: &[u8], out: &mut Vec<u8>) -> bool {
        let start = out.len();
        match std::str::from_utf8(request) {
            Ok(s) => self.call_to(s, out),
            Err(_) => out.extend_from_slice(self.call_bytes(request).as_bytes()),
        }
        out.get(start..)
            .is_some_and(|r| r.starts_with(b"{\"ok\":true"))
    }

    /// Answers a whole NDJSON stream held in memory: one response line per non-blank request
    /// line, in order, all through this engine. Returns `(answered, failed)`: how many
    /// requests were answered and how many of those answers are `ok:false`.
    pub fn call_ndjson(&mut self, input: &[u8], out: &mut Vec<u8>) -> (usize, usize) {
        let (mut answered, mut failed) = (0, 0);
        for line in input.split(|&b| b == b'\n') {
            if let Some(ok) = self.call_line(line, out) {
                answered += 1;
                failed += usize::from(!ok);
            }
        }
        (answered, failed)
    }

    /// A loaded catalog.
    pub fn catalog(&self, name: &str) -> Option<&Catalog> {
        self.catalogs.get(name)
    }

    /// Loads (or replaces) a catalog under `name`.
    pub fn insert_catalog(&mut self, name: impl Into<String>, catalog: Catalog) {
        self.catalogs.insert(name.into(), catalog);
    }

    /// Runs a request and returns the serialized `result`.
    fn dispatch(&mut self, request: &str, out: &mut Vec<u8>) -> Result<()> {
        let op = peek_op(request)?;
        match op.as_str() {
            "expiry" => ser(out, &op_expiry(parse(request)?)?),
            "coverage" => ser(out, &op_coverage(parse(request)?)?),
            "replace" => ser(out, &op_replace(parse(request)?)?),
            "resolve" => {
                let r: ResolveReq = parse(request)?;
                ser(out, &self.op_resolve(r)?)
            }
            "plans" => ser(out, &op_plans(parse(request)?)?),
            #[cfg(feature = "sync")]
            "import_crm_com" => {
                let r: ImportReq = parse(request)?;
                ser(out, &self.op_import(r)?)
            }
            "load_catalog" => {
                let r: LoadReq = parse(request)?;
                ser(out, &self.op_load(r)?)
            }
            "unload_catalog" => {
                let r: UnloadReq = parse(request)?;
                match self.catalogs.remove(&r.name) {
                    Some(c) => ser(
                        out,
                        &CatalogInfo {
                            name: r.name,
                            policies: c.len(),
                        },
                    ),
                    None => Err(no_catalog("name", &r.name)),
                }
            }
            "list_catalogs" => {
                let _: OpOnly = parse(request)?;
                let catalogs: Vec<CatalogInfo> = self
                    .catalogs
                    .iter()
                    .map(|(n, c)| CatalogInfo {
                        name: n.clone(),
                        policies: c.len(),
                    })
                    .collect();
                ser(out, &serde_json::json!({ "catalogs": catalogs }))
            }
            "version" => {
                let _: OpOnly = parse(request)?;
                #[derive(Serialize)]
                struct Version {
                    version: &'static str,
                    protocol: u32,
                    operations: &'static [&'static str],
                }
                ser(
                    out,
                    &Version {
                        version: crate::VERSION,
                        protocol: PROTOCOL_VERSION,
                        operations: OPERATIONS,
                    },
                )
            }
            "validate_claim" => ser(out, &op_validate_claim(parse(request)?)?),
            "transition_claim" => ser(out, &op_transition(parse(request)?)?),
            "verify_audit" => ser(out, &op_verify_audit(parse(request)?)?),
            "apply_partner_status" => ser(out, &op_partner(parse(request)?)?),
            "claims_report" => {
                let r: ReportReq = parse(request)?;
                ser(out, &crate::claims::report::claims_report(&r.claims)?)
            }
            other => {
                #[cfg(feature = "sync")]
                if let Some(answered) = self.sync_op(other, request, out) {
                    return answered;
                }
                if let Some(answered) = stack_ops::stack_op(other, request, out) {
                    return answered;
                }
                Err(match serde_json::from_str::<IgnoredAny>(request) {
                    Err(e) => not_json(&e),
                    Ok(_) if cfg!(not(feature = "sync")) && SYNC_OPERATIONS.contains(&other) => {
                        Error {
                            code: ErrorCode::UnknownOp,
                            path: "op".into(),
                            message: format!(
                                "`{other}` is a sync operation, not in this build: use the \
                                 `warranty/sync` npm module, or build warranty-core with its \
                                 `sync` feature"
                            ),
                        }
                    }
                    Ok(_) => Error {
                        code: ErrorCode::UnknownOp,
                        path: "op".into(),
                        message: format!(
                            "`{other}` is not an operation; known: {}",
                            OPERATIONS.join(", ")
                        ),
                    },
                })
            }
        }
    }

    fn op_resolve(&self, r: ResolveReq) -> Result<ResolveResult> {
        let cal = Calendar::for_operation(r.zone, r.sold_at);
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
                c.resolve(&r.item, r.sold_at, r.business_unit.as_deref(), cal)?
                    .explain(&r.item)
            }
            (None, Some(name)) => {
                let c = self
                    .catalogs
                    .get(&name)
                    .ok_or_else(|| no_catalog("catalog", &name))?;
                c.resolve(&r.item, r.sold_at, r.business_unit.as_deref(), cal)?
                    .explain(&r.item)
            }
        };
        Ok(ResolveResult(res))
    }

    fn op_load(&mut self, r: LoadReq) -> Result<CatalogInfo> {
        let c = Catalog::new(r.policies)?;
        let info = CatalogInfo {
            name: r.name.clone(),
            policies: c.len(),
        };
        self.catalogs.insert(r.name, c);
        Ok(info)
    }

    #[cfg(feature = "sync")]
    fn op_import(&mut self, r: ImportReq) -> Result<ImportResult> {
        let cal = Calendar::Zone(r.zone.0);
        let imp = crm_com::import(&r.response, "response", cal)?;
        if let Some(name) = &r.catalog {
            let c = Catalog::new(imp.policies.clone())
                .map_err(|e| Error::invalid("response", e.message))?;
            self.catalogs.insert(name.clone(), c);
        }
        Ok(ImportResult {
            catalog: r.catalog,
            policies: imp.policies,
            warnings: imp.warnings,
        })
    }
}

fn no_catalog(path: &str, name: &str) -> Error {
    Error::invalid(
        path,
        format!("no catalog named `{name}` is loaded (use load_catalog)"),
    )
}

fn ser<T: Serialize>(out: &mut Vec<u8>, v: &T) -> Result<()> {
    serde_json::to_writer(out, v)
        .map_err(|e| Error::invalid("", format!("cannot render the result: {e}")))
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    ok: bool,
    error: &'a Error,
}

/// The protocol's failure response for an error.
pub fn error_response(e: &Error) -> String {
    serde_json::to_string(&ErrorEnvelope { ok: false, error: e }).unwrap_or_else(|_| {
        "{\"ok\":false,\"error\":{\"code\":\"INVALID_INPUT\",\"path\":\"\",\"message\":\"unrenderable error\"}}".to_string()
    })
}

/// Strips serde_json's " at line L column C" suffix.
fn clean(msg: String) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    }
}

/// First pass: is it JSON, is it an object, and which `op` does it name?
fn peek_op(request: &str) -> Result<String> {
    // Fast path for the common shape `{"op":"name",...`: the full parse that follows checks
    // the rest of the document (and rejects a second `op`).
    if let Some(rest) = request.strip_prefix("{\"op\":\"") {
        if let Some(end) = rest.find('"') {
            let name = rest.get(..end).unwrap_or("");
            if !name.contains('\\')
                && rest
                    .get(end + 1..)
                    .is_some_and(|r| r.starts_with([',', '}']))
            {
                return Ok(name.to_string());
            }
        }
    }
    if !request.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<IgnoredAny>(request) {
            Ok(_) => Error::invalid("", "the request must be a JSON object"),
            Err(e) => Error {
                code: ErrorCode::InvalidJson,
                path: String::new(),
                message: format!("the request is not JSON: {e}"),
            },
        });
    }
    #[derive(Deserialize)]
    struct Peek {
        #[serde(default)]
        op: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Peek>(request) {
        Ok(Peek {
            op: Some(serde_json::Value::String(s)),
        }) => Ok(s),
        Ok(Peek { op: None }) => Err(Error {
            code: ErrorCode::UnknownOp,
            path: "op".into(),
            message: format!(
                "missing field `op`; known operations: {}",
                OPERATIONS.join(", ")
            ),
        }),
        Ok(Peek { op: Some(_) }) => Err(Error {
            code: ErrorCode::UnknownOp,
            path: "op".into(),
            message: "`op` must be a string naming an operation".into(),
        }),
        Err(e) if e.is_data() => {
            let msg = clean(e.to_string());
            let path = if msg.contains("`op`") { "op" } else { "" };
            Err(Error::invalid(
                path,
                if path.is_empty() {
                    format!("the request must be a JSON object ({msg})")
                } else {
                    msg
                },
            ))
        }
        Err(e) => Err(Error {
            code: ErrorCode::InvalidJson,
            path: String::new(),
            message: format!("the request is not JSON: {}", e),
        }),
    }
}

/// Whether serde's message is the one of the sync layer's number-or-text fields.
#[cfg(feature = "sync")]
fn sync_expecting(msg: &str) -> bool {
    msg.ends_with(crate::sync::u64_text::EXPECTING)
}

/// Without the sync layer there are no number-or-text fields.
#[cfg(not(feature = "sync"))]
fn sync_expecting(_: &str) -> bool {
    false
}

/// Second pass: the operation's typed request. A data error is placed by its position in the
/// document (`jsonpath`): the same first problem and path on every target, with no
/// path-tracking deserializer (which would double the code of every request type).
fn parse<T: DeserializeOwned>(request: &str) -> Result<T> {
    crate::protocol::strict::from_str::<T>(request).map_err(|e| parse_error(request, &e))
}

/// The protocol error for serde's error on `request`. Not generic and kept out of line: one
/// copy for every request type (in WASM, a copy per type cost ~2 KB gzip'd each).
#[inline(never)]
fn parse_error(request: &str, e: &serde_json::Error) -> Error {
    if e.is_syntax() || e.is_eof() {
        return syntax_error(request, e);
    }
    // A data error in a document that is not JSON further on: not JSON wins.
    if let Err(j) = serde_json::from_str::<IgnoredAny>(request) {
        return not_json(&j);
    }
    let msg = clean(e.to_string());
    let mut at = crate::protocol::jsonpath::offset_of(request, e.line(), e.column());
    // The number-or-text fields (`sync::u64_text`, read with `deserialize_any`) refuse an
    // array or object just after its opening bracket: the value is at fault, not its
    // first element.
    if (sync_expecting(&msg)
        || msg.ends_with(crate::warranty::stack::model::STARTS_ON_EXPECTING)
        || msg.contains(", expected struct "))
        && (msg.starts_with("invalid type: sequence") || msg.starts_with("invalid type: map"))
    {
        let before = request.get(..at).unwrap_or_default().trim_end();
        if before.ends_with(['[', '{']) {
            at = before.len() - 1;
        }
    }
    let path = crate::protocol::jsonpath::path_at(request, at, msg.starts_with("unknown variant"));
    // serde reports a missing field after its object: name the field itself.
    let path = match missing_field(&msg) {
        Some(f) => crate::error::join_path(&path, f),
        None => path,
    };
    Error::invalid(path, msg)
}

/// A syntax error met while reading a request. serde_json also reports a number, boolean,
/// null or array where an enum's name belongs as a syntax error ("expected value"): when the
/// document is JSON, that is the value's fault, at its path.
fn syntax_error(request: &str, e: &serde_json::Error) -> Error {
    if e.is_eof() {
        return not_json(e);
    }
    if let Err(j) = serde_json::from_str::<IgnoredAny>(request) {
        return not_json(&j);
    }
    let mut at = crate::protocol::jsonpath::offset_of(request, e.line(), e.column());
    if request.get(..at).unwrap_or_default().ends_with(['[', '{']) {
        at -= 1;
    }
    Error::invalid(
        crate::protocol::jsonpath::path_at(request, at, false),
        "invalid type: expected a string naming one of the allowed values",
    )
}

fn not_json(e: &serde_json::Error) -> Error {
    Error {
        code: ErrorCode::InvalidJson,
        path: String::new(),
        message: format!("the request is not JSON: {e}"),
    }
}

fn missing_field(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("missing field `")?;
    rest.split('`').next()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpOnly {
    #[allow(dead_code)]
    op: IgnoredAny,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpiryReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    start: Instant,
    duration: Duration,
    #[serde(default)]
    expiry: ExpiryMode,
    #[serde(default)]
    zone: Option<Zone>,
}

#[derive(Serialize)]
struct ExpiryResult {
    start: Instant,
    end: Instant,
    days: i64,
    message: String,
}

fn op_expiry(r: ExpiryReq) -> Result<ExpiryResult> {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    policy: Policy,
    warranty: WarrantyRecord,
    as_of: Instant,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    usage: Option<Dec>,
    #[serde(default)]
    zone: Option<Zone>,
}

fn op_coverage(r: CoverageReq) -> Result<coverage::CoverageDecision> {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplaceReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    policy: Policy,
    original: WarrantyRecord,
    reason: String,
    requested_at: Instant,
    issued_at: Instant,
    #[serde(default)]
    usage: Option<Dec>,
    #[serde(default)]
    zone: Option<Zone>,
}

fn op_replace(r: ReplaceReq) -> Result<coverage::ReplaceDecision> {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    #[serde(default)]
    policies: Option<Vec<Policy>>,
    #[serde(default)]
    catalog: Option<String>,
    item: Item,
    sold_at: Instant,
    #[serde(default)]
    business_unit: Option<String>,
    #[serde(default)]
    zone: Option<Zone>,
}

#[derive(Serialize)]
#[serde(transparent)]
struct ResolveResult(crate::warranty::catalog::Resolution);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoadReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    name: String,
    policies: Vec<Policy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnloadReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    name: String,
}

#[derive(Serialize)]
struct CatalogInfo {
    name: String,
    policies: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlansReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    plans: Vec<Plan>,
    #[serde(default)]
    categories: Vec<Category>,
    item: PlanItem,
    sold_at: Instant,
    #[serde(default)]
    zone: Option<Zone>,
}

fn op_plans(r: PlansReq) -> Result<plans::PlanOffer> {
    let cal = Calendar::for_operation(r.zone, r.item.purchased_at);
    plans::eligibility(&r.plans, &r.categories, &r.item, r.sold_at, cal)
}

#[cfg(feature = "sync")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    response: serde_json::Value,
    zone: Zone,
    #[serde(default)]
    catalog: Option<String>,
}

#[cfg(feature = "sync")]
#[derive(Serialize)]
struct ImportResult {
    catalog: Option<String>,
    policies: Vec<Policy>,
    warnings: Vec<String>,
}

// --- claims -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidateClaimReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    claim: crate::claims::Claim,
    as_of: Instant,
    #[serde(default)]
    zone: Option<Zone>,
    #[serde(default)]
    rules: crate::claims::Rules,
    #[serde(default)]
    known_claims: Vec<crate::claims::KnownClaim>,
}

fn op_validate_claim(r: ValidateClaimReq) -> Result<crate::claims::ValidationReport> {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    state: crate::claims::lifecycle::ClaimState,
    action: crate::claims::lifecycle::Action,
    actor: crate::claims::lifecycle::Actor,
    at: Instant,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    prev_hash: Option<String>,
    #[serde(default)]
    audit_key: Option<AuditKeyReq>,
}

/// An audit key as requests give it: `{"id", "secret"}` (base64).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditKeyReq {
    id: String,
    secret: String,
}

impl AuditKeyReq {
    fn key(&self, path: &str) -> Result<crate::claims::lifecycle::AuditKey> {
        crate::claims::lifecycle::AuditKey::from_base64(self.id.clone(), &self.secret)
            .map_err(|e| e.within(path))
    }
}

fn audit_key(k: &Option<AuditKeyReq>) -> Result<Option<crate::claims::lifecycle::AuditKey>> {
    k.as_ref().map(|k| k.key("audit_key")).transpose()
}

fn op_transition(r: TransitionReq) -> Result<crate::claims::lifecycle::Transitioned> {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyAuditReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    entries: Vec<serde_json::Value>,
    #[serde(default)]
    keys: Vec<AuditKeyReq>,
}

fn op_verify_audit(r: VerifyAuditReq) -> Result<crate::claims::lifecycle::AuditVerdict> {
    let keys = r
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| k.key(&format!("keys[{i}]")))
        .collect::<Result<Vec<_>>>()?;
    let entries: Vec<crate::claims::lifecycle::StoredEntry> = r
        .entries
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(line) => crate::claims::lifecycle::StoredEntry::Line(line),
            other => crate::claims::lifecycle::StoredEntry::Value(other),
        })
        .collect();
    Ok(crate::claims::lifecycle::verify_audit_keyed(
        &entries, &keys,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartnerReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    state: crate::claims::lifecycle::ClaimState,
    update: crate::claims::lifecycle::PartnerStatus,
    #[serde(default)]
    prev_hash: Option<String>,
    #[serde(default)]
    audit_key: Option<AuditKeyReq>,
}

fn op_partner(r: PartnerReq) -> Result<crate::claims::lifecycle::PartnerApplied> {
    let key = audit_key(&r.audit_key)?;
    let mut applied = crate::claims::lifecycle::apply_partner_status(
        &r.state,
        &r.update,
        r.prev_hash.as_deref(),
    )?;
    if let Some(key) = &key {
        applied.audit = applied.audit.map(|a| a.keyed(key));
    }
    Ok(applied)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    claims: Vec<crate::claims::report::ClaimSummary>,
}

/// Differential test: error paths found from positions (`jsonpath`) against
/// `serde_path_to_error`, on every vector's request mutated many ways.
#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod path_tests {
    use super::*;
    use serde_json::Value;

    fn reference<T: DeserializeOwned>(request: &str) -> Result<T> {
        let mut de = serde_json::Deserializer::from_str(request);
        let v: T = serde_path_to_error::deserialize(crate::protocol::strict::Strict(&mut de))
            .map_err(|e| {
                if e.inner().is_syntax() || e.inner().is_eof() {
                    if serde_json::from_str::<IgnoredAny>(request).is_ok() {
                        let path = e.path().to_string();
                        let path = if path == "." { String::new() } else { path };
                        return Error::invalid(path, syntax_error(request, e.inner()).message);
                    }
                    return not_json(e.inner());
                }
                if let Err(j) = serde_json::from_str::<IgnoredAny>(request) {
                    return not_json(&j);
                }
                let path = e.path().to_string();
                let msg = clean(e.inner().to_string());
                let path = if path == "." { String::new() } else { path };
                let path = match missing_field(&msg) {
                    Some(f) => crate::error::join_path(&path, f),
                    None => path,
                };
                Error::invalid(path, msg)
            })?;
        de.end().map_err(|e| not_json(&e))?;
        Ok(v)
    }

    pub(super) fn same<T: DeserializeOwned>(req: &str) -> std::result::Result<(), String> {
        let a = parse::<T>(req).err();
        let b = reference::<T>(req).err();
        // Intended difference: an unknown key inside a `covers` entry is reported at that
        // key (as for every other unknown field); the tracking deserializer names the entry.
        let cover_key = |a: &Option<Error>, b: &Option<Error>| match (a, b) {
            (Some(a), Some(b)) => {
                a.message == b.message
                    && a.message.starts_with("unknown field")
                    && b.path.ends_with(']')
                    && a.path.starts_with(&format!("{}.", b.path))
            }
            _ => false,
        };
        if a == b || cover_key(&a, &b) {
            Ok(())
        } else {
            Err(format!("{req}\n  positions: {a:?}\n  reference: {b:?}"))
        }
    }

    fn check(op: &str, req: &str) -> std::result::Result<(), String> {
        match op {
            "expiry" => same::<ExpiryReq>(req),
            "coverage" => same::<CoverageReq>(req),
            "replace" => same::<ReplaceReq>(req),
            "resolve" => same::<ResolveReq>(req),
            "plans" => same::<PlansReq>(req),
            #[cfg(feature = "sync")]
            "import_crm_com" => same::<ImportReq>(req),
            "load_catalog" => same::<LoadReq>(req),
            "unload_catalog" => same::<UnloadReq>(req),
            "validate_claim" => same::<ValidateClaimReq>(req),
            "transition_claim" => same::<TransitionReq>(req),
            "verify_audit" => same::<VerifyAuditReq>(req),
            "apply_partner_status" => same::<PartnerReq>(req),
            "claims_report" => same::<ReportReq>(req),
            op if OPERATIONS.contains(&op) && op != "version" && op != "list_catalogs" => {
                let stack = super::stack_ops::check_paths(op, req);
                #[cfg(feature = "sync")]
                let stack = stack.or_else(|| Some(super::sync_ops::check_paths(op, req)));
                stack.unwrap_or_else(|| same::<OpOnly>(req))
            }
            _ => same::<OpOnly>(req),
        }
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % (n.max(1) as u64)) as usize
        }
    }

    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Object(m) => m.values().map(count).sum(),
            Value::Array(a) => a.iter().map(count).sum(),
            _ => 0,
        }
    }

    fn replacement(rng: &mut Rng) -> Value {
        match rng.below(12) {
            0 => Value::Null,
            1 => Value::Bool(true),
            2 => serde_json::json!(-1),
            3 => serde_json::json!(1.5),
            4 => serde_json::json!(""),
            5 => serde_json::json!("2026-02-30T10:00:00+01:00"),
            6 => serde_json::json!("Europe/Atlantis"),
            7 => serde_json::json!({}),
            8 => serde_json::json!([]),
            9 => serde_json::json!({"unknown": 1}),
            10 => serde_json::json!([{"x": "y"}]),
            _ => serde_json::json!("x\"y\n"),
        }
    }

    /// Mutates the `k`-th node (pre-order): replace it, drop a key, or add an unknown key.
    fn mutate(v: &mut Value, k: &mut usize, rng: &mut Rng) -> bool {
        if *k == 0 {
            match (rng.below(4), &mut *v) {
                (0, Value::Object(m)) if !m.is_empty() => {
                    let key = m
                        .keys()
                        .nth(rng.below(m.len()))
                        .cloned()
                        .unwrap_or_default();
                    m.remove(&key);
                }
                (1, Value::Object(m)) => {
                    m.insert("zz_unknown".into(), Value::Null);
                }
                _ => *v = replacement(rng),
            }
            return true;
        }
        *k -= 1;
        match v {
            Value::Object(m) => m.values_mut().any(|c| mutate(c, k, rng)),
            Value::Array(a) => a.iter_mut().any(|c| mutate(c, k, rng)),
            _ => false,
        }
    }

    #[test]
    fn error_paths_from_positions_match_a_tracking_deserializer() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors");
        let mut requests: Vec<Value> = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            if v["request"].is_object() {
                requests.push(v["request"].clone());
            }
        }
        assert!(requests.len() > 300);
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut failures = Vec::new();
        for case in 0..40_000 {
            let mut req = requests[rng.below(requests.len())].clone();
            let op = req["op"].as_str().unwrap_or("").to_string();
            let mut k = 1 + rng.below(count(&req).saturating_sub(1));
            mutate(&mut req, &mut k, &mut rng);
            let text = if case % 3 == 0 {
                serde_json::to_string_pretty(&req).unwrap()
            } else {
                req.to_string()
            };
            if let Err(e) = check(&op, &text) {
                failures.push(e);
            }
        }
        let mut kinds: Vec<String> = failures
            .iter()
            .map(|f| {
                f.lines()
                    .skip_while(|l| !l.starts_with("  positions"))
                    .collect::<Vec<_>>()
                    .join(" / ")
            })
            .collect();
        kinds.sort();
        kinds.dedup_by(|a, b| a.get(..60) == b.get(..60));
        assert!(
            failures.is_empty(),
            "{} differences, kinds:\n{}",
            failures.len(),
            kinds.join("\n")
        );
    }
}

#[cfg(feature = "sync")]
mod sync_ops;

mod stack_ops;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod build_tests {
    use super::*;

    #[test]
    fn every_operation_is_named_once_and_the_sync_ones_only_with_the_feature() {
        let mut all: Vec<&str> = OPERATIONS.to_vec();
        all.extend(SYNC_OPERATIONS.iter().filter(|op| !OPERATIONS.contains(op)));
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "an operation is listed twice");
        assert_eq!(
            SYNC_OPERATIONS.iter().all(|op| OPERATIONS.contains(op)),
            cfg!(feature = "sync")
        );
        assert!(OPERATIONS.contains(&"stack_coverage"));
    }

    #[test]
    fn a_sync_operation_answers_by_the_build() {
        let v: serde_json::Value = serde_json::from_str(&call(
            r#"{"op":"webhook_sign","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","id":"m","timestamp":1,"body":"{}"}"#,
        ))
        .unwrap();
        if cfg!(feature = "sync") {
            assert_eq!(v["ok"], true, "{v}");
        } else {
            assert_eq!(v["error"]["code"], "UNKNOWN_OP", "{v}");
            assert_eq!(v["error"]["path"], "op");
            let msg = v["error"]["message"].as_str().unwrap();
            assert!(msg.contains("`warranty/sync`"), "{msg}");
        }
        // An operation nobody has lists this build's operations.
        let v: serde_json::Value = serde_json::from_str(&call(r#"{"op":"nope"}"#)).unwrap();
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains("stack_coverage"));
        assert_eq!(msg.contains("outbox_create"), cfg!(feature = "sync"));
    }
}
