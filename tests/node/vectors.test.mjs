// Every vector in tests/vectors through the WASM `call`, compared byte for byte with what the
// CLI printed for the same request bytes (prepared by `make c-vectors`: target/c/vectors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const w = require('../../wasm/pkg');
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
