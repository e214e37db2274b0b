// TypeScript declarations of the `warranty` npm module (the rules; `warranty/sync` adds the
// sync layer: sync.d.ts). Maintained by hand next to docs/protocol.md and checked by `tsc --noEmit` against tests/node/typed-usage.ts in
// `make test`. Instants are RFC 3339 strings; decimals are strings ("2000", "1.5").

/** An RFC 3339 instant with an offset, e.g. "2025-11-28T11:30:00+02:00". */
export type Instant = string;
/** A non-negative decimal string, e.g. "1899.00". */
export type Decimal = string;
/** An IANA time zone name, e.g. "Europe/Nicosia". */
export type Zone = string;

export type Unit = "days" | "weeks" | "months" | "years";
export interface Duration { value: number; unit: Unit }
export type ExpiryMode = "exact" | "end_of_day";
export type ReplacementMode = "carry_over" | "apply_new" | "no_warranty";

export type Cover =
  | { product: string }
  | { product_type: string }
  | { brand: string }
  | { family: string };

export interface Reason {
  id: string;
  provides_coverage: boolean | null;
  replacement?: ReplacementMode | null;
  name?: string | null;
}

export interface Policy {
  id: string;
  number?: string;
  name?: string | null;
  alternative_code?: string | null;
  description?: string | null;
  state?: "effective" | "not_effective";
  duration: Duration;
  expiry?: ExpiryMode;
  replacement?: ReplacementMode;
  effective_from?: Instant | null;
  effective_until?: Instant | null;
  covers?: Cover[];
  reasons?: Reason[];
  business_units?: string[];
  usage_limit?: { unit: string; limit: Decimal } | null;
  parts_duration?: Duration;
  labour_duration?: Duration;
  company_responsibilities?: string;
  customer_responsibilities?: string;
  udf?: Record<string, unknown>;
}

export interface WarrantyRecord {
  start: Instant;
  end?: Instant | null;
  usage_at_start?: Decimal | null;
}

export interface Item {
  product?: string;
  product_type?: string;
  brand?: string;
  family?: string;
}

export type Outcome = "covered" | "not_covered" | "needs_review";
export type CoverageCode =
  | "NOT_UNDER_WARRANTY" | "NOT_STARTED" | "EXPIRED" | "USAGE_LIMIT_EXCEEDED" | "USAGE_UNKNOWN"
  | "REASON_NOT_SUPPORTED" | "REASON_EXCLUDED" | "REASON_UNDECIDED" | "REPLACEMENT_NOT_COVERED"
  | "NO_POLICY_MATCH"
  // coverage stacks (docs/stacks.md)
  | "START_EVENT_MISSING" | "NO_STATUTORY_RULE" | "ATTACHED_AFTER_FAILURE" | "VOIDED" | "TRANSFERRED"
  | "COMPONENT_NOT_IN_SCOPE" | "COMPONENT_UNKNOWN" | "NOT_A_LACK_OF_CONFORMITY" | "REPAIRED_DEFECT_ONLY"
  | "BURDEN_ON_CONSUMER" | "NO_FIXED_PERIOD";

// --- expiry -----------------------------------------------------------------------------------
export interface ExpiryRequest { start: Instant; duration: Duration; expiry?: ExpiryMode; zone?: Zone }
export interface ExpiryResult { start: Instant; end: Instant; days: number; message: string }

// --- coverage ---------------------------------------------------------------------------------
export interface CoverageRequest {
  policy: Policy; warranty: WarrantyRecord; as_of: Instant;
  reason?: string; usage?: Decimal; zone?: Zone;
}
export interface CoverageResult {
  outcome: Outcome;
  codes: CoverageCode[];
  start: Instant;
  end: Instant;
  remaining_days: number;
  parts_end?: Instant;
  labour_end?: Instant;
  facts: Record<string, unknown>;
  message: string;
}

// --- replace ----------------------------------------------------------------------------------
export interface ReplaceRequest {
  policy: Policy; original: WarrantyRecord; reason: string;
  requested_at: Instant; issued_at: Instant; usage?: Decimal; zone?: Zone;
}
export interface ReplaceResult {
  mode: ReplacementMode;
  outcome: Outcome;
  codes: CoverageCode[];
  replacement: { start: Instant; end: Instant; remaining_days: number } | null;
  original: Record<string, unknown>;
  message: string;
}

// --- resolve ----------------------------------------------------------------------------------
export interface ResolveRequest {
  policies?: Policy[]; catalog?: string; item: Item; sold_at: Instant;
  business_unit?: string; zone?: Zone;
  /** "all" (default), "none" (the winner only: `candidates: []`), or the first N. */
  candidates?: "all" | "none" | number;
}
export interface ResolveResult {
  outcome: "covered" | "not_covered";
  codes: CoverageCode[];
  policy: string | null;
  matched_by: keyof Item | null;
  start: Instant | null;
  end: Instant | null;
  candidates: { policy: string; matched_by: keyof Item }[];
  message: string;
  [extra: string]: unknown;
}

// --- plans, catalogs ------------------------------------------------------------------------
export interface PlansRequest { plans: unknown[]; categories?: unknown[]; item: Record<string, unknown>; sold_at: Instant; zone?: Zone }
export interface PlansResult { plans: { eligible: boolean; message: string; [k: string]: unknown }[]; [k: string]: unknown }
export interface CatalogInfo { name: string; policies: number }

// --- claims -----------------------------------------------------------------------------------
export interface ClaimRow { row: string; text: string }
export interface ClaimLine {
  category: "parts" | "labour" | "sublet" | "other" | string;
  material_code?: string; quantity: string; amount: string; currency: string;
  third_party_invoice?: string; description?: string;
  /** CNH `DrawingDescription`, `ZznoncnhMatnr`, `ZznoncnhDesc`. */
  drawing_description?: string; non_cnh_material?: string; non_cnh_description?: string;
}
/** CNH's purchased-protection-plan header fields (`zzphoneNo` … `zzppp_ete`). */
export interface ClaimPpp {
  phone?: string; email?: string; non_cnh_serial?: string; cnh_sold_unit?: string; ref_claim_number?: string;
  base_ref_claim_number?: string; ttm_id?: string; coverage?: string; claim_subtype?: string; ete_contract?: string;
}
export interface Claim {
  dealer: string; workshop: string; dms_claim_number: string; job_order?: string;
  reference_date: string; serial: string; usage?: string; failure_date: string;
  repair_start?: string; repair_end?: string; installed_date?: string; spare_part_invoice?: string;
  authorization_number?: string; warranty_type: string; campaign_number?: string; ppp_policy_number?: string;
  time_in?: string; time_out?: string; spare_part_usage?: string; assessment?: string;
  failed_component_serial?: string; replaced_component_serial?: string; ppp?: ClaimPpp;
  failure: { component: string; failure_code: string; severity?: string; description?: string; ez_labor_unique_id?: string;
    service_participation?: string; record_id?: string };
  texts?: Partial<Record<"complaint" | "cause" | "correction" | "complications" | "special_instructions", ClaimRow[]>>;
  lines: ClaimLine[];
  total?: string;
  evidence: { kind: "pos_invoice" | "photo" | "document" | string; reference: string }[];
  reason: string;
  policy: Policy;
  warranty: WarrantyRecord;
}
export interface ClaimRules {
  filing_deadline_days?: number;
  duplicate_window_days?: number;
  required_evidence?: Record<string, string[]>;
  /** The codes the claim's component code may be (e.g. `cnhDefectFailureAnswer`'s defects). */
  defect_codes?: string[];
  /** The codes the claim's failure code may be. */
  failure_codes?: string[];
  /** The claim uses EZ Labor (`cnhEzLaborAnswer`'s `unique_id` and `freeze_wu`). */
  ez_labor?: EzLaborRule;
  /** The parts of the claim's PIP (`cnhPipAnswer`'s `parts`); the mandatory ones must be claimed. */
  pip_parts?: PipPart[];
}
export interface EzLaborRule { unique_id: string; freeze_wu?: Decimal | null }
export interface PipPart {
  pip_code?: string; level?: string; defect_code?: string; mandatory?: boolean;
  material_type?: string; material_code?: string; quantity?: Decimal;
}
export interface KnownClaim { dms_claim_number?: string; serial?: string; component?: string; failure_date?: string; usage?: string }
export interface ValidateClaimRequest { claim: Claim; as_of: Instant; zone?: Zone; rules?: ClaimRules; known_claims?: KnownClaim[] }
export interface Finding { code: string; severity: "error" | "warning"; path: string; message: string; params: Record<string, string> }
export type ValidationOutcome = "accept" | "reject" | "needs_review";
export interface ValidateClaimResult {
  outcome: ValidationOutcome;
  findings: Finding[];
  totals: { currency: string; claimed: string }[];
  coverage: CoverageResult | null;
}

export type ClaimStatus =
  | "draft" | "submitted" | "needs_info" | "approved" | "rejected"
  | "repair" | "replace" | "refund" | "closed" | "cancelled";
export type ClaimAction =
  | "submit" | "approve" | "reject" | "request_info" | "repair" | "replace" | "refund"
  | "close" | "cancel" | "override";
export type Role = "owner" | "warranty_manager" | "finance_user" | "sales_staff" | "system_admin";
export interface ClaimState {
  claim: string; status: ClaimStatus; validation?: ValidationOutcome | null;
  overridden?: boolean; partner_at?: Instant | null;
}
export interface AuditEntry {
  claim: string; action: string; actor: string; role: string; at: Instant;
  from: ClaimStatus; to: ClaimStatus; reason: string; overridden: boolean;
  prev_hash: string | null;
  /** The audit key's id, on keyed entries only. */
  key_id?: string;
  hash: string;
  /** HMAC-SHA256 (hex) of `hash` under the key, on keyed entries only. */
  mac?: string;
}
/** A host's audit key: `secret` is base64 of at least 16 bytes. */
export interface AuditKey { id: string; secret: string }
export interface TransitionClaimRequest {
  state: ClaimState; action: ClaimAction; actor: { id: string; role: Role };
  at: Instant; reason?: string; prev_hash?: string | null; audit_key?: AuditKey;
}
export interface TransitionClaimResult { state: ClaimState; audit: AuditEntry }
export interface VerifyAuditRequest { entries: (AuditEntry | string)[]; keys?: AuditKey[] }
export interface VerifyAuditResult {
  valid: boolean; entries: number; first_broken: number | null; problem: string | null;
  /** true only when `keys` were given and every entry's MAC verified. */
  authenticated: boolean;
}
export interface ApplyPartnerStatusRequest {
  state: ClaimState;
  update: { partner?: string | null; status?: string | null; status_description?: string | null; at: Instant };
  prev_hash?: string | null; audit_key?: AuditKey;
}
export interface ApplyPartnerStatusResult {
  applied: boolean; ignored: "OUT_OF_ORDER" | "STALE" | "NO_CHANGE" | null;
  partner_status: ClaimStatus; state: ClaimState; audit: AuditEntry | null;
}
export interface ClaimSummary {
  id: string; partner_claim_number?: string | null; status: ClaimStatus; validation?: ValidationOutcome | null; reason?: string;
  currency?: string; claimed?: Decimal; reimbursed?: Decimal; submitted_at?: Instant; approved_at?: Instant;
}
export interface ClaimsReportResult {
  claims: number; open: number;
  by_status: Partial<Record<ClaimStatus, number>>;
  by_validation: Partial<Record<ValidationOutcome | "unvalidated", number>>;
  by_reason: Record<string, number>;
  approval_lead_time: { count: number; min_seconds: number | null; median_seconds: number | null; mean_seconds: number | null; max_seconds: number | null };
  totals: { currency: string; claims: number; claimed: string; reimbursed: string; unrecovered: string }[];
}

// --- the API ----------------------------------------------------------------------------------

/** The protocol error of an `ok:false` response, thrown by the typed helpers. */
export class WarrantyError extends Error {
  readonly code: "INVALID_JSON" | "UNKNOWN_OP" | "INVALID_INPUT" | "TRANSITION_REFUSED" | "INTERNAL" | string;
  readonly path: string;
}

/** The shared dispatcher: a PROTOCOL.md request string in, the response string out. */
export function call(requestJson: string): string;
/** The library version, e.g. "0.1.0". */
export function version(): string;

export function expiry(request: ExpiryRequest): ExpiryResult;
export function coverage(request: CoverageRequest): CoverageResult;
export function replace(request: ReplaceRequest): ReplaceResult;
export function resolve(request: ResolveRequest): ResolveResult;
export function plans(request: PlansRequest): PlansResult;
export function validateClaim(request: ValidateClaimRequest): ValidateClaimResult;
export function transitionClaim(request: TransitionClaimRequest): TransitionClaimResult;
export function verifyAudit(request: VerifyAuditRequest): VerifyAuditResult;
export function applyPartnerStatus(request: ApplyPartnerStatusRequest): ApplyPartnerStatusResult;
export function claimsReport(request: { claims: ClaimSummary[] }): ClaimsReportResult;
// --- coverage stacks (docs/stacks.md) -----------------------------------------------------------
export type StackEventKind = "sold" | "delivered" | "installed" | "repaired" | "replaced" | "voided" | "transferred";
export interface StackEvent {
  event: StackEventKind; at: Instant;
  /** repaired, replaced: the layer this was a remedy under. */
  under?: string; returned_at?: Instant;
  /** repaired: the consumer chose a replacement and the seller repaired instead. */
  instead_of_replacement?: boolean;
  /** replaced */
  requested_at?: Instant; instead_of_repair?: boolean; reason?: string;
  /** voided: one commercial layer (absent: all of them). */
  layer?: string;
  component?: string; to?: string;
}
export type LayerKind = "statutory" | "manufacturer" | "seller" | "extended";
export type Payer = "seller" | "manufacturer" | "plan_provider";
export type StartsOn = "sold" | "delivered" | "installed" | { after: string };
export interface StackLayer {
  id: string; kind: LayerKind; provider?: string; attached_at?: Instant;
  /** commercial layers */
  terms?: Policy; starts_on?: StartsOn; components?: string[]; transferable?: boolean; usage_at_start?: Decimal;
  /** statutory layers */
  jurisdiction?: "EU" | "ES" | "PT" | "FR" | "DE" | "SE" | "UK" | "NL" | string;
  agreed_period?: Duration; excluded_reasons?: string[];
}
export interface StackItem {
  id: string; serial?: string; product?: string; type?: string; brand?: string; family?: string;
  second_hand?: boolean; events?: StackEvent[]; warranties?: StackLayer[];
}
export type PresetRule = "period" | "open_period" | "burden" | "second_hand_burden" | "second_hand_floor"
  | "repair_extension" | "replacement_restart" | "returned_grace" | "repair_suspension";
/** Which remedies a row counts (docs/stacks.md): each belongs to one rule. */
export type PresetCondition = "consumer_chose_repair" | "instead_of_repair" | "after_repair";
export interface PresetRow {
  jurisdiction: string; rule: PresetRule; duration?: Duration; max_repairs?: number; condition?: PresetCondition;
  /** YYYY-MM-DD: goods sold on or after */
  from: string; until?: string; reference: string;
}
export interface StackCoverageRequest {
  item: StackItem; failure_at: Instant; reason?: string; component?: string; usage?: Decimal;
  zone?: Zone; presets?: PresetRow[];
}
export interface StackExtension {
  by: "repaired" | "replaced"; at: Instant;
  rule: "repair_extension" | "replacement_restart" | "returned_grace" | "repair_suspension";
  end: Instant; reference: string;
}
export interface LayerAnswer {
  id: string; kind: LayerKind; payer: Payer; provider?: string; jurisdiction?: string;
  outcome: Outcome; codes: CoverageCode[]; start: Instant | null; end: Instant | null; remaining_days: number | null;
  grace_end?: Instant; burden_end?: Instant; burden_reversed?: boolean;
  extensions?: StackExtension[]; references?: string[]; message: string;
}
export interface StackCoverageResult {
  item: string; failure_at: Instant; outcome: Outcome; answered_by: string | null; payer: Payer | null;
  burden_reversed: boolean; layers: LayerAnswer[]; preset_version: string; message: string;
}
export interface ExpiringRequest {
  as_of: Instant; within: Duration; items: StackItem[]; kinds?: LayerKind[]; zone?: Zone; presets?: PresetRow[];
}
export interface ExpiringResult {
  until: Instant; count: number;
  expiring: { item: string; layer: string; kind: LayerKind; payer: Payer; end: Instant; remaining_days: number }[];
}
/** Every warranty layer of an item, answered for one failure: who covers it first and who pays. */
export function stackCoverage(request: StackCoverageRequest): StackCoverageResult;
/** Layers of these items that end within `within` of `as_of`, ordered by end. */
export function expiring(request: ExpiringRequest): ExpiringResult;
/** The built-in statutory table (or one jurisdiction's rows). */
export function statutoryPresets(request?: { jurisdiction?: string }): { version: string; jurisdictions: string[]; rows: PresetRow[] };

/** Named catalogs kept between calls. Use from one place at a time; `free()` when done. */
export class Engine {
  constructor();
  call(requestJson: string): string;
  callBatch(requestsNdjson: string): string;
  request<T = unknown>(op: string, args: Record<string, unknown>): T;
  loadCatalog(name: string, policies: Policy[]): CatalogInfo;
  loadCatalog(request: { name: string; policies: Policy[] }): CatalogInfo;
  unloadCatalog(name: string): CatalogInfo;
  unloadCatalog(request: { name: string }): CatalogInfo;
  listCatalogs(): CatalogInfo[];
  resolve(request: ResolveRequest): ResolveResult;
  free(): void;
  [Symbol.dispose](): void;
}

declare const api: {
  call: typeof call; version: typeof version; Engine: typeof Engine; WarrantyError: typeof WarrantyError;
  expiry: typeof expiry; coverage: typeof coverage; replace: typeof replace; resolve: typeof resolve;
  plans: typeof plans; validateClaim: typeof validateClaim;
  transitionClaim: typeof transitionClaim; verifyAudit: typeof verifyAudit;
  applyPartnerStatus: typeof applyPartnerStatus; claimsReport: typeof claimsReport;
  stackCoverage: typeof stackCoverage; expiring: typeof expiring; statutoryPresets: typeof statutoryPresets;
};
export default api;
