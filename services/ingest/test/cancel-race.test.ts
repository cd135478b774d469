import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestHarness, postJson, startIngest, testHetu, UNITS, uniqueId, yesterdayAt } from './helpers.ts';

/**
 * A cancellation and its visit-ended arriving at once (two MLLP connections, parallel requests):
 * the cancel must win whatever the order. A regression probe saw 3 in 30 such pairs answered
 * "cancelled" with the survey still scheduled: each had missed what the other had not yet committed.
 */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest();
});
afterAll(async () => h.close());

const post = (body: unknown) => postJson(`${h.url}/v1/visits`, body);

describe('a cancellation racing its visit-ended', () => {
  it('never leaves a cancelled visit with a scheduled survey', { timeout: 60_000 }, async () => {
    const ids = Array.from({ length: 60 }, () => uniqueId('RACE'));
    // One pair at a time, its two requests at once (all at once, the group commit orders them).
    for (const [i, visitId] of ids.entries()) {
      await Promise.all([
        post({
          source: 'lifecare',
          kind: 'visit-ended',
          visitId,
          endedAt: yesterdayAt(8 + (i % 10)).toISOString(),
          unit: { id: UNITS.kyyjarvi },
          patient: { personalId: testHetu(), mobilePhones: ['040 123 4567'] },
        }),
        post({ source: 'lifecare', kind: 'visit-cancelled', visitId }),
      ]);
    }
    const { rows } = await h.pool.query(
      `SELECT v.source_visit_id, i.status FROM visits v JOIN invitations i ON i.visit_id = v.id
       WHERE v.source = 'lifecare' AND v.source_visit_id = ANY ($1) AND i.status = 'scheduled'`,
      [ids],
    );
    expect(rows).toEqual([]);
  });
});
