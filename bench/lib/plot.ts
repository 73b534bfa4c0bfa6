// A dependency-free SVG: latency percentiles per fixed-rate run (log scale) and throughput
// per rule count.
import type { BenchResult } from './result.ts';

const esc = (s: string): string => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);

export function plot(result: BenchResult): string {
  const W = 900;
  const H = 420;
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
  parts.push(`<text x="${x0}" y="${H - 10}" font-size="10" fill="#555">${esc(`${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}, commit ${result.machine.commit}, ${result.startedAt}`)}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
