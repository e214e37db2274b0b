// `call` in Node through both WASM modules of the package (`make bench-wasm`): `warranty` (the
// rules) and `warranty/sync` (everything), both with the core built for size and its JSON, date
// and decimal crates for speed (docs/decisions.md). Median over
// 100,000 calls for a
// `coverage` request (one-shot `call`, the policy inline) and for a `resolve` against a loaded
// 10,000-policy catalog (`Engine.call`). The requests are the ones the criterion benchmarks
// use (benches/data/coverage.json, and gen_ndjson's resolve stream), so the medians compare
// with `dispatcher/call_coverage_inline_policy` and `ffi/rust_call_resolve_loaded_catalog`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const modules = { warranty: require('../../wasm/pkg'), 'warranty/sync': require('../../wasm/pkg/sync.cjs') };
const N = Number(process.argv[3] || 100000);
const coverage = readFileSync(new URL('../data/coverage.json', import.meta.url), 'utf8').trim();
const stream = readFileSync(process.argv[2], 'utf8').trim().split('\n');
const [load, ...resolves] = stream;

function median(f) {
  for (let i = 0; i < 2000; i++) f(i); // warm up
  const t = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const s = process.hrtime.bigint();
    f(i);
    t[i] = Number(process.hrtime.bigint() - s);
  }
  t.sort();
  return t[N >> 1];
}

for (const [name, w] of Object.entries(modules)) {
  if (!w.call(coverage).startsWith('{"ok":true')) throw new Error('coverage request refused');
  const engine = new w.Engine();
  if (!engine.call(load).startsWith('{"ok":true')) throw new Error('load_catalog refused');
  const cov = median(() => w.call(coverage));
  const res = median((i) => engine.call(resolves[i % resolves.length]));
  engine.free();
  console.log(JSON.stringify({ module: name, calls: N, coverage_call_median_ns: cov, resolve_engine_call_median_ns: res }));
}
