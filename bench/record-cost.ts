// Cost of recording one latency sample (what the hot path pays per alert / per batch):
// `node bench/record-cost.ts` prints ns per record for the HDR recorder used by the API.
import { LatencyRecorder } from '../src/metrics/latency.ts';

const rec = new LatencyRecorder();
const N = 5_000_000;
const ids = ['account-takeover', 'brute-force', 'spoofing', 'structuring'];
for (let round = 0; round < 3; round++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) rec.recordRule(ids[i & 3] as string, (i % 5000) + 1);
  const perRule = Number(process.hrtime.bigint() - t0) / N;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) rec.recordBatch((i % 5000) + 1);
  const perBatch = Number(process.hrtime.bigint() - t1) / N;
  console.log(`round ${round}: recordRule ${perRule.toFixed(1)} ns, recordBatch ${perBatch.toFixed(1)} ns per sample`);
}
