// The bundled rules are a public contract: their ids, versions, descriptions and the alerts
// they raise on the committed fixture (alert ids hash rule id, version and matched events)
// must not move when the library's code does. The golden files were written by the rules as
// they were before the library became factories; regenerate them only for a deliberate change
// (`cepheus replay fixtures/default.avro --out ...`, `cepheus rules --json` minus `source`).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReplay } from '../../../src/cli/replay.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';

const golden = (name: string): string => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');

describe('the bundled rules with default parameters', () => {
  it('keep their ids, versions, kinds, severities, keys, descriptions and tags', async () => {
    const rows = (await loadRules()).map(({ rule }) => ({
      id: rule.id, version: rule.version, kind: rule.kind, severity: rule.severity, key: rule.key.name, description: rule.description, tags: rule.tags ?? [],
    }));
    expect(`${JSON.stringify(rows, null, 2)}\n`).toBe(golden('bundled-rules.json'));
  });

  it('raise byte-identical alerts on fixtures/default.avro', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cepheus-golden-')), 'alerts.jsonl');
    await runReplay('fixtures/default.avro', { rules: [], out, batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    expect(readFileSync(out, 'utf8')).toBe(golden('default-alerts.jsonl'));
  });
});
