// The layout holds: no import cycles in src/, the pure core imports only itself and the event
// types, adapters (kafka, io, store, config, metrics) never import the orchestrators (service,
// workers, cli) or the HTTP server, the MCP layer serves whatever runs (never imports the
// service, workers or CLI), and no file grows past 400 lines.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

/** Relative imports of a file (static, re-exports and dynamic), as paths under src/. */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => (m[1] ?? m[2]) as string);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(SRC, resolve(dirname(file), s)));
}

const graph = new Map(files(SRC).map((f) => [relative(SRC, f), importsOf(f, readFileSync(f, 'utf8'))]));
const area = (path: string): string => (path.includes('/') ? path.slice(0, path.indexOf('/')) : path.replace(/\.ts$/, ''));

/** Strongly connected components with more than one file (Tarjan). */
function cycles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      for (let w = stack.pop() as string; ; w = stack.pop() as string) {
        on.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...g.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

const violations = (from: readonly string[], forbidden: readonly string[]): string[] =>
  [...graph].flatMap(([f, deps]) => (from.includes(area(f)) ? deps.filter((d) => forbidden.includes(area(d))).map((d) => `${f} -> ${d}`) : []));

describe('source layout', () => {
  it('reads every file under src/', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('service/service.ts')).toContain('config/inputs.ts');
  });

  it('has no import cycles', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('keeps the core pure: src/core imports only src/core and src/events', () => {
    expect([...graph].flatMap(([f, deps]) => (area(f) === 'core' ? deps.filter((d) => !['core', 'events'].includes(area(d))).map((d) => `${f} -> ${d}`) : []))).toEqual([]);
  });

  it('keeps every file under 400 lines', () => {
    const long = files(SRC).map((f) => [relative(SRC, f), readFileSync(f, 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  it('keeps adapters free of orchestrators', () => {
    expect(violations(['kafka', 'io', 'store', 'config', 'metrics', 'events'], ['service', 'workers', 'cli', 'http', 'cli.ts'])).toEqual([]);
    expect(violations(['http'], ['service', 'workers', 'cli', 'cli.ts'])).toEqual([]);
    expect(violations(['workers'], ['service', 'cli', 'http', 'cli.ts'])).toEqual([]);
    expect(violations(['mcp'], ['service', 'workers', 'cli', 'cli.ts'])).toEqual([]);
  });
});
