// kill -9 of a sender process in the middle of a burst of 2,000 invitations, then a restart: every
// invitation ends in exactly one final state, and no number gets a second text (counted in sms-sim).
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { encryptPhone, phoneHashOf } from '@kaiku/core';
import { waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, keys, testKaiku, UNIT } from '../../services/sender/test/harness.ts';
import { startSenderProcess } from '../../services/sender/test/sender-process.ts';

const BURST = 2000;

describe('a sender killed with SIGKILL during a burst of 2,000 invitations', () => {
  let h: Harness;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    h = await createHarness(testKaiku({ sending: { ratePerSecond: 150, concurrency: 10 } }));
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await h?.close();
  });

  it('ends every invitation in one final state; sms-sim has at most one text per number, one for every sent invitation', {
    timeout: 300_000,
  }, async () => {
    // 2,000 visits and scheduled invitations as ingest stores them, all due now, all queued.
    const phones = Array.from({ length: BURST }, (_, i) => `+35840${String(3_000_000 + i)}`);
    const { rows: visits } = await h.pool.query<{ id: string }>(
      `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
       SELECT 'lifecare', 'KILL9-' || g, $1, 'health-station', now() - interval '1 hour', current_date, 'fi', '30-39'
       FROM generate_series(1, $2::int) g ORDER BY g RETURNING id`,
      [UNIT, BURST],
    );
    const { rows: invitations } = await h.pool.query<{ id: string; phone_hash: Buffer }>(
      `INSERT INTO invitations (visit_id, status, phone_enc, phone_hash, language, send_at)
       SELECT v, 'scheduled', e, p, 'fi', now() FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) AS t(v, e, p) RETURNING id, phone_hash`,
      [visits.map((v) => v.id), phones.map((p) => encryptPhone(keys, p)), phones.map((p) => phoneHashOf(keys, p))],
    );
    expect(invitations).toHaveLength(BURST);
    const ids = invitations.map((r) => r.id);
    await h.queue.addBulk(
      ids.map((id) => ({
        name: 'send',
        data: { invitationId: id },
        opts: { jobId: id, attempts: 5, backoff: { type: 'fixed', delay: 200 } },
      })),
    );

    // The first sender gets a good way into the burst and is killed without warning.
    const first = await startSenderProcess(h, children);
    const settled = async () =>
      (await h.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM invitations WHERE status <> 'scheduled'").catch(() => null))
        ?.rows[0]?.n ?? 0;
    await waitFor(async () => (await settled()) >= 300, 120_000, '300 sends under way');
    first.kill('SIGKILL');
    await once(first, 'exit');
    const atKill = await h.pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM invitations GROUP BY status ORDER BY status',
    );
    const sentAtKill = (await h.simMessages()).length;
    expect(sentAtKill).toBeLessThan(BURST); // the kill really was mid-burst

    // A new sender finishes the burst; Twilio's status callbacks settle what the dead one left open.
    await startSenderProcess(h, children);
    const finals = ['delivered', 'unknown', 'failed', 'undelivered'];
    await waitFor(
      async () => {
        await new Promise((r) => setTimeout(r, 250));
        const { rows } = await h.pool
          .query<{ n: number }>('SELECT count(*)::int AS n FROM invitations WHERE NOT (status = ANY($1))', [finals])
          .catch(() => ({ rows: [{ n: -1 }] })); // a slow connect on a loaded machine: ask again
        return rows[0]?.n === 0;
      },
      200_000,
      'every invitation in a final state',
    ).catch(async (error) => {
      const { rows } = await h.pool.query('SELECT status, count(*)::int AS n FROM invitations GROUP BY status');
      throw new Error(`${error.message}: ${JSON.stringify(rows)}; at the kill: ${JSON.stringify(atKill.rows)}`);
    });

    const messages = await h.simMessages();
    const byNumber = new Map<string, number>();
    for (const m of messages) byNumber.set(m.to, (byNumber.get(m.to) ?? 0) + 1);
    const doubled = [...byNumber].filter(([, n]) => n > 1);
    expect(doubled).toEqual([]);
    expect(messages.every((m) => phones.includes(m.to))).toBe(true);

    const { rows } = await h.pool.query<{ id: string; status: string; message_sid: string | null }>(
      'SELECT id, status, message_sid FROM invitations',
    );
    const texted = new Map(messages.map((m) => [m.statusCallback?.split('/').pop(), m.sid]));
    const states: Record<string, number> = {};
    for (const inv of rows) {
      states[inv.status] = (states[inv.status] ?? 0) + 1;
      if (texted.has(inv.id)) {
        // Texted: the invitation knows it, with that very message.
        expect(inv, inv.id).toMatchObject({ status: 'delivered', message_sid: texted.get(inv.id) });
      } else {
        // Not texted: only a send the dead process had claimed, never re-sent blindly.
        expect(inv.status, inv.id).toBe('unknown');
      }
    }
    // Only the sends in flight at the kill can be unknown-without-text (concurrency 10).
    expect(states.unknown ?? 0).toBeLessThanOrEqual(10);
    expect(messages.length + (states.unknown ?? 0)).toBe(BURST);
    expect(await h.rollup()).toEqual({ sent: messages.length, delivered: messages.length });
    console.info(
      `[reliability] kill -9: ${BURST} invitations, ${sentAtKill} texts before the kill, ${messages.length} texts in all, ` +
        `states ${JSON.stringify(states)}, lost 0, doubled ${doubled.length}`,
    );
  });
});
