// What a new user runs into first, each fixed and kept fixed: a taken port names itself and how
// to change it; produce / run without a broker fail at once with what to start or set; a replay
// whose every record is invalid fails with each code once; the demo prints its URL as soon as
// the API serves and its progress while it replays, answers /readyz 503 until the replay is done,
// runs --live on a store that already holds the alerts, and keeps a rule disabled through the
// API disabled after a restart.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../../src/cli/demo.ts';
import type { DemoOptions } from '../../../src/cli/demo.ts';
import { runReplay } from '../../../src/cli/replay.ts';
import { CepError } from '../../../src/core/errors.ts';
import { checkBrokers } from '../../../src/kafka/preflight.ts';

const listening = (): Promise<Server> => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => resolve(s));
});
const freePort = async (): Promise<number> => {
  const s = await listening();
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
};
const failure = async (p: Promise<unknown>): Promise<{ code: string; message: string }> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof CepError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a CepError');
};
const demo = (data: string, o: Partial<DemoOptions> = {}): DemoOptions => ({ fixture: 'fixtures/default.avro', data, port: 0, host: '127.0.0.1', serve: true, live: 0, ...o });
const ADMIN = { authorization: 'Bearer demo-admin' };

describe('friction', () => {
  it('a taken API port names the port and how to choose another', async () => {
    const holder = await listening();
    const { port } = holder.address() as AddressInfo;
    const data = mkdtempSync(join(tmpdir(), 'cepheus-demo-'));
    expect(await failure(runDemo(demo(data, { port }), () => undefined))).toEqual({
      code: 'CEP_ERR_API_PORT_IN_USE',
      message: `CEP_ERR_API_PORT_IN_USE: port ${port} on 127.0.0.1 is already in use by another process: stop it, or choose another port with --port <n> (or CEPHEUS_API_PORT=<n>)`,
    });
    await new Promise((r) => holder.close(r));
  });

  it('produce and run check the brokers first and say what to start or set', async () => {
    const port = await freePort();
    expect(await failure(checkBrokers([`127.0.0.1:${port}`]))).toEqual({
      code: 'CEP_ERR_KAFKA_UNREACHABLE',
      message: [
        `CEP_ERR_KAFKA_UNREACHABLE: no Kafka broker answers at 127.0.0.1:${port}`,
        `  - 127.0.0.1:${port}: connection refused`,
        '  - start one (a local broker and registry: npm run kafka:start), or point kafka.brokers in the config (or CEPHEUS_KAFKA_BROKERS=host:port,...) at yours',
      ].join('\n'),
    });
    const up = await listening();
    await expect(checkBrokers([`127.0.0.1:${port}`, `127.0.0.1:${(up.address() as AddressInfo).port}`])).resolves.toBeUndefined();
    await new Promise((r) => up.close(r));
  });

  it('a replay whose every record is invalid fails, with each code once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cepheus-bad-')), 'bad.jsonl');
    writeFileSync(file, ['not json', '{"kind":"nope"}', 'also not json', '{"kind":"login"}', '[1]'].join('\n'));
    expect(await failure(runReplay(file, { rules: [], batchSize: 64, outOfOrderMs: 0, allowedLatenessMs: 0, progress: false }))).toEqual({
      code: 'CEP_ERR_INPUT_NO_EVENTS',
      message: [
        `CEP_ERR_INPUT_NO_EVENTS: every record of ${file} is invalid (5), so nothing was replayed; each code once, with its count and first example:`,
        `  - CEP_ERR_INPUT_JSON: 3 records, the first: ${file}: line 1: not valid JSON (Unexpected token 'o', "not json" is not valid JSON)`,
        `  - CEP_ERR_INPUT_FIELD_MISSING: 1 record, the first: ${file}: line 4: field 'id': missing in this login event`,
        `  - CEP_ERR_INPUT_KIND: 1 record, the first: ${file}: line 2: field 'kind': unknown kind "nope"; expected one of login | order | trade | transfer`,
      ].join('\n'),
    });
  });

  it('the demo serves and prints its URL first, is unready until the replay is done, then prints the summary', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cepheus-demo-'));
    const lines: string[] = [];
    const d = await runDemo(demo(data), (l) => lines.push(l));
    // Served before a single event was replayed: the banner is out, readiness says why not yet.
    const early = await d.app?.inject({ method: 'GET', url: '/readyz' });
    expect([early?.statusCode, early?.json()]).toEqual([503, { ready: false, reasons: ['replaying: 0 of 36,000 events (0%), 0 alerts so far from fixtures/default.avro'] }]);
    expect(lines[0]).toMatch(/^REST API and console: http:\/\/127\.0\.0\.1:0\/\?token=demo-admin/);
    await d.replayed;
    const ready = await d.app?.inject({ method: 'GET', url: '/readyz' });
    expect([ready?.statusCode, ready?.json()]).toEqual([200, { ready: true, reasons: [] }]);
    expect(lines.filter((l) => l.startsWith('replaying'))).toEqual([
      'replaying fixtures/default.avro; http://127.0.0.1:0/readyz answers 503 until it is done',
      'replaying: 9,000 of 36,000 events (25%), 7 alerts so far',
      'replaying: 18,000 of 36,000 events (50%), 17 alerts so far',
      'replaying: 27,000 of 36,000 events (75%), 24 alerts so far',
    ]);
    expect(lines.indexOf('replaying: 27,000 of 36,000 events (75%), 24 alerts so far')).toBeLessThan(lines.findIndex((l) => l.startsWith('Cepheus demo: replayed 36,000 events')));
    await d.close();
  }, 60_000);

  it('--live announces every alert on a store that already holds them, and a rule disabled through the API stays disabled after a restart', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cepheus-demo-'));
    const first = await runDemo(demo(data), () => undefined);
    await first.replayed;
    const off = await first.app?.inject({ method: 'POST', url: '/api/v1/rules/large-trade/disable', headers: ADMIN });
    expect(off?.json()).toEqual({ id: 'large-trade', enabled: false });
    await first.close();

    const lines: string[] = [];
    const live = await runDemo(demo(data, { live: 1_000_000 }), (l) => lines.push(l));
    const announced: string[] = [];
    live.bus.subscribe((a) => announced.push(a.ruleId));
    await live.replayed;
    const rules = (await live.app?.inject({ method: 'GET', url: '/api/v1/rules', headers: ADMIN }))?.json() as { items: { id: string; enabled: boolean }[] };
    expect(rules.items.filter((r) => !r.enabled).map((r) => r.id)).toEqual(['large-trade']);
    expect(lines[0]).toMatch(/^rule large-trade is disabled \(by demo-admin through the API, \d{4}-\d\d-\d\dT[\d:.]+Z\); POST \/api\/v1\/rules\/large-trade\/enable turns it back on$/);
    // 27: every alert but large-trade's three, each new to the live store.
    expect([announced.length, announced.includes('large-trade'), live.store.count()]).toEqual([27, false, 27]);
    await live.close();
  }, 60_000);
});
