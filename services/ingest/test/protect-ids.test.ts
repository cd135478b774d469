import { hetuFor, maskedIdOf } from '@kaiku/core';
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

describe('ids that hold a hetu without its sign, or an e-mail address, and codes that hold a phone number (a privacy probe)', () => {
  /** A test-range hetu whose check character is a letter, written without its sign. */
  const unsigned = (birthDate: string) => {
    for (let n = 900; n < 1000; n++) {
      const hetu = hetuFor(birthDate, n);
      if (/[A-Y]$/.test(hetu)) return hetu.replace(/[-+A-FU-Y](?=\d{3}.$)/, '');
    }
    throw new Error('no such hetu');
  };
  const stamp = String(Date.now()).slice(-4);
  const base = {
    source: 'lifecare',
    kind: 'visit-ended',
    endedAt: yesterdayAt(12).toISOString(),
    unit: { id: UNITS.kyyjarvi },
    patient: { personalId: testHetu(), mobilePhones: ['040 123 4567'] },
  };
  const visitRow = async (visitId: string) =>
    (
      await h.pool.query('SELECT source_visit_id, source_event_id, unit_id, service_class FROM visits WHERE source_visit_id = $1', [
        visitId,
      ])
    ).rows;

  it('stores such visit ids as their keyed hash, keeps no such event id, and a cancel still finds the visit', async () => {
    const hetu = unsigned('1954-03-12');
    for (const visitId of [`V${hetu}`, `W_${hetu.slice(0, 6)}_${hetu.slice(6)}`]) {
      const res = await post({
        ...base,
        visitId,
        sourceEventId: `E${hetu}`,
        endedAt: yesterdayAt(11).toISOString(),
        patient: { ...base.patient, personalId: testHetu() },
      });
      expect(res.json, visitId).toMatchObject({ visitId });
      expect(await visitRow(visitId), visitId).toEqual([]);
      expect(await visitRow(maskedIdOf(keys, visitId)), visitId).toMatchObject([{ source_event_id: null }]);
      const cancelled = await post({ source: 'lifecare', kind: 'visit-cancelled', visitId });
      expect(cancelled.json, visitId).toMatchObject({ outcome: 'cancelled', visitId });
    }
  });

  it('stores an e-mail address in a visit id or a unit id, and a phone number in a service code, as their keyed hash', async () => {
    const visitId = `maija.testinen${stamp}@example.org`;
    const service = { class: `+35850733${stamp}`, type: `Soita 050 734 ${stamp}` };
    const res = await post({ ...base, visitId, service });
    expect(res.json).toMatchObject({ outcome: 'scheduled', visitId });
    expect(await visitRow(maskedIdOf(keys, visitId))).toEqual([
      {
        source_visit_id: maskedIdOf(keys, visitId),
        source_event_id: null,
        unit_id: UNITS.kyyjarvi,
        service_class: maskedIdOf(keys, service.class),
      },
    ]);
    const unitMail = `unit${stamp}@example.org`;
    const misplaced = await post({ ...base, visitId: `VM-${stamp}`, unit: { id: unitMail } });
    expect(misplaced.json).toMatchObject({ outcome: 'skipped', reason: 'unit-not-enrolled' });
    expect(await visitRow(`VM-${stamp}`)).toMatchObject([{ unit_id: maskedIdOf(keys, unitMail) }]);
  });

  it('refuses a unit or service code that holds a hetu without its sign, naming the field', async () => {
    const hetu = unsigned('1966-07-05');
    for (const [patch, field] of [
      [{ unit: { id: hetu } }, 'unit.id'],
      [{ service: { class: `SOTE ${hetu}` } }, 'service.class'],
    ] as const) {
      const res = await post({ ...base, visitId: `VR-${stamp}-${field}`, ...patch });
      expect([res.status, JSON.stringify(res.json)], field).toEqual([400, expect.stringContaining(field)]);
      expect(JSON.stringify(res.json)).toMatch(/personal identity code/);
    }
  });
});
