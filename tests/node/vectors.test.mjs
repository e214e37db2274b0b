// Every vector in tests/vectors through the WASM `call` of `warranty/sync` (the whole library),
// compared byte for byte with what the CLI printed for the same request bytes (prepared by
// `make c-vectors`: target/c/vectors); and through the rules module `warranty`, which answers
// its own operations with the same bytes and the sync layer's with UNKNOWN_OP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const w = require('../../wasm/pkg/sync.cjs');
const rules = require('../../wasm/pkg');
const dir = new URL('../../target/c/vectors/', import.meta.url);
const manifest = readFileSync(new URL('manifest.txt', dir), 'utf8').trim().split('\n');

test('every vector: call gives the CLI bytes', () => {
  assert.ok(manifest.length >= 300, `only ${manifest.length} vectors`);
  let compared = 0;
  for (const line of manifest) {
    const [req, cli, name] = line.split(' ');
    const request = readFileSync(req, 'utf8');
    const expected = readFileSync(cli, 'utf8').replace(/\n$/, '');
    assert.equal(w.call(request), expected, name);
    compared++;
  }
  assert.equal(compared, manifest.length);
});

test('every vector: a fresh Engine answers the same', () => {
  for (const line of manifest) {
    const [req, cli, name] = line.split(' ');
    const engine = new w.Engine();
    try {
      assert.equal(engine.call(readFileSync(req, 'utf8')), readFileSync(cli, 'utf8').replace(/\n$/, ''), name);
    } finally {
      engine.free();
    }
  }
});

test('callBatch gives the bytes of `wty call --ndjson`', () => {
  const engine = new w.Engine();
  const out = engine.callBatch(readFileSync(new URL('all.ndjson', dir), 'utf8'));
  assert.equal(out, readFileSync(new URL('all.cli', dir), 'utf8'));
  engine.free();
});

test('the rules module: its operations give the CLI bytes, the sync layer\'s are UNKNOWN_OP', () => {
  const own = new Set(JSON.parse(rules.call('{"op":"version"}')).result.operations);
  const all = JSON.parse(w.call('{"op":"version"}')).result.operations;
  assert.ok(own.has('coverage') && own.has('stack_coverage') && !own.has('outbox_create'));
  assert.ok([...own].every((op) => all.includes(op)), 'the rules module knows an operation the whole library does not');
  let same = 0, refused = 0;
  for (const line of manifest) {
    const [req, cli, name] = line.split(' ');
    const request = readFileSync(req, 'utf8');
    const expected = readFileSync(cli, 'utf8').replace(/\n$/, '');
    let op;
    try { op = JSON.parse(request).op; } catch { op = undefined; }
    const answer = rules.call(request);
    const listsOperations = /known( operations)?: /.test(expected);
    if (listsOperations && (typeof op !== 'string' || own.has(op))) {
      // The answer lists this module's operations: the same error, a shorter list.
      const [a, e] = [JSON.parse(answer).error, JSON.parse(expected).error];
      assert.deepEqual([a.code, a.path], [e.code, e.path], name);
      assert.ok(!a.message.includes('outbox_create'), name);
      same++;
    } else if (typeof op !== 'string' || (own.has(op) && op !== 'version')) {
      assert.equal(answer, expected, name);
      same++;
    } else if (op !== 'version') {
      // Not an operation of this module: refused at `op`, naming the module when it is a sync one.
      const error = JSON.parse(answer).error;
      assert.equal(error.code, 'UNKNOWN_OP', name);
      assert.equal(error.path, 'op', name);
      if (all.includes(op)) assert.match(error.message, /`warranty\/sync`/, name);
      refused++;
    }
  }
  assert.ok(same > 300 && refused > 50, `${same} compared, ${refused} refused`);
});
