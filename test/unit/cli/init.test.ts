// `cepheus init`: the files it writes (whole package.json and tsconfig.json), where the new
// project gets Cepheus from, that it never overwrites, and that the scaffold's example rule
// finds the planted scenario of its fixture and nothing else.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cepheusSpec, initProject } from '../../../src/cli/init.ts';
import { runReplay } from '../../../src/cli/replay.ts';
import { RULE_COMPILER_OPTIONS } from '../../../src/rules/type-check.ts';

const own = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const tmp = mkdtempSync(join(tmpdir(), 'cepheus-init-'));

describe('cepheus init', () => {
  it('writes a module project with the scripts, the example rule, its test and a labelled fixture', () => {
    const r = initProject('My Rules', '../cepheus-0.1.0.tgz', tmp);
    expect(r).toEqual({
      dir: join(tmp, 'My Rules'), cepheus: 'file:../../cepheus-0.1.0.tgz',
      files: ['package.json', 'tsconfig.json', 'README.md', 'fixtures/sample.jsonl', 'fixtures/sample.labels.json', '.gitignore', 'rules/new-country-payout.test.ts', 'rules/new-country-payout.ts'],
    });
    const read = (f: string): unknown => JSON.parse(readFileSync(join(r.dir, f), 'utf8'));
    expect(read('package.json')).toEqual({
      name: 'my-rules', version: '0.1.0', private: true, type: 'module', description: 'Surveillance rules for Cepheus',
      scripts: {
        test: "node --test 'rules/**/*.test.ts' && cepheus test rules --fixture fixtures/sample.jsonl",
        check: 'cepheus check rules', replay: 'cepheus replay fixtures/sample.jsonl --rules rules', backtest: 'cepheus backtest rules fixtures/sample.jsonl',
      },
      dependencies: { cepheus: 'file:../../cepheus-0.1.0.tgz' },
      devDependencies: { '@types/node': own.devDependencies['@types/node'], node: own.devDependencies['node'], typescript: own.dependencies['typescript'] },
      allowScripts: { node: true, protobufjs: false },
    });
    expect(read('tsconfig.json')).toEqual({ compilerOptions: { ...RULE_COMPILER_OPTIONS, types: ['node'] }, include: ['rules'] });
    expect(readFileSync(join(r.dir, 'rules/new-country-payout.ts'), 'utf8')).toBe(readFileSync('scaffold/rules/new-country-payout.ts', 'utf8'));
    expect(readFileSync(join(r.dir, '.gitignore'), 'utf8')).toBe('node_modules/\nsweep-*.svg\nalerts.jsonl\n');
  });

  it('never overwrites a file', () => {
    mkdirSync(join(tmp, 'taken', 'rules'), { recursive: true });
    writeFileSync(join(tmp, 'taken', 'rules', 'new-country-payout.ts'), 'mine');
    expect(() => initProject('taken', '^0.1.0', tmp)).toThrow(`CEP_ERR_INIT_TARGET: ${join(tmp, 'taken')} already has rules/new-country-payout.ts; pick a new or empty folder`);
  });

  it('takes Cepheus from where the installing project did, else the registry; a clone must be packed first', () => {
    const app = join(tmp, 'app');
    mkdirSync(join(app, 'node_modules', 'cepheus'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ dependencies: { cepheus: 'file:cepheus-0.1.0.tgz' } }));
    expect(cepheusSpec(join(app, 'rules'), undefined, app, join(app, 'node_modules', 'cepheus'))).toBe('file:../cepheus-0.1.0.tgz');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ dependencies: { cepheus: '^0.1.0' } }));
    expect(cepheusSpec(join(tmp, 'elsewhere'), undefined, app, join(app, 'node_modules', 'cepheus'))).toBe('^0.1.0');
    expect(cepheusSpec(join(tmp, 'x'), 'https://example.com/cepheus.tgz', tmp)).toBe('https://example.com/cepheus.tgz');
    expect(() => cepheusSpec(join(tmp, 'x'), undefined, tmp, join(tmp, 'clone'))).toThrow(
      `CEP_ERR_CLI_ARG: this cepheus runs from a clone (${join(tmp, 'clone')}), which a project cannot install as is; pack it (npm pack) and pass the tarball: cepheus init x --cepheus clone/cepheus-${own.version}.tgz`);
  });

  it("scaffolds a fixture whose planted scenario the example rule detects, with no near miss firing", async () => {
    const { summary } = await runReplay('scaffold/fixtures/sample.jsonl', { rules: ['scaffold/rules'], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    expect([summary.events, summary.alerts, summary.scores]).toEqual([25, 1, {
      'new-country-payout': { positives: 1, detected: 1, missed: [], alerts: 1, truePositiveAlerts: 1, falsePositiveAlerts: 0, nearMissAlerts: [], precision: 1, recall: 1 },
    }]);
  });
});
