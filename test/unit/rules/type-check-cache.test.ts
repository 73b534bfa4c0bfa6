// A shard worker loading the rules its service already checked does not check them again
// (the main thread's result reaches workers started after it), unless a file changed since.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { checkedBefore, typeCheckRules } from '../../../src/rules/type-check.ts';

mkdirSync('.run', { recursive: true });
const dir = mkdtempSync(join(process.cwd(), '.run', 'type-check-cache-'));
const file = join(dir, 'rule.ts');
writeFileSync(file, "import { bruteForce } from 'cepheus/rules';\n\nexport default bruteForce({ id: 'bf' });\n");

/** Asks a new worker thread whether `file` counts as checked there. */
function inWorker(): Promise<boolean> {
  const url = new URL('../../../src/rules/type-check.ts', import.meta.url).href;
  const code = `import('${url}').then((m) => require('node:worker_threads').parentPort.postMessage(m.checkedBefore([${JSON.stringify(file)}])));`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once('message', (m: boolean) => void w.terminate().then(() => resolve(m)));
    w.once('error', reject);
  });
}

describe('type-check results reach worker threads', () => {
  it('counts a file checked clean here as checked in a worker started afterwards, until it changes', async () => {
    expect([checkedBefore([file]), await inWorker()]).toEqual([false, false]);
    expect(await typeCheckRules([file])).toEqual([]);
    expect([checkedBefore([file]), await inWorker()]).toEqual([true, true]);
    writeFileSync(file, "import { bruteForce } from 'cepheus/rules';\n\nexport default bruteForce({ id: 'bf2' });\n");
    expect([checkedBefore([file]), await inWorker()]).toEqual([false, false]);
  });
});
