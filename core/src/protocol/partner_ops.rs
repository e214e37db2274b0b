//! The partner adapters' operations (`docs/protocol.md`, "Partners"): the request bodies
//! the library builds for CNH, CRM.COM, Warranty Life and product-code registration, and the
//! answers it reads back. Each handler is one call into `crate::partners`; the table in
//! `ops.rs` pairs it with its name.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Engine;
use crate::claims::Claim;
use crate::error::{Error, Result};
use crate::partners::cnh;
use crate::partners::crm_com;
use crate::partners::warranty_life as wl;
use crate::time::{Calendar, Instant, Zone};
use crate::warranty::catalog::Catalog;
use crate::warranty::policy::Policy;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ImportReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    response: serde_json::Value,
    zone: Zone,
    #[serde(default)]
    catalog: Option<String>,
}

#[derive(Serialize)]
pub(super) struct ImportResult {
    catalog: Option<String>,
    policies: Vec<Policy>,
    warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CnhBodyReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    claim: Claim,
    #[serde(default)]
    options: crate::partners::cnh::CnhOptions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CnhAuthReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    credentials: cnh::CnhCredentials,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PartnerAnswerReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    status: u16,
    #[serde(default)]
    body: String,
    at: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DefectLookupReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    #[serde(default)]
    lookup: crate::partners::cnh::DefectFailureLookup,
}

/// A partner answer read from its body alone.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BodyReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AttachmentReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    #[serde(default)]
    upload: Option<cnh::documents::AttachmentUpload>,
    #[serde(default)]
    fetch: Option<cnh::documents::AttachmentFetch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UploadAnswerReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    status: u16,
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MpsTcReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    serial: String,
    document: cnh::documents::PppDocument,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DocumentAnswerReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
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
    #[serde(rename = "op")]
    _op: IgnoredAny,
    body: String,
    at: Instant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InvoiceReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
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
    #[serde(rename = "op")]
    _op: IgnoredAny,
    claims: Vec<crate::claims::report::ClaimSummary>,
    lines: Vec<cnh::invoice::InvoiceLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WlRequestReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
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
    customer_update: Option<wl::CustomerUpdate>,
    #[serde(default)]
    manufacturer: Option<wl::Manufacturer>,
    #[serde(default)]
    product: Option<wl::Product>,
    #[serde(default)]
    item_warranty: Option<wl::SoldWarranty>,
    #[serde(default)]
    warranty_invalidate: Option<wl::WarrantyInvalidate>,
    #[serde(default)]
    get: Option<wl::Get>,
    #[serde(default)]
    credentials: Option<wl::Credentials>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WlAnswerReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    status: u16,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    resource: Option<wl::AnswerOf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WlAuthReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    credentials: wl::Credentials,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WlPageReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    page: u64,
    limit: u64,
    #[serde(default)]
    // u64, not usize: the same range on every target (wasm32's usize is 32 bits).
    returned: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WlPlansReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    // Kept as written: prices are read from their text (`strict::exact_value`).
    #[serde(default)]
    plans: Option<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CrmCoverageReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    zone: Zone,
    as_of: Instant,
    items: Vec<crm_com::coverage::InstalledItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegistrationReq {
    #[serde(rename = "op")]
    _op: IgnoredAny,
    registration: crate::partners::product_code::Registration,
    now: Instant,
    #[serde(default)]
    product_warranty: Option<crate::time::Duration>,
    #[serde(default)]
    zone: Option<Zone>,
}

impl Engine {
    /// `import_crm_com`: CRM.COM's policy list as policies, optionally loaded as a catalog.
    pub(super) fn import_crm_com(&mut self, r: ImportReq) -> Result<ImportResult> {
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

// --- CNH ----------------------------------------------------------------------------------

pub(super) fn cnh_claim_body(r: CnhBodyReq) -> Result<impl Serialize> {
    let body = cnh::create_claim_body(&r.claim, &r.options)?;
    Ok(json!({ "body": body }))
}

pub(super) fn cnh_auth(r: CnhAuthReq) -> Result<impl Serialize> {
    Ok(json!({ "headers": r.credentials.headers()? }))
}

pub(super) fn cnh_read_response(r: PartnerAnswerReq) -> Result<impl Serialize> {
    if !(100..=599).contains(&r.status) {
        return Err(Error::invalid(
            "status",
            format!("{} is not an HTTP status", r.status),
        ));
    }
    cnh::read_create_claim_response(r.status, &r.body, r.at)
}

pub(super) fn cnh_defect_failure_request(r: DefectLookupReq) -> Result<impl Serialize> {
    let body = cnh::defect_failure_body(&r.lookup)?;
    Ok(json!({
        "method": "POST",
        "path": cnh::DEFECT_FAILURE_PATH,
        "body": body,
    }))
}

pub(super) fn cnh_defect_failure_answer(r: BodyReq) -> Result<impl Serialize> {
    cnh::read_defect_failure_answer(&r.body)
}

pub(super) fn cnh_attachment_request(r: AttachmentReq) -> Result<impl Serialize> {
    match (&r.upload, &r.fetch) {
        (Some(u), None) => cnh::documents::upload_request(u),
        (None, Some(f)) => cnh::documents::fetch_request(f),
        _ => Err(Error::invalid("", "give exactly one of `upload`, `fetch`")),
    }
}

pub(super) fn cnh_attachment_answer(r: UploadAnswerReq) -> Result<impl Serialize> {
    cnh::documents::read_upload_answer(r.status, &r.body)
}

pub(super) fn cnh_mps_tc_request(r: MpsTcReq) -> Result<impl Serialize> {
    cnh::documents::mps_tc_request(&r.serial, r.document)
}

pub(super) fn cnh_document_answer(r: DocumentAnswerReq) -> Result<impl Serialize> {
    cnh::documents::read_document_answer(r.status, &r.content_type, &r.body_base64, &r.expect)
}

pub(super) fn cnh_smart_alert_answer(r: BodyAtReq) -> Result<impl Serialize> {
    cnh::smart_alert::read_smart_alert_answer(&r.body, r.at)
}

pub(super) fn cnh_ez_labor_answer(r: BodyReq) -> Result<impl Serialize> {
    cnh::pre_submission::read_ez_labor_answer(&r.body)
}

pub(super) fn cnh_pip_answer(r: BodyReq) -> Result<impl Serialize> {
    cnh::pre_submission::read_pip_answer(&r.body)
}

pub(super) fn cnh_invoice_request(r: InvoiceReq) -> Result<impl Serialize> {
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
    Ok(json!({ "method": "POST", "path": path, "body": body }))
}

pub(super) fn cnh_invoice_answer(r: BodyReq) -> Result<impl Serialize> {
    cnh::invoice::read_invoice_answer(&r.body)
}

pub(super) fn cnh_invoice_reconcile(r: ReconcileReq) -> Result<impl Serialize> {
    cnh::invoice::reconcile(&r.claims, &r.lines)
}

// --- CRM.COM ------------------------------------------------------------------------------

pub(super) fn crm_installed_item_coverage(r: CrmCoverageReq) -> Result<impl Serialize> {
    crm_com::coverage::installed_items_coverage(&r.items, r.as_of, Calendar::Zone(r.zone.0))
}

// --- Warranty Life ------------------------------------------------------------------------

#[derive(Serialize)]
pub(super) struct Plans {
    plans: Vec<crate::warranty::plans::Plan>,
}

pub(super) fn warranty_life_plans(r: WlPlansReq) -> Result<Plans> {
    let plans = match (r.plans, r.body) {
        (Some(plans), None) => match crate::strict::exact_value(plans.get(), "plans", "")? {
            serde_json::Value::Array(plans) => plans
                .iter()
                .enumerate()
                .map(|(i, p)| wl::plan_from_response(p, &format!("plans[{i}]")))
                .collect::<Result<Vec<_>>>()?,
            _ => return Err(Error::invalid("plans", "expected an array of plan objects")),
        },
        // The answer's text, read exactly (prices keep every digit).
        (None, Some(body)) => wl::read_answer(200, None, &body, Some(wl::AnswerOf::WarrantyPlans))?
            .warranty_plans
            .unwrap_or_default(),
        _ => {
            return Err(Error::invalid(
                "",
                "give exactly one of `plans` (plan objects) and `body` (the answer's text)",
            ))
        }
    };
    Ok(Plans { plans })
}

pub(super) fn warranty_life_request(r: WlRequestReq) -> Result<impl Serialize> {
    let write = wl::Write {
        customer: r.customer,
        item: r.item,
        warranty: r.warranty,
        receipt: r.receipt,
        voucher_batch: r.voucher_batch,
        voucher_sold: r.voucher_sold,
        customer_update: r.customer_update,
        manufacturer: r.manufacturer,
        product: r.product,
        item_warranty: r.item_warranty,
        warranty_invalidate: r.warranty_invalidate,
    };
    let authorization = r.credentials.as_ref().map(|c| c.header()).transpose()?;
    let request = match (r.get, write.given()) {
        (Some(g), 0) => wl::get_request(&g)?,
        (None, 1) => write.request()?,
        _ => {
            let mut kinds = wl::WRITE_KINDS.to_vec();
            kinds.push("get");
            return Err(Error::invalid(
                "",
                format!("give exactly one of {}", wl::one_of(&kinds)),
            ));
        }
    };
    Ok(request.with_authorization(authorization))
}

pub(super) fn warranty_life_answer(r: WlAnswerReq) -> Result<impl Serialize> {
    wl::read_answer(r.status, r.location.as_deref(), &r.body, r.resource)
}

pub(super) fn warranty_life_auth(r: WlAuthReq) -> Result<impl Serialize> {
    let authorization = r.credentials.header()?;
    Ok(json!({ "authorization": authorization }))
}

pub(super) fn warranty_life_page(r: WlPageReq) -> Result<impl Serialize> {
    let query = wl::page_query(r.page, r.limit)?;
    let more = r.returned.map(|n| wl::has_next_page(n, r.limit));
    Ok(json!({
        "query": query,
        "start_at": r.page.saturating_mul(r.limit),
        "limit": r.limit,
        "more": more,
    }))
}

// --- Product-code registration ------------------------------------------------------------

pub(super) fn product_code_registration(r: RegistrationReq) -> Result<impl Serialize> {
    let cal = Calendar::for_operation(r.zone, r.now);
    let (body, key) =
        crate::partners::product_code::request(&r.registration, r.now, r.product_warranty, cal)
            .map_err(|e| e.within("registration"))?;
    Ok(json!({ "body": body, "idempotency_key": key }))
}
