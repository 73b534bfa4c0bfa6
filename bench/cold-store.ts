// `node bench/cold-store.ts`: what a disk-backed store for evicted ("cold") keys would cost
// per key, measured before deciding whether to build one. Each stored value is what an
// evicted key would need to come back exactly: its last event time and its contexts
// (the bundled account context, v8-serialized, as a snapshot stores them).
//
// Stores: node:sqlite (built into Node 24; WAL, one table keyed by (space, key), one
// transaction per eviction batch) and, when it can be imported, the `lmdb` package from npm
// (`--lmdb <dir with node_modules/lmdb>`; not a dependency of Cepheus). Per store:
//   put:  batches of `--batch` keys (the size of an eviction batch at the default budget),
//         µs per key and the whole batch's stall;
//   get:  a key that is there (a returning account), and one that is not (a new account:
//         in a key explosion, every event) with and without an in-memory Bloom filter;
// percentiles from HDR histograms, in µs. The result goes to bench/results/memory/.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { deserialize, serialize } from 'node:v8';
import { Command } from 'commander';
import * as hdr from 'hdr-histogram-js';
import { machineInfo } from './lib/machine.ts';

const log = (s: string): void => {
  process.stderr.write(`[cold-store] ${s}\n`);
};

/** An account's context as the bundled rules fold it, after a few logins and trades. */
function value(i: number): Uint8Array {
  return serialize({
    lastSeen: 1_767_571_200_000 + i * 10,
    ctx: [{ knownDevices: [`d${i}`, `d${i + 1}`], countries: ['GB'], lastLoginTs: 1_767_571_200_000 + i, lastActivityTs: 1_767_571_200_000 + i * 10, tradeCount: i % 50, ewmaNotional: 12_345.5 + i }],
  });
}

interface Store {
  readonly name: string;
  putBatch(keys: readonly string[], values: readonly Uint8Array[]): void;
  get(key: string): Uint8Array | undefined;
  close(): void;
}

function sqliteStore(dir: string): Store {
  const db = new DatabaseSync(join(dir, 'cold.db'));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;');
  db.exec('CREATE TABLE IF NOT EXISTS cold (space TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (space, key)) WITHOUT ROWID');
  const put = db.prepare('INSERT OR REPLACE INTO cold (space, key, value) VALUES (?, ?, ?)');
  const get = db.prepare('SELECT value FROM cold WHERE space = ? AND key = ?');
  return {
    name: 'node:sqlite',
    putBatch(keys, values) {
      db.exec('BEGIN');
      for (let i = 0; i < keys.length; i++) put.run('account', keys[i] as string, values[i] as Uint8Array);
      db.exec('COMMIT');
    },
    get(key) {
      const row = get.get('account', key) as { value: Uint8Array } | undefined;
      return row?.value;
    },
    close: () => db.close(),
  };
}

interface LmdbDb { transactionSync(f: () => void): void; putSync(k: string, v: Uint8Array): void; getBinary(k: string): Uint8Array | undefined; close(): Promise<void> }

async function lmdbStore(dir: string, from: string): Promise<Store> {
  const mod = (await import(join(from, 'node_modules/lmdb/dist/index.cjs'))) as { open: (o: object) => LmdbDb };
  const db = mod.open({ path: join(dir, 'cold.lmdb'), encoding: 'binary', noSync: true, mapSize: 2 ** 34 });
  return {
    name: 'lmdb',
    putBatch(keys, values) {
      db.transactionSync(() => {
        for (let i = 0; i < keys.length; i++) db.putSync(`account\u0000${keys[i] as string}`, values[i] as Uint8Array);
      });
    },
    get: (key) => db.getBinary(`account\u0000${key}`),
    close: () => void db.close(),
  };
}

/** A Bloom filter over the stored keys: 10 bits and 7 hashes per key (~1 % false positives). */
class Bloom {
  private readonly bits: Uint32Array;
  private readonly m: number;
  constructor(n: number) {
    this.m = Math.max(64, n * 10);
    this.bits = new Uint32Array(Math.ceil(this.m / 32));
  }
  private hashes(key: string): [number, number] {
    let a = 0x811c9dc5;
    let b = 0x9e3779b1;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    return [a >>> 0, (b >>> 0) | 1];
  }
  add(key: string): void {
    const [a, b] = this.hashes(key);
    for (let k = 0; k < 7; k++) {
      const bit = (a + k * b) % this.m;
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31));
    }
  }
  has(key: string): boolean {
    const [a, b] = this.hashes(key);
    for (let k = 0; k < 7; k++) {
      const bit = (a + k * b) % this.m;
      if (((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

const pct = (h: hdr.Histogram): Record<string, number> => {
  const r = (v: number): number => Math.round(v * 100) / 100;
  return { p50: r(h.getValueAtPercentile(50) / 100), p99: r(h.getValueAtPercentile(99) / 100), p999: r(h.getValueAtPercentile(99.9) / 100), max: r(h.maxValue / 100), mean: r(h.mean / 100) };
};
/** Histograms in units of 10 ns. */
const histogram = (): hdr.Histogram => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 100_000_000, numberOfSignificantValueDigits: 3 });

async function measure(store: Store, keys: number, batch: number, gets: number): Promise<Record<string, unknown>> {
  const putKey = histogram();
  const putBatch = histogram();
  const bloom = new Bloom(keys);
  const t0 = performance.now();
  for (let from = 0; from < keys; from += batch) {
    const ks: string[] = [];
    const vs: Uint8Array[] = [];
    for (let i = from; i < Math.min(keys, from + batch); i++) {
      ks.push(`F${i}`);
      vs.push(value(i));
      bloom.add(`F${i}`);
    }
    const s = performance.now();
    store.putBatch(ks, vs);
    const us = (performance.now() - s) * 1000;
    putBatch.recordValue(Math.max(1, Math.round(us * 100)));
    putKey.recordValue(Math.max(1, Math.round((us / ks.length) * 100)));
    if (from % (batch * 2000) === 0) log(`${store.name}: ${from.toLocaleString('en')} keys stored`);
  }
  const loadSec = (performance.now() - t0) / 1000;
  const hit = histogram();
  const miss = histogram();
  const missBloom = histogram();
  let x = 12345;
  for (let i = 0; i < gets; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const k = `F${x % keys}`;
    let s = performance.now();
    const v = store.get(k);
    if (v === undefined) throw new Error(`lost ${k}`);
    deserialize(v);
    hit.recordValue(Math.max(1, Math.round((performance.now() - s) * 100_000)));
    const absent = `N${x}`;
    s = performance.now();
    if (store.get(absent) !== undefined) throw new Error('phantom');
    miss.recordValue(Math.max(1, Math.round((performance.now() - s) * 100_000)));
    s = performance.now();
    if (bloom.has(absent) && store.get(absent) !== undefined) throw new Error('phantom');
    missBloom.recordValue(Math.max(1, Math.round((performance.now() - s) * 100_000)));
  }
  return {
    store: store.name, keys, batch, loadSec: Math.round(loadSec), valueBytes: value(keys >> 1).byteLength,
    putUsPerKey: pct(putKey), putBatchUs: pct(putBatch), getHitUs: pct(hit), getMissUs: pct(miss), getMissWithBloomUs: pct(missBloom), bloomMiB: Math.round((keys * 10) / 8 / 2 ** 20),
  };
}

async function main(o: { keys: number; batch: number; gets: number; dir: string; lmdb?: string; out?: string }): Promise<void> {
  const results: Record<string, unknown>[] = [];
  const makers: [string, (d: string) => Promise<Store>][] = [['sqlite', async (d) => sqliteStore(d)]];
  if (o.lmdb !== undefined) makers.push(['lmdb', (d) => lmdbStore(d, o.lmdb as string)]);
  for (const [name, make] of makers) {
    const dir = join(o.dir, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const store = await make(dir);
    try {
      const r = await measure(store, o.keys, o.batch, o.gets);
      log(JSON.stringify(r));
      results.push(r);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  mkdirSync('bench/results/memory', { recursive: true });
  const out = o.out ?? join('bench/results/memory', `cold-store-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify({ format: 1, bench: 'cold-store', startedAt: new Date().toISOString(), machine: machineInfo(), results }, null, 2)}\n`);
  log(`result: ${out}`);
}

await new Command('cold-store')
  .description('get/put cost per key of a disk-backed store for evicted keys (node:sqlite; lmdb when given)')
  .option('--keys <n>', 'keys stored', (v) => Number(v), 2_000_000)
  .option('--batch <n>', 'keys per put transaction (an eviction batch)', (v) => Number(v), 977)
  .option('--gets <n>', 'gets of each kind', (v) => Number(v), 200_000)
  .option('--dir <dir>', 'scratch directory (deleted after)', '.run/cold-store')
  .option('--lmdb <dir>', 'a directory whose node_modules holds the lmdb package (npm install lmdb there)')
  .option('--out <file>', 'result file (default bench/results/memory/cold-store-<stamp>.json)')
  .action(main)
  .parseAsync();
