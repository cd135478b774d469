import { localDay, zonedInstant } from '@kaiku/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestHarness, invitationOf, postJson, startIngest, testConfig, testHetu, UNITS, uniqueId } from './helpers.ts';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest(testConfig());
});
afterAll(async () => h.close());

// Yesterday in Helsinki: 08:00 and 14:00 are one local day, within 72 hours.
const [y, m, d] = localDay(new Date(Date.now() - 86_400_000), 'Europe/Helsinki')
  .split('-')
  .map(Number) as [number, number, number];
const at = (hour: number) => zonedInstant('Europe/Helsinki', y, m, d, hour, 0).toISOString();

const visit = (personalId: string, endedAt: string) => ({
  source: 'lifecare',
  sourceEventId: uniqueId('E'),
  kind: 'visit-ended',
  visitId: uniqueId('V'),
  endedAt,
  unit: { id: UNITS.kyyjarvi },
  patient: { personalId, mobilePhones: ['040 123 4567'], languages: { service: 'fi' } },
});

/**
 * A later visit of the same day supersedes the earlier one's survey only while that one is still
 * scheduled. Here the sender claims the earlier one (marks it `sending`, as it does just before
 * calling Twilio) while the later visit comes in: the later one must then be the skipped one.
 */
describe('a same-day visit arriving while the earlier visit’s text is being claimed', () => {
  for (const shape of ['one event', 'a batch'] as const) {
    it(`never leaves both to be texted (${shape})`, async () => {
      const hetu = testHetu();
      const morning = visit(hetu, at(8));
      expect((await postJson(`${h.url}/v1/visits`, morning, 'lc-token')).json.outcome).toBe('scheduled');
      const earlier = (await invitationOf(h.pool, 'lifecare', morning.visitId)) as { id: string };

      // The sender's claim, held open: the later visit's decision has to wait for it or see it.
      const claim = await h.pool.connect();
      try {
        await claim.query('BEGIN');
        await claim.query(`UPDATE invitations SET status = 'sending' WHERE id = $1`, [earlier.id]);
        const afternoon = visit(hetu, at(14));
        const body = shape === 'one event' ? afternoon : [afternoon, visit(testHetu(), at(9))];
        const posted = postJson(`${h.url}/v1/visits`, body, 'lc-token');
        await new Promise((r) => setTimeout(r, 300));
        await claim.query('COMMIT');
        const res = await posted;
        const outcome = shape === 'one event' ? res.json : (res.json.results as unknown[])[0];
        expect(outcome).toMatchObject({ outcome: 'skipped', reason: 'same-day-visit' });
        expect(await invitationOf(h.pool, 'lifecare', afternoon.visitId)).toMatchObject({ status: 'skipped', phone_enc: null });
        expect(await invitationOf(h.pool, 'lifecare', morning.visitId)).toMatchObject({ status: 'sending' });
      } finally {
        claim.release();
      }
    });
  }
});
