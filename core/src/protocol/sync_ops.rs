//! The dispatcher's sync operations (`docs/protocol.md`, "Sync"): named outboxes held by the
//! [`Engine`], Standard Webhooks signing, the two flows and the sync report. Every answer that
//! changes an outbox carries the `persist` record the host stores before acting on it.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::{no_catalog, parse, ser, Engine};
use crate::claims::lifecycle::Transitioned;
use crate::claims::Claim;
use crate::error::{Error, Result};
use crate::partners::cnh;
use crate::partners::warranty_life as wl;
use crate::sync::flows::{self, ActivationConfig, ClaimNotifyConfig, LineActivation, Sale};
use crate::sync::outbox::{Header, Message, Outbox, OutboxConfig, Persist, Snapshot, Transmit};
use crate::sync::{webhook, Event};
use crate::time::{Calendar, Instant, Zone};
use crate::warranty::catalog::Catalog;
use crate::warranty::policy::Policy;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    outbox: String,
    #[serde(with = "crate::sync::u64_text")]
    seed: u64,
    #[serde(default)]
    config: OutboxConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EnqueueReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    outbox: String,
    partner: String,
    operation: String,
    idempotency_key: String,
    payload: serde_json::Value,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NowReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    outbox: String,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NameReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    outbox: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PruneReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    outbox: String,
    enqueued_before: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ResponseReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    outbox: String,
    id: u64,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: String,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TransportReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    outbox: String,
    id: u64,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RestoreReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    snapshot: Snapshot,
    #[serde(default)]
    outbox: Option<String>,
    /// After a crash (the default) requests that may have left are sent again at `now`.
    #[serde(default = "yes")]
    resend_in_flight: bool,
    #[serde(default)]
    now: Option<Instant>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    secret: String,
    id: String,
    timestamp: i64,
    body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VerifyReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    secret: String,
    headers: BTreeMap<String, String>,
    body: String,
    now: Instant,
    #[serde(default)]
    tolerance_seconds: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ActivateReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    outbox: String,
    #[serde(default)]
    catalog: Option<String>,
    #[serde(default)]
    policies: Option<Vec<Policy>>,
    sale: Sale,
    #[serde(default)]
    config: ActivationConfig,
    #[serde(default)]
    zone: Option<Zone>,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClaimChangedReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    outbox: String,
    claim: Claim,
    transition: Transitioned,
    #[serde(default)]
    config: ClaimNotifyConfig,
    now: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CnhBodyReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    claim: Claim,
    #[serde(default)]
    options: crate::partners::cnh::CnhOptions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PartnerAnswerReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    status: u16,
    #[serde(default)]
    body: String,
    at: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DefectLookupReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    #[serde(default)]
    lookup: crate::partners::cnh::DefectFailureLookup,
}

/// A partner answer read from its body alone.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BodyReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AttachmentReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    #[serde(default)]
    upload: Option<cnh::documents::AttachmentUpload>,
    #[serde(default)]
    fetch: Option<cnh::documents::AttachmentFetch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UploadAnswerReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    status: u16,
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MpsTcReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    serial: String,
    document: cnh::documents::PppDocument,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DocumentAnswerReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    status: u16,
    #[serde(default)]
    content_type: String,
    #[serde(default)]
    body_base64: String,
    expect: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BodyAtReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    body: String,
    at: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InvoiceReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    #[serde(default)]
    summary: Option<cnh::invoice::DealerQuery>,
    #[serde(default)]
    daily: Option<cnh::invoice::DealerQuery>,
    #[serde(default)]
    detail: Option<cnh::invoice::DetailQuery>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReconcileReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    claims: Vec<crate::claims::report::ClaimSummary>,
    lines: Vec<cnh::invoice::InvoiceLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WlRequestReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    #[serde(default)]
    customer: Option<wl::Customer>,
    #[serde(default)]
    item: Option<wl::SoldItem>,
    #[serde(default)]
    warranty: Option<wl::SoldWarranty>,
    #[serde(default)]
    receipt: Option<wl::Receipt>,
    #[serde(default)]
    voucher_batch: Option<wl::VoucherBatch>,
    #[serde(default)]
    voucher_sold: Option<wl::VoucherSold>,
    #[serde(default)]
    credentials: Option<wl::Credentials>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WlAuthReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    credentials: wl::Credentials,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WlPageReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    page: u64,
    limit: u64,
    #[serde(default)]
    // u64, not usize: the same range on every target (wasm32's usize is 32 bits).
    returned: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WlPlansReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    plans: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CrmItem {
    installed_item: serde_json::Value,
    policy: Policy,
    warranty: crate::warranty::coverage::WarrantyRecord,
    #[serde(default)]
    issued_at: Option<Instant>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    usage: Option<crate::warranty::policy::Dec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CrmCoverageReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    zone: Zone,
    as_of: Instant,
    items: Vec<CrmItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegistrationReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    registration: crate::partners::product_code::Registration,
    now: Instant,
    #[serde(default)]
    product_warranty: Option<crate::time::Duration>,
    #[serde(default)]
    zone: Option<Zone>,
}

#[derive(Serialize)]
struct Created<'a> {
    outbox: &'a str,
    header: &'a Header,
}

#[derive(Serialize)]
struct Enqueued {
    id: u64,
    created: bool,
    persist: Persist,
}

#[derive(Serialize)]
struct Polled {
    transmit: Option<Transmit>,
    persist: Persist,
}

#[derive(Serialize)]
struct Answered<'a> {
    message: Option<&'a Message>,
    persist: Persist,
}

#[derive(Serialize)]
struct Timeout {
    timeout: Option<Instant>,
    timeout_ms: Option<i64>,
}

#[derive(Serialize)]
struct NextEvent {
    event: Option<Event>,
}

#[derive(Serialize)]
struct Restored<'a> {
    outbox: &'a str,
    messages: usize,
    header: &'a Header,
    persist: Persist,
}

#[derive(Serialize)]
struct Activated {
    lines: Vec<LineActivation>,
    persist: Persist,
}

#[derive(Serialize)]
struct Notified {
    enqueued: Vec<u64>,
    persist: Persist,
}

/// `ms` as an instant rounded up to the whole second (instants in responses carry no
/// fractions): a host that sleeps until it never wakes before the exact `timeout_ms`.
fn instant_ceil_of_ms(ms: i64) -> Option<Instant> {
    let secs = ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) != 0);
    Instant::from_unix_millis(secs.checked_mul(1000)?)
}

fn no_outbox(name: &str) -> Error {
    Error::invalid(
        "outbox",
        format!(
            "no outbox named `{name}` in this engine (outbox_create or outbox_restore it first)"
        ),
    )
}

impl Engine {
    fn outbox_mut(&mut self, name: &str) -> Result<&mut Outbox> {
        self.outboxes.get_mut(name).ok_or_else(|| no_outbox(name))
    }

    /// Answers the sync operations; `None` when `op` is not one of them.
    pub(super) fn sync_op(
        &mut self,
        op: &str,
        request: &str,
        out: &mut Vec<u8>,
    ) -> Option<Result<()>> {
        Some(match op {
            "outbox_create" => parse(request).and_then(|r| self.create(r, out)),
            "outbox_enqueue" => parse(request).and_then(|r: EnqueueReq| {
                let o = self.outbox_mut(&r.outbox)?;
                let (id, created, persist) = o.enqueue(
                    &r.partner,
                    &r.operation,
                    &r.idempotency_key,
                    r.payload,
                    r.now,
                )?;
                ser(
                    out,
                    &Enqueued {
                        id,
                        created,
                        persist,
                    },
                )
            }),
            "outbox_poll_transmit" => parse(request).and_then(|r: NowReq| {
                let (transmit, persist) = self.outbox_mut(&r.outbox)?.poll_transmit(r.now);
                ser(out, &Polled { transmit, persist })
            }),
            "outbox_handle_response" => parse(request).and_then(|r: ResponseReq| {
                let o = self.outbox_mut(&r.outbox)?;
                let persist = o.handle_response(r.id, r.status, &r.headers, &r.body, r.now)?;
                let message = o.message(r.id);
                ser(out, &Answered { message, persist })
            }),
            "outbox_transport_error" => parse(request).and_then(|r: TransportReq| {
                let o = self.outbox_mut(&r.outbox)?;
                let persist = o.handle_transport_error(r.id, r.now)?;
                let message = o.message(r.id);
                ser(out, &Answered { message, persist })
            }),
            "outbox_poll_timeout" => parse(request).and_then(|r: NameReq| {
                let t = self.outbox_mut(&r.outbox)?.poll_timeout();
                ser(
                    out,
                    &Timeout {
                        timeout: t.and_then(instant_ceil_of_ms),
                        timeout_ms: t,
                    },
                )
            }),
            "outbox_poll_event" => parse(request).and_then(|r: NameReq| {
                let event = self.outbox_mut(&r.outbox)?.poll_event();
                ser(out, &NextEvent { event })
            }),
            "outbox_snapshot" => parse(request)
                .and_then(|r: NameReq| ser(out, &self.outbox_mut(&r.outbox)?.snapshot())),
            "outbox_restore" => parse(request).and_then(|r| self.restore(r, out)),
            "outbox_report" => parse(request)
                .and_then(|r: NameReq| ser(out, &self.outbox_mut(&r.outbox)?.report())),
            "outbox_prune" => parse(request).and_then(|r: PruneReq| {
                let o = self.outbox_mut(&r.outbox)?;
                let pruned = o.prune(crate::sync::outbox::millis(r.enqueued_before));
                ser(
                    out,
                    &serde_json::json!({"pruned": pruned, "messages": o.len()}),
                )
            }),
            "outbox_drop" => parse(request).and_then(|r: NameReq| {
                self.outbox_mut(&r.outbox)?;
                let dropped = self.outboxes.remove(&r.outbox).map_or(0, |o| o.len());
                ser(
                    out,
                    &serde_json::json!({"outbox": r.outbox, "messages": dropped}),
                )
            }),
            "webhook_sign" => parse(request).and_then(|r: SignReq| {
                let headers = webhook::sign(&r.secret, &r.id, r.timestamp, &r.body)?;
                ser(out, &serde_json::json!({ "headers": headers }))
            }),
            "webhook_verify" => parse(request).and_then(|r: VerifyReq| {
                let tolerance = r
                    .tolerance_seconds
                    .unwrap_or(webhook::DEFAULT_TOLERANCE_SECONDS);
                if tolerance < 0 {
                    return Err(Error::invalid(
                        "tolerance_seconds",
                        "the tolerance is negative",
                    ));
                }
                let now = r.now.0.timestamp();
                ser(
                    out,
                    &webhook::verify(&r.secret, &r.headers, &r.body, now, tolerance)?,
                )
            }),
            "activate_sale" => parse(request).and_then(|r| self.activate(r, out)),
            "cnh_claim_body" => parse(request).and_then(|r: CnhBodyReq| {
                let body = crate::partners::cnh::create_claim_body(&r.claim, &r.options)?;
                ser(out, &serde_json::json!({ "body": body }))
            }),
            "cnh_read_response" => parse(request).and_then(|r: PartnerAnswerReq| {
                if !(100..=599).contains(&r.status) {
                    return Err(Error::invalid(
                        "status",
                        format!("{} is not an HTTP status", r.status),
                    ));
                }
                ser(
                    out,
                    &crate::partners::cnh::read_create_claim_response(r.status, &r.body, r.at)?,
                )
            }),
            "crm_installed_item_coverage" => parse(request).and_then(|r: CrmCoverageReq| {
                let cal = Calendar::Zone(r.zone.0);
                let mut decisions = Vec::with_capacity(r.items.len());
                for (i, item) in r.items.iter().enumerate() {
                    let at = format!("items[{i}]");
                    item.policy
                        .validate()
                        .map_err(|e| e.within(&format!("{at}.policy")))?;
                    let d = crate::warranty::coverage::check_coverage(
                        &crate::warranty::coverage::CoverageQuery {
                            policy: &item.policy,
                            warranty: &item.warranty,
                            as_of: r.as_of,
                            reason: item.reason.as_deref(),
                            usage: item.usage,
                            calendar: cal,
                        },
                    )
                    .map_err(|e| e.within(&at))?;
                    decisions.push(d);
                }
                let entries: Vec<_> = r
                    .items
                    .iter()
                    .zip(&decisions)
                    .map(|(item, decision)| {
                        crate::partners::crm_com::coverage::InstalledItemCoverage {
                            installed_item: &item.installed_item,
                            policy: &item.policy,
                            issued_at: item.issued_at.unwrap_or(item.warranty.start),
                            decision,
                            reason_given: item.reason.is_some(),
                        }
                    })
                    .collect();
                ser(
                    out,
                    &crate::partners::crm_com::coverage::installed_item_coverage_response(
                        &entries, cal,
                    ),
                )
            }),
            "warranty_life_plans" => parse(request).and_then(|r: WlPlansReq| {
                let plans = r
                    .plans
                    .iter()
                    .enumerate()
                    .map(|(i, p)| wl::plan_from_response(p, &format!("plans[{i}]")))
                    .collect::<Result<Vec<_>>>()?;
                #[derive(Serialize)]
                struct Plans {
                    plans: Vec<crate::warranty::plans::Plan>,
                }
                ser(out, &Plans { plans })
            }),
            "cnh_defect_failure_request" => parse(request).and_then(|r: DefectLookupReq| {
                let body = crate::partners::cnh::defect_failure_body(&r.lookup)?;
                ser(
                    out,
                    &serde_json::json!({
                        "method": "POST",
                        "path": crate::partners::cnh::DEFECT_FAILURE_PATH,
                        "body": body,
                    }),
                )
            }),
            "cnh_defect_failure_answer" => parse(request)
                .and_then(|r: BodyReq| ser(out, &cnh::read_defect_failure_answer(&r.body)?)),
            "cnh_attachment_request" => parse(request).and_then(|r: AttachmentReq| {
                let request = match (&r.upload, &r.fetch) {
                    (Some(u), None) => cnh::documents::upload_request(u)?,
                    (None, Some(f)) => cnh::documents::fetch_request(f)?,
                    _ => return Err(Error::invalid("", "give exactly one of `upload`, `fetch`")),
                };
                ser(out, &request)
            }),
            "cnh_attachment_answer" => parse(request).and_then(|r: UploadAnswerReq| {
                ser(out, &cnh::documents::read_upload_answer(r.status, &r.body)?)
            }),
            "cnh_mps_tc_request" => parse(request).and_then(|r: MpsTcReq| {
                ser(out, &cnh::documents::mps_tc_request(&r.serial, r.document)?)
            }),
            "cnh_document_answer" => parse(request).and_then(|r: DocumentAnswerReq| {
                let answer = cnh::documents::read_document_answer(
                    r.status,
                    &r.content_type,
                    &r.body_base64,
                    &r.expect,
                )?;
                ser(out, &answer)
            }),
            "cnh_smart_alert_answer" => parse(request).and_then(|r: BodyAtReq| {
                ser(
                    out,
                    &cnh::smart_alert::read_smart_alert_answer(&r.body, r.at)?,
                )
            }),
            "cnh_ez_labor_answer" => parse(request).and_then(|r: BodyReq| {
                ser(out, &cnh::pre_submission::read_ez_labor_answer(&r.body)?)
            }),
            "cnh_pip_answer" => parse(request)
                .and_then(|r: BodyReq| ser(out, &cnh::pre_submission::read_pip_answer(&r.body)?)),
            "cnh_invoice_request" => parse(request).and_then(|r: InvoiceReq| {
                use cnh::invoice::InvoiceQuery as Q;
                let q = match (r.summary, r.daily, r.detail) {
                    (Some(s), None, None) => Q::Summary(s),
                    (None, Some(d), None) => Q::Daily(d),
                    (None, None, Some(d)) => Q::Detail(d),
                    _ => {
                        return Err(Error::invalid(
                            "",
                            "give exactly one of `summary`, `daily`, `detail`",
                        ))
                    }
                };
                let (path, body) = cnh::invoice::invoice_request(&q)?;
                ser(
                    out,
                    &serde_json::json!({ "method": "POST", "path": path, "body": body }),
                )
            }),
            "cnh_invoice_answer" => parse(request)
                .and_then(|r: BodyReq| ser(out, &cnh::invoice::read_invoice_answer(&r.body)?)),
            "cnh_invoice_reconcile" => parse(request).and_then(|r: ReconcileReq| {
                ser(out, &cnh::invoice::reconcile(&r.claims, &r.lines)?)
            }),
            "warranty_life_request" => parse(request).and_then(|r: WlRequestReq| {
                let write = wl::Write {
                    customer: r.customer,
                    item: r.item,
                    warranty: r.warranty,
                    receipt: r.receipt,
                    voucher_batch: r.voucher_batch,
                    voucher_sold: r.voucher_sold,
                };
                let authorization = r.credentials.as_ref().map(|c| c.header()).transpose()?;
                ser(out, &write.request()?.with_authorization(authorization))
            }),
            "warranty_life_auth" => parse(request).and_then(|r: WlAuthReq| {
                let authorization = r.credentials.header()?;
                ser(out, &serde_json::json!({ "authorization": authorization }))
            }),
            "warranty_life_page" => parse(request).and_then(|r: WlPageReq| {
                let query = wl::page_query(r.page, r.limit)?;
                let more = r.returned.map(|n| wl::has_next_page(n, r.limit));
                ser(
                    out,
                    &serde_json::json!({
                        "query": query,
                        "start_at": r.page.saturating_mul(r.limit),
                        "limit": r.limit,
                        "more": more,
                    }),
                )
            }),
            "product_code_registration" => parse(request).and_then(|r: RegistrationReq| {
                let cal = Calendar::for_operation(r.zone, r.now);
                let (body, key) = crate::partners::product_code::request(
                    &r.registration,
                    r.now,
                    r.product_warranty,
                    cal,
                )
                .map_err(|e| e.within("registration"))?;
                ser(
                    out,
                    &serde_json::json!({ "body": body, "idempotency_key": key }),
                )
            }),
            "claim_changed" => parse(request).and_then(|r| self.claim_changed(r, out)),
            _ => return None,
        })
    }

    fn create(&mut self, r: CreateReq, out: &mut Vec<u8>) -> Result<()> {
        if r.outbox.is_empty() {
            return Err(Error::invalid("outbox", "the outbox name is empty"));
        }
        if self.outboxes.contains_key(&r.outbox) {
            return Err(Error::invalid(
                "outbox",
                format!(
                    "an outbox named `{}` already exists in this engine",
                    r.outbox
                ),
            ));
        }
        r.config.validate()?;
        let o = Outbox::new(&r.outbox, r.seed, r.config);
        ser(
            out,
            &Created {
                outbox: &r.outbox,
                header: o.header(),
            },
        )?;
        self.outboxes.insert(r.outbox, o);
        Ok(())
    }

    fn restore(&mut self, r: RestoreReq, out: &mut Vec<u8>) -> Result<()> {
        let name = r.snapshot.header.name.clone();
        if let Some(given) = r.outbox.as_deref().filter(|g| *g != name) {
            return Err(Error::invalid(
                "outbox",
                format!("the snapshot is of outbox `{name}`, not `{given}`"),
            ));
        }
        if self.outboxes.contains_key(&name) {
            return Err(Error::invalid(
                "snapshot.header.name",
                format!(
                    "an outbox named `{name}` already exists in this engine (outbox_drop it first)"
                ),
            ));
        }
        r.snapshot
            .header
            .config
            .validate()
            .map_err(|e| e.within("snapshot.header"))?;
        let mut o = Outbox::restore(r.snapshot)?;
        let persist = match (r.resend_in_flight, r.now) {
            (true, Some(now)) => o.resend_in_flight(now),
            (true, None) => {
                return Err(Error::invalid(
                    "now",
                    "missing field `now` (needed to send in-flight requests again; or give \"resend_in_flight\": false)",
                ))
            }
            (false, _) => o.combine(Vec::new()),
        };
        ser(
            out,
            &Restored {
                outbox: &name,
                messages: o.len(),
                header: o.header(),
                persist,
            },
        )?;
        self.outboxes.insert(name, o);
        Ok(())
    }

    fn activate(&mut self, r: ActivateReq, out: &mut Vec<u8>) -> Result<()> {
        let inline;
        let catalog =
            match (r.policies, &r.catalog) {
                (Some(_), Some(_)) => {
                    return Err(Error::invalid(
                        "catalog",
                        "give either `policies` or `catalog`, not both",
                    ))
                }
                (None, None) => return Err(Error::invalid(
                    "catalog",
                    "missing field `catalog` (the name of a loaded catalog, or inline `policies`)",
                )),
                (Some(ps), None) => {
                    inline = Catalog::new(ps)?;
                    &inline
                }
                (None, Some(name)) => self
                    .catalogs
                    .get(name)
                    .ok_or_else(|| no_catalog("catalog", name))?,
            };
        let cal = Calendar::for_operation(r.zone, r.sale.sold_at);
        // Not `outbox_mut`: the catalog borrowed above is also the engine's.
        let outbox = self
            .outboxes
            .get_mut(&r.outbox)
            .ok_or_else(|| no_outbox(&r.outbox))?;
        let (lines, parts) = flows::activate_sale(catalog, outbox, &r.sale, &r.config, cal, r.now)?;
        let persist = outbox.combine(parts);
        ser(out, &Activated { lines, persist })
    }

    fn claim_changed(&mut self, r: ClaimChangedReq, out: &mut Vec<u8>) -> Result<()> {
        let a = &r.transition.audit;
        if a.hash != a.compute_hash() {
            return Err(Error::invalid(
                "transition.audit.hash",
                "the audit entry's hash does not match its content (pass transition_claim's answer unchanged)",
            ));
        }
        if a.to != r.transition.state.status {
            return Err(Error::invalid(
                "transition.state.status",
                "the state's status is not the audit entry's `to`",
            ));
        }
        if a.claim != r.claim.dms_claim_number {
            return Err(Error::invalid(
                "transition.audit.claim",
                format!(
                    "the audit entry is for claim `{}`, the claim given is `{}`",
                    a.claim, r.claim.dms_claim_number
                ),
            ));
        }
        let o = self.outbox_mut(&r.outbox)?;
        let (enqueued, parts) = flows::claim_changed(o, &r.claim, &r.transition, &r.config, r.now)?;
        let persist = o.combine(parts);
        ser(out, &Notified { enqueued, persist })
    }
}

/// The request types of these operations, for the dispatcher's differential path test.
#[cfg(test)]
pub(super) fn check_paths(op: &str, req: &str) -> std::result::Result<(), String> {
    use super::path_tests::same;
    match op {
        "outbox_create" => same::<CreateReq>(req),
        "outbox_enqueue" => same::<EnqueueReq>(req),
        "outbox_poll_transmit" => same::<NowReq>(req),
        "outbox_handle_response" => same::<ResponseReq>(req),
        "outbox_transport_error" => same::<TransportReq>(req),
        "outbox_restore" => same::<RestoreReq>(req),
        "outbox_prune" => same::<PruneReq>(req),
        "webhook_sign" => same::<SignReq>(req),
        "webhook_verify" => same::<VerifyReq>(req),
        "activate_sale" => same::<ActivateReq>(req),
        "claim_changed" => same::<ClaimChangedReq>(req),
        "cnh_claim_body" => same::<CnhBodyReq>(req),
        "cnh_read_response" => same::<PartnerAnswerReq>(req),
        "product_code_registration" => same::<RegistrationReq>(req),
        "warranty_life_plans" => same::<WlPlansReq>(req),
        "warranty_life_request" => same::<WlRequestReq>(req),
        "cnh_defect_failure_request" => same::<DefectLookupReq>(req),
        "cnh_defect_failure_answer"
        | "cnh_ez_labor_answer"
        | "cnh_pip_answer"
        | "cnh_invoice_answer" => same::<BodyReq>(req),
        "cnh_attachment_request" => same::<AttachmentReq>(req),
        "cnh_attachment_answer" => same::<UploadAnswerReq>(req),
        "cnh_mps_tc_request" => same::<MpsTcReq>(req),
        "cnh_document_answer" => same::<DocumentAnswerReq>(req),
        "cnh_smart_alert_answer" => same::<BodyAtReq>(req),
        "cnh_invoice_request" => same::<InvoiceReq>(req),
        "cnh_invoice_reconcile" => same::<ReconcileReq>(req),
        "warranty_life_auth" => same::<WlAuthReq>(req),
        "warranty_life_page" => same::<WlPageReq>(req),
        "crm_installed_item_coverage" => same::<CrmCoverageReq>(req),
        _ => same::<NameReq>(req),
    }
}
