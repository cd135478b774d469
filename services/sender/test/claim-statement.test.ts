import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as repo from '../src/invitation.repository.ts';
import { createHarness, type Harness } from './harness.ts';

describe('the claim statement for many jobs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
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
