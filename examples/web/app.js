// The shop-assistant page: every answer comes from the warranty WebAssembly module
// `warranty/sync` (wasm/pkg/sync-web.js: the catalog comes from a CRM.COM answer, a partner
// adapter; a page that only checks coverage loads `warranty`, web.js), the same dispatcher as
// the C library and the CLI.
import { Engine, coverage, replace, version, WarrantyError } from '../../wasm/pkg/sync-web.js';

const ZONE = 'Europe/Nicosia';
const PRODUCTS = [
  { label: 'PH-43 television (Philips)', item: { product: 'PH-43', product_type: 'Televisions', brand: 'Philips' } },
  { label: 'OLED-55 television (LG)', item: { product: 'OLED-55', product_type: 'Televisions', brand: 'LG' } },
  { label: 'Decoder-Sakkas (Phillips, Digital)', item: { product: 'Decoder-Sakkas', brand: 'Phillips', family: 'Digital' } },
  { label: 'A7 camera (Sony)', item: { product: 'A7', brand: 'Sony' } },
];
const $ = (id) => document.getElementById(id);

// A local noon in the store's zone as an RFC 3339 instant.
function noon(date) {
  const probe = new Date(`${date}T12:00:00Z`);
  const name = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, timeZoneName: 'longOffset' })
    .formatToParts(probe).find((p) => p.type === 'timeZoneName').value; // "GMT+02:00"
  const offset = name === 'GMT' ? '+00:00' : name.slice(3);
  return `${date}T12:00:00${offset}`;
}

const engine = new Engine();
const crm = await (await fetch('../crm-com-policies.json')).json();
const { policies } = engine.importCrmCom({ response: crm, zone: ZONE, catalog: 'store' });
$('version').textContent = version();
for (const [i, p] of PRODUCTS.entries()) $('product').add(new Option(p.label, String(i)));

function policyFor(productIndex, soldAt) {
  const r = engine.resolve({ catalog: 'store', item: PRODUCTS[productIndex].item, sold_at: soldAt, zone: ZONE });
  return { resolved: r, policy: policies.find((p) => p.id === r.policy) };
}

function fillReasons() {
  const { policy } = policyFor(Number($('product').value), noon($('sold').value));
  const reasons = policy ? policy.reasons.map((r) => r.id) : [];
  $('reason').replaceChildren(...reasons.map((id) => new Option(id, id)));
  if (!reasons.length) $('reason').add(new Option('(no policy)', ''));
}
$('product').addEventListener('change', fillReasons);
$('sold').addEventListener('change', fillReasons);
fillReasons();

$('check').addEventListener('submit', (event) => {
  event.preventDefault();
  $('error').hidden = true;
  try {
    const soldAt = noon($('sold').value);
    const failedAt = noon($('failed').value);
    const { resolved, policy } = policyFor(Number($('product').value), soldAt);
    const out = $('outcome');
    $('answer').hidden = false;
    if (!policy) {
      out.textContent = 'Not covered';
      out.className = 'not_covered';
      $('policy').textContent = '—';
      $('expiry').textContent = '—';
      $('remaining').textContent = '—';
      $('explanation').textContent = resolved.message;
      $('replacement').textContent = '—';
      return;
    }
    const reason = $('reason').value || undefined;
    const c = coverage({ policy, warranty: { start: resolved.start }, as_of: failedAt, reason, zone: ZONE });
    out.textContent = { covered: 'Covered', not_covered: 'Not covered', needs_review: 'Needs review' }[c.outcome];
    out.className = c.outcome;
    $('policy').textContent = `${policy.name || policy.id} (${policy.id}), sold ${$('sold').value}`;
    $('expiry').textContent = c.end;
    $('remaining').textContent = String(c.remaining_days);
    $('explanation').textContent = c.message;
    const r = replace({ policy, original: { start: resolved.start }, reason: reason || '', requested_at: failedAt,
      issued_at: noon($('issued').value), zone: ZONE });
    $('replacement').textContent = r.replacement
      ? `${r.mode}: new warranty ${r.replacement.start} → ${r.replacement.end} (${r.outcome})`
      : `${r.mode}: ${r.message}`;
  } catch (e) {
    $('answer').hidden = true;
    $('error').hidden = false;
    $('error').textContent = e instanceof WarrantyError ? `${e.code} at ${e.path}: ${e.message}` : String(e);
  }
});
