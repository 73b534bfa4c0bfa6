// One in-process scenario of one checkout, as a child process: `--against` runs this for the
// working tree and for the other ref's copy alternately (against.ts), so both are measured in
// the same time window, each with its own engine, decoder and bench harness
// (<root>/bench/lib/scenarios.ts), on the same input bytes. Prints one JSON line.
//
//   node --expose-gc bench/lib/probe.ts <root> <scenario> <input> [rate]
//
// Scenarios: max-throughput | rules-1 | rules-10 | fixed-<n>k | state-idle-accounts, over
// the framed values (input.ts) as u32 little-endian length + bytes; replay-jsonl |
// replay-avro: `<root>/src/cli.ts replay <input>` end to end (its summary's events/s), over
// an event file of that format.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Rule = { readonly id: string };
interface Scenarios {
  maxThroughput(name: string, rules: readonly Rule[], input: readonly Buffer[], runs?: number): Promise<{ eventsPerSec: number; alerts: number }>;
  fixedRate(name: string, rules: readonly Rule[], input: readonly Buffer[], rate: number): Promise<{ achievedPerSec: number; latencyUs: Record<string, number> }>;
  stateBytes(rules: readonly Rule[], accounts: number): { bytesPerAccount: number };
  cloneRules(rules: readonly Rule[], n: number): Rule[];
}

const [root, scenario, inputFile, extra] = process.argv.slice(2) as [string, string, string, string | undefined];
const load = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(join(root, rel)).href)) as T;

function readValues(file: string): Buffer[] {
  const all = readFileSync(file);
  const out: Buffer[] = [];
  for (let at = 0; at < all.length;) {
    const n = all.readUInt32LE(at);
    out.push(all.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return out;
}

if (scenario.startsWith('replay-')) {
  const out = execFileSync(process.execPath, [join(root, 'src/cli.ts'), 'replay', inputFile, '--no-progress'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const summary = JSON.parse(out) as { eventsPerSec: number; events: number; alerts: number };
  process.stdout.write(`${JSON.stringify({ eventsPerSec: summary.eventsPerSec, events: summary.events, alerts: summary.alerts })}\n`);
  process.exit(0);
}
const s = await load<Scenarios>('bench/lib/scenarios.ts');
const { loadRules } = await load<{ loadRules: () => Promise<{ rule: Rule }[]> }>('src/rules/load-rules.ts');
const rules = (await loadRules()).map((l) => l.rule);
const values = scenario === 'state-idle-accounts' ? [] : readValues(inputFile);
let out: unknown;
if (scenario === 'max-throughput') {
  // Also per CPU second of this thread: other processes' load takes wall time, not this.
  const cpu0 = process.threadCpuUsage();
  const r = await s.maxThroughput(scenario, rules, values);
  const cpu = process.threadCpuUsage(cpu0);
  out = { ...r, cpuEventsPerSec: Math.round((3 * values.length) / ((cpu.user + cpu.system) / 1e6)) };
}
else if (/^rules-\d+$/.test(scenario)) {
  const n = Number(scenario.slice(6));
  out = await s.maxThroughput(scenario, s.cloneRules(rules, n), values.slice(0, n === 100 ? 100_000 : 200_000), 1);
} else if (/^fixed-\d+k$/.test(scenario)) {
  const rate = Number(scenario.slice(6, -1)) * 1000;
  out = await s.fixedRate(scenario, rules, values.slice(0, rate * 5), rate);
} else if (scenario === 'state-idle-accounts') out = s.stateBytes(rules, Number(extra ?? 1_000_000));
else throw new Error(`unknown scenario ${scenario}`);
process.stdout.write(`${JSON.stringify(out, (k, v: unknown) => (k === 'histogram' ? undefined : v))}\n`);
