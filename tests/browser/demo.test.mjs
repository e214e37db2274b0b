// The demo page in Debian's Chromium, driven by playwright-core: fill the form like a shop
// assistant and check the decision shown. Saves target/browser-demo.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

test('the warranty desk page answers a covered failure and an excluded one', async () => {
  const server = await serve(0);
  const { port } = server.address();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`http://127.0.0.1:${port}/examples/web/`);
    await page.waitForFunction(() => document.getElementById('version').textContent !== '');

    await page.selectOption('#product', { label: 'PH-43 television (Philips)' });
    await page.fill('#sold', '2025-11-28');
    await page.fill('#failed', '2026-11-20');
    await page.selectOption('#reason', 'DEFECT');
    await page.fill('#issued', '2026-11-23');
    await page.click('#go');
    await page.waitForSelector('#answer:not([hidden])');
    assert.equal(await page.textContent('#outcome'), 'Covered');
    assert.equal(await page.textContent('#expiry'), '2027-11-28T12:00:00+02:00');
    assert.equal(await page.textContent('#remaining'), '373');
    assert.match(await page.textContent('#explanation'), /Television two-year warranty until 28 Nov 2027 \(373 days left\)/);
    assert.match(await page.textContent('#policy'), /TV-2Y/);
    assert.match(await page.textContent('#replacement'), /^carry_over: new warranty 2026-11-23T12:00:00\+02:00 → 2027-12-01T12:00:00\+02:00/);
    mkdirSync('target', { recursive: true });
    await page.screenshot({ path: 'target/browser-demo.png', fullPage: true });

    await page.selectOption('#reason', 'DROP');
    await page.click('#go');
    await page.waitForFunction(() => document.getElementById('outcome').textContent === 'Not covered');
    assert.match(await page.textContent('#explanation'), /DROP/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
