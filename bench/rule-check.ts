// `npm run bench:rule-check`: how long type-checking the ten bundled rules takes, as a user's
// `cepheus check` (or a replay of rules given by path) pays it: each sample a fresh process
// that loads the TypeScript compiler and checks rules/*.ts with the fixed rule options
// (src/rules/type-check.ts). Beside it, for comparison, the same files through a child `tsc`
// process with the same options, the alternative the compiler API was chosen over. Prints
// medians and exits 1 when the API check's median is over the 5 s budget.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULE_COMPILER_OPTIONS, typeCheckRules } from '../src/rules/type-check.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RULES = readdirSync(join(ROOT, 'rules')).filter((f) => f.endsWith('.ts') && !f.includes('.test.')).map((f) => join(ROOT, 'rules', f));
const BUDGET_MS = 5000;
const SAMPLES = Number(process.env['SAMPLES'] ?? 5);

if (process.argv[2] === '--once') {
  const t0 = performance.now();
  const problems = await typeCheckRules(RULES);
  const ms = performance.now() - t0;
  if (problems.length > 0) throw new Error(`the bundled rules do not type-check: ${JSON.stringify(problems)}`);
  console.log(JSON.stringify({ ms }));
} else {
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const api: number[] = [];
  const tsc: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'cepheus-rule-check-'));
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({ compilerOptions: RULE_COMPILER_OPTIONS, files: RULES }));
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--once'], { encoding: 'utf8' });
    const wall = performance.now() - t0;
    api.push((JSON.parse(out) as { ms: number }).ms);
    process.stderr.write(`[rule-check] sample ${i + 1}/${SAMPLES}: API ${Math.round(api.at(-1) ?? 0)} ms in a process of ${Math.round(wall)} ms\n`);
    const t1 = performance.now();
    // Its exit status is not looked at: tsc reports on every file of the program, ours included
    // (src/core/alert.ts imports node:crypto, which `types: []` leaves undeclared).
    spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { encoding: 'utf8' });
    tsc.push(performance.now() - t1);
  }
  const result = {
    rules: RULES.length, samples: SAMPLES, budgetMs: BUDGET_MS,
    apiMedianMs: Math.round(median(api)), apiMinMs: Math.round(Math.min(...api)), apiMaxMs: Math.round(Math.max(...api)),
    childTscMedianMs: Math.round(median(tsc)),
  };
  console.log(JSON.stringify(result, null, 2));
  if (result.apiMedianMs > BUDGET_MS) {
    console.error(`rule check median ${result.apiMedianMs} ms is over the ${BUDGET_MS} ms budget`);
    process.exitCode = 1;
  }
}
