// Runs `cepheus demo` as a child process (as `npm start` does) on a free port and a fresh
// store: `ready` resolves once its API answers, `replayed` once it printed its replay summary.
// Every demo a test starts is killed when the test file ends, whatever happened.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../bench/lib/kafka-service.ts';

export interface Demo {
  readonly base: string;
  readonly data: string;
  /** The API answers /healthz (the demo listens before it replays). */
  readonly ready: Promise<void>;
  /** The replay is done (its summary was printed). */
  readonly replayed: Promise<void>;
  readonly output: () => string;
}

const running = new Set<ChildProcess>();
export function stopDemos(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}

export async function startDemo(live = 0): Promise<Demo> {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'cepheus-mcp-demo-'));
  const env = { ...process.env };
  delete env['CEPHEUS_API_TOKENS'];
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', 'src/cli.ts', 'demo', '--data', data, '--port', String(port), '--live', String(live)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  const replayed = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Cepheus demo: replayed')) resolve();
    });
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.once('exit', (code) => reject(new Error(`demo exited (${code}): ${out}`)));
  });
  replayed.catch(() => undefined);
  const base = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`demo did not listen on ${base}: ${out}`);
  })();
  return { base, data, ready, replayed, output: () => out };
}
