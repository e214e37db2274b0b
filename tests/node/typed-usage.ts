// Compiled by `tsc --noEmit` in `make test`: the declarations in wasm/pkg/{index,sync}.d.ts must
// accept real usage and reject wrong shapes (the @ts-expect-error lines).
import w, {
  coverage, Engine, WarrantyError, validateClaim, transitionClaim, type Policy, type CoverageResult,
  type ValidateClaimResult, type Claim,
  stackCoverage, expiring, type StackItem, type StackCoverageResult, type Payer,
} from '../../wasm/pkg/index.mjs';
import sync, {
  Engine as SyncEngine, webhookVerify, type MessageState, type Persist, type WebhookVerdict,
  coverage as syncCoverage, type CoverageResult as SyncCoverageResult,
} from '../../wasm/pkg/sync.mjs';

const policy: Policy = { id: 'TV-2Y', duration: { value: 2, unit: 'years' }, reasons: [{ id: 'DEFECT', provides_coverage: true }] };
const c: CoverageResult = coverage({ policy, warranty: { start: '2025-11-28T11:30:00+02:00' }, as_of: '2026-11-20T10:00:00+02:00', reason: 'DEFECT' });
const days: number = c.remaining_days;
const outcome: 'covered' | 'not_covered' | 'needs_review' = c.outcome;

const engine = new Engine();
const info = engine.loadCatalog('store', [policy]);
const count: number = info.policies;
engine.free();

declare const claim: Claim;
const v: ValidateClaimResult = validateClaim({ claim, as_of: '2026-11-20T16:00:00+01:00' });
for (const f of v.findings) {
  const sev: 'error' | 'warning' = f.severity;
  void sev;
}
const t = transitionClaim({ state: { claim: 'D', status: 'draft' }, action: 'submit', actor: { id: 'c', role: 'sales_staff' }, at: '2026-11-20T10:00:00+01:00' });
const hash: string = t.audit.hash;

try {
  w.expiry({ start: '2024-01-31T10:00:00+01:00', duration: { value: 1, unit: 'months' } });
} catch (e) {
  if (e instanceof WarrantyError) {
    const code: string = e.code;
    const path: string = e.path;
    void code; void path;
  }
}

// @ts-expect-error: unit must be one of days, weeks, months, years
const bad: Policy = { id: 'x', duration: { value: 1, unit: 'fortnights' } };
// @ts-expect-error: coverage needs as_of
coverage({ policy, warranty: { start: '2025-11-28T11:30:00+02:00' } });
// @ts-expect-error: sales staff is a role, "clerk" is not
transitionClaim({ state: { claim: 'D', status: 'draft' }, action: 'submit', actor: { id: 'c', role: 'clerk' }, at: '' });

const outboxes = new SyncEngine();
const made = outboxes.outboxCreate({ outbox: 'pos', seed: 7 });
const rng: string = made.header.rng;
const polled = outboxes.outboxPollTransmit({ outbox: 'pos', now: '2026-11-22T10:00:00Z' });
if (polled.transmit) {
  const answered = outboxes.outboxHandleResponse({ outbox: 'pos', id: polled.transmit.id, status: 200, now: '2026-11-22T10:00:01Z' });
  const state: MessageState = answered.message.state;
  void state;
}
const stored: Persist = polled.persist;
const verdict: WebhookVerdict = webhookVerify({ secret: 's', headers: {}, body: '', now: '2026-11-22T10:00:00Z' });
outboxes.free();
// @ts-expect-error: an outbox needs a name
outboxes.outboxSnapshot({});
// warranty/sync has the rules too, with the same types; its engine still loads catalogs.
const same: SyncCoverageResult = syncCoverage({ policy, warranty: { start: '2025-11-28T11:30:00+02:00' }, as_of: '2026-11-20T10:00:00+02:00' });
const viaSync: CoverageResult = same;
outboxes.loadCatalog('store', [policy]);
sync.webhookSign({ secret: 's', id: 'm', timestamp: 1, body: '' });
const wl = sync.warrantyLifeRequest({ voucher_batch: { qty: 5, plan_id: 'EXT-3Y' } });
const method: 'GET' | 'POST' | 'PUT' | 'DELETE' = wl.method;
const lookup = sync.warrantyLifeRequest({ get: { resource: 'products', by: { sku: 'TV-55X' }, include_plans: true } });
const noBody: Record<string, unknown> | undefined = lookup.body;
const tree = sync.warrantyLifeAnswer({ status: 200, body: '[]', resource: 'categories' }).categories ?? [];
const dep = sync.cnhAuth({ credentials: { username: 'u', password: 'p', subscription_key: 'k' } }).headers.subscription_key;
// @ts-expect-error: Warranty Life has no invoices resource
sync.warrantyLifeRequest({ get: { resource: 'invoices' } });
// @ts-expect-error: Warranty Life takes USD or CAD
sync.warrantyLifeRequest({ warranty: { plan_id: 'P', item_id: 'i', customer_id: 'c', sold_at: '', price_paid: '1', currency: 'EUR' } });
const rec = sync.cnhInvoiceReconcile({ claims: [{ id: 'D1', status: 'approved' }], lines: [{ dealer_claim_number: 'D1', amount: '1', currency: 'USD' }] });
const outcomeOf: 'exact' | 'over' | 'under' | 'unclaimed' | undefined = rec.matched[0]?.outcome;
const up = sync.cnhAttachmentRequest({ upload: { claim_number: '1', content_type: 'application/pdf', data_base64: 'JVBERi0=' } });
// @ts-expect-error: PPP documents are M or T
sync.cnhMpsTcRequest({ serial: 'X', document: 'Q' });
// @ts-expect-error: the rules module has no partner adapters
w.cnhInvoiceReconcile({ claims: [], lines: [] });
// @ts-expect-error: the rules module's engine has no outboxes
new Engine().outboxCreate({ outbox: 'pos', seed: 7 });
// @ts-expect-error: the rules module has no webhooks
w.webhookSign({ secret: 's', id: 'm', timestamp: 1, body: '' });

const tv: StackItem = {
  id: 'TV-1', events: [{ event: 'delivered', at: '2026-09-03T10:00:00+01:00' }],
  warranties: [{ id: 'legal-PT', kind: 'statutory', jurisdiction: 'PT' },
    { id: 'MFR', kind: 'manufacturer', starts_on: 'delivered', terms: policy }],
};
const stacked: StackCoverageResult = stackCoverage({ item: tv, failure_at: '2027-10-12T15:00:00+01:00', reason: 'DEFECT' });
const payer: Payer | null = stacked.payer;
const ends: string[] = expiring({ as_of: '2027-08-10T09:00:00+01:00', within: { value: 30, unit: 'days' }, items: [tv] })
  .expiring.map((x) => x.end);
// @ts-expect-error: "bought" is not an event of an item
stackCoverage({ item: { id: 'x', events: [{ event: 'bought', at: '' }] }, failure_at: '' });

void outcomeOf; void up; void days; void outcome; void payer; void ends; void viaSync; void method; void count; void hash; void bad; void rng; void stored; void verdict;
