import { hetuFor, localDay, phoneHashOf, visitEventSchema, zonedInstant } from '@kaiku/core';
import { createPool } from '@kaiku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVisitIngestor } from '../src/visits/ingest-visit.ts';
import { type IngestHarness, invitationOf, keys, postJson, startIngest, testConfig, testHetu, UNITS, uniqueId } from './helpers.ts';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest(testConfig({ excludeSensitiveUnits: true }));
});
afterAll(async () => h.close());

const hoursAgo = (n: number) => new Date(Date.now() - n * 3600_000).toISOString();

function visit(patient: Record<string, unknown> = {}, patch: Record<string, unknown> = {}) {
  return {
    source: 'lifecare',
    sourceEventId: uniqueId('E'),
    kind: 'visit-ended',
    visitId: uniqueId('V'),
    endedAt: hoursAgo(1),
    unit: { id: UNITS.kyyjarvi },
    ...patch,
    patient: { personalId: testHetu(), mobilePhones: ['040 123 4567'], languages: { service: 'fi' }, ...patient },
  };
}
type Visit = ReturnType<typeof visit>;
const post = (body: unknown, token = 'lc-token') => postJson(`${h.url}/v1/visits`, body, token);

describe('POST /v1/visits', () => {
  it('schedules an eligible visit: 201, invitation, outbox row, nothing personal stored in clear', async () => {
    const v = visit({ mobilePhones: ['+358 40 765 4321'], languages: { service: 'sv' } });
    const res = await post(v);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ outcome: 'scheduled', visitId: v.visitId, language: 'sv' });
    expect(typeof res.json.invitationId).toBe('string');
    expect(new Date(res.json.sendAt as string).getTime()).toBeGreaterThan(Date.now());

    const row = await invitationOf(h.pool, 'lifecare', v.visitId);
    expect(row).toMatchObject({ status: 'scheduled', language: 'sv', phone_hash: phoneHashOf(keys, '+358407654321') });
    expect(Buffer.from(row?.phone_enc as Buffer).toString('latin1')).not.toContain('407654321');
    const outbox = await h.pool.query('SELECT 1 FROM outbox WHERE invitation_id = $1', [res.json.invitationId]);
    expect(outbox.rowCount).toBe(1);
    const everything = JSON.stringify((await h.pool.query('SELECT * FROM visits')).rows);
    expect(everything).not.toContain(v.patient.personalId.slice(0, 6));
  });

  it('answers the same visit twice with duplicate and never makes a second invitation', async () => {
    const v = visit();
    expect((await post(v)).json.outcome).toBe('scheduled');
    const again = await post({ ...v, sourceEventId: 'resent' });
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ outcome: 'duplicate', visitId: v.visitId });
    const { rows } = await h.pool.query(
      'SELECT count(*)::int AS n FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE v.source_visit_id = $1',
      [v.visitId],
    );
    expect(rows[0].n).toBe(1);
  });

  it('takes the same visit sent ten times at once as one invitation', async () => {
    const v = visit();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(v)));
    expect(answers.map((a) => a.json.outcome).sort()).toEqual(['duplicate', ...Array(8).fill('duplicate'), 'scheduled'].sort());
  });

  it.each([
    ['under-age', { personalId: '051115A9310' }, {}],
    ['no-mobile', { mobilePhones: ['09 1234 5678'] }, {}],
    ['ambiguous-phone', { mobilePhones: ['040 123 4567', '050 765 4321'] }, {}],
    ['non-disclosure', { nonDisclosure: true }, {}],
    ['deceased', { deceased: true }, {}],
    ['consent-refused', { smsConsent: false }, {}],
    ['unit-not-enrolled', {}, { unit: { id: '1.2.246.10.9999999.10.1' } }],
    ['sensitive-service', {}, { unit: { id: UNITS.sensitive } }],
    ['not-sampled', {}, { unit: { id: UNITS.neverSampled } }],
    ['stale-visit', {}, { endedAt: hoursAgo(73) }],
    ['future-visit', {}, { endedAt: new Date(Date.now() + 3600_000).toISOString() }],
  ])('skips %s and stores the reason', async (reason, patient, patch) => {
    const v = visit(patient, patch);
    const res = await post(v);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ outcome: 'skipped', visitId: v.visitId, reason });
    const row = await invitationOf(h.pool, 'lifecare', v.visitId);
    expect(row).toMatchObject({ status: 'skipped', skip_reason: reason, phone_enc: null, phone_hash: null });
    // a unit the config does not list has no service of the county's (an analyst probe: it was
    // counted as `other`, a service of the config, in the funnel by service)
    const { rows } = await h.pool.query('SELECT service FROM visits WHERE source_visit_id = $1', [v.visitId]);
    expect(rows[0]?.service).toEqual(reason === 'unit-not-enrolled' ? 'unknown' : expect.not.stringMatching(/^unknown$/));
  });

  it('skips a number that opted out', async () => {
    await h.pool.query("INSERT INTO opt_outs (phone_hash, method) VALUES ($1, 'sms')", [phoneHashOf(keys, '+358401112223')]);
    const v = visit({ mobilePhones: ['040 111 2223'] });
    expect((await post(v)).json).toMatchObject({ outcome: 'skipped', reason: 'opted-out' });
  });

  it('surveys a patient once within resurveyAfterDays, across units and sources', async () => {
    const hetu = testHetu();
    expect((await post(visit({ personalId: hetu }, { endedAt: hoursAgo(30) }))).json.outcome).toBe('scheduled');
    const other = visit({ personalId: hetu }, { unit: { id: UNITS.karstula }, endedAt: hoursAgo(2) });
    expect((await post(other)).json).toMatchObject({ outcome: 'skipped', reason: 'recently-surveyed' });
    const fhir = visit({ personalId: hetu }, { source: 'other', endedAt: hoursAgo(1) });
    expect((await post(fhir, 'other-token')).json).toMatchObject({ outcome: 'skipped', reason: 'recently-surveyed' });
  });

  it('surveys only the last of one patient’s visits on the same day, whatever the order they come in', async () => {
    const hetu = testHetu();
    // Yesterday in Helsinki: 08:00, 10:00 and 14:00 are one local day, all within 72 hours.
    const [y, m, d] = localDay(new Date(Date.now() - 86_400_000), 'Europe/Helsinki')
      .split('-')
      .map(Number) as [number, number, number];
    const at = (hour: number) => zonedInstant('Europe/Helsinki', y, m, d, hour, 0).toISOString();
    const morning = visit({ personalId: hetu }, { endedAt: at(10) });
    const noon = visit({ personalId: hetu }, { endedAt: at(14) });
    const first = await post(morning);
    expect(first.json.outcome).toBe('scheduled');
    expect((await post(noon)).json.outcome).toBe('scheduled');
    expect(await invitationOf(h.pool, 'lifecare', morning.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'same-day-visit' });
    expect(h.cancelled).toContain(first.json.invitationId);
    // A later-arriving earlier visit of the same day is the one skipped.
    const early = visit({ personalId: hetu }, { endedAt: at(8) });
    expect((await post(early)).json).toMatchObject({ outcome: 'skipped', reason: 'same-day-visit' });
  });

  it('surveys the earlier visit of the day after all when the later one that replaced it is cancelled (a scheduling probe)', async () => {
    const hetu = testHetu();
    const [y, m, d] = localDay(new Date(Date.now() - 86_400_000), 'Europe/Helsinki')
      .split('-')
      .map(Number) as [number, number, number];
    const at = (hour: number) => zonedInstant('Europe/Helsinki', y, m, d, hour, 0).toISOString();
    const morning = visit({ personalId: hetu }, { endedAt: at(9) });
    const noon = visit({ personalId: hetu }, { endedAt: at(11) });
    expect((await post(morning)).json.outcome).toBe('scheduled');
    const replacing = await post(noon);
    expect(await invitationOf(h.pool, 'lifecare', morning.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'same-day-visit' });
    const held = await invitationOf(h.pool, 'lifecare', noon.visitId);

    // The noon visit was entered in error: the morning one is the day's visit, and is surveyed.
    const cancel = await post({ source: 'lifecare', kind: 'visit-cancelled', visitId: noon.visitId });
    expect(cancel.json).toMatchObject({ outcome: 'cancelled' });
    expect(h.cancelled).toContain(replacing.json.invitationId);
    const restored = await invitationOf(h.pool, 'lifecare', morning.visitId);
    expect(restored).toMatchObject({ status: 'scheduled', skip_reason: null, phone_hash: held?.phone_hash, send_at: held?.send_at });
    expect(restored?.phone_enc).not.toBeNull();
    expect(await invitationOf(h.pool, 'lifecare', noon.visitId)).toMatchObject({ status: 'cancelled', phone_enc: null });
    // Queued through the outbox, as every new survey (the relay moves it to BullMQ under its own id).
    const queued = await h.pool.query('SELECT 1 FROM outbox WHERE invitation_id = $1', [restored?.id]);
    expect(queued.rowCount).toBeGreaterThan(0);

    // Only one survey a day: a cancel of the restored one's own day leaves nothing else to restore,
    // and a visit already texted is not replaced by any.
    const evening = visit({ personalId: hetu }, { endedAt: at(13) });
    expect((await post(evening)).json.outcome).toBe('scheduled');
    expect(await invitationOf(h.pool, 'lifecare', morning.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'same-day-visit' });
    await h.pool.query(`UPDATE invitations SET status = 'sent' WHERE id = $1`, [
      (await invitationOf(h.pool, 'lifecare', evening.visitId))?.id,
    ]);
    expect((await post({ source: 'lifecare', kind: 'visit-cancelled', visitId: evening.visitId })).json).toMatchObject({ textSent: true });
    expect(await invitationOf(h.pool, 'lifecare', morning.visitId)).toMatchObject({ status: 'skipped' });
  });

  it('never restores a visit whose own cancel came at the same moment (a probe: cancels of B and C at once texted B)', async () => {
    const [y, m, d] = localDay(new Date(Date.now() - 86_400_000), 'Europe/Helsinki')
      .split('-')
      .map(Number) as [number, number, number];
    const at = (hour: number) => zonedInstant('Europe/Helsinki', y, m, d, hour, 0).toISOString();
    const days = await Promise.all(
      Array.from({ length: 28 }, async (_, i) => {
        // one patient each (the shared counter of testHetu wraps at a hundred)
        const hetu = hetuFor(`1966-02-${String(i + 1).padStart(2, '0')}`, 950);
        const [a, b, c] = [8, 9, 10].map((hour) => visit({ personalId: hetu }, { endedAt: at(hour) })) as [Visit, Visit, Visit];
        for (const v of [a, b, c]) await post(v);
        return { a, b, c };
      }),
    );
    // C's cancel a moment before B's, each on its own pool: C's restore then looks while B's
    // cancellation is written but not yet committed (without the patient's lock first, it gave B back).
    const pools = [createPool(h.env.databaseUrl, { max: 20 }), createPool(h.env.databaseUrl, { max: 20 })] as const;
    const other = createVisitIngestor({ pool: pools[0], kaiku: testConfig(), keys });
    const mine = createVisitIngestor({ pool: pools[1], kaiku: testConfig(), keys });
    const cancel = (ingest: typeof mine, v: Visit) =>
      ingest(visitEventSchema.parse({ source: 'lifecare', kind: 'visit-cancelled', visitId: v.visitId }));
    await Promise.all(
      days.map(async ({ b, c }) => {
        const first = cancel(other, c);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await Promise.all([first, cancel(mine, b)]);
      }),
    );
    for (const pool of pools) await pool.end();
    for (const { a, b, c } of days) {
      const status = async (v: Visit) => (await invitationOf(h.pool, 'lifecare', v.visitId))?.status;
      expect([await status(a), await status(b), await status(c)]).toEqual([
        'scheduled',
        expect.not.stringMatching(/^scheduled$/),
        'cancelled',
      ]);
    }
  });

  it('counts outcomes and skip reasons on /metrics', async () => {
    const sample = async (line: RegExp) => {
      const text = await (await fetch(`${h.url}/metrics`)).text();
      return Number(line.exec(text)?.[1] ?? 0);
    };
    const skips = /kaiku_visit_skips_total\{reason="deceased"\} (\d+)/;
    const rejected = /kaiku_visit_events_total\{source="lifecare",outcome="rejected"\} (\d+)/;
    const [skipsBefore, rejectedBefore] = [await sample(skips), await sample(rejected)];
    await post(visit({ deceased: true }));
    await post({ ...visit(), endedAt: 'not a time' });
    expect(await sample(skips)).toBe(skipsBefore + 1);
    expect(await sample(rejected)).toBe(rejectedBefore + 1);
  });

  it('rejects a hetu with a wrong check character with 400 problem+json naming the field', async () => {
    const res = await post(visit({ personalId: '010181-900D' }));
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.json).toMatchObject({ outcome: 'rejected', field: 'patient.personalId' });
    expect(res.json.detail).toContain('patient.personalId: wrong check character');
  });

  it('refuses a misspelt key that would have let its default text a protected patient, and stores nothing', async () => {
    const v = visit({ nondisclosure: true });
    const res = await post(v);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ outcome: 'rejected', field: 'patient.nondisclosure' });
    expect(res.json.detail).toContain('did you mean nonDisclosure?');
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toBeUndefined();
  });

  it('says when a cancel names a visit it has not stored (a mistyped id looks like a real cancel otherwise)', async () => {
    const v = visit();
    expect((await post({ source: 'lifecare', kind: 'visit-cancelled', visitId: `${v.visitId}x` })).json).toEqual({
      outcome: 'cancelled',
      visitId: `${v.visitId}x`,
      visitUnknown: true,
    });
    await post(v);
    expect((await post({ source: 'lifecare', kind: 'visit-cancelled', visitId: v.visitId })).json).toEqual({
      outcome: 'cancelled',
      visitId: v.visitId,
    });
  });

  it('answers a batch in order, each with its own outcome', async () => {
    const ok = visit();
    const lateBad = { ...visit(), endedAt: 'yesterday' };
    const body = [ok, visit({ personalId: '051115A9310' }), lateBad, ok];
    const res = await post(body);
    expect(res.status).toBe(200);
    const results = res.json.results as Array<Record<string, unknown>>;
    expect(results.map((r) => r.outcome)).toEqual(['scheduled', 'skipped', 'rejected', 'duplicate']);
    expect(results[2]).toMatchObject({ visitId: lateBad.visitId, field: 'endedAt' });
    expect(results[2]?.error).toContain('endedAt');
  });

  it('keeps one visit’s events in batch order: ended, updated, cancelled', async () => {
    const v = visit();
    const res = await post([
      v,
      { ...v, kind: 'patient-updated', patient: { ...v.patient, languages: { service: 'en' } } },
      { ...v, kind: 'visit-cancelled' },
    ]);
    expect((res.json.results as Array<{ outcome: string }>).map((r) => r.outcome)).toEqual(['scheduled', 'updated', 'cancelled']);
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toMatchObject({ status: 'cancelled', language: 'en' });
  });

  it('takes JSON under any label (text/plain, curl’s form default) and answers XML with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8']) {
      expect((await postJson(`${h.url}/v1/visits`, visit(), 'lc-token', type)).status).toBe(201);
    }
    const xml = await postJson(`${h.url}/v1/visits`, '<visit/>', 'lc-token', 'application/xml');
    expect([xml.status, xml.type]).toEqual([415, 'application/problem+json; charset=utf-8']);
    expect(xml.json.detail).toContain('application/json');
  });

  it('refuses bad requests with problem+json, never a 500', async () => {
    const bad = await post('{"source": "lifecare", ');
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect((await post([])).status).toBe(400);
    expect((await post(Array.from({ length: 1001 }, () => visit()))).status).toBe(413);
    const huge = await post({ ...visit(), padding: 'x'.repeat(1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.type).toContain('application/problem+json');
    // Nested far deeper than any event: refused like any other unknown shape, not a stack overflow.
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const withField = (json: string, field: string) => `${json.slice(0, -1)},${field}:${deep}}`;
    const { patient, ...event } = visit();
    for (const body of [
      withField(JSON.stringify(visit()), '"x"'),
      `${JSON.stringify(event).slice(0, -1)},"patient":${withField(JSON.stringify(patient), '"languages"')}}`,
    ]) {
      const res = await post(body);
      expect(res.status).toBeLessThan(500);
      expect(res.type).toMatch(/json/);
    }
    const invalid = await post({ source: 'lifecare', kind: 'visit-ended' });
    expect(invalid.status).toBe(400);
    expect(invalid.json.detail).toMatch(/visitId|unit/);
    expect(invalid.json).toMatchObject({ outcome: 'rejected', field: expect.any(String), error: expect.stringMatching(/unit/) });
  });

  it('rejects text Postgres could not store as sent, item by item, and stores the rest of the batch', async () => {
    const [before, after] = [visit(), visit()];
    const withNul = visit({}, { visitId: 'V\u0000X' });
    const loneSurrogate = visit({}, { visitId: 'V\ud800' });
    const yearZero = visit({}, { endedAt: '0000-01-01T00:00:00Z' });
    const res = await post([before, withNul, loneSurrogate, yearZero, after]);
    expect(res.status).toBe(200);
    const results = res.json.results as Array<{ outcome: string; field?: string }>;
    expect(results.map((r) => r.outcome)).toEqual(['scheduled', 'rejected', 'rejected', 'rejected', 'scheduled']);
    expect(results.slice(1, 4).map((r) => r.field)).toEqual(['visitId', 'visitId', 'endedAt']);
    const single = await post(visit({ mobilePhones: ['+358 40 765\u0000 4321'] }));
    expect(single.status).toBe(400);
    expect(single.json).toMatchObject({ outcome: 'rejected', field: 'patient.mobilePhones.0' });
  });

  it('needs a bearer token whose source matches the events', async () => {
    const v = visit();
    const none = await fetch(`${h.url}/v1/visits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(v),
    });
    expect(none.status).toBe(401);
    expect((await post(v, 'wrong-token')).status).toBe(401);
    expect((await post(v, 'pg-token')).status).toBe(403);
    expect((await post([visit(), { ...visit(), source: 'pegasos' }])).status).toBe(403);
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toBeUndefined();
  });

  it('cancels a scheduled invitation and removes its job; after the send it only records', async () => {
    const v = visit();
    const scheduled = await post(v);
    // a cancellation needs only its visit: no unit, no patient
    const cancel = await post({ source: v.source, sourceEventId: uniqueId('E'), kind: 'visit-cancelled', visitId: v.visitId });
    expect(cancel.json).toEqual({ outcome: 'cancelled', visitId: v.visitId });
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toMatchObject({ status: 'cancelled', phone_enc: null });
    expect(h.cancelled).toContain(scheduled.json.invitationId);

    const sent = visit();
    await post(sent);
    await h.pool.query("UPDATE invitations SET status = 'sent' WHERE visit_id = (SELECT id FROM visits WHERE source_visit_id = $1)", [
      sent.visitId,
    ]);
    // The answer says the text had gone: "cancelled" alone would read as "no survey".
    expect((await post({ ...sent, kind: 'visit-cancelled' })).json).toEqual({
      outcome: 'cancelled',
      visitId: sent.visitId,
      textSent: true,
    });
    expect(await invitationOf(h.pool, 'lifecare', sent.visitId)).toMatchObject({ status: 'sent' });
    // the visit's end resent (a dropped connection), alone or in a batch, is answered as its cancellation was
    const resent = { ...sent, sourceEventId: uniqueId('E') };
    expect((await post(resent)).json).toEqual({ outcome: 'cancelled', visitId: sent.visitId, textSent: true });
    expect(((await post([resent, visit()])).json.results as unknown[])[0]).toEqual({
      outcome: 'cancelled',
      visitId: sent.visitId,
      textSent: true,
    });

    // Being sent: kept on the invitation (cancelled if nothing went), and the answer says the text may have gone.
    const sending = visit();
    await post(sending);
    await h.pool.query("UPDATE invitations SET status = 'sending' WHERE visit_id = (SELECT id FROM visits WHERE source_visit_id = $1)", [
      sending.visitId,
    ]);
    expect((await post({ ...sending, kind: 'visit-cancelled' })).json).toEqual({
      outcome: 'cancelled',
      visitId: sending.visitId,
      textInFlight: true,
    });
    expect(await invitationOf(h.pool, 'lifecare', sending.visitId)).toMatchObject({ status: 'sending', withdrawn_reason: 'cancelled' });
  });

  it('never surveys a visit whose cancellation came first', async () => {
    const v = visit();
    expect((await post({ ...v, kind: 'visit-cancelled' })).json.outcome).toBe('cancelled');
    expect((await post(v)).json).toEqual({ outcome: 'cancelled', visitId: v.visitId });
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toBeUndefined();
  });

  it('refreshes phone and language of a scheduled invitation, by visit or by patient', async () => {
    const v = visit();
    await post(v);
    const byVisit = await post({
      ...v,
      kind: 'patient-updated',
      patient: { ...v.patient, mobilePhones: ['050 555 0001'], languages: { service: 'en' } },
    });
    expect(byVisit.json).toEqual({ outcome: 'updated', visitId: v.visitId, invitations: 1 });
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toMatchObject({
      language: 'en',
      phone_hash: phoneHashOf(keys, '+358505550001'),
    });

    const byPatient = await post({
      source: 'lifecare',
      kind: 'patient-updated',
      unit: { id: UNITS.kyyjarvi },
      patient: { personalId: v.patient.personalId, languages: { service: 'sv' } },
    });
    expect(byPatient.json).toEqual({ outcome: 'updated', invitations: 1 });
    // No phone in the update: the number stays.
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toMatchObject({
      language: 'sv',
      phone_hash: phoneHashOf(keys, '+358505550001'),
    });
  });

  it('withdraws a scheduled invitation when an update says deceased or gives only a landline', async () => {
    const a = visit();
    await post(a);
    await post({ ...a, kind: 'patient-updated', patient: { ...a.patient, deceased: true } });
    expect(await invitationOf(h.pool, 'lifecare', a.visitId)).toMatchObject({
      status: 'skipped',
      skip_reason: 'deceased',
      phone_enc: null,
    });
    const b = visit();
    await post(b);
    await post({ ...b, kind: 'patient-updated', patient: { ...b.patient, mobilePhones: ['09 1234 5678'] } });
    expect(await invitationOf(h.pool, 'lifecare', b.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'no-mobile' });
  });
});

describe('sampling and sensitive units', () => {
  it('decides sampling the same way when history is replayed', async () => {
    const kaiku = testConfig();
    (kaiku.units.find((u) => u.id === UNITS.karstula) as { sampling: number }).sampling = 0.5;
    const ingest = createVisitIngestor({ pool: h.pool, kaiku, keys });
    // Patients of their own (a birth date no other test uses): another test's visit of one of them
    // would skip it on the first pass only (recently surveyed), and the replay would differ.
    const visits = Array.from({ length: 40 }, () => visit({ personalId: testHetu('1977-07-07') }, { unit: { id: UNITS.karstula } }));
    const first = [];
    for (const v of visits) first.push((await ingest(visitEventSchema.parse(v))).outcome);
    expect(first.filter((o) => o === 'scheduled').length).toBeGreaterThan(5);
    expect(first.filter((o) => o === 'skipped').length).toBeGreaterThan(5);
    await h.pool.query('TRUNCATE outbox, invitations, visits, visit_cancellations CASCADE');
    const replay = [];
    for (const v of visits) replay.push((await ingest(visitEventSchema.parse(v))).outcome);
    expect(replay).toEqual(first);
  });

  it('schedules a sensitive unit when the county does not exclude them', async () => {
    const ingest = createVisitIngestor({ pool: h.pool, kaiku: testConfig({ excludeSensitiveUnits: false }), keys });
    const v = visit({}, { unit: { id: UNITS.sensitive } });
    expect((await ingest(visitEventSchema.parse(v))).outcome).toBe('scheduled');
  });
});
