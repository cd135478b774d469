import { applyDeliveryStatuses, type StatusCallback } from '@kaiku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture, UNIT } from './conversation-fixture.ts';

/** A small seeded generator, so that a failing mix can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STARTS: Array<{ status: string; sid: string | null }> = [
  { status: 'sent', sid: 'own' },
  { status: 'sent', sid: 'own' },
  { status: 'unknown', sid: null },
  { status: 'sending', sid: null },
  { status: 'scheduled', sid: null },
  { status: 'failed', sid: 'own' },
];
const STATUSES = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'accepted', 'no-such-status'];

describe('status callbacks: many in one call (set-based, in rounds) end exactly as one call each, in order', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  /** Invitations in the STARTS states, on their own visit day (their own rollup row). */
  async function world(day: string, tag: string) {
    const ids: string[] = [];
    for (const [k, start] of STARTS.entries()) {
      const { rows: v } = await f.pool.query<{ id: string }>(
        `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
         VALUES ('lifecare', $1, $2, 'health-station', $3::date, $3::date, 'fi', '30-39') RETURNING id`,
        [`DS-${tag}-${k}`, UNIT, day],
      );
      const { rows } = await f.pool.query<{ id: string }>(
        `INSERT INTO invitations (visit_id, status, language, attempt, message_sid) VALUES ($1, $2, 'fi', 1, $3) RETURNING id`,
        [v[0]?.id, start.status, start.sid && `SM${String(k).padStart(32, '0')}`],
      );
      ids.push(rows[0]?.id as string);
    }
    return ids;
  }

  async function stateOfWorld(ids: string[], day: string) {
    const { rows } = await f.pool.query(
      `SELECT status, delivery_status, message_sid, error_code, sent_at IS NOT NULL AS sent, expires_at IS NOT NULL AS expires
         FROM invitations WHERE id = ANY ($1) ORDER BY array_position($1, id)`,
      [ids],
    );
    const { rows: counted } = await f.pool.query(
      'SELECT coalesce(sum(sent), 0)::int AS sent, coalesce(sum(delivered), 0)::int AS delivered FROM nps_daily WHERE day = $1',
      [day],
    );
    return { invitations: rows, counted: counted[0] };
  }

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random mix ${seed}: same outcomes, same rows, same counts`, async () => {
      const random = prng(seed);
      const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)] as T;
      const mix = Array.from({ length: 40 }, () => {
        const k = Math.floor(random() * STARTS.length);
        return {
          k,
          sid: random() < 0.85 ? `SM${String(k).padStart(32, '0')}` : 'SMother00000000000000000000000000',
          status: pick(STATUSES),
          errorCode: random() < 0.3 ? 30003 : null,
        };
      });
      const dayTogether = `2023-0${1 + (seed % 9)}-1${seed % 10}`;
      const dayAlone = `2023-0${1 + (seed % 9)}-2${seed % 10}`;
      const together = await world(dayTogether, `t${seed}`);
      const alone = await world(dayAlone, `a${seed}`);
      const callbacks = (ids: string[]): StatusCallback[] =>
        mix.map((m) => ({ invitationId: ids[m.k] as string, messageSid: m.sid, messageStatus: m.status, errorCode: m.errorCode }));

      const inOneCall = await applyDeliveryStatuses(f.pool, callbacks(together), 7);
      const oneByOne = [];
      for (const cb of callbacks(alone)) oneByOne.push(...(await applyDeliveryStatuses(f.pool, [cb], 7)));

      expect(inOneCall).toEqual(oneByOne);
      expect(inOneCall).toContain('applied');
      expect(await stateOfWorld(together, dayTogether)).toEqual(await stateOfWorld(alone, dayAlone));
    });
  }

  it('concurrent calls over the same invitations: each callback applied once, each send and delivery counted once', async () => {
    const day = '2023-11-05';
    const ids = (await Promise.all([0, 1, 2, 3, 4].map((n) => world(day, `c${n}`)))).flat();
    const sids = await f.pool.query<{ id: string; message_sid: string | null }>(
      'SELECT id, message_sid FROM invitations WHERE id = ANY ($1)',
      [ids],
    );
    const sidOf = new Map(sids.rows.map((r) => [r.id, r.message_sid ?? `SM${'f'.repeat(32)}`]));
    const all = ids.flatMap((id) =>
      ['sent', 'delivered'].map((messageStatus) => ({
        invitationId: id,
        messageSid: sidOf.get(id) as string,
        messageStatus,
        errorCode: null,
      })),
    );
    const random = prng(42);
    const shuffled = () => [...all].sort(() => random() - 0.5);
    const results = await Promise.all([1, 2, 3, 4].map(() => applyDeliveryStatuses(f.pool, shuffled(), 7)));
    // each invitation's callbacks are applied at least once (its `delivered`) and at most once each
    // (a `sent` that finds `delivered` stored by another call is ignored)
    const applied = results.flat().filter((r) => r === 'applied').length;
    expect(applied).toBeGreaterThanOrEqual(ids.length);
    expect(applied).toBeLessThanOrEqual(all.length);
    const state = await stateOfWorld(ids, day);
    const moved = STARTS.filter((s) => s.status !== 'failed').length * 5;
    expect(state.invitations.filter((r) => r.status === 'delivered')).toHaveLength(moved);
    // sends settled by a callback (unknown, sending, scheduled); every delivery Twilio reported
    expect(state.counted).toEqual({ sent: 3 * 5, delivered: ids.length });
  });
});
