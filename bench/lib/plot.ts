// A dependency-free SVG. Top row, in process: latency percentiles per fixed-rate run (log
// scale) and throughput per rule count and shard workers. Bottom row, through Kafka:
// produce-to-alert latency per offered rate with its event-time floor, and sustained
// throughput against the target with where the machine's CPU went.
import type { KafkaResult } from './kafka.ts';
import type { BenchResult } from './result.ts';

const esc = (s: string): string => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);

export function plot(result: BenchResult): string {
  const W = 900;
  const H = 840;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  // Left: latency percentiles (µs, log10) for each fixed-rate scenario.
  const keys = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
  const colors = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2'];
  const x0 = 60;
  const y0 = 360;
  const h = 280;
  const maxLog = 5; // 100 ms in µs
  parts.push(`<text x="${x0}" y="30" font-size="14">Latency at fixed offered rates (µs, log)</text>`);
  for (let d = 0; d <= maxLog; d++) {
    const y = y0 - (d / maxLog) * h;
    parts.push(`<line x1="${x0}" x2="${x0 + 380}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${x0 - 8}" y="${y + 4}" text-anchor="end">1e${d}</text>`);
  }
  result.latency.forEach((l, i) => {
    const gx = x0 + 20 + i * 180;
    keys.forEach((k, j) => {
      const v = Math.max(1, l.latencyUs[k]);
      const bh = Math.max(2, (Math.min(Math.log10(v), maxLog) / maxLog) * h);
      parts.push(`<rect x="${gx + j * 28}" y="${y0 - bh}" width="24" height="${bh}" fill="${colors[j]}"><title>${k} ${v} µs</title></rect>`);
      parts.push(`<text x="${gx + j * 28 + 12}" y="${y0 + 14}" text-anchor="middle" font-size="10">${k}</text>`);
    });
    parts.push(`<text x="${gx + 70}" y="${y0 + 32}" text-anchor="middle">${esc(`${l.offeredPerSec / 1000}k/s offered`)}</text>`);
  });
  // Right: throughput by rule count.
  const sweep = [...result.throughput.filter((t) => t.name.startsWith('rules-')), ...result.throughput.filter((t) => t.name.startsWith('workers-'))];
  const rx = 520;
  const maxT = Math.max(1, ...sweep.map((t) => t.eventsPerSec));
  parts.push(`<text x="${rx}" y="30" font-size="14">Throughput: rule count, shard workers (events/s)</text>`);
  sweep.forEach((t, i) => {
    const bh = (t.eventsPerSec / maxT) * h;
    const bx = rx + 10 + i * 72;
    const worker = t.name.startsWith('workers-');
    parts.push(`<rect x="${bx}" y="${y0 - bh}" width="56" height="${bh}" fill="${worker ? '#f58518' : '#4c78a8'}"/><text x="${bx + 28}" y="${y0 - bh - 6}" text-anchor="middle" font-size="10">${Math.round(t.eventsPerSec / 1000)}k</text>`);
    parts.push(`<text x="${bx + 28}" y="${y0 + 14}" text-anchor="middle" font-size="10">${worker ? `${t.name.slice(8)} worker(s)` : `${t.rules} rules`}</text>`);
  });
  const k = result.kafka;
  if (k !== undefined) parts.push(...kafkaPanels(k, 420));
  else {
    const why = result.notMeasured.find((n) => n.scenario === 'through Kafka')?.reason ?? 'not run';
    parts.push(`<text x="${x0}" y="460" font-size="14">Through Kafka: not measured</text><text x="${x0}" y="484">${esc(why)}</text>`);
  }
  parts.push(`<text x="${x0}" y="${H - 10}" font-size="10" fill="#555">${esc(`${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}, commit ${result.machine.commit}, ${result.startedAt}`)}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

const KEYS = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
const COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2'];

/** The through-Kafka row, `top` px down. */
function kafkaPanels(k: KafkaResult, top: number): string[] {
  const parts: string[] = [];
  const x0 = 60;
  const y0 = top + 340;
  const h = 280;
  const maxLog = 7; // 10 s in µs
  parts.push(`<text x="${x0}" y="${top + 30}" font-size="14">Through Kafka: produce-to-alert latency (µs, log)</text>`);
  parts.push(`<text x="${x0}" y="${top + 46}" font-size="10" fill="#555">grey inside each bar: the event-time floor at the same percentile</text>`);
  for (let d = 0; d <= maxLog; d++) {
    const y = y0 - (d / maxLog) * h;
    parts.push(`<line x1="${x0}" x2="${x0 + 380}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${x0 - 8}" y="${y + 4}" text-anchor="end">1e${d}</text>`);
  }
  const barH = (v: number): number => Math.max(2, (Math.min(Math.log10(Math.max(1, v)), maxLog) / maxLog) * h);
  k.latency.forEach((l, i) => {
    const gx = x0 + 20 + i * 180;
    KEYS.forEach((key, j) => {
      const v = l.latencyUs[key];
      const f = l.eventTimeFloorUs[key];
      parts.push(`<rect x="${gx + j * 28}" y="${y0 - barH(v)}" width="24" height="${barH(v)}" fill="${COLORS[j]}"><title>${key} ${v} µs</title></rect>`);
      parts.push(`<rect x="${gx + j * 28 + 8}" y="${y0 - barH(f)}" width="8" height="${barH(f)}" fill="#555"><title>event-time floor ${key} ${f} µs</title></rect>`);
      parts.push(`<text x="${gx + j * 28 + 12}" y="${y0 + 14}" text-anchor="middle" font-size="10">${key}</text>`);
    });
    parts.push(`<text x="${gx + 70}" y="${y0 + 32}" text-anchor="middle">${esc(`${l.offeredPerSec / 1000}k/s offered, ${l.measured} alerts`)}</text>`);
  });
  // Right: sustained events/s against the target, and the machine's cores by where they went.
  const t = k.throughput;
  const rx = 520;
  parts.push(`<text x="${rx}" y="${top + 30}" font-size="14">Through Kafka: sustained throughput, CPU (cores)</text>`);
  const maxT = Math.max(t.target.eventsPerSec * 1.2, t.eventsPerSec);
  const bh = (t.eventsPerSec / maxT) * h;
  const ty = y0 - (t.target.eventsPerSec / maxT) * h;
  parts.push(`<rect x="${rx + 10}" y="${y0 - bh}" width="70" height="${bh}" fill="${t.target.met ? '#54a24b' : '#e45756'}"/><text x="${rx + 45}" y="${y0 - bh - 6}" text-anchor="middle" font-size="10">${Math.round(t.eventsPerSec / 1000)}k/s</text>`);
  parts.push(`<line x1="${rx}" x2="${rx + 90}" y1="${ty}" y2="${ty}" stroke="#333" stroke-dasharray="4 3"/><text x="${rx + 92}" y="${ty + 4}" font-size="10">target ${t.target.eventsPerSec / 1000}k</text>`);
  parts.push(`<text x="${rx + 45}" y="${y0 + 14}" text-anchor="middle" font-size="10">${t.shards} shard(s)</text>`);
  const c = t.cpu;
  const shards = c.shardThreadsMs?.reduce((a, b) => a + b, 0) ?? null;
  const known = c.mainThreadMs + (shards ?? 0) + (c.v8HelpersMs ?? 0);
  const slices: [string, number | null, string][] = [
    ['main thread (Kafka client)', c.mainThreadMs, '#4c78a8'],
    ['shards (engine)', shards, '#f58518'],
    ['V8 helpers (GC, JIT)', c.v8HelpersMs, '#72b7b2'],
    ['rest of process', Math.max(0, c.processMs - known), '#bab0ac'],
    ['outside (broker, ...)', c.outsideProcessMs, '#9d755d'],
  ];
  const cores = c.machineCapacityMs === null ? 2 : c.machineCapacityMs / Math.max(1, c.wallMs);
  let y = y0;
  const sx = rx + 165;
  slices.forEach(([label, v, color], i) => {
    if (v === null) return;
    const sh = (v / Math.max(1, c.wallMs) / cores) * h;
    y -= sh;
    parts.push(`<rect x="${sx}" y="${y}" width="44" height="${sh}" fill="${color}"><title>${esc(label)}: ${v} ms</title></rect>`);
    parts.push(`<rect x="${sx + 56}" y="${top + 70 + i * 18}" width="10" height="10" fill="${color}"/><text x="${sx + 70}" y="${top + 79 + i * 18}" font-size="10">${esc(`${label} ${(v / Math.max(1, c.wallMs)).toFixed(2)}`)}</text>`);
  });
  parts.push(`<line x1="${sx - 4}" x2="${sx + 48}" y1="${y0 - h}" y2="${y0 - h}" stroke="#333"/><text x="${sx + 22}" y="${y0 - h - 6}" text-anchor="middle" font-size="10">${cores.toFixed(0)} cores</text>`);
  parts.push(`<text x="${sx + 22}" y="${y0 + 14}" text-anchor="middle" font-size="10">cores busy</text>`);
  return parts;
}
