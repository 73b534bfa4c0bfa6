// The trade-off of a sweep as an SVG: precision and recall (left axis, 0..1) and alerts (bars,
// right axis) against the swept parameter. Plain SVG 1.1, no script, deterministic: the same
// rows give the same bytes.
import type { SweepRow } from './sweep.ts';

const W = 720;
const H = 400;
const L = 64;
const R = 64;
const T = 48;
const B = 56;
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f = (n: number): string => String(Math.round(n * 10) / 10);

/** Chart of `rows` (in value order) for `<rule>.<param>`. */
export function sweepPlot(title: string, param: string, rows: readonly SweepRow[]): string {
  const pw = W - L - R;
  const ph = H - T - B;
  const n = rows.length;
  const barW = Math.max(2, Math.min(24, (pw / Math.max(1, n)) * 0.5));
  const pad = barW;
  const x = (i: number): number => L + pad + (n === 1 ? (pw - 2 * pad) / 2 : (i * (pw - 2 * pad)) / (n - 1));
  const y = (v: number): number => T + ph - v * ph;
  const maxAlerts = Math.max(1, ...rows.map((r) => r.alerts));
  const ya = (a: number): number => T + ph - (a / maxAlerts) * ph;
  const line = (key: 'precision' | 'recall'): string =>
    rows.map((r, i) => (r[key] === null ? undefined : `${f(x(i))},${f(y(r[key]))}`)).filter((p) => p !== undefined).join(' ');
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${L}" x2="${W - R}" y1="${f(y(t))}" y2="${f(y(t))}" stroke="#ddd"/>`, `<text x="${L - 8}" y="${f(y(t) + 4)}" text-anchor="end">${t.toFixed(2)}</text>`);
  }
  for (const a of new Set([0, 0.25, 0.5, 0.75, 1].map((t) => Math.round(t * maxAlerts)))) {
    out.push(`<text x="${W - R + 8}" y="${f(ya(a) + 4)}" fill="#888">${a}</text>`);
  }
  rows.forEach((r, i) => {
    out.push(`<rect class="alerts" x="${f(x(i) - barW / 2)}" y="${f(ya(r.alerts))}" width="${f(barW)}" height="${f(T + ph - ya(r.alerts))}" fill="#ccc"><title>${r.value}: ${r.alerts} alerts</title></rect>`);
    out.push(`<text x="${f(x(i))}" y="${T + ph + 18}" text-anchor="middle">${r.value}</text>`);
  });
  out.push(
    `<polyline class="precision" points="${line('precision')}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    `<polyline class="recall" points="${line('recall')}" fill="none" stroke="#d62728" stroke-width="2"/>`,
    `<text x="${L + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(param)}</text>`,
    `<text x="16" y="${T + ph / 2}" text-anchor="middle" transform="rotate(-90 16 ${T + ph / 2})">precision / recall</text>`,
    `<text x="${W - 16}" y="${T + ph / 2}" text-anchor="middle" fill="#888" transform="rotate(90 ${W - 16} ${T + ph / 2})">alerts</text>`,
    `<g transform="translate(${L + 8},${T + 8})"><rect width="12" height="3" y="4" fill="#1f77b4"/><text x="18" y="10">precision</text>`,
    `<rect x="90" width="12" height="3" y="4" fill="#d62728"/><text x="108" y="10">recall</text><rect x="160" width="12" height="10" fill="#ccc"/><text x="178" y="10">alerts</text></g>`,
    '</svg>',
    '',
  );
  return out.join('\n');
}
