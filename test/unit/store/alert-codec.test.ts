// An alert survives the trip through the alerts topic's Avro schema unchanged.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { runReplay } from '../../../src/cli/replay.ts';
import { ALERT_SCHEMA, fromRecord, toRecord } from '../../../src/store/alert-codec.ts';

describe('alert codec', () => {
  it('round-trips every alert of the fixture through schemas/output/alert.avsc', async () => {
    const { alerts } = await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    const type = avro.Type.forSchema(JSON.parse(ALERT_SCHEMA) as avro.Schema);
    const back = alerts.map((a) => fromRecord(type.fromBuffer(type.toBuffer(toRecord(a))) as Parameters<typeof fromRecord>[0]));
    expect(back).toEqual(alerts);
    expect(alerts).toHaveLength(30);
  });
});
