// An engine's `call` writes requests of up to 8,192 UTF-16 units into the engine's own
// request buffer and reads the answer where the engine leaves it (`callInPlace`, wasm/js/api.js);
// longer requests take wasm-bindgen's string path. Checked here, through both modules: the
// boundary (8,192 units that are each three UTF-8 bytes, the most the buffer holds, and one
// more), answers larger than the engine keeps between calls, the module's memory growing
// between two calls (the package's views of it are then detached and must be taken again),
// and the one-shot `call` giving the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sync from '../../wasm/pkg/sync.mjs';
import * as rules from '../../wasm/pkg/index.mjs';

const LIMIT = 8192;
// A `load_catalog` request whose name makes it exactly `units` UTF-16 units long.
const loadOf = (units, ch) => {
  const head = '{"op":"load_catalog","name":"';
  const tail = '","policies":[]}';
  const n = units - head.length - tail.length;
  return { name: ch.repeat(n), request: head + ch.repeat(n) + tail };
};
const policy = (i) => ({
  id: `P-${i}`, number: String(i), state: 'effective', effective_from: '2020-01-01T00:00:00Z',
  covers: [{ family: 'F' }], duration: { value: 12, unit: 'months' },
});

for (const [label, w] of [['warranty', rules], ['warranty/sync', sync]]) {
  test(`${label}: requests at the in-place limit and past it arrive byte for byte`, () => {
    const engine = new w.Engine();
    for (const [units, ch] of [[LIMIT, '☕'], [LIMIT + 1, '☕'], [LIMIT, 'a'], [LIMIT + 1, 'é'], [LIMIT - 1, '\uD800']]) {
      const { name, request } = loadOf(units, ch);
      assert.equal(request.length, units);
      const answer = JSON.parse(engine.call(request));
      assert.equal(answer.ok, true, `${units} units of ${JSON.stringify(ch)}`);
      const expected = new TextDecoder().decode(new TextEncoder().encode(name));
      const names = JSON.parse(engine.call('{"op":"list_catalogs"}')).result.catalogs.map((c) => c.name);
      assert.deepEqual(names, [expected], `${units} units of ${JSON.stringify(ch)}`);
      engine.call(JSON.stringify({ op: 'unload_catalog', name: expected }));
    }
    engine.free();
  });

  test(`${label}: big answers, then small ones, and memory growing between calls`, () => {
    const engine = new w.Engine();
    const item = { family: 'F' };
    const resolve = JSON.stringify({ op: 'resolve', catalog: 'c', item, sold_at: '2024-01-01T00:00:00Z' });
    assert.equal(engine.call('{"op":"version"}'), w.call('{"op":"version"}'));
    // 3,000 candidates: an answer past the 64 KiB the engine keeps.
    const policies = Array.from({ length: 3000 }, (_, i) => policy(i));
    assert.equal(JSON.parse(engine.call(JSON.stringify({ op: 'load_catalog', name: 'c', policies }))).ok, true);
    const big = engine.call(resolve);
    assert.ok(big.length > 65536, `answer of ${big.length} bytes`);
    assert.equal(JSON.parse(big).result.candidates.length, 3000);
    assert.equal(engine.call('{"op":"version"}'), w.call('{"op":"version"}'));
    // Another engine's catalog grows the module's memory; the first engine's next call must
    // take fresh views of it.
    const other = new w.Engine();
    const many = Array.from({ length: 40000 }, (_, i) => policy(i));
    assert.equal(JSON.parse(other.call(JSON.stringify({ op: 'load_catalog', name: 'm', policies: many }))).ok, true);
    assert.equal(engine.call(resolve), big);
    assert.equal(engine.call('{"op":"nope"}'), w.call('{"op":"nope"}'));
    other.free();
    engine.free();
  });
}
