// `cepheus replay` and `cepheus run` start with a heap limit: the process replaces itself
// (execve: same pid, same node, flags and arguments, plus the limit) unless node was given one;
// the limit follows replay's own flags; a value the launcher cannot read is left to commander.
import { describe, expect, it } from 'vitest';
import { mainHeapMb, optionValues, relaunchPlan } from '../../../src/cli/heap-launch.ts';
import type { LaunchProcess } from '../../../src/cli/heap-launch.ts';

const execve = (): never => {
  throw new Error('not in a test');
};
const proc = (args: string[], over: Partial<LaunchProcess> = {}): LaunchProcess => ({
  argv: ['/usr/bin/node', '/app/src/cli.ts', ...args], execArgv: ['--disable-warning=TimeoutNegativeWarning'], execPath: '/usr/bin/node', env: { HOME: '/h' }, execve, ...over,
});

describe('heap launch', () => {
  it('reads options in both spellings, the last one winning, and stops at --', () => {
    expect(optionValues(['replay', 'f.avro', '--max-keys', '1000', '--max-keys=2000', '--', '--max-keys', '3'], '--max-keys')).toEqual(['1000', '2000']);
    expect(optionValues(['replay', '--max-keys'], '--max-keys')).toEqual([]);
  });

  it('derives replay\'s limit from its key budget flags; run gets a fixed main-thread limit; other commands none', () => {
    expect(mainHeapMb(['replay', 'f.avro'])).toBe(1401);
    expect(mainHeapMb(['replay', 'f.avro', '--max-keys', '250000'])).toBe(829);
    expect(mainHeapMb(['replay', 'f.avro', '--max-keys=100000', '--max-keys-by-space', 'ip=250000,account=1000'])).toBe(829);
    expect(mainHeapMb(['replay', 'f.avro', '--max-keys', 'none'])).toBeUndefined();
    expect(mainHeapMb(['replay', 'f.avro', '--max-keys', 'none', '--heap-limit-mb', '3000'])).toBe(3000);
    expect(mainHeapMb(['replay', 'f.avro', '--heap-limit-mb=auto'])).toBe(1401);
    expect(mainHeapMb(['run', '--config', 'c.yaml'])).toBe(512);
    expect(['test', 'gen', 'rules', '--help'].map((c) => mainHeapMb([c]))).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('leaves values it cannot read to commander (no relaunch)', () => {
    for (const bad of [['--max-keys', 'lots'], ['--heap-limit-mb', '10'], ['--heap-limit-mb', 'x'], ['--max-keys-by-space', 'ip']]) {
      expect(mainHeapMb(['replay', 'f.avro', ...bad])).toBeUndefined();
    }
  });

  it('relaunches the same node with its flags, the limit and the same arguments, marked so it never relaunches twice', () => {
    expect(relaunchPlan(proc(['replay', 'f.avro', '--max-keys', '250000']))).toEqual({
      file: '/usr/bin/node',
      args: ['/usr/bin/node', '--disable-warning=TimeoutNegativeWarning', '--max-old-space-size=829', '/app/src/cli.ts', 'replay', 'f.avro', '--max-keys', '250000'],
      env: { HOME: '/h', CEPHEUS_HEAP_RELAUNCHED: '829' },
    });
  });

  it('gives run\'s main thread 16 MiB semi-spaces too, unless node was given a size', () => {
    expect(relaunchPlan(proc(['run', '--config', 'c.yaml']))?.args).toEqual(['/usr/bin/node', '--disable-warning=TimeoutNegativeWarning', '--max-old-space-size=512', '--max-semi-space-size=16', '/app/src/cli.ts', 'run', '--config', 'c.yaml']);
    expect(relaunchPlan(proc(['run'], { execArgv: ['--max-semi-space-size=32'] }))?.args).toEqual(['/usr/bin/node', '--max-semi-space-size=32', '--max-old-space-size=512', '/app/src/cli.ts', 'run']);
  });

  it('does not relaunch when node has a limit already, when relaunched, without execve, or for other commands', () => {
    expect(relaunchPlan(proc(['replay', 'f.avro'], { execArgv: ['--max-old-space-size=900'] }))).toBeUndefined();
    expect(relaunchPlan(proc(['run'], { env: { NODE_OPTIONS: '--max-old-space-size=900' } }))).toBeUndefined();
    expect(relaunchPlan(proc(['run'], { env: { CEPHEUS_HEAP_RELAUNCHED: '512' } }))).toBeUndefined();
    const { execve: _, ...noExecve } = proc(['run']);
    expect(relaunchPlan(noExecve)).toBeUndefined();
    expect(relaunchPlan(proc(['gen', '--out', 'x.avro']))).toBeUndefined();
  });
});
