import { waitFor } from '@kaiku/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as repo from '../src/invitation.repository.ts';
import { createInvitationTexts } from '../src/invitation-texts.ts';
import { createUnknownSendReconciler } from '../src/unknown-send.reconciler.ts';
import { createHarness, FROM, type Harness, keys, UNIT } from './harness.ts';

/**
 * Sends that ended `unknown` (a timeout, a crash, Postgres gone before the sid was stored) and that
 * no status callback settled: Twilio's message log tells whether the text went out.
 */
describe('unknown sends, settled from Twilio’s message log', () => {
  let h: Harness;
  let reconciler: ReturnType<typeof createUnknownSendReconciler>;
  beforeAll(async () => {
    h = await createHarness();
    h.startWorker();
    reconciler = createUnknownSendReconciler({
      pool: h.pool,
      twilio: h.twilio(),
      queue: h.queue,
      kaiku: h.kaiku,
      keys,
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** An invitation whose send ended without an answer `minutesAgo`, as the sender leaves it. */
  async function unknownSince(minutesAgo: number) {
    const { id, phone } = await h.addInvitation({ enqueue: false });
    await h.pool.query(
      `UPDATE invitations SET status = 'unknown', attempt = 1, last_attempt_at = now() - make_interval(mins => $2),
         updated_at = now() - make_interval(mins => $2), expires_at = now() + interval '7 days' WHERE id = $1`,
      [id, minutesAgo],
    );
    return { id, phone };
  }
  it('a text that never reached Twilio is sent once; one that did is marked sent; anything else is left alone', async () => {
    const lost = await unknownSince(15);
    const delivered = await unknownSince(15);
    const other = await unknownSince(15);
    const recent = await unknownSince(2);
    const body = createInvitationTexts(h.kaiku.units).of('fi', UNIT).body;
    const created = await h.twilio().messages.create({ to: delivered.phone, from: FROM, body });
    await h.twilio().messages.create({ to: other.phone, from: FROM, body: 'Jokin muu viesti' });

    expect(await reconciler.runOnce()).toEqual({ found: 1, resent: 1, unclear: 1, withdrawn: 0 });
    await waitFor(async () => (await h.invitation(lost.id))?.status === 'delivered', 15_000, 'the lost text sent');
    expect(await h.simMessages(lost.phone)).toHaveLength(1);
    expect(await h.invitation(delivered.id)).toMatchObject({ status: 'sent', message_sid: created.sid });
    expect(await h.simMessages(delivered.phone)).toHaveLength(1);
    expect((await h.invitation(other.id))?.status).toBe('unknown');
    expect(await h.simMessages(other.phone)).toHaveLength(1); // only the other message, never the survey
    expect((await h.invitation(recent.id))?.status).toBe('unknown'); // still within its callbacks' time

    // Looked at once: nothing changes on the next run.
    expect(await reconciler.runOnce()).toEqual({ found: 0, resent: 0, unclear: 0, withdrawn: 0 });
  });

  it('a send left unknown by a crash, whose job had completed, is queued again through that job', async () => {
    const { id, phone } = await unknownSince(30);
    await h.queue.add('send', { invitationId: id }, { jobId: id });
    await waitFor(async () => (await (await h.queue.getJob(id))?.getState()) === 'completed', 10_000, 'the old job done');
    expect(await h.simMessages(phone)).toEqual([]);
    expect(await reconciler.runOnce()).toMatchObject({ resent: 1 });
    await waitFor(async () => (await h.invitation(id))?.status === 'delivered', 15_000, 'sent');
    expect(await h.simMessages(phone)).toHaveLength(1);
  });

  it('a send withdrawn while it was unknown (visit cancelled, patient died) is never sent; one that had gone stays sent (a probe: three were sent 12 minutes after)', async () => {
    const cancelled = await unknownSince(15);
    const deceased = await unknownSince(15);
    const wentOut = await unknownSince(15);
    // As ingest keeps a cancellation and a withdrawal that arrive while a text is in flight (migration 690).
    await h.pool.query(`UPDATE invitations SET withdrawn_reason = 'cancelled' WHERE id = $1`, [cancelled.id]);
    await h.pool.query(`UPDATE invitations SET withdrawn_reason = 'deceased' WHERE id = ANY ($1)`, [[deceased.id, wentOut.id]]);
    const body = createInvitationTexts(h.kaiku.units).of('fi', UNIT).body;
    const created = await h.twilio().messages.create({ to: wentOut.phone, from: FROM, body });

    expect(await reconciler.runOnce()).toEqual({ found: 1, resent: 0, unclear: 0, withdrawn: 2 });
    expect(await h.invitation(cancelled.id)).toMatchObject({ status: 'cancelled', phone_enc: null, phone_hash: null });
    expect(await h.invitation(deceased.id)).toMatchObject({ status: 'skipped', skip_reason: 'deceased', phone_enc: null });
    expect(await h.invitation(wentOut.id)).toMatchObject({ status: 'sent', message_sid: created.sid });
    await new Promise((r) => setTimeout(r, 300)); // nothing queued that could still text them
    expect(await h.simMessages(cancelled.phone)).toEqual([]);
    expect(await h.simMessages(deceased.phone)).toEqual([]);
  });

  it('a withdrawal that came during an attempt which then failed is never retried (a regression probe: cancelled, then texted after a 500)', async () => {
    // The attempt surely created nothing (a refused connection, a 429, a 4xx of our settings): settled at once.
    const plain = await h.addInvitation({ enqueue: false });
    await h.pool.query(`UPDATE invitations SET status = 'sending', withdrawn_reason = 'cancelled' WHERE id = $1`, [plain.id]);
    await repo.markRetry(h.pool, plain.id, 21606, false, new Date(), 7);
    expect(await h.invitation(plain.id)).toMatchObject({ status: 'cancelled', phone_enc: null });
    // A 5xx may have created it: unknown, then settled from Twilio's log (nothing there: skipped).
    const maybe = await h.addInvitation({ enqueue: false });
    await h.pool.query(
      `UPDATE invitations SET status = 'sending', attempt = 1, last_attempt_at = now() - interval '15 minutes', withdrawn_reason = 'deceased' WHERE id = $1`,
      [maybe.id],
    );
    await repo.markRetry(h.pool, maybe.id, 20500, true, new Date(), 7);
    expect((await h.invitation(maybe.id))?.status).toBe('unknown');
    // A retry job already waiting for it finds it so, and sends nothing.
    await h.queue.add('send', { invitationId: maybe.id }, { jobId: maybe.id });
    await waitFor(async () => (await h.queue.getJob(maybe.id))?.finishedOn, 10_000, 'the retry job');
    expect(await h.simMessages(maybe.phone)).toEqual([]);
    await h.pool.query(`UPDATE invitations SET updated_at = now() - interval '15 minutes' WHERE id = $1`, [maybe.id]);
    expect(await reconciler.runOnce()).toMatchObject({ withdrawn: 1, resent: 0 });
    expect(await h.invitation(maybe.id)).toMatchObject({ status: 'skipped', skip_reason: 'deceased' });
    expect(await h.simMessages(maybe.phone)).toEqual([]);
  });

  it("on a shared phone, the other survey's text (word for word the same) and answers to replies are not taken for this one's (a regression probe: marked sent with the other's sid)", async () => {
    const phone = '+358405550077';
    const other = await h.addInvitation({ phone, enqueue: false });
    const body = createInvitationTexts(h.kaiku.units).of('fi', UNIT).body;
    const itsText = await h.twilio().messages.create({ to: phone, from: FROM, body });
    // answered already, so the number is free for the next survey
    await h.pool.query(
      `UPDATE invitations SET status = 'answered', step = 'awaiting-reason', message_sid = $2, sent_at = now() WHERE id = $1`,
      [other.id, itsText.sid],
    );
    const lost = await h.addInvitation({ phone, enqueue: false });
    await h.pool.query(
      `UPDATE invitations SET status = 'unknown', attempt = 1, last_attempt_at = now() - interval '15 minutes',
         updated_at = now() - interval '15 minutes', expires_at = now() + interval '7 days' WHERE id = $1`,
      [lost.id],
    );
    // The other patient thanks; the answer to it goes to the number too (TwiML, outbound-reply).
    await fetch(`${h.simUrl}/sim/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: phone, body: 'Kiitos' }),
    });
    expect((await h.simMessages(phone)).length).toBe(1); // (the list shows what our API sent)
    expect(await reconciler.runOnce()).toMatchObject({ found: 0, resent: 1, unclear: 0 });
    await waitFor(async () => (await h.invitation(lost.id))?.status === 'delivered', 15_000, 'the lost text sent');
    const sent = (await h.invitation(lost.id))?.message_sid;
    expect(sent).not.toBe(itsText.sid);
    expect(await h.simMessages(phone)).toHaveLength(2);
  });
});
