#!/usr/bin/env node
// The installed `cepheus` command (the package's bin; in the repository npm scripts run
// src/cli.ts directly). It starts on whatever `node` is first on PATH, which on a fresh
// machine is an old one (Node 20) until a project's `npm install` brings Node 24 into
// node_modules/.bin. So: on a Node that strips types (22.18+) it runs the CLI in this process;
// `init` runs anywhere (it only writes files); otherwise it re-runs itself on the Node 24 of
// the nearest node_modules/.bin (the project's, as npm scripts would), or says what to install.
// Everything here must load on Node 18/20: node: builtins only, no TypeScript-only syntax.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const stripsTypes = (process.features as { typescript?: unknown }).typescript === 'strip' || (process.features as { typescript?: unknown }).typescript === 'transform';

/** Node binaries in node_modules/.bin of `from` and every folder above it. */
function nodesAbove(from: string): string[] {
  const out: string[] = [];
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', 'node');
    if (existsSync(candidate)) out.push(candidate);
    if (dirname(dir) === dir) return out;
  }
}

const canStrip = (node: string): boolean =>
  spawnSync(node, ['-p', 'process.features.typescript'], { encoding: 'utf8' }).stdout?.trim() === 'strip';

if (stripsTypes) {
  // kafkajs's request queue schedules negative timeouts on Node 24 (harmless, see src/cli.ts).
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name !== 'TimeoutNegativeWarning') process.stderr.write(`${w.stack ?? `${w.name}: ${w.message}`}\n`);
  });
  await import('../cli.js');
} else if (args[0] === 'init') {
  await import('./init-main.js');
} else {
  const self = fileURLToPath(import.meta.url);
  const node = process.env['CEPHEUS_RELAUNCHED'] === undefined
    ? [...nodesAbove(process.cwd()), ...nodesAbove(dirname(self))].find((n) => n !== process.execPath && canStrip(n))
    : undefined;
  if (node === undefined) {
    process.stderr.write(`CEP_ERR_NODE_VERSION: cepheus needs a Node.js that strips TypeScript types (22.18 or later; 24 recommended), and this is ${process.version}.\n` +
      '  - in a rules project: npm install --save-dev node@24 (npm scripts and npx then run on it); `cepheus init` scaffolds one that does\n' +
      '  - or install Node.js 24 and put it first on PATH\n');
    process.exit(1);
  }
  const child = spawn(node, [self, ...args], { stdio: 'inherit', env: { ...process.env, CEPHEUS_RELAUNCHED: '1' } });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}
