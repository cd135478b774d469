import { maskedIdOf } from '@kaiku/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestHarness, invitationOf, keys, postJson, startIngest, testHetu, UNITS, yesterdayAt } from './helpers.ts';

/** Ids that hold a hetu, by mistake or by chance (a regression probe: date-stamped ids were refused, and their cancels lost). */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest();
});
afterAll(async () => h.close());

const post = (body: unknown) => postJson(`${h.url}/v1/visits`, body);

describe('visit and event ids that look like a hetu', () => {
  it('takes the visit, answers with the sender’s own id, stores the id masked, and a cancel finds it', async () => {
    // a date-stamped visit number that is also a valid hetu (26 Nov 1901) by chance
    const visitId = `LC-${testHetu('1901-11-26')}`;
    const event = {
      source: 'lifecare',
      sourceEventId: `E-${visitId}`,
      kind: 'visit-ended',
      visitId,
      endedAt: yesterdayAt(14).toISOString(),
      unit: { id: UNITS.kyyjarvi },
      patient: { personalId: testHetu(), mobilePhones: ['040 123 4567'] },
    };
    const res = await post(event);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ outcome: 'scheduled', visitId });
    const stored = maskedIdOf(keys, visitId);
    expect(await invitationOf(h.pool, 'lifecare', stored)).toMatchObject({ status: 'scheduled' });
    const cancelled = await post({ source: 'lifecare', sourceEventId: `C-${visitId}`, kind: 'visit-cancelled', visitId });
    expect(cancelled.json).toMatchObject({ outcome: 'cancelled', visitId });
    expect(await invitationOf(h.pool, 'lifecare', stored)).toMatchObject({ status: 'cancelled' });
  });

  it('leaves an ordinary id as it is', async () => {
    const visitId = `2025031200${String(Date.now()).slice(-3)}`;
    const res = await post({
      source: 'lifecare',
      kind: 'visit-ended',
      visitId,
      endedAt: yesterdayAt(15).toISOString(),
      unit: { id: UNITS.kyyjarvi },
      patient: { personalId: testHetu(), mobilePhones: ['040 123 4567'] },
    });
    expect(res.json).toMatchObject({ outcome: 'scheduled', visitId });
    expect(await invitationOf(h.pool, 'lifecare', visitId)).toMatchObject({ status: 'scheduled' });
  });
});

describe('ids that hold a phone number (a field mapped wrong at the source)', () => {
  it('stores a visit id and a unit id that hold one as their keyed hash, keeps no such event id, and a cancel still finds the visit', async () => {
    const stamp = String(Date.now()).slice(-4);
    const visitId = `+35850730${stamp}`;
    const event = {
      source: 'lifecare',
      sourceEventId: `Soita 050 731 ${stamp}`,
      kind: 'visit-ended',
      visitId,
      endedAt: yesterdayAt(13).toISOString(),
      unit: { id: UNITS.kyyjarvi },
      patient: { personalId: testHetu(), mobilePhones: ['040 123 4567'] },
    };
    const res = await post(event);
    expect(res.json).toMatchObject({ outcome: 'scheduled', visitId });
    const stored = maskedIdOf(keys, visitId);
    expect(await invitationOf(h.pool, 'lifecare', stored)).toMatchObject({ status: 'scheduled' });
    const { rows } = await h.pool.query('SELECT source_event_id FROM visits WHERE source_visit_id = $1', [stored]);
    expect(rows).toEqual([{ source_event_id: null }]);
    const cancelled = await post({ source: 'lifecare', kind: 'visit-cancelled', visitId });
    expect(cancelled.json).toMatchObject({ outcome: 'cancelled', visitId });
    expect(await invitationOf(h.pool, 'lifecare', stored)).toMatchObject({ status: 'cancelled' });

    const unitPhone = `+35850732${stamp}`;
    const misplaced = await post({ ...event, sourceEventId: undefined, visitId: `V-${stamp}`, unit: { id: unitPhone } });
    expect(misplaced.json).toMatchObject({ outcome: 'skipped', reason: 'unit-not-enrolled' });
    const units = await h.pool.query<{ unit_id: string }>(
      `SELECT unit_id FROM visits WHERE source_visit_id = $1 UNION ALL SELECT unit_id FROM funnel_daily WHERE unit_id LIKE '%' || $2`,
      [`V-${stamp}`, stamp],
    );
    expect(units.rows).toEqual([{ unit_id: maskedIdOf(keys, unitPhone) }]);
  });
});
