// The package as a user installs it: package.json, the exports map for require and import by
// name, no async init, the files list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, mkdirSync, symlinkSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const pkgDir = fileURLToPath(new URL('../../wasm/pkg/', import.meta.url));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const cargo = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8');

test('package.json: version of the crate, exports for node and browser, types, files', () => {
  assert.equal(pkg.version, /^version = "(.*)"$/m.exec(cargo)[1]);
  assert.equal(pkg.exports['.'].node.require, './index.cjs');
  assert.equal(pkg.exports['.'].node.import, './index.mjs');
  assert.equal(pkg.exports['.'].browser.default, './web.js');
  assert.equal(pkg.exports['./sync'].node.require, './sync.cjs');
  assert.equal(pkg.exports['./sync'].node.import, './sync.mjs');
  assert.equal(pkg.exports['./sync'].browser.default, './sync-web.js');
  assert.equal(pkg.exports['./sync'].node.types, './sync.d.ts');
  assert.equal(pkg.types, './index.d.ts');
  for (const f of pkg.files) assert.ok(existsSync(join(pkgDir, f)), `${f} is listed but missing`);
});

test('require of the directory works with no async init', () => {
  const require = createRequire(import.meta.url);
  const w = require('../../wasm/pkg');
  assert.equal(typeof w.call('{"op":"version"}'), 'string');
});

test('require and import by package name go through the exports map', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warranty-pkg-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(pkgDir, join(dir, 'node_modules', 'warranty'), 'dir');
    writeFileSync(join(dir, 'a.cjs'), "const w = require('warranty'); console.log(w.version());\n");
    writeFileSync(join(dir, 'b.mjs'),
      "import w, { version, Engine } from 'warranty'; const e = new Engine(); e.free(); console.log(version() === w.version() ? version() : 'mismatch');\n");
    writeFileSync(join(dir, 'c.cjs'), "import('warranty').then((w) => console.log(w.version()));\n");
    writeFileSync(join(dir, 'd.cjs'),
      "const s = require('warranty/sync'); const e = new s.Engine(); e.outboxCreate({ outbox: 'o', seed: 1 }); e.free(); console.log(s.version());\n");
    writeFileSync(join(dir, 'e.mjs'),
      "import { webhookSign, version } from 'warranty/sync'; import { coverage } from 'warranty'; console.log(typeof webhookSign === 'function' && typeof coverage === 'function' ? version() : 'missing');\n");
    for (const f of ['a.cjs', 'b.mjs', 'c.cjs', 'd.cjs', 'e.mjs']) {
      assert.equal(execFileSync(process.execPath, [join(dir, f)], { cwd: dir }).toString().trim(), pkg.version, f);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
