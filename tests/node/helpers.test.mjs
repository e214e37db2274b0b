// The typed helpers: plain objects in and out, WarrantyError on ok:false, the Engine class;
// `w` is `warranty/sync` (everything), `rules` the rules module `warranty`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as w from '../../wasm/pkg/sync.mjs';
import * as rules from '../../wasm/pkg/index.mjs';

const example = (p) => JSON.parse(readFileSync(new URL(`../../examples/${p}`, import.meta.url), 'utf8'));
const TV = {
  id: 'TV-2Y', duration: { value: 2, unit: 'years' }, replacement: 'carry_over',
  covers: [{ product_type: 'Televisions' }],
  reasons: [{ id: 'DEFECT', provides_coverage: true }, { id: 'DROP', provides_coverage: false }],
};

test('version matches the raw call', () => {
  assert.equal(w.version(), JSON.parse(w.call('{"op":"version"}')).result.version);
});

test('expiry, coverage, replace and resolve return plain objects', () => {
  const e = w.expiry({ start: '2024-01-31T10:00:00+01:00', duration: { value: 1, unit: 'months' } });
  assert.equal(e.end, '2024-02-29T10:00:00+01:00');
  const c = w.coverage({ policy: TV, warranty: { start: '2025-11-28T11:30:00+02:00' },
    as_of: '2026-11-20T10:00:00+02:00', reason: 'DEFECT', zone: 'Europe/Nicosia' });
  assert.equal(c.outcome, 'covered');
  assert.equal(c.remaining_days, 373);
  const dropped = w.coverage({ policy: TV, warranty: { start: '2025-11-28T11:30:00+02:00' },
    as_of: '2026-11-20T10:00:00+02:00', reason: 'DROP' });
  assert.deepEqual(dropped.codes, ['REASON_EXCLUDED']);
  const r = w.replace({ policy: TV, original: { start: '2025-11-28T11:30:00+02:00' }, reason: 'DEFECT',
    requested_at: '2026-11-20T09:15:00+02:00', issued_at: '2026-11-23T16:40:00+02:00', zone: 'Europe/Nicosia' });
  assert.equal(r.mode, 'carry_over');
  assert.ok(r.replacement.end > '2027-11-28');
  const s = w.resolve({ policies: [TV], item: { product_type: 'Televisions' }, sold_at: '2025-11-28T11:30:00+02:00' });
  assert.equal(s.policy, 'TV-2Y');
  assert.equal(s.matched_by, 'product_type');
});

test('plans and CRM.COM import on the bundled examples', () => {
  const plans = example('plans.json');
  const offer = w.plans({ ...plans, item: { category: 'oled-tv', price: '1899.00', purchased_at: '2026-11-20T14:00:00-05:00', country: 'US' },
    sold_at: '2026-11-20T14:05:00-05:00', zone: 'America/New_York' });
  assert.ok(offer.plans.some((p) => p.eligible));
  const imported = w.importCrmCom({ response: example('crm-com-policies.json'), zone: 'Europe/Nicosia' });
  assert.ok(imported.policies.length >= 2);
});

test('claims: validate, transition, audit, partner status, report', () => {
  const req = example('claims/validate-tractor.json');
  delete req.op;
  const v = w.validateClaim(req);
  assert.equal(v.outcome, 'accept');
  const noInvoice = w.validateClaim({ ...req, claim: { ...req.claim, evidence: [] } });
  assert.equal(noInvoice.outcome, 'reject');
  assert.equal(noInvoice.findings[0].code, 'POS_INVOICE_MISSING');
  const state = { claim: 'DMS-1', status: 'draft', validation: 'accept' };
  const s1 = w.transitionClaim({ state, action: 'submit', actor: { id: 'c', role: 'sales_staff' }, at: '2026-11-20T10:00:00+01:00' });
  const s2 = w.transitionClaim({ state: s1.state, action: 'approve', actor: { id: 'm', role: 'warranty_manager' },
    at: '2026-11-21T10:00:00+01:00', prev_hash: s1.audit.hash });
  assert.equal(s2.state.status, 'approved');
  assert.deepEqual(w.verifyAudit({ entries: [s1.audit, s2.audit] }), { valid: true, entries: 2, first_broken: null, problem: null, authenticated: false });
  // Keyed: the entry carries key_id and mac, and verifies only with the key.
  const audit_key = { id: 'k1', secret: Buffer.from('a host key of at least 16 bytes').toString('base64') };
  const k1 = w.transitionClaim({ state, action: 'submit', actor: { id: 'c', role: 'sales_staff' }, at: '2026-11-20T10:00:00+01:00', audit_key });
  assert.equal(k1.audit.key_id, 'k1');
  assert.match(k1.audit.mac, /^[0-9a-f]{64}$/);
  assert.equal(w.verifyAudit({ entries: [k1.audit], keys: [audit_key] }).authenticated, true);
  assert.equal(w.verifyAudit({ entries: [s1.audit], keys: [audit_key] }).valid, false);
  assert.throws(() => w.verifyAudit({ entries: [], keys: [{ id: 'k', secret: 'c2hvcnQ=' }] }),
    (e) => e.code === 'INVALID_INPUT' && e.path === 'keys[0].secret');
  const paid = w.applyPartnerStatus({ state: s2.state, update: { status_description: 'CLAIM PAID', at: '2026-12-01T08:00:00+01:00' } });
  assert.equal(paid.state.status, 'closed');
  const report = w.claimsReport({ claims: [{ id: 'DMS-1', status: 'closed', currency: 'EUR', claimed: '10.00', reimbursed: '10.00' }] });
  assert.equal(report.open, 0);
});

test('ok:false becomes a WarrantyError with code and path', () => {
  assert.throws(() => w.coverage({ policy: { id: 'x' } }), (e) => {
    assert.ok(e instanceof w.WarrantyError);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'WarrantyError');
    assert.equal(e.code, 'INVALID_INPUT');
    assert.equal(e.path, 'policy.duration');
    assert.match(e.message, /duration/);
    return true;
  });
  assert.throws(() => w.transitionClaim({ state: { claim: 'D', status: 'submitted', validation: 'accept' }, action: 'approve',
    actor: { id: 's', role: 'sales_staff' }, at: '2026-11-20T10:00:00+01:00' }),
  { name: 'WarrantyError', code: 'TRANSITION_REFUSED', path: 'actor.role' });
  assert.throws(() => w.expiry('not an object'), TypeError);
  assert.throws(() => w.expiry(null), TypeError);
  // The raw call never throws: it answers.
  assert.match(w.call('{not json'), /"code":"INVALID_JSON"/);
});

test('Engine keeps catalogs; free is idempotent', () => {
  const engine = new w.Engine();
  assert.deepEqual(engine.loadCatalog('store', [TV]), { name: 'store', policies: 1 });
  assert.deepEqual(engine.listCatalogs(), [{ name: 'store', policies: 1 }]);
  const r = engine.resolve({ catalog: 'store', item: { product_type: 'Televisions' }, sold_at: '2026-05-01T12:00:00+02:00' });
  assert.equal(r.policy, 'TV-2Y');
  assert.throws(() => engine.resolve({ catalog: 'nowhere', item: {}, sold_at: '2026-05-01T12:00:00+02:00' }),
    { code: 'INVALID_INPUT', path: 'catalog' });
  assert.deepEqual(engine.loadCatalog({ name: 'other', policies: [TV] }), { name: 'other', policies: 1 });
  assert.deepEqual(engine.unloadCatalog({ name: 'other' }), { name: 'other', policies: 1 });
  assert.deepEqual(engine.unloadCatalog('store'), { name: 'store', policies: 1 });
  assert.deepEqual(engine.listCatalogs(), []);
  engine.free();
  engine.free();
  if (typeof Symbol.dispose === 'symbol') {
    const e2 = new w.Engine();
    e2[Symbol.dispose]();
  }
});

test('a sync loop through the Engine survives a crash (new engine, restore from the stored records)', () => {
  const store = { header: null, messages: new Map(), events: [] };
  const apply = (p) => {
    store.header.rng = p.rng;
    store.header.next_id = p.next_id;
    for (const m of p.messages) store.messages.set(m.id, m);
    store.events.push(...p.events);
  };
  const snapshot = () => ({ header: store.header, messages: [...store.messages.values()].sort((a, b) => a.id - b.id) });
  const now = (s) => new Date(Date.UTC(2026, 10, 22, 10, 0, s)).toISOString().replace('.000Z', 'Z');

  let engine = new w.Engine();
  // A seed beyond 2^53 survives as text, and so does the PRNG state in every record.
  const created = engine.outboxCreate({ outbox: 'pos', seed: '18446744073709551557', config: { base_ms: 100, cap_ms: 400 } });
  assert.equal(created.header.rng, '18446744073709551557');
  store.header = structuredClone(created.header);
  for (const n of [1, 2, 3]) {
    apply(engine.outboxEnqueue({ outbox: 'pos', partner: 'crm', operation: 'register', idempotency_key: `K${n}`,
      payload: { n }, now: now(0) }).persist);
  }
  const first = engine.outboxPollTransmit({ outbox: 'pos', now: now(0) });
  apply(first.persist);
  assert.equal(first.transmit.headers['idempotency-key'], 'K1');
  apply(engine.outboxHandleResponse({ outbox: 'pos', id: first.transmit.id, status: 200, now: now(1) }).persist);
  const lost = engine.outboxPollTransmit({ outbox: 'pos', now: now(1) });
  apply(lost.persist);
  engine.free(); // the process dies with K2 in flight

  engine = new w.Engine();
  const restored = engine.outboxRestore({ snapshot: snapshot(), now: now(5) });
  apply(restored.persist);
  assert.deepEqual(restored.persist.messages.map((m) => m.idempotency_key), ['K2']);
  const seen = [];
  for (let t = 5; t < 60; t++) {
    const r = engine.outboxPollTransmit({ outbox: 'pos', now: now(t) });
    apply(r.persist);
    if (!r.transmit) {
      if (engine.outboxPollTimeout({ outbox: 'pos' }).timeout_ms === null) break;
      continue;
    }
    seen.push([r.transmit.idempotency_key, r.transmit.attempt]);
    const status = r.transmit.attempt === 1 && r.transmit.idempotency_key === 'K3' ? 503 : 201;
    apply(engine.outboxHandleResponse({ outbox: 'pos', id: r.transmit.id, status, now: now(t) }).persist);
  }
  // K3 was due since the start, K2 again since the restore: earliest due first.
  assert.deepEqual(seen, [['K3', 1], ['K2', 2], ['K3', 2]]);
  assert.deepEqual(engine.outboxSnapshot({ outbox: 'pos' }), snapshot());
  const report = engine.outboxReport({ outbox: 'pos' });
  assert.equal(report.total.delivered, 3);
  assert.equal(report.total.success_rate, '1.0000');
  assert.throws(() => engine.outboxEnqueue({ outbox: 'pos', partner: 'crm', operation: 'register', idempotency_key: 'K1',
    payload: { n: 9 }, now: now(60) }), (e) => e instanceof w.WarrantyError && e.path === 'payload');
  // Retention: finished messages leave the outbox; the host deletes the same ids.
  const pruned = engine.outboxPrune({ outbox: 'pos', enqueued_before: now(1) });
  assert.deepEqual(pruned, { pruned: [1, 2, 3], messages: 0 });
  assert.throws(() => engine.outboxReport({ outbox: 'nope' }), (e) => e.code === 'INVALID_INPUT' && e.path === 'outbox');
  engine.free();
});

test('webhook helpers: the Standard Webhooks test vector', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = '{"test": 2432232314}';
  const { headers } = w.webhookSign({ secret, id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body });
  assert.equal(headers['webhook-signature'], 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  assert.deepEqual(w.webhookVerify({ secret, headers, body, now: '2021-02-25T15:02:10Z' }), { valid: true, reason: null });
  assert.equal(w.webhookVerify({ secret, headers, body: '{}', now: '2021-02-25T15:02:10Z' }).reason, 'NO_MATCHING_SIGNATURE');
  assert.throws(() => w.webhookSign({ secret: 'whsec_*', id: 'x', timestamp: 1, body }), (e) => e.path === 'secret');
});

test('adapter helpers: product-code registration and the CNH claim body', () => {
  const r = w.productCodeRegistration({ registration: { product_code: 'TV-55', first_name: 'A', last_name: 'B',
    email: 'a@b.com', phone: '(544) 333 22 11', country: 'TR', external_order_id: 'INV-1' }, now: '2026-11-22T14:05:00+03:00' });
  assert.equal(r.body.phone, '+905443332211');
  assert.equal(r.body.purchaseDate, '22-11-2026 14:05');
  assert.equal(r.idempotency_key, 'INV-1');
  const claim = example('claims/validate-tractor.json').claim;
  assert.equal(w.cnhClaimBody({ claim }).body.ClaimHeader.DmsClaimNumber, claim.dms_claim_number);
  assert.throws(() => w.cnhClaimBody({ claim: { ...claim, dealer: '' } }), (e) => e.path === 'claim.dealer');
});

test('cnhReadResponse: a 500 retries, a created claim carries its CNH number', () => {
  assert.equal(w.cnhReadResponse({ status: 500, body: 'Internal Server Error', at: '2026-11-21T10:00:00+01:00' }).disposition, 'retry');
  const a = w.cnhReadResponse({ status: 200, at: '2026-11-21T10:00:00+01:00',
    body: JSON.stringify({ dms_claim_number: 'D-1', cnh_claim_number: '202500006190', status: '10', status_description: 'DRAFT' }) });
  assert.equal(a.response.cnh_claim_number, '202500006190');
  assert.equal(a.claim_status, 'draft');
});

test('warrantyLifePlans feeds plans: a web shop offers the plans its Warranty Life account returns', () => {
  const { plans } = w.warrantyLifePlans({ plans: [{ id: 'EXT-3Y', applicableCategoryIds: ['tv'], applicableProductFlags: [],
    name: '3 years', productMinPrice: 200.0, productMaxPrice: 0.0, duration: 3, durationUnit: 'years',
    sellableDuration: 30, sellableDurationUnit: 'days', countryCode: 'US', retailPrice: 149.99, unknownField: 1 }] });
  const offer = w.plans({ plans, categories: [{ id: 'tv', parent: null }],
    item: { category: 'tv', price: '1899.00', purchased_at: '2026-11-20T14:00:00-05:00', country: 'US' },
    sold_at: '2026-11-20T14:05:00-05:00', zone: 'America/New_York' });
  assert.deepEqual(offer.eligible, ['EXT-3Y']);
  assert.equal(offer.plans[0].plan, 'EXT-3Y');
  assert.equal(offer.plans[0].eligible, true);
});

test('stackCoverage: the Lisbon TV repaired twice is answered by the legal guarantee, at the seller\'s cost', () => {
  const { op, ...request } = example('stacks/tv-lisbon.json');
  assert.equal(op, 'stack_coverage');
  const r = w.stackCoverage(request);
  assert.equal(r.outcome, 'covered');
  assert.equal(r.answered_by, 'legal-PT');
  assert.equal(r.payer, 'seller');
  assert.equal(r.burden_reversed, true);
  const mfr = r.layers.find((l) => l.id === 'MFR-1Y');
  assert.equal(mfr.outcome, 'not_covered');
  assert.ok(mfr.codes.includes('EXPIRED'));
  assert.match(r.message, /legal guarantee \(Portugal\)/);
  // A repair recorded under a layer the item does not have is refused at its path.
  const bad = structuredClone(request);
  bad.item.events[2].under = 'NOPE';
  assert.throws(() => w.stackCoverage(bad), (e) => e instanceof w.WarrantyError && e.path === 'item.events[2].under');
});

test('expiring and statutoryPresets: the 30-day notice and the preset table', () => {
  const { item } = example('stacks/tv-lisbon.json');
  const soon = w.expiring({ as_of: '2027-08-10T09:00:00+01:00', within: { value: 30, unit: 'days' },
    zone: 'Europe/Lisbon', items: [item] });
  assert.equal(soon.count, soon.expiring.length);
  assert.deepEqual(soon.expiring.map((x) => x.layer), ['MFR-1Y']);
  const pt = w.statutoryPresets({ jurisdiction: 'PT' });
  assert.deepEqual(pt.jurisdictions, ['PT']);
  assert.ok(pt.rows.every((row) => row.jurisdiction === 'PT' && row.reference.length > 0));
  assert.ok(w.statutoryPresets().rows.length > pt.rows.length);
});

test('warrantyLifeRequest: a sold TV line as the POST /items the account receives, with the sub-account header', () => {
  const item = { customer_id: 'cust-1', product_sku: 'TV-55X', purchased_at: '2026-11-20T14:05:00-05:00',
    price_paid: '1899.99', currency: 'USD', serial: 'SN1' };
  const r = w.warrantyLifeRequest({ item, credentials: { key: 'MqUax1IGBQdL', secret: 's3cret', sub_account: '43' } });
  assert.equal(r.method, 'POST');
  assert.equal(r.path, '/api/201308/items');
  assert.equal(r.body.dateOfPurchase, '2026-11-20T19:05:00Z');
  assert.equal(r.body.pricePaid, 1899.99);
  assert.equal(Buffer.from(r.headers.Authorization.slice(6), 'base64').toString(), 'MqUax1IGBQdL/43:s3cret');
  assert.equal(w.warrantyLifeAuth({ credentials: { key: 'MqUax1IGBQdL', secret: 's3cret', sub_account: '43' } }).authorization,
    r.headers.Authorization);
  assert.throws(() => w.warrantyLifeRequest({ item: { ...item, currency: 'EUR' } }), (e) => e.path === 'item.currency');
  assert.deepEqual(w.warrantyLifePage({ page: 2, limit: 50, returned: 50 }),
    { query: 'startAt=100&limit=50', start_at: 100, limit: 50, more: true });
});

test('warrantyLifeAnswer: the category tree and a product search with plans feed plans; GETs and errors are read', () => {
  const get = w.warrantyLifeRequest({ get: { resource: 'categories' }, credentials: { key: 'K', secret: 'S' } });
  assert.deepEqual([get.method, get.path, get.body, get.headers['Content-Type']], ['GET', '/api/201308/categories', undefined, undefined]);
  const tree = w.warrantyLifeAnswer({ status: 200, resource: 'categories', body: JSON.stringify([
    { id: 'electronics', name: 'Electronics', subCategoryIds: ['tv'], parentCategoryId: null },
    { id: 'tv', name: 'TVs', subCategoryIds: [], parentCategoryId: 'electronics' }]) });
  const search = w.warrantyLifeRequest({ get: { resource: 'products', by: { sku: 'TV-55X' }, include_plans: true } });
  assert.equal(search.path, '/api/201308/products?sku=TV-55X&includePlans=1');
  const found = w.warrantyLifeAnswer({ status: 200, resource: 'products', body: JSON.stringify([{ id: 'PR-1', categoryId: 'tv',
    model: 'Bravia 55', msrp: 1299.5, warrantyPlans: [{ id: 'EXT-3Y', applicableCategoryIds: ['electronics'], duration: 3,
      durationUnit: 'years', productMinPrice: 200.0, sellableDuration: 30, sellableDurationUnit: 'days' }] }]) });
  const product = found.products[0];
  assert.equal(product.msrp, '1299.5');
  // The plan names the parent category: the tree from the answer lets a TV qualify.
  const offer = w.plans({ plans: product.plans, categories: tree.categories,
    item: { category: product.category_id, price: '1299.00', purchased_at: '2026-11-20T14:00:00-05:00', country: 'US' },
    sold_at: '2026-11-20T14:05:00-05:00', zone: 'America/New_York' });
  assert.deepEqual(offer.eligible, ['EXT-3Y']);
  const created = w.warrantyLifeAnswer({ status: 201, location: '/api/201308/items/I-9', resource: 'items' });
  assert.equal(created.id, 'I-9');
  const gone = w.warrantyLifeAnswer({ status: 404, body: '{"error_code": 0, "status_text": "Bad Request", "message": "The ID specified does not exist."}' });
  assert.equal(gone.disposition, 'dead_letter');
  assert.equal(gone.error.message, 'The ID specified does not exist.');
  assert.throws(() => w.warrantyLifeAnswer({ status: 202, body: '{}' }), (e) => e.path === 'body.id');
});

test('CNH defect/failure lookup: its answer feeds validateClaim, which refuses a code CNH did not list', () => {
  assert.equal(w.cnhDefectFailureRequest().body.ZcnWtClaimLookupEw20.Lang, 'E');
  const R = 'ZcnWtClaimLookupEw20Response';
  const codes = w.cnhDefectFailureAnswer({ body: JSON.stringify({ [R]: {
    ToutDefect: { Item: { Code: 'HYD-PUMP', Description: 'Hydraulic pump' } },
    ToutFailure: { Item: [{ Code: 'LEAK', Description: 'Leak' }] } } }) });
  const rules = { defect_codes: codes.defects.map((d) => d.code), failure_codes: codes.failures.map((f) => f.code) };
  assert.deepEqual(rules, { defect_codes: ['HYD-PUMP'], failure_codes: ['LEAK'] });
  const { claim, as_of } = example('claims/validate-tractor.json');
  assert.equal(w.validateClaim({ claim, as_of, rules }).outcome, 'accept');
  const other = { ...claim, failure: { ...claim.failure, failure_code: 'NOISE' } };
  assert.deepEqual(w.validateClaim({ claim: other, as_of, rules }).findings.map((f) => f.code), ['FAILURE_CODE_UNKNOWN']);
  assert.throws(() => w.cnhDefectFailureAnswer({ body: '{}' }), (e) => e.path === 'body');
});

test('CNH invoices: a daily report read, reconciled with the claims, and the reimbursed amounts in claimsReport', () => {
  const R = 'ZcnWtDmsInvoiceDlyReportResponse';
  const req = w.cnhInvoiceRequest({ daily: { dealer_number: '111111', date: '2025-04-04' } });
  assert.equal(req.path, '/external/services/warrantyclaim/invoicedailyreport');
  const report = w.cnhInvoiceAnswer({ body: JSON.stringify({ [R]: { Dailyreport: {
    invoiceDetail: [{ clmno: '202500006190', zzclaimdealer: '265182', wrbtr: '1,330.00', waers: 'USD', pncnt: 1 },
      { zzclaimdealer: 'DMS-7', wrbtr: '99.99', waers: 'USD', pncnt: 2 }],
    returnMessages: { Type: 'S', Message: 'Successful', Number: 14 } } } }) });
  assert.deepEqual(report.lines.map((l) => l.amount), ['1330.00', '99.99']);
  const claims = [{ id: '265182', partner_claim_number: '202500006190', status: 'approved', currency: 'USD', claimed: '1400.00' }];
  const r = w.cnhInvoiceReconcile({ claims, lines: report.lines });
  assert.deepEqual(r.matched.map((m) => [m.outcome, m.difference]), [['under', '-70.00']]);
  assert.deepEqual(r.unmatched.map((u) => u.reason), ['no_claim']);
  const totals = w.claimsReport({ claims: r.claims }).totals;
  assert.deepEqual(totals, [{ currency: 'USD', claims: 1, claimed: '1400.00', reimbursed: '1330.00', unrecovered: '70.00' }]);
  assert.throws(() => w.cnhInvoiceAnswer({ body: JSON.stringify({ [R]: { Dailyreport: { invoiceDetail: { wrbtr: '1,33' } } } }) }),
    (e) => e.path === `body.${R}.Dailyreport.invoiceDetail.wrbtr`);
});

test('CNH EZ Labor and PIP answers become validateClaim rules; Smart Alert feedback becomes findings', () => {
  const { claim, as_of } = example('claims/validate-tractor.json');
  const labour = claim.lines.find((l) => l.category === 'labour');
  const ez = w.cnhEzLaborAnswer({ body: JSON.stringify({ message: 'S', ez_result: 'YES', ez_unique_id: 'EZ-42', ez_freeze_wu: labour.quantity }) });
  const rules = { ez_labor: { unique_id: ez.unique_id, freeze_wu: ez.freeze_wu } };
  assert.deepEqual(w.validateClaim({ claim, as_of, rules }).findings.map((f) => f.code), ['EZ_LABOR_ID_MISSING']);
  const withId = { ...claim, failure: { ...claim.failure, ez_labor_unique_id: 'EZ-42' } };
  assert.equal(w.validateClaim({ claim: withId, as_of, rules }).outcome, 'accept');
  assert.equal(w.cnhClaimBody({ claim: withId }).body.ClaimHeader.Failure.ezLaborUniqueID, 'EZ-42');
  const pip = w.cnhPipAnswer({ body: JSON.stringify({ Message: 'S', table_results: [
    { pip_code: 'P24', material_code: 'NOT-ON-CLAIM', material_quantity: 1, mandatory: 'X' }] }) });
  assert.equal(pip.lines[0].material_code, 'NOT-ON-CLAIM');
  assert.deepEqual(w.validateClaim({ claim, as_of, rules: { pip_parts: pip.parts } }).findings.map((f) => f.code), ['PIP_PART_MISSING']);
  const at = '2026-11-21T09:30:00Z';
  const alert = w.cnhSmartAlertAnswer({ at, body: JSON.stringify({ message_id: 'S', table_results: [
    { cnh_claim_number: '202020202020', status: '80', smart_alert_feedback: 'Hours lower than last claim' }] }) });
  assert.deepEqual(alert.findings.map((f) => f.code), ['SMART_ALERT']);
  const moved = w.applyPartnerStatus({ state: { claim: 'D', status: 'approved' }, update: alert.claims[0].update });
  assert.equal(moved.state.status, 'closed');
});

// The helper name of an operation: `stack_coverage` → `stackCoverage`.
const camel = (op) => op.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const operations = (m) => JSON.parse(m.call('{"op":"version"}')).result.operations;

test('every operation has a helper, in each module (one-shot or an Engine method)', () => {
  for (const m of [rules, w]) {
    const engine = new m.Engine();
    const missing = operations(m).filter((op) => typeof m[camel(op)] !== 'function' && typeof engine[camel(op)] !== 'function');
    engine.free();
    assert.deepEqual(missing, []);
  }
});

// The names a declaration file gives: its exported functions, and the methods of its
// `Engine` class (`name(` or `name<T>(`, at the start of a member line).
const declared = (file) => {
  const text = readFileSync(new URL(`../../wasm/js/${file}`, import.meta.url), 'utf8');
  const functions = [...text.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]);
  const engine = text.slice(text.indexOf('export class Engine'));
  const body = engine.slice(0, engine.indexOf('\n}'));
  const methods = [...body.matchAll(/^ {2}(\w+)(?:<[^>]*>)?\(/gm)].map((m) => m[1]).filter((n) => n !== 'constructor');
  return { functions: new Set(functions), methods: new Set(methods) };
};

test('the declarations name exactly the helpers each module has', () => {
  const index = declared('index.d.ts');
  const sync = declared('sync.d.ts');
  const modules = [
    [rules, index.functions, index.methods],
    // warranty/sync re-exports the rules' declarations; its Engine extends the rules' Engine.
    [w, new Set([...index.functions, ...sync.functions]), new Set([...index.methods, ...sync.methods])],
  ];
  for (const [m, functions, methods] of modules) {
    const runtime = Object.keys(m).filter((k) => typeof m[k] === 'function' && k !== 'Engine' && k !== 'WarrantyError');
    assert.deepEqual(runtime.filter((k) => !functions.has(k)), [], 'helpers without a declaration');
    assert.deepEqual([...functions].filter((k) => typeof m[k] !== 'function'), [], 'declarations without a helper');
    const protos = [];
    for (let p = m.Engine.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) protos.push(p);
    const own = new Set(protos.flatMap((p) => Object.getOwnPropertyNames(p)).filter((k) => k !== 'constructor'));
    assert.deepEqual([...own].filter((k) => !methods.has(k)), [], 'Engine methods without a declaration');
    assert.deepEqual([...methods].filter((k) => !own.has(k)), [], 'declared Engine methods it lacks');
  }
});

test('the rules module has the rules only; warranty/sync has them too, with the same answers', () => {
  const ops = operations(rules);
  assert.ok(!ops.includes('outbox_create') && !ops.includes('webhook_sign') && !ops.includes('import_crm_com'));
  assert.ok(ops.every((op) => operations(w).includes(op)));
  assert.equal(typeof rules.webhookSign, 'undefined');
  assert.equal(typeof new rules.Engine().outboxCreate, 'undefined');
  const request = { policy: TV, warranty: { start: '2025-11-28T11:30:00+02:00' }, as_of: '2026-11-20T10:00:00+02:00', reason: 'DEFECT' };
  assert.deepEqual(rules.coverage(request), w.coverage(request));
  // A sync operation sent to the rules module says where it is.
  assert.throws(() => new rules.Engine().request('outbox_create', { outbox: 'pos', seed: 1 }),
    (e) => e instanceof rules.WarrantyError && e.code === 'UNKNOWN_OP' && e.path === 'op' && /warranty\/sync/.test(e.message));
});
