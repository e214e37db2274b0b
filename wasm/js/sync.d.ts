// TypeScript declarations of the `warranty/sync` npm module: everything `warranty` has
// (re-exported from it) plus the sync layer (outboxes, webhooks, partner adapters). Maintained
// by hand next to docs/protocol.md and docs/sync.md; checked by `tsc --noEmit` in `make test`.
// `./index.js` is rewritten per entry by scripts/wasm-pkg.mjs (index.mjs, web.js).
import type {
  Instant, Decimal, Zone, Duration, Item, Policy, WarrantyRecord, ResolveResult, Claim, ClaimStatus,
  TransitionClaimResult, ClaimLine, ClaimSummary, PipPart,
} from './index.js';
import rules, { Engine as RulesEngine } from './index.js';
export * from './index.js';

// --- CRM.COM catalogs ---------------------------------------------------------------------------
export interface ImportCrmComRequest { response: unknown; zone: Zone; catalog?: string }
export interface ImportCrmComResult { catalog: string | null; policies: Policy[]; warnings: string[] }

// --- sync (docs/sync.md) --------------------------------------------------------------------

export interface Route { method: string; path: string }
export interface PartnerRoutes {
  base_path?: string;
  headers?: Record<string, string>;
  routes?: Record<string, Route>;
  /** A Standard Webhooks secret (`whsec_…`): requests to this partner are signed when sent. */
  webhook_secret?: string | null;
}
export interface OutboxConfig {
  base_ms?: number;
  cap_ms?: number;
  max_attempts?: number;
  deadline_ms?: number;
  partners?: Record<string, PartnerRoutes>;
}
export interface OutboxHeader {
  name: string;
  config: Required<OutboxConfig>;
  /** The PRNG state: a decimal string (a u64 does not fit a JavaScript number). */
  rng: string;
  next_id: number;
}
export type MessageState = "pending" | "in_flight" | "accepted_pending" | "delivered" | "dead_lettered";
export interface OutboxMessage {
  id: number; partner: string; operation: string; idempotency_key: string;
  payload: string; payload_sha256: string; enqueued_ms: number; attempts: number;
  last_status: number | null; state: MessageState; due_ms: number | null; reason: string | null;
}
export interface AuditRecord {
  id: number; partner: string; operation: string; idempotency_key: string; attempt: number;
  status: number | null; outcome: "sent" | "delivered" | "accepted" | "retry" | "dead_letter";
  payload_sha256: string; source: string; at_ms: number; retry_at_ms: number | null;
}
export interface OutboxEvent {
  event: "delivered" | "accepted_pending" | "dead_lettered" | "audit";
  id: number; idempotency_key: string; status: number | null; reason: string | null;
  audit: AuditRecord | null;
}
/** What to store before acting: counters, changed messages (upsert by id), events (append). */
export interface Persist { rng: string; next_id: number; messages: OutboxMessage[]; events: OutboxEvent[] }
export interface Transmit {
  id: number; partner: string; operation: string; method: string; path: string;
  headers: Record<string, string>; body: string; attempt: number; idempotency_key: string;
}
export interface OutboxSnapshot { header: OutboxHeader; messages: OutboxMessage[] }
export interface SyncCounts {
  enqueued: number; delivered: number; accepted_pending: number; pending: number;
  dead_lettered: number; attempts: number; success_rate: string | null;
}
export interface SyncReport { total: SyncCounts; by_partner: Record<string, SyncCounts> }
export interface OutboxRef { outbox: string }
export interface SaleLine { line_id: string; item: Item; product_code?: string; price: Decimal; serial: string }
export interface Sale {
  store: string; order_id: string; sold_at: Instant;
  customer: { first_name: string; last_name: string; email: string; phone: string; country: string };
  lines: SaleLine[];
}
export interface ActivateSaleRequest {
  outbox: string; catalog?: string; policies?: Policy[]; sale: Sale;
  config?: { product_code?: boolean; use_store_as_business_unit?: boolean };
  zone?: Zone; now: Instant;
}
export interface ActivateSaleResult {
  lines: { line_id: string; serial: string; record: ResolveResult; enqueued: number[] }[];
  persist: Persist;
}
export interface ClaimChangedRequest {
  outbox: string; claim: Claim; transition: TransitionClaimResult;
  config?: { webhook_partner?: string | null; cnh?: Record<string, unknown> | null };
  now: Instant;
}
export interface WebhookSignRequest { secret: string; id: string; timestamp: number; body: string }
export interface WebhookHeaders { "webhook-id": string; "webhook-timestamp": string; "webhook-signature": string }
export interface WebhookVerifyRequest {
  secret: string; headers: Record<string, string>; body: string; now: Instant; tolerance_seconds?: number;
}
export interface WebhookVerdict {
  valid: boolean;
  reason: "MISSING_HEADER" | "BAD_TIMESTAMP" | "TIMESTAMP_TOO_OLD" | "TIMESTAMP_IN_FUTURE" | "NO_MATCHING_SIGNATURE" | null;
}

export function importCrmCom(request: ImportCrmComRequest): ImportCrmComResult;
export function webhookSign(request: WebhookSignRequest): { headers: WebhookHeaders };
export function webhookVerify(request: WebhookVerifyRequest): WebhookVerdict;
export function cnhClaimBody(request: { claim: Claim; options?: { smart_alert?: boolean; attachment?: boolean | null; language?: string; supplier_code?: string; cnh_claim_number?: string | null } }): { body: Record<string, unknown> };
/** A Create Claim answer's fields (the seed's Response Description); absent ones are "". */
export interface CnhClaimResponse {
  dealer_code: string; workshop_code: string; dms_claim_number: string; job_order_number: string;
  reference_date: string; cnh_claim_number: string; serial_number: string; van_code: string;
  dealer_name: string; zzext_clmno: string; status: string; status_description: string;
  claimed_value: string; reimbursed_value: string; currency: string;
  message: { row_number: string; row_text: string }[];
}
export interface CnhAnswer {
  disposition: "delivered" | "retry" | "dead_letter";
  response: CnhClaimResponse | null;
  claim_status: ClaimStatus | null;
  messages: string[];
}
export function cnhReadResponse(request: { status: number; body?: string; at: Instant }): CnhAnswer;
/** Warranty Life 201308 plan objects (as its API returns them) mapped onto `plans`' model. */
/** Warranty Life plan objects (or a `GET /warranty-plans` answer's text, read exactly) onto our plan model. */
export function warrantyLifePlans(request: { plans: Record<string, unknown>[] } | { body: string }): { plans: Record<string, unknown>[] };
/** The headers of every CNH DEP call: HTTP Basic and the DMS's `subscription_key`. */
export function cnhAuth(request: { credentials: { username: string; password: string; subscription_key: string } }): {
  headers: { Authorization: string; subscription_key: string; "Content-Type": "application/json" };
};
/** CRM.COM's get_installed_item_coverage response, built from our coverage decisions. */
export function crmInstalledItemCoverage(request: {
  zone: Zone; as_of: Instant;
  items: { installed_item: unknown; policy: Policy; warranty: WarrantyRecord; issued_at?: Instant; reason?: string; usage?: Decimal }[];
}): { status: { message: string; description: string; code: string }; data: Record<string, unknown>[] };
export interface Registration {
  product_code: string; first_name: string; last_name: string; email: string; phone: string;
  country: "TR" | "US" | "DE" | "GB" | "AE" | "NL" | "FR"; external_order_id: string;
  external_line_id?: string | null; purchased_at?: Instant | null; expires_at?: Instant | null;
}
export interface DefectFailureLookup {
  defect_group?: string; defect_sub?: string; defect_sub_sub?: string; defect_description_group?: string;
  defect_description_sub?: string; defect_description_sub_sub?: string; failure_code?: string;
  failure_description?: string; serial?: string; language?: string;
}
export interface CodeEntry { code: string; description: string }
/** CNH's Defect/Failure code lookup request (POST, below the partner's base URL). */
export function cnhDefectFailureRequest(request?: { lookup?: DefectFailureLookup }): { method: "POST"; path: string; body: Record<string, unknown> };
/** The lookup's answer as code lists (`rules.defect_codes`, `rules.failure_codes` of validateClaim). */
export function cnhDefectFailureAnswer(request: { body: string }): { defects: CodeEntry[]; failures: CodeEntry[]; materials: CodeEntry[]; operations: CodeEntry[] };
export interface CnhHttpRequest { method: "GET" | "POST"; path: string; headers: Record<string, string>; body_base64?: string; size?: number }
export interface AttachmentUpload { claim_number: string; name?: string; content_type: "application/pdf" | "image/jpeg" | string; data_base64: string; max_bytes?: number | null }
export interface AttachmentFetch { claim_number: string; name?: string; content_type: "application/pdf" | "image/jpeg" | string }
/** A Claim Attachment upload (`POST`, the file as the body) or fetch (`GET`); exactly one. */
export function cnhAttachmentRequest(request: { upload: AttachmentUpload } | { fetch: AttachmentFetch }): CnhHttpRequest;
export interface CnhReply { ok: boolean; status: number; retry: boolean; statuscode?: string; message: string }
/** The upload's answer (`{"statuscode": "200", "message": …}`). */
export function cnhAttachmentAnswer(request: { status: number; body?: string }): CnhReply;
/** PPP's Master Parts Schedule (`M`) or Terms and Conditions (`T`) PDF for a serial (`GET`). */
export function cnhMpsTcRequest(request: { serial: string; document: "M" | "T" }): CnhHttpRequest;
export interface DocumentAnswer { ok: boolean; status: number; retry: boolean; content_type?: string; size?: number; message?: string }
/** A document answer (an attachment fetched, an MPS or T&C PDF) checked against the type asked for. */
export function cnhDocumentAnswer(request: { status: number; content_type?: string; body_base64?: string; expect: "application/pdf" | "image/jpeg" }): DocumentAnswer;
export interface SmartAlertClaim {
  cnh_claim_number: string; dealer_code: string; serial: string; status: string; status_description: string;
  failure_date: string; creation_date: string; feedback: string; alert: boolean;
  partner_status?: ClaimStatus; update?: PartnerUpdate;
}
export interface PartnerUpdate { partner: string | null; status: string | null; status_description: string | null; at: Instant }
export interface SmartAlertFinding { code: "SMART_ALERT" | "PARTNER_STATUS_UNKNOWN"; severity: "warning"; path: string; claim: string; message: string }
/** Smart Alert's answer: per claim its status (with the update `applyPartnerStatus` takes) and feedback; alerts are findings. */
export function cnhSmartAlertAnswer(request: { body: string; at: Instant }): { ok: boolean; message_id: string; message_text: string; claims: SmartAlertClaim[]; findings: SmartAlertFinding[] };
export interface EzLaborAnswer {
  ok: boolean; message_text: string; available: boolean; reason: string; labor_code: string; labor_time: string;
  unique_id: string; freeze_wu?: Decimal; attempts?: number; attempts_message: string; defects: CodeEntry[];
}
/** EZ Labor's answer; `unique_id` and `freeze_wu` are `validateClaim`'s `rules.ez_labor`. */
export function cnhEzLaborAnswer(request: { body: string }): EzLaborAnswer;
/** PIP Multilevel's answer: the parts (`rules.pip_parts`) and type-H claim lines pre-filled from them. */
export function cnhPipAnswer(request: { body: string }): { ok: boolean; message_text: string; parts: PipPart[]; warranty_type: "H"; campaign_number: string; lines: ClaimLine[] };
export interface InvoiceDealerQuery { dealer_number: string; sales_org?: string; brand?: string; division?: string; from?: string; to?: string; date?: string }
/** One claim invoice report's request (exactly one of `summary`, `daily`, `detail`). */
export function cnhInvoiceRequest(request: { summary: InvoiceDealerQuery } | { daily: InvoiceDealerQuery } | { detail: { company_code: string; document: string; year: number } }): { method: "POST"; path: string; body: Record<string, unknown> };
export interface InvoiceLine {
  company_code?: string; document?: string; fiscal_year?: number; counter?: number; claim_number?: string;
  dealer_claim_number?: string; claim_type?: string; serial?: string; posting_date?: string; document_date?: string;
  reference?: string; currency?: string; amount?: Decimal; parts?: Decimal; labour?: Decimal; sublet?: Decimal;
  vat?: Decimal; exchange_rate?: Decimal; decision?: string; preceding_claim?: string; status?: string;
  partner?: string; partner_name?: string; invoice_key?: number; external_claim_number?: string;
}
export interface InvoiceReport {
  report: "summary" | "daily" | "detail"; dealer_code?: string; sales_org?: string; brand?: string; division?: string;
  invoices: InvoiceLine[]; lines: InvoiceLine[]; messages: { type: string; message: string; number?: string }[];
  error: boolean; totals: { selected?: number; total?: Decimal; currency?: string }[];
}
/** An invoice report's answer (summary, daily or detail, from its root) as invoice lines. */
export function cnhInvoiceAnswer(request: { body: string }): InvoiceReport;
export interface Reconciliation {
  claims: ClaimSummary[];
  matched: { claim: string; lines: number[]; currency: string; claimed?: Decimal; paid: Decimal; difference?: Decimal; outcome: "exact" | "over" | "under" | "unclaimed" }[];
  unmatched: { line: number; reason: "no_claim" | "currency" | "duplicate"; claim?: string; currency: string; amount: Decimal }[];
  not_invoiced: string[];
  totals: { currency: string; matched: Decimal; unmatched: Decimal }[];
}
/** Invoice lines matched with claims; `claims` come back with `reimbursed` filled, for `claimsReport`. */
export function cnhInvoiceReconcile(request: { claims: ClaimSummary[]; lines: InvoiceLine[] }): Reconciliation;
export interface WarrantyLifeCredentials { key: string; secret: string; sub_account?: string }
export interface WarrantyLifeRequest {
  customer?: { country: "US" | "CA" | "IN" | "BD" | "PH" | "AU"; ref_id?: string; order_ref_id?: string; email?: string;
    sales_rep_email?: string; first_name?: string; last_name?: string; company_name?: string; street_address?: string;
    city?: string; state?: string; postal_code?: string; phone?: string; is_walk_in?: boolean; opt_in?: boolean };
  item?: { customer_id: string; product_sku?: string; product_id?: string; purchased_at: Instant; price_paid: Decimal;
    currency: "USD" | "CAD"; ref_id?: string; order_ref_id?: string; condition?: "NEW" | "USED" | "REFURBISHED";
    contract_years?: number; tax_paid?: Decimal; shipping_paid?: Decimal; serial?: string;
    serial_type?: "ESN" | "IMEI" | "MEID"; is_repaired?: boolean; has_damage?: boolean; category_id?: string };
  warranty?: { plan_id: string; item_id: string; customer_id: string; sold_at: Instant; price_paid: Decimal;
    currency: "USD" | "CAD"; ref_id?: string; registration_code?: string; order_ref_id?: string; tax_paid?: Decimal };
  receipt?: { order_ref_id: string; customer_ref_id: string; sold_at: Instant; mime_type: string; content_base64: string };
  voucher_batch?: { qty: number; plan_id: string; note?: string };
  voucher_sold?: { code: string; sold_at: Instant; order_ref_id?: string; ref_id?: string; model?: string; mpn?: string;
    make?: string; device_value?: Decimal };
  /** `PUT /customers/{id}`: only the fields given are sent. */
  customer_update?: { id: string; ref_id?: string; order_ref_id?: string; email?: string; sales_rep_email?: string;
    first_name?: string; last_name?: string; company_name?: string; street_address?: string; city?: string;
    state?: string; postal_code?: string; phone?: string; country?: "US" | "CA" | "IN" | "BD" | "PH" | "AU";
    is_walk_in?: boolean; opt_in?: boolean };
  manufacturer?: { name: string };
  product?: { category_id: string; manufacturer_id: string; model: string; mpn?: string; msrp?: Decimal;
    msrp_currency?: "USD" | "CAD"; upc?: string; ean?: string; sku?: string };
  /** `POST /items/{item_id}/warranties`. */
  item_warranty?: NonNullable<WarrantyLifeRequest["warranty"]>;
  /** `DELETE /warranties/{id}`. */
  warranty_invalidate?: { id: string };
  get?: WarrantyLifeGet;
  credentials?: WarrantyLifeCredentials;
}
export type WarrantyLifeResource = "categories" | "warranty_plans" | "customers" | "manufacturers" | "products"
  | "items" | "warranties" | "receipts";
/** A `GET`: one record by `id`, or a search `by` the seed's fields (docs/protocol.md). */
export interface WarrantyLifeGet {
  resource: WarrantyLifeResource; id?: string; by?: Record<string, string>; page?: number; limit?: number;
  include_plans?: boolean; include_plans_at_price?: string;
}
export interface WarrantyLifeHttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE"; path: string;
  headers: { Accept: string; "Content-Type"?: string; Authorization?: string };
  body?: Record<string, unknown>;
}
export interface WarrantyLifeAnswer {
  disposition: "delivered" | "retry" | "dead_letter"; status: number;
  error?: { error_code: number; status_text: string; message: string };
  id?: string; location?: string;
  categories?: { id: string; name?: string; parent?: string }[];
  warranty_plans?: Record<string, unknown>[];
  customers?: Record<string, unknown>[]; manufacturers?: { id: string; name?: string }[];
  products?: Record<string, unknown>[]; items?: Record<string, unknown>[]; warranties?: Record<string, unknown>[];
  receipts?: Record<string, unknown>[]; voucher_batches?: { id: string; voucher_codes?: string[]; plan_id?: string; note?: string }[];
}
/** A Warranty Life 201308 answer read: what the outbox does, the error body, the created id, the records. */
export function warrantyLifeAnswer(request: { status: number; location?: string; body?: string;
  resource?: WarrantyLifeResource | "voucher_batches" }): WarrantyLifeAnswer;
/** One Warranty Life 201308 call (exactly one of its fields) as the HTTP request to send. */
export function warrantyLifeRequest(request: WarrantyLifeRequest): WarrantyLifeHttpRequest;
/** The Basic `Authorization` header (`key/sub_account` for a sub-account). */
export function warrantyLifeAuth(request: { credentials: WarrantyLifeCredentials }): { authorization: string };
/** The `startAt`/`limit` query of a page; `more` when `returned` is given. */
export function warrantyLifePage(request: { page: number; limit: number; returned?: number }): { query: string; start_at: number; limit: number; more: boolean | null };
export function productCodeRegistration(request: { registration: Registration; now: Instant; product_warranty?: Duration; zone?: Zone }): { body: Record<string, string>; idempotency_key: string };

/** The rules engine plus named outboxes (docs/sync.md). `free()` when done. */
export class Engine extends RulesEngine {
  importCrmCom(request: ImportCrmComRequest): ImportCrmComResult;
  outboxCreate(request: { outbox: string; seed: number | string; config?: OutboxConfig }): { outbox: string; header: OutboxHeader };
  outboxEnqueue(request: OutboxRef & { partner: string; operation: string; idempotency_key: string; payload: unknown; now: Instant }): { id: number; created: boolean; persist: Persist };
  outboxPollTransmit(request: OutboxRef & { now: Instant }): { transmit: Transmit | null; persist: Persist };
  outboxHandleResponse(request: OutboxRef & { id: number; status: number; headers?: Record<string, string>; body?: string; now: Instant }): { message: OutboxMessage; persist: Persist };
  outboxTransportError(request: OutboxRef & { id: number; now: Instant }): { message: OutboxMessage; persist: Persist };
  outboxPollTimeout(request: OutboxRef): { timeout: Instant | null; timeout_ms: number | null };
  outboxPollEvent(request: OutboxRef): { event: OutboxEvent | null };
  outboxSnapshot(request: OutboxRef): OutboxSnapshot;
  outboxRestore(request: { snapshot: OutboxSnapshot; outbox?: string; resend_in_flight?: boolean; now?: Instant }): { outbox: string; messages: number; header: OutboxHeader; persist: Persist };
  outboxReport(request: OutboxRef): SyncReport;
  outboxPrune(request: OutboxRef & { enqueued_before: Instant }): { pruned: number[]; messages: number };
  outboxReplay(request: OutboxRef & { id: number; now: Instant }): { message: OutboxMessage; persist: Persist };
  outboxDrop(request: OutboxRef): { outbox: string; messages: number };
  activateSale(request: ActivateSaleRequest): ActivateSaleResult;
  claimChanged(request: ClaimChangedRequest): { enqueued: number[]; persist: Persist };
}

declare const api: Omit<typeof rules, 'Engine'> & {
  Engine: typeof Engine;
  importCrmCom: typeof importCrmCom; webhookSign: typeof webhookSign; webhookVerify: typeof webhookVerify;
  cnhClaimBody: typeof cnhClaimBody; cnhAuth: typeof cnhAuth; cnhReadResponse: typeof cnhReadResponse;
  cnhDefectFailureRequest: typeof cnhDefectFailureRequest; cnhDefectFailureAnswer: typeof cnhDefectFailureAnswer;
  cnhAttachmentRequest: typeof cnhAttachmentRequest; cnhAttachmentAnswer: typeof cnhAttachmentAnswer;
  cnhMpsTcRequest: typeof cnhMpsTcRequest; cnhDocumentAnswer: typeof cnhDocumentAnswer;
  cnhSmartAlertAnswer: typeof cnhSmartAlertAnswer; cnhEzLaborAnswer: typeof cnhEzLaborAnswer; cnhPipAnswer: typeof cnhPipAnswer;
  cnhInvoiceRequest: typeof cnhInvoiceRequest; cnhInvoiceAnswer: typeof cnhInvoiceAnswer; cnhInvoiceReconcile: typeof cnhInvoiceReconcile;
  productCodeRegistration: typeof productCodeRegistration; warrantyLifePlans: typeof warrantyLifePlans;
  warrantyLifeRequest: typeof warrantyLifeRequest; warrantyLifeAuth: typeof warrantyLifeAuth;
  warrantyLifePage: typeof warrantyLifePage; warrantyLifeAnswer: typeof warrantyLifeAnswer;
  crmInstalledItemCoverage: typeof crmInstalledItemCoverage;
};
export default api;
