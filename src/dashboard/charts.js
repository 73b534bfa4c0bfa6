// Charts of the health view, drawn by uPlot (the `uPlot` global of /vendor/uplot.js): time
// series, and latency heatmaps (one column per sample interval, one row per Prometheus bucket,
// the cell's shade the count), which uPlot draws through a custom `paths` hook.
const PALETTE = ['#3182bd', '#e6550d', '#31a354', '#756bb1', '#d6616b', '#8c6d31', '#17becf', '#bcbd22', '#7f7f7f', '#e377c2'];

const compact = (v) => (v === null ? '' : Math.abs(v) >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : Math.abs(v) >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : String(Math.round(v * 100) / 100));
const seconds = (v) => (v === null ? '' : v >= 86_400 ? `${(v / 86_400).toFixed(1)}d` : v >= 3600 ? `${(v / 3600).toFixed(1)}h` : v >= 60 ? `${(v / 60).toFixed(1)}m` : `${Math.round(v * 10) / 10}s`);
const width = (el) => Math.max(320, el.clientWidth - 8);

/** Series over time: `times` in ms, each series `{ label, values, scale? }`. */
export function lineChart(el, times, series, o = {}) {
  const scales = { x: { time: true } };
  const axes = [{}];
  for (const s of series) {
    const key = s.scale ?? 'y';
    if (scales[key] === undefined) {
      scales[key] = { auto: true };
      axes.push({ scale: key, side: axes.length === 1 ? 3 : 1, size: 64, values: (_u, ticks) => ticks.map(s.unit === 'seconds' ? seconds : compact) });
    }
  }
  return new uPlot({
    width: width(el), height: o.height ?? 220, scales, axes,
    series: [{}, ...series.map((s, i) => ({ label: s.label, scale: s.scale ?? 'y', stroke: PALETTE[i % PALETTE.length], width: 1.5, points: { show: times.length < 40 }, ...(o.stepped ? { paths: uPlot.paths.stepped({ align: 1 }) } : {}) }))],
    legend: { live: false },
  }, [times.map((t) => t / 1000), ...series.map((s) => s.values)], el);
}

const boundLabel = (b) => (b === undefined ? '+Inf' : b < 0.001 ? `${Math.round(b * 1e6 * 10) / 10}µs` : b < 1 ? `${Math.round(b * 1e4) / 10}ms` : `${b}s`);

/** A heatmap: `matrix[t][b]` observations in bucket b (upper bound `bounds[b]`, the last +Inf) during the interval ending at times[t]. */
export function heatmap(el, times, matrix, bounds, intervalMs) {
  const rows = bounds.length + 1;
  const used = matrix.flatMap((col) => col.map((c, b) => (c > 0 ? b : -1))).filter((b) => b >= 0);
  const lo = used.length === 0 ? 0 : Math.max(0, Math.min(...used) - 1);
  const hi = used.length === 0 ? rows : Math.min(rows, Math.max(...used) + 2);
  const max = Math.max(1, ...matrix.flat());
  const draw = (u) => {
    const ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    const xs = times.map((t) => u.valToPos(t / 1000, 'x', true));
    const step = u.valToPos((times[0] + intervalMs) / 1000, 'x', true) - xs[0];
    matrix.forEach((col, t) => col.forEach((c, b) => {
      if (c <= 0 || b < lo || b >= hi) return;
      const y0 = u.valToPos(b + 1, 'y', true);
      const y1 = u.valToPos(b, 'y', true);
      ctx.fillStyle = `rgba(49, 130, 189, ${0.15 + 0.85 * Math.log1p(c) / Math.log1p(max)})`;
      ctx.fillRect(xs[t] - step, y0, Math.max(1, step - 1), Math.max(1, y1 - y0 - 1));
    }));
    ctx.restore();
    return null;
  };
  return new uPlot({
    width: width(el), height: 220,
    scales: { x: { time: true, auto: false, range: [(times[0] - intervalMs) / 1000, times[times.length - 1] / 1000] }, y: { auto: false, range: [lo, hi] } },
    axes: [{}, { size: 60, splits: () => Array.from({ length: hi - lo }, (_, i) => lo + i).filter((t) => (t - lo) % Math.ceil((hi - lo) / 10) === 0), values: (_u, ticks) => ticks.map((t) => boundLabel(bounds[t - 1] ?? (t === 0 ? 0 : undefined))) }],
    series: [{}, { label: 'observations', paths: draw, points: { show: false }, stroke: '#3182bd' }],
    legend: { live: false },
  }, [times.map((t) => t / 1000), times.map(() => lo)], el);
}
