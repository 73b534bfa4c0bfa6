// The dashboard in a real headless browser (Debian's Chromium driven by playwright-core):
// it lists the stored alerts, shows an alert's chain and context on click, adds an alert that
// arrives over SSE, and renders (a screenshot is taken and checked). Under CI=true a missing
// browser fails the test; elsewhere it skips with one line.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { AlertBus } from '../../../src/store/alert-bus.ts';
import { buildApi } from '../../../src/http/server.ts';
import { runReplay } from '../../../src/cli/replay.ts';
import type { Alert } from '../../../src/core/alert.ts';
import { createEngine } from '../../../src/core/engine/index.ts';
import { LatencyRecorder } from '../../../src/metrics/latency.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import { AlertStore } from '../../../src/store/alert-store.ts';

const CHROMIUM = process.env['CEPHEUS_CHROMIUM'] ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const inCi = process.env['CI'] === 'true' || process.env['CI'] === '1';
if (!present && !inCi) console.log(`dashboard: no Chromium at ${CHROMIUM} — run scripts/ci/install-browser.sh; skipping the browser test`);

describe.runIf(present || inCi)('dashboard in headless Chromium', () => {
  let app: FastifyInstance;
  let browser: Browser;
  let store: AlertStore;
  let alerts: Alert[];
  const bus = new AlertBus();

  beforeAll(async () => {
    if (!present) throw new Error(`CI=true but no Chromium at ${CHROMIUM}; .ci/run installs it with scripts/ci/install-browser.sh`);
    alerts = (await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false })).alerts;
    store = new AlertStore(':memory:');
    store.insertAll(alerts.slice(0, 29), 1_000);
    const latency = new LatencyRecorder();
    for (const a of alerts) latency.recordRule(a.ruleId, 40);
    const engine = createEngine((await loadRules()).map((l) => l.rule));
    app = await buildApi({ store, bus, latency, tokens: { t: 'read' }, rules: { list: () => engine.rules(), setEnabled: () => true } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    store?.close();
  });

  it('lists alerts, shows a chain on click, adds a live one, and renders', async () => {
    const { port } = app.server.address() as AddressInfo;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?token=t`);
    await page.waitForSelector('#status:has-text("live")');
    expect(await page.locator('tr.alert').count()).toBe(29);
    const newest = [...alerts.slice(0, 29)].sort((a, b) => b.detectedAtEventTime - a.detectedAtEventTime || (a.id < b.id ? -1 : 1))[0] as Alert;
    expect(await page.locator('tr.alert').first().getAttribute('data-id')).toBe(newest.id);

    await page.locator('tr.alert').first().click();
    await page.waitForSelector('#chain');
    const steps = await page.locator('#chain th').allTextContents();
    expect(steps).toEqual(newest.matched.map((m) => m.step));
    expect(await page.locator('#detail').textContent()).toContain(newest.message);

    const late = alerts[29] as Alert;
    store.insert(late, 2_000);
    const { matched: _m, context: _c, aggregates: _g, ...summary } = late;
    bus.publish({ ...summary, status: 'open', storedAt: 2_000 });
    await page.waitForSelector(`tr.alert[data-id="${late.id}"]`);
    expect(await page.locator('tr.alert').count()).toBe(30);
    expect(await page.locator('#rules tr').count()).toBe(10);
    expect(await page.locator('#latency svg rect').count()).toBe(20);

    const png = await page.screenshot({ fullPage: true });
    mkdirSync('.run/screenshots', { recursive: true });
    writeFileSync('.run/screenshots/dashboard.png', png);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(30_000); // a blank page is a few KB
  }, 60_000);
});
