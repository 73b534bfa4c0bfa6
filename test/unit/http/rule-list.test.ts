// GET /api/v1/rules speaks for the rules that run: a rule deployed after start (no module of
// the config's) still has its description and severity; candidates in shadow are listed apart.
import { expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine/index.ts';
import { buildApi } from '../../../src/http/server.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import { AlertStore } from '../../../src/store/alert-store.ts';

it('a deployed rule has its own description and severity; shadows are listed under shadows', async () => {
  const live = createEngine((await loadRules(['test/rules/bundles/transfer-burst.ts'])).map((l) => l.rule));
  const candidate = createEngine((await loadRules(['test/rules/bundles/transfer-burst-v2.ts'])).map((l) => l.rule));
  const store = new AlertStore(':memory:');
  const app = await buildApi({
    store, tokens: { 'r-token': 'read' }, healthSampleMs: 0, ruleModules: [],
    rules: { list: () => live.rules(), shadows: () => candidate.rules(), setEnabled: () => false },
  });
  const body = (await app.inject({ method: 'GET', url: '/api/v1/rules', headers: { authorization: 'Bearer r-token' } })).json() as { items: Record<string, unknown>[]; shadows: Record<string, unknown>[] };
  expect(body.items.map((r) => [r['id'], r['version'], r['severity'], r['description']])).toEqual([['transfer-burst', 1, 'medium', 'at least 2 outbound transfers within 6 hours']]);
  expect(body.shadows).toEqual([{ id: 'transfer-burst', version: 2, kind: 'threshold', eventsSeen: 0, alerts: 0, errors: 0, overflowDropped: 0, stateKeys: 0, partialMatches: 0 }]);
  await app.close();
  store.close();
});
