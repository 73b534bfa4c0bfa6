// Rules and engine health: per-rule alert rate over event time, the precision analysts'
// dispositions give each rule, per-rule evaluation and alert latency over the recent window,
// latency heatmaps (rule evaluation, end to end) and lag / watermark delay / throughput over the
// last 30 minutes (the API's health history, sampled every 5 s).
import { get } from './api.js';
import { $, duration, esc, number } from './format.js';
import { heatmap, lineChart } from './charts.js';

const card = (id, title, note = '') => `<div class="card" id="${id}"><h2>${esc(title)}</h2>${note ? `<p class="muted">${esc(note)}</p>` : ''}<div class="chart"></div></div>`;
const us = (s) => (s === null || s === undefined ? '<span class="muted">—</span>' : `${number(s.p50)} / ${number(s.p99)} / ${number(s.max)} <span class="muted">(${number(s.count)})</span>`);

export async function renderHealth(root) {
  const [rates, disp, history, rules] = await Promise.all([
    get('/api/v1/stats/alerts?buckets=48'), get('/api/v1/stats/dispositions'), get('/api/v1/health/history'), get('/api/v1/rules'),
  ]);
  const samples = history.samples;
  root.innerHTML = [
    card('h-rates', 'Alert rate per rule', rates.from === null ? 'no alert yet' : `alerts per ${duration(rates.bucketMs)} of detection event time`),
    card('h-precision', 'Precision of dispositions', 'resolved alerts per rule; precision = true positives / (true + false positives)'),
    card('h-latency', 'Latency per rule over the last 5 min (µs: p50 / p99 / max, count)', 'evaluation: one rule on one event (1 event in 16 timed); alert: record in → alert out'),
    card('h-eval-heat', 'Rule evaluation time heatmap', 'per 5 s interval; pick a rule'),
    card('h-e2e-heat', 'End-to-end latency heatmap', 'event in → alert stored / committed, per 5 s interval'),
    card('h-lag', 'Lag and watermark delay', 'consumer lag (records, service) and how far event time trails the wall clock'),
    card('h-events', 'Throughput (events/s)', 'from the engine\'s event counter'),
  ].join('');
  const chart = (id) => $(id).querySelector('.chart');

  const ruleIds = Object.keys(rates.rules).sort();
  if (ruleIds.length > 0) {
    const times = Array.from({ length: rates.buckets }, (_, i) => rates.from + i * rates.bucketMs);
    lineChart(chart('h-rates'), times, ruleIds.map((id) => ({ label: id, values: rates.rules[id] })), { stepped: true });
  }

  chart('h-precision').innerHTML = disp.items.length === 0 ? '<p class="muted">no alert resolved yet</p>'
    : `<table id="precision"><thead><tr><th>rule</th><th>resolved</th><th>true +</th><th>false +</th><th>benign</th><th>duplicate</th><th>inconclusive</th><th>precision</th></tr></thead><tbody>${
      disp.items.map((r) => `<tr data-rule="${esc(r.ruleId)}"><td>${esc(r.ruleId)}</td><td class="num">${r.resolved}</td><td class="num">${r.counts['true-positive']}</td><td class="num">${r.counts['false-positive']}</td><td class="num">${r.counts.benign}</td><td class="num">${r.counts.duplicate}</td><td class="num">${r.counts.inconclusive}</td><td class="num precision">${
        r.precision === null ? '—' : `${(r.precision * 100).toFixed(0)}%`}</td></tr>`).join('')}</tbody></table>`;

  chart('h-latency').innerHTML = `<table id="rule-latency"><thead><tr><th>rule</th><th>enabled</th><th>events</th><th>evaluation</th><th>alert latency</th></tr></thead><tbody>${
    rules.items.map((r) => `<tr data-rule="${esc(r.id)}"><td>${esc(r.id)}</td><td>${r.enabled ? 'yes' : '<b>no</b>'}</td><td class="num">${number(r.eventsSeen)}</td><td class="num">${us(r.evaluationUs)}</td><td class="num">${us(r.latencyUs)}</td></tr>`).join('')}</tbody></table>`;

  const times = samples.map((s) => s.at);
  const bounds = history.bucketsSeconds;
  if (samples.length === 0) {
    for (const id of ['h-eval-heat', 'h-e2e-heat', 'h-lag', 'h-events']) chart(id).innerHTML = '<p class="muted">the first sample comes 5 s after start</p>';
    return;
  }
  const evalRules = [...new Set(samples.flatMap((s) => Object.keys(s.evaluation)))].sort();
  const pick = document.createElement('select');
  pick.id = 'heat-rule';
  pick.innerHTML = `<option value="">all rules</option>${evalRules.map((r) => `<option>${esc(r)}</option>`).join('')}`;
  const evalChart = document.createElement('div');
  chart('h-eval-heat').append(pick, evalChart);
  const drawEval = () => {
    evalChart.replaceChildren();
    const matrix = samples.map((s) => {
      const cols = pick.value === '' ? Object.values(s.evaluation) : [s.evaluation[pick.value] ?? []];
      return Array.from({ length: bounds.length + 1 }, (_, b) => cols.reduce((n, c) => n + (c[b] ?? 0), 0));
    });
    heatmap(evalChart, times, matrix, bounds, history.intervalMs);
  };
  pick.addEventListener('change', drawEval);
  drawEval();
  heatmap(chart('h-e2e-heat'), times, samples.map((s) => (s.endToEnd.length === 0 ? new Array(bounds.length + 1).fill(0) : s.endToEnd)), bounds, history.intervalMs);
  lineChart(chart('h-lag'), times, [
    { label: 'consumer lag (records)', values: samples.map((s) => s.consumerLag), scale: 'records', unit: 'records' },
    { label: 'watermark delay (s)', values: samples.map((s) => (s.watermarkDelayMs === null ? null : s.watermarkDelayMs / 1000)), scale: 's', unit: 'seconds' },
  ]);
  lineChart(chart('h-events'), times, [{ label: 'events/s', values: samples.map((s, i) => {
    const prev = samples[i - 1];
    return prev === undefined || s.events === null || prev.events === null ? null : Math.max(0, (s.events - prev.events) / ((s.at - prev.at) / 1000));
  }) }]);
}
