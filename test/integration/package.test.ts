// The package as a user gets it: `npm pack` (of a copy of this tree, so the working tree's
// package.json is never swapped under other tests), installed into a temp folder outside the
// repository with the system's Node and npm (Node 20 on our machines: what a fresh machine has),
// then `cepheus init`, a rule added from the library, `npm install` (which brings Node 24),
// `tsc --noEmit`, `npm test`, `cepheus check` on a rule reading a field its event lacks,
// `cepheus replay` of the scaffold's fixture, a backtest and a sweep. No Kafka; the npm registry
// only for the package's dependencies.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const work = mkdtempSync(join(tmpdir(), 'cepheus-package-'));
const app = join(work, 'app');
const proj = join(app, 'surveillance');

// What a user's shell has: the system's PATH (no node_modules/.bin of ours), no npm_* variables.
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';
const userEnv = (): NodeJS.ProcessEnv => ({
  PATH: SYSTEM_PATH, HOME: process.env['HOME'] ?? work, LANG: 'C.UTF-8', TMPDIR: tmpdir(),
  ...(process.env['npm_config_cache'] === undefined ? {} : { npm_config_cache: process.env['npm_config_cache'] }),
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function sh(cmd: string, args: readonly string[], cwd: string, timeout = 240_000): Run {
  const r = spawnSync(cmd, args, { cwd, env: userEnv(), encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${String(r.status)}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

/** A copy of the tree to pack: what git would hold, node_modules linked (tsc builds dist/ from it). */
function stageCopy(): string {
  const stage = join(work, 'stage');
  const skip = new Set(['node_modules', '.git', '.run', '.cache', 'dist', 'out', 'coverage']);
  cpSync(ROOT, stage, { recursive: true, filter: (src) => !skip.has(relative(ROOT, src).split('/')[0] ?? '') && !relative(ROOT, src).startsWith('bench/results') });
  symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'));
  return stage;
}

describe('the cepheus package, installed outside the repository', () => {
  let tarball = '';

  beforeAll(() => {
    const stage = stageCopy();
    // npm pack runs prepack on the Node of our node_modules/.bin, as `npm pack` in the repo does.
    const packed = execFileSync('npm', ['pack', '--pack-destination', work, '--json'], {
      cwd: stage, encoding: 'utf8', env: { ...userEnv(), PATH: `${join(ROOT, 'node_modules', '.bin')}:${SYSTEM_PATH}` }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    tarball = join(work, (JSON.parse(packed) as { filename: string }[])[0]?.filename ?? '');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    ok(sh('npm', ['install', tarball, '--no-audit', '--no-fund'], app), 'npm install <tarball>');
  }, 240_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('says which Node it needs when the system one cannot strip types (Node 20), and runs init anyway', () => {
    const node = ok(sh('node', ['-p', 'process.version + " " + process.features.typescript'], app), 'node').stdout.trim().split(' ');
    const r = sh('npx', ['cepheus', '--version'], app);
    expect([r.status, r.stdout, r.stderr]).toEqual(node[1] === 'strip' ? [0, `${VERSION}\n`, ''] : [1, '', [
      `CEP_ERR_NODE_VERSION: cepheus needs a Node.js that strips TypeScript types (22.18 or later; 24 recommended), and this is ${node[0] ?? ''}.`,
      '  - in a rules project: npm install --save-dev node@24 (npm scripts and npx then run on it); `cepheus init` scaffolds one that does',
      '  - or install Node.js 24 and put it first on PATH', '',
    ].join('\n')]);
  });

  it('scaffolds a project with cepheus init', () => {
    const r = ok(sh('npx', ['cepheus', 'init', 'surveillance'], app), 'cepheus init');
    expect(r.stdout).toBe([
      `created surveillance (cepheus from file:../../cepheus-${VERSION}.tgz):`,
      '  package.json', '  tsconfig.json', '  README.md', '  fixtures/sample.jsonl', '  fixtures/sample.labels.json', '  .gitignore',
      '  rules/new-country-payout.test.ts', '  rules/new-country-payout.ts',
      'next: cd surveillance && npm install && npm test', '',
    ].join('\n'));
    // A rule of the user's own, built from the library.
    writeFileSync(join(proj, 'rules', 'structuring-eu.ts'), [
      "import { hours } from 'cepheus';", "import { structuring } from 'cepheus/rules';", '',
      "export default structuring({ id: 'structuring-eu', threshold: 9_000, band: 0.5, minTransfers: 1, within: hours(24) });", '',
    ].join('\n'));
    // And one that reads a field its event does not have, kept out of rules/.
    mkdirSync(join(proj, 'drafts'));
    writeFileSync(join(proj, 'drafts', 'reads-device.ts'), [
      "import { keyBy, minutes, sequence } from 'cepheus';", '',
      "const byAccount = keyBy('account', { transfer: (e) => e.account });", '',
      'export default sequence({',
      "  id: 'reads-device', version: 1, severity: 'low', description: 'a transfer from a device', key: byAccount, within: minutes(5), skip: 'no-skip',",
      "  pattern: (p) => p.begin('t', 'transfer', (e) => e.device === 'x'),",
      '});', '',
    ].join('\n'));
    ok(sh('npm', ['install', '--no-audit', '--no-fund'], proj), 'npm install in the project');
    expect(readdirSync(join(proj, 'node_modules', '.bin')).filter((b) => ['cepheus', 'node', 'tsc'].includes(b)).sort()).toEqual(['cepheus', 'node', 'tsc']);
  }, 240_000);

  it('type-checks: the scaffold with tsc --noEmit, and the declarations with a bare strict nodenext tsconfig (no @types/node, no skipLibCheck)', () => {
    const r = sh('npx', ['tsc', '--noEmit'], proj);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    writeFileSync(join(proj, 'tsconfig.standard.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true, noEmit: true, types: [] }, files: ['standard.ts'] }));
    writeFileSync(join(proj, 'standard.ts'), [
      "import { hours, keyBy, minutes, sequence } from 'cepheus';",
      "import type { AnyRule } from 'cepheus';",
      "import { alertsOf, run, transfer } from 'cepheus/testing';",
      "import { DEFAULTS, accountContext, byAccount, structuring } from 'cepheus/rules';", '',
      "const byPayee = keyBy('payee', { transfer: (e) => e.counterparty });",
      'export const rule: AnyRule = sequence({',
      "  id: 'to-payee', version: 1, severity: 'low', description: 'd', key: byPayee, within: minutes(5), skip: 'no-skip',",
      "  pattern: (p) => p.begin('t', 'transfer', (e) => e.amount > DEFAULTS.structuring.threshold),",
      '});',
      "export const digest = alertsOf(run([rule, structuring({ id: 'structuring-eu', within: hours(12) })], [transfer('a', 0)]).effects);",
      'export const shared = [byAccount, accountContext];', '',
    ].join('\n'));
    const standard = sh('npx', ['tsc', '-p', 'tsconfig.standard.json'], proj);
    expect([standard.status, standard.stdout, standard.stderr]).toEqual([0, '', '']);
  });

  it('passes npm test: the unit tests, then the rules against the labelled fixture', () => {
    const r = ok(sh('npm', ['test'], proj), 'npm test');
    expect(r.stdout).toContain('ℹ tests 2\nℹ suites 1\nℹ pass 2\nℹ fail 0\n');
    expect(r.stdout.slice(r.stdout.indexOf('PASS'))).toBe([
      'PASS new-country-payout       detected 1/1  alerts 1  precision 1.00  near misses fired 0',
      'SKIP structuring-eu           no labelled scenarios in fixtures/sample.labels.json  alerts 3', '',
    ].join('\n'));
  });

  it('refuses a rule reading a field its event lacks, with the file and line', () => {
    const r = sh('npx', ['cepheus', 'check', 'drafts'], proj);
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', [
      'CEP_ERR_RULE_TYPE: 1 type error in drafts',
      "  - drafts/reads-device.ts:7:53: TS2339 Property 'device' does not exist on type 'Transfer'.", '',
    ].join('\n')]);
    const replay = sh('npx', ['cepheus', 'replay', 'fixtures/sample.jsonl', '--rules', 'drafts'], proj);
    expect([replay.status, replay.stderr.split('\n')[0]]).toEqual([1, 'CEP_ERR_RULE_TYPE: 1 type error in rule modules; nothing was loaded (fix them, or pass --no-type-check to load unchecked)']);
  });

  it('checks the project rules, and replays the fixture finding its planted alert', () => {
    expect(ok(sh('npm', ['run', '-s', 'check'], proj), 'npm run check').stdout).toBe([
      'rules/new-country-payout.ts: new-country-payout v1 (sequence, by account)',
      'rules/structuring-eu.ts: structuring-eu v1 (threshold, by account)',
      'ok: 2 rules from 2 modules (2 type-checked) load and validate', '',
    ].join('\n'));
    const r = ok(sh('npx', ['cepheus', 'replay', 'fixtures/sample.jsonl', '--rules', 'rules', '--out', 'alerts.jsonl'], proj), 'cepheus replay');
    const summary = JSON.parse(r.stdout) as { events: number; alerts: number; scores: Record<string, unknown> };
    expect([summary.events, summary.alerts, summary.scores['new-country-payout']]).toEqual([25, 4, {
      positives: 1, detected: 1, missed: [], alerts: 1, truePositiveAlerts: 1, falsePositiveAlerts: 0, nearMissAlerts: [], precision: 1, recall: 1,
    }]);
    const alerts = readFileSync(join(proj, 'alerts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { ruleId: string; key: string; message: string; matched: { step: string; events: { event: { id: string } }[] }[] });
    expect(alerts.map((a) => ({ rule: a.ruleId, key: a.key, message: a.message, steps: a.matched.map((m) => [m.step, m.events.map((e) => e.event.id)]) }))).toEqual([
      { rule: 'new-country-payout', key: 'AC1001', message: 'AC1001: login from BR, new to the account, then 7500 EUR out 12 min later', steps: [['login', ['s-016']], ['payout', ['s-017']]] },
      { rule: 'structuring-eu', key: 'AC1001', message: 'AC1001: 1 transfers just under 9000 (total 7500) to 1 beneficiaries', steps: [['window', ['s-017']]] },
      { rule: 'structuring-eu', key: 'AC1002', message: 'AC1002: 1 transfers just under 9000 (total 8000) to 1 beneficiaries', steps: [['window', ['s-019']]] },
      { rule: 'structuring-eu', key: 'AC1005', message: 'AC1005: 1 transfers just under 9000 (total 6000) to 1 beneficiaries', steps: [['window', ['s-023']]] },
    ]);
  });

  it('backtests and sweeps in the installed package (worker threads included)', () => {
    expect(ok(sh('npm', ['run', '-s', 'backtest'], proj), 'npm run backtest').stdout).toBe([
      'backtest of fixtures/sample.jsonl against labels fixtures/sample.labels.json',
      'rule                alerts  detected  precision  recall  near misses',
      'new-country-payout       1       1/1       1.00    1.00            0',
      'structuring-eu           3         -          -       -            -', '',
    ].join('\n'));
    const r = ok(sh('npx', ['cepheus', 'backtest', 'rules', 'fixtures/sample.jsonl', '--sweep', 'structuring-eu.threshold=7000,9000', '--threads', '2'], proj), 'sweep');
    expect(r.stdout).toBe([
      'sweep of structuring-eu.threshold over fixtures/sample.jsonl against labels fixtures/sample.labels.json',
      'threshold  alerts  detected  precision  recall  near misses',
      '     7000       1         -          -       -            0',
      '     9000       3         -          -       -            0',
      'plot: sweep-structuring-eu-threshold.svg', '',
    ].join('\n'));
  });
});
