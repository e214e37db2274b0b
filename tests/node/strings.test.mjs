// Request strings reach WebAssembly as their UTF-8 bytes, whatever they hold: the package
// copies them with `TextEncoder.encodeInto` (scripts/wasm-pkg.mjs) instead of wasm-bindgen's
// character loop, so non-ASCII text at any position, astral characters, lone surrogates
// (U+FFFD, as the WHATWG encoder writes them) and long requests are checked here, through
// both modules, against the encoder's own bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sync from '../../wasm/pkg/sync.mjs';
import * as rules from '../../wasm/pkg/index.mjs';

const utf8 = (s) => new TextDecoder().decode(new TextEncoder().encode(s));
// Written by hand, not by JSON.stringify (which escapes a lone surrogate as `\\ud800`): the
// raw UTF-16 text is what goes in. No name here needs escaping.
const loadRequest = (name) => `{"op":"load_catalog","name":"${name}","policies":[]}`;
const long = 'x'.repeat(200_000);
const names = [
  'plain', 'é', 'café', 'éa', 'naïve-ç', '☕ coffee', 'mid☕dle', 'end☕', '𝄞 clef', 'a𝄞b𝄞',
  '\uD800', 'lone \uDC00 low', 'end \uD83D', `${long}é`, `é${long}`, `${long}𝄞${long}`,
];

for (const [label, w] of [['warranty', rules], ['warranty/sync', sync]]) {
  test(`${label}: request text arrives as its UTF-8 bytes`, () => {
    const engine = new w.Engine();
    for (const name of names) {
      const answer = JSON.parse(engine.call(loadRequest(name)));
      assert.equal(answer.ok, true, `load_catalog ${JSON.stringify(name.slice(0, 40))}`);
      const listed = JSON.parse(engine.call('{"op":"list_catalogs"}')).result.catalogs.map((c) => c.name ?? c);
      assert.ok(listed.includes(utf8(name)), `listed ${JSON.stringify(name.slice(0, 40))}`);
      engine.call(JSON.stringify({ op: 'unload_catalog', name: utf8(name) }));
    }
    engine.free();
  });

  test(`${label}: one-shot calls read non-ASCII requests byte for byte`, () => {
    // The op name is echoed in the error: the bytes the library saw.
    for (const op of ['ünknown', 'x☕', 'a𝄞', 'b\uD800']) {
      const answer = JSON.parse(w.call(`{"op":"${op}"}`));
      assert.equal(answer.ok, false);
      assert.ok(answer.error.message.includes(utf8(op)), answer.error.message);
    }
  });
}
