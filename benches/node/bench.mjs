// `call` in Node through both WASM modules of the package (`make bench-wasm`): `warranty` (the
// rules) and `warranty/sync` (everything). Median over N calls (default 100,000) of:
// - `coverage`: one-shot `call`, the policy inline (benches/data/coverage.json);
// - `resolve` against a loaded catalog through `Engine.call`: the few-candidates shape
//   (10,000 policies, gen_ndjson's default stream) and the retailer shape of issue 22
//   (10,000 policies, `gen_ndjson retail`), winner only (`"candidates":"none"`) and all;
// - `expiring`: one item per request (`gen_ndjson expiring`), through `Engine.call`;
// - `stack_coverage`: one-shot `call` (examples/stacks/tv-lisbon.json).
// The requests are the criterion benchmarks' own (benches/src/lib.rs), so each median compares
// with its native figure (docs/performance.md).
// usage: node bench.mjs RESOLVE.ndjson RETAIL_NONE.ndjson RETAIL_ALL.ndjson EXPIRING.ndjson [N]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const modules = { warranty: require('../../wasm/pkg'), 'warranty/sync': require('../../wasm/pkg/sync.cjs') };
const [resolveFile, noneFile, allFile, expiringFile] = process.argv.slice(2, 6);
const N = Number(process.argv[6] || 100000);
const coverage = readFileSync(new URL('../data/coverage.json', import.meta.url), 'utf8').trim();
const stack = JSON.stringify(JSON.parse(readFileSync(new URL('../../examples/stacks/tv-lisbon.json', import.meta.url), 'utf8')));
const lines = (f) => readFileSync(f, 'utf8').trim().split('\n');
const [load, ...resolves] = lines(resolveFile);
const [retailLoad, ...retailNone] = lines(noneFile);
const [, ...retailAll] = lines(allFile);
const expiring = lines(expiringFile);

function median(f, n = N) {
  for (let i = 0; i < Math.min(2000, n); i++) f(i); // warm up
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = process.hrtime.bigint();
    f(i);
    t[i] = Number(process.hrtime.bigint() - s);
  }
  t.sort();
  return t[n >> 1];
}

const ok = (answer, what) => {
  if (!answer.startsWith('{"ok":true')) throw new Error(`${what} refused: ${answer.slice(0, 200)}`);
};

for (const [name, w] of Object.entries(modules)) {
  ok(w.call(coverage), 'coverage');
  ok(w.call(stack), 'stack_coverage');
  const engine = new w.Engine();
  ok(engine.call(load), 'load_catalog');
  ok(engine.call(retailLoad), 'load_catalog (retail)');
  ok(engine.call(retailNone[0]), 'resolve (retail)');
  ok(engine.call(expiring[0]), 'expiring');
  const result = {
    module: name,
    calls: N,
    coverage_call_median_ns: median(() => w.call(coverage)),
    resolve_engine_call_median_ns: median((i) => engine.call(resolves[i % resolves.length])),
    resolve_retail_10k_winner_median_ns: median((i) => engine.call(retailNone[i % retailNone.length])),
    resolve_retail_10k_all_median_ns: median((i) => engine.call(retailAll[i % retailAll.length]), Math.min(N, 20000)),
    expiring_engine_call_median_ns: median((i) => engine.call(expiring[i % expiring.length])),
    stack_coverage_call_median_ns: median(() => w.call(stack), Math.min(N, 20000)),
  };
  engine.free();
  console.log(JSON.stringify(result));
}
