import { createPool, type Pool } from '@kaiku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as repo from '../src/invitation.repository.ts';
import { createHarness, type Harness, UNIT } from './harness.ts';

/** Rows read from `invitations` so far (all indexes and the table's own scans), as the same-day lock's test counts them. */
async function invitationReads(pool: Pool, connection: Pool): Promise<number> {
  await connection.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await pool.query<{ n: string }>(
    `SELECT (coalesce(idx_tup_fetch, 0) + seq_tup_read)::text AS n FROM pg_stat_user_tables WHERE relname = 'invitations'`,
  );
  return Number(rows[0]?.n);
}

describe('the claim statement for many jobs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a claim reads the invitations it names, however many others wait (a plan kept from small tables read them all: 15-20 ms a claim)', async () => {
    const connection = createPool(h.env.databaseUrl, { max: 1 });
    try {
      const dueBy = () => new Date(Date.now() + 1000);
      // Plans made while the tables are nearly empty (the function keeps them after its fifth call).
      for (let i = 0; i < 8; i++) {
        const { id } = await h.addInvitation({ enqueue: false });
        expect((await repo.claimDue(connection, [{ id, dueBy: dueBy() }]))[0]?.id).toBe(id);
      }
      // 3,000 other texts waiting to be sent.
      await h.pool.query(
        `WITH v AS (INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
                    SELECT 'lifecare', 'WAITING-' || g, $1, 'health-station', now() - interval '1 hour', current_date, 'fi', '30-39'
                      FROM generate_series(1, 3000) AS g RETURNING id)
         INSERT INTO invitations (visit_id, status, phone_hash, language, send_at)
         SELECT id, 'scheduled', md5(id::text), 'fi', now() + interval '1 day' FROM v`,
        [UNIT],
      );
      const a = await h.addInvitation({ enqueue: false });
      const b = await h.addInvitation({ enqueue: false });
      const before = await invitationReads(h.pool, connection);
      const claimed = await repo.claimDue(
        connection,
        [a, b].map(({ id }) => ({ id, dueBy: dueBy() })),
      );
      const read = (await invitationReads(h.pool, connection)) - before;
      expect(claimed.map((c) => c?.id)).toEqual([a.id, b.id]);
      expect(read).toBeLessThan(40);
    } finally {
      await connection.end();
    }
  });

  it("two sender processes claiming one number's two surveys at the same moment: one goes, the other finds the number busy (a regression probe: 6 of 40 numbers got both)", async () => {
    const phone = '+358405550001';
    const a = await h.addInvitation({ phone, enqueue: false });
    const b = await h.addInvitation({ phone, enqueue: false });
    const dueBy = new Date(Date.now() + 1000);
    // The first process's claim has run and not yet committed …
    const first = await h.pool.connect();
    try {
      await first.query('BEGIN');
      const { rows } = await first.query('SELECT o_id FROM kaiku_claim_due($1::uuid[], $2::timestamptz[], $3::text[], $4)', [
        [a.id],
        [dueBy],
        ['fi', 'sv', 'en'],
        'awaiting-score',
      ]);
      expect(rows).toEqual([{ o_id: a.id }]);
      // … when the second process claims the other survey of the number.
      const second = repo.claimDue(h.pool, [{ id: b.id, dueBy }]);
      await new Promise((r) => setTimeout(r, 200));
      await first.query('COMMIT');
      expect(await second).toEqual([null]);
    } finally {
      first.release();
    }
    expect((await h.invitation(b.id))?.status).toBe('scheduled');
  });

  it('claims each due, scheduled invitation once, even when two jobs in one batch name it', async () => {
    const a = await h.addInvitation({ enqueue: false });
    const b = await h.addInvitation({ enqueue: false });
    const later = await h.addInvitation({ enqueue: false, sendAt: new Date(Date.now() + 3600_000) });
    const dueBy = new Date(Date.now() + 1000);
    const claimed = await repo.claimDue(
      h.pool,
      [a, b, a, later].map(({ id }) => ({ id, dueBy })),
    );
    expect(claimed.map((c) => c?.id ?? null)).toEqual([a.id, b.id, null, null]);
    expect(claimed[0]).toMatchObject({ attempt: 1, previous_attempt_at: null, language: 'fi' });
    expect((await h.invitation(a.id))?.status).toBe('sending');
    expect((await h.invitation(later.id))?.status).toBe('scheduled');
    // a second claim finds nothing to claim
    expect(await repo.claimDue(h.pool, [{ id: a.id, dueBy }])).toEqual([null]);
    // back to scheduled for a retry: the next claim carries the previous attempt's time, for the look-up
    const { rows } = await h.pool.query<{ t: Date }>('SELECT last_attempt_at AS t FROM invitations WHERE id = $1', [b.id]);
    await repo.markRetry(h.pool, b.id, 20500, true, null, 7);
    const [retried] = await repo.claimDue(h.pool, [{ id: b.id, dueBy }]);
    expect(retried).toMatchObject({ attempt: 2, lookup_before_retry: true, previous_attempt_at: rows[0]?.t });

    const before = await h.rollup();
    await repo.markSent(
      h.pool,
      [
        { id: a.id, sid: `SM${'a'.repeat(32)}` },
        { id: b.id, sid: `SM${'b'.repeat(32)}` },
        { id: later.id, sid: `SM${'c'.repeat(32)}` },
      ],
      7,
    );
    expect((await h.invitation(a.id))?.message_sid).toBe(`SM${'a'.repeat(32)}`);
    expect((await h.invitation(later.id))?.status).toBe('scheduled'); // not sending: not marked sent
    expect((await h.rollup()).sent).toBe(before.sent + 2);
  });
});
