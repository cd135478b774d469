import { hetuFor, phoneHashOf, type VisitEvent, visitEventSchema } from '@kaiku/core';
import { createPool, type Pool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createIngestPipeline, type IngestPipeline } from '../src/pipeline.ts';
import { keys, postJson, silent, startIngest, testConfig, UNITS, yesterdayAt } from './helpers.ts';

/**
 * The batch path (set-based where it can be) must decide exactly as the one-event path: the same
 * random stream of events, ingested one by one into one database and as batches into another,
 * gives the same outcomes and the same visits, invitations, outbox, cancellations and funnel rows.
 */

const NOW = new Date('2026-03-11T10:00:00Z');
const PHONES = ['040 100 0001', '040 100 0002', '040 100 0003', '040 100 0004', '050 100 0005', '050 100 0006'];
const e164 = (local: string) => `+358${local.replace(/\s/g, '').slice(1)}`;
const OPTED_OUT = PHONES[0] as string;
const PREFERS = new Map([
  [PHONES[1] as string, 'sv'],
  [PHONES[2] as string, 'en'],
]);

function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;
  return { next, int, pick };
}

/** A random stream: new visits of a few patients on a few days, duplicates, cancellations before and after, updates, bad items. */
function eventStream(seed: number, count: number): VisitEvent[] {
  const r = random(seed);
  const patients = Array.from({ length: 10 }, (_, i) => ({
    personalId: hetuFor(i === 0 ? '2015-06-01' : `19${60 + i}-0${1 + (i % 9)}-1${i % 9}`, 200 + seed * 20 + i),
    phones: i === 9 ? ['09 1234 5678'] : i === 8 ? [PHONES[4], PHONES[5]] : [PHONES[i % PHONES.length]],
    languages: i % 3 === 0 ? { service: 'sv' } : { service: 'fi' },
  }));
  const units = [UNITS.kyyjarvi, UNITS.kyyjarvi, UNITS.karstula, UNITS.kivijarvi, UNITS.neverSampled, UNITS.sensitive, '1.2.246.10.0.0.1'];
  const ended: VisitEvent[] = [];
  const cancelledAhead: string[] = [];
  const events: VisitEvent[] = [];
  let n = 0;
  const endedAt = () => {
    const roll = r.next();
    if (roll < 0.04) return new Date(NOW.getTime() - 80 * 3600_000).toISOString(); // stale
    if (roll < 0.07) return new Date(NOW.getTime() + 2 * 3600_000).toISOString(); // future
    // A few days and hours, so patients meet themselves on the same day and the day before.
    return new Date(NOW.getTime() - (r.int(3) * 24 + r.int(8)) * 3600_000 - r.int(4) * 900_000).toISOString();
  };
  const newVisit = (visitId = `V${seed}-${n}`): VisitEvent => {
    const p = r.pick(patients);
    const anonymous = r.next() < 0.08;
    return visitEventSchema.parse({
      source: 'lifecare',
      sourceEventId: `E${seed}-${n}`,
      kind: 'visit-ended',
      visitId,
      endedAt: endedAt(),
      unit: { id: r.pick(units) },
      service: { class: r.pick(['outpatient', 'home-care']) },
      patient: anonymous
        ? { birthDate: '1970-01-01', mobilePhones: [r.pick(PHONES)], languages: {} }
        : { personalId: r.next() < 0.03 ? '311299-999X' : p.personalId, mobilePhones: p.phones, languages: p.languages },
    });
  };
  while (events.length < count) {
    n++;
    const roll = r.next();
    if (roll < 0.55 || ended.length === 0) {
      const v = newVisit();
      ended.push(v);
      events.push(v);
    } else if (roll < 0.67) {
      events.push({ ...r.pick(ended), sourceEventId: `E${seed}-${n}` }); // a duplicate
    } else if (roll < 0.75) {
      const visitId = r.next() < 0.5 ? (r.pick(ended).visitId as string) : `C${seed}-${n}`;
      if (visitId.startsWith('C')) cancelledAhead.push(visitId);
      events.push(
        visitEventSchema.parse({
          source: 'lifecare',
          sourceEventId: `E${seed}-${n}`,
          kind: 'visit-cancelled',
          visitId,
          unit: { id: UNITS.kyyjarvi },
          patient: {},
        }),
      );
    } else if (roll < 0.85 && cancelledAhead.length) {
      const v = newVisit(cancelledAhead.shift()); // its cancellation came first
      ended.push(v);
      events.push(v);
    } else if (roll < 0.9) {
      const p = r.pick(patients);
      const change = r.pick([{ mobilePhones: [r.pick(PHONES)] }, { deceased: true }, { languages: { service: 'en' } }]);
      events.push(
        visitEventSchema.parse({
          source: 'lifecare',
          sourceEventId: `E${seed}-${n}`,
          kind: 'patient-updated',
          ...(r.next() < 0.3 ? { visitId: r.pick(ended).visitId } : {}),
          unit: { id: UNITS.kyyjarvi },
          patient: { personalId: p.personalId, ...change },
        }),
      );
    } else {
      const v = newVisit();
      ended.push(v);
      events.push(v);
    }
  }
  return events;
}

interface Side {
  env: TestEnv;
  pool: Pool;
  pipeline: IngestPipeline;
  cancelled: string[];
}
const sides: Side[] = [];
async function side(resurveyAfterDays: number): Promise<Side> {
  const env = await createTestEnv();
  const pool = createPool(env.databaseUrl, { max: 5 });
  const cancelled: string[] = [];
  const pipeline = createIngestPipeline({
    pool,
    kaiku: testConfig({ resurveyAfterDays }),
    keys,
    logger: silent,
    now: () => NOW,
    onCancelled: (ids) => void cancelled.push(...ids),
  });
  for (const phone of [OPTED_OUT]) {
    await pool.query(`INSERT INTO opt_outs (phone_hash, method) VALUES ($1, 'sms')`, [phoneHashOf(keys, e164(phone))]);
  }
  for (const [phone, language] of PREFERS) {
    await pool.query('INSERT INTO language_preferences (phone_hash, language) VALUES ($1, $2)', [phoneHashOf(keys, e164(phone)), language]);
  }
  const s = { env, pool, pipeline, cancelled };
  sides.push(s);
  return s;
}
afterAll(async () => {
  for (const s of sides) {
    await s.pool.end();
    await s.env.cleanup();
  }
});

/** Everything the ingest wrote, keyed by visit (ids and clock times left out: they differ by nature). */
async function snapshot(s: Side) {
  const q = async (sql: string) => (await s.pool.query(sql)).rows;
  return {
    visits:
      await q(`SELECT source, source_visit_id, source_event_id, unit_id, service, service_class, ended_at, visit_day, language, age_band,
                        patient_pseudonym FROM visits ORDER BY source, source_visit_id`),
    invitations: await q(`SELECT v.source_visit_id, i.status, i.skip_reason, i.phone_hash, i.phone_enc IS NOT NULL AS has_phone, i.language,
                             i.send_at, i.expires_at, (SELECT count(*) FROM outbox o WHERE o.invitation_id = i.id) AS outbox
                           FROM invitations i JOIN visits v ON v.id = i.visit_id ORDER BY v.source_visit_id`),
    outbox: await q('SELECT count(*) AS n FROM outbox'),
    cancellations: await q('SELECT source, source_visit_id, source_event_id FROM visit_cancellations ORDER BY source_visit_id'),
    funnelDaily: await q('SELECT * FROM funnel_daily ORDER BY day, unit_id, service, language, age_band, source, skip_reason'),
    funnelMonthly: await q('SELECT * FROM funnel_monthly ORDER BY month, unit_id, service, language, age_band, source, skip_reason'),
  };
}

/** Outcomes with each invitation id replaced by the visit it belongs to in that database. */
async function comparable(s: Side, outcomes: Array<Record<string, unknown>>) {
  const visitOf = async (id: string) =>
    (await s.pool.query('SELECT v.source_visit_id FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE i.id = $1', [id])).rows[0]
      ?.source_visit_id;
  const out = [];
  for (const o of outcomes) out.push(o.invitationId ? { ...o, invitationId: await visitOf(o.invitationId as string) } : o);
  return out;
}

describe('the batch path decides exactly like the one-event path', () => {
  it.each([
    [11, 1, 260],
    [23, 1, 260],
    [37, 30, 260],
  ])(
    'random stream (seed %i, resurvey after %i days, %i events)',
    async (seed, resurveyAfterDays, count) => {
      const events = eventStream(seed, count);
      const [one, many] = [await side(resurveyAfterDays), await side(resurveyAfterDays)];

      const oneByOne: Array<Record<string, unknown>> = [];
      for (const event of events) oneByOne.push(await one.pipeline.ingest(event));

      const r = random(seed * 7);
      const batched: Array<Record<string, unknown>> = [];
      for (let i = 0; i < events.length; ) {
        const size = 1 + r.int(r.next() < 0.3 ? 8 : 80);
        batched.push(...(await many.pipeline.ingestMany(events.slice(i, i + size))));
        i += size;
      }

      // The stream covers what it is meant to (else the comparison proves little).
      const seen = new Set(oneByOne.map((o) => (o.outcome === 'skipped' ? `skipped:${o.reason}` : (o.outcome as string))));
      for (const o of ['scheduled', 'duplicate', 'cancelled', 'updated', 'rejected', 'skipped:opted-out', 'skipped:under-age']) {
        expect(seen).toContain(o);
      }
      expect([...seen].some((o) => o === 'skipped:same-day-visit' || o === 'skipped:recently-surveyed')).toBe(true);

      expect(await comparable(many, batched)).toEqual(await comparable(one, oneByOne));
      expect(await snapshot(many)).toEqual(await snapshot(one));
      const visitsOf = async (s: Side) =>
        (
          await s.pool.query(
            'SELECT v.source_visit_id FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE i.id = ANY($1) ORDER BY 1',
            [s.cancelled],
          )
        ).rows;
      expect(await visitsOf(many)).toEqual(await visitsOf(one));
    },
    120_000,
  );
});

describe('batches at the same time', () => {
  it('take patients twice in crossed unit orders (rounds that lock rollup rows in opposite orders): every batch answered 200', async () => {
    const h = await startIngest(testConfig({ resurveyAfterDays: 0 }));
    try {
      // Each batch has each of its patients twice: the first visits go in one round, the second in
      // the next. Batch X's rounds touch unit 1 then unit 2, Y's unit 2 then unit 1 (other patients).
      const batch = (tag: string, first: string, second: string, individual: number) =>
        Array.from({ length: 20 }, (_, i) => hetuFor(`1971-02-${String(1 + i).padStart(2, '0')}`, individual + i)).flatMap(
          (personalId, i) =>
            [first, second].map((unit, k) => ({
              source: 'lifecare',
              kind: 'visit-ended',
              visitId: `${tag}-${i}-${k}`,
              endedAt: yesterdayAt(12, k).toISOString(),
              unit: { id: unit },
              patient: { personalId, mobilePhones: ['040 123 4567'], languages: { service: 'fi' } },
            })),
        );
      for (let attempt = 0; attempt < 3; attempt++) {
        const answers = await Promise.all([
          postJson(`${h.url}/v1/visits`, batch(`X${attempt}`, UNITS.kyyjarvi, UNITS.karstula, 100 + attempt * 100)),
          postJson(`${h.url}/v1/visits`, batch(`Y${attempt}`, UNITS.karstula, UNITS.kyyjarvi, 150 + attempt * 100)),
        ]);
        expect(answers.map((a) => a.status)).toEqual([200, 200]);
      }
      const { rows } = await h.pool.query(
        `SELECT count(*)::int AS visits, count(i.id) FILTER (WHERE i.status = 'scheduled')::int AS scheduled FROM visits v LEFT JOIN invitations i ON i.visit_id = v.id`,
      );
      expect(rows[0]).toEqual({ visits: 240, scheduled: 120 });
    } finally {
      await h.close();
    }
  }, 60_000);

  it('take overlapping patients in opposite orders without a deadlock; each visit one invitation, each patient one text a day', async () => {
    const h = await startIngest(testConfig({ resurveyAfterDays: 0 }));
    try {
      const patients = Array.from({ length: 40 }, (_, i) => hetuFor(`1970-01-${String(1 + (i % 28)).padStart(2, '0')}`, 300 + i));
      const batch = (tag: string, order: string[]) =>
        order.map((personalId, i) => ({
          source: 'lifecare',
          kind: 'visit-ended',
          visitId: `${tag}-${i}`,
          endedAt: yesterdayAt(12, i % 3).toISOString(),
          unit: { id: UNITS.kyyjarvi },
          patient: { personalId, mobilePhones: ['040 123 4567'], languages: { service: 'fi' } },
        }));
      const forward = [...patients, ...patients];
      const answers = await Promise.all([
        postJson(`${h.url}/v1/visits`, batch('A', forward)),
        postJson(`${h.url}/v1/visits`, batch('B', [...forward].reverse())),
        postJson(`${h.url}/v1/visits`, batch('C', forward.slice(20).concat(forward.slice(0, 20)))),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      const { rows } = await h.pool.query(
        `SELECT count(*)::int AS visits, count(i.id)::int AS invitations,
                (SELECT count(*)::int FROM (SELECT 1 FROM invitations i2 JOIN visits v2 ON v2.id = i2.visit_id WHERE i2.status = 'scheduled'
                   GROUP BY v2.patient_pseudonym, v2.visit_day HAVING count(*) > 1) AS d) AS doubled,
                (SELECT count(DISTINCT v3.patient_pseudonym)::int FROM invitations i3 JOIN visits v3 ON v3.id = i3.visit_id WHERE i3.status = 'scheduled') AS texted
         FROM visits v LEFT JOIN invitations i ON i.visit_id = v.id`,
      );
      expect(rows[0]).toEqual({ visits: 240, invitations: 240, doubled: 0, texted: 40 });
    } finally {
      await h.close();
    }
  }, 60_000);
});
