import { phoneHashOf } from '@kaiku/core';
import { kaikuMetrics } from '@kaiku/http';
import { waitFor } from '@kaiku/testing';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markSent } from '../src/invitation.repository.ts';
import { createInvitationTexts } from '../src/invitation-texts.ts';
import { AUTH_TOKEN, createHarness, FROM, type Harness, keys, SENSITIVE_UNIT, testKaiku, UNIT } from './harness.ts';

/** A signed status callback to the harness's replies service, as Twilio sends it. */
async function statusCallback(id: string, sid: string, status: string) {
  const url = `${h.repliesUrl}/v1/twilio/status/${id}`;
  const params = { MessageSid: sid, MessageStatus: status, AccountSid: `AC${'1'.repeat(32)}` };
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  return { statusCode: res.status };
}

/** Sending through the real twilio SDK to sms-sim, with real Postgres and Redis. */
let h: Harness;
describe('sender: one text per invitation, in the patient language', () => {
  beforeAll(async () => {
    h = await createHarness();
    h.startWorker();
  });
  afterAll(async () => {
    await h?.close();
  });

  const settled = (id: string, status: string) =>
    waitFor(async () => ((await h.invitation(id))?.status === status ? h.invitation(id) : null), 15_000, `invitation ${status}`);

  it('texts the number once with the callback URL and a validity period, and counts sent and delivered', async () => {
    const before = await h.rollup();
    const { id, phone } = await h.addInvitation({ language: 'fi' });
    const inv = await settled(id, 'delivered');
    const [msg, ...more] = await h.simMessages(phone);
    expect(more).toEqual([]);
    expect(msg?.body).toContain('Kyyjärven terveysasema');
    expect(msg?.body).toContain('maksuton');
    expect(msg?.statusCallback).toBe(`${h.repliesUrl}/v1/twilio/status/${id}`);
    expect(msg?.validityPeriod).toBe(4 * 3600);
    expect(inv?.message_sid).toBe(msg?.sid);
    expect(inv?.attempt).toBe(1);
    // The encrypted number was only for sending; the keyed hash stays to match the replies.
    expect(inv?.phone_enc).toBeNull();
    expect(inv?.phone_hash).toBe(phoneHashOf(keys, phone));
    expect(await h.rollup()).toEqual({ sent: before.sent + 1, delivered: before.delivered + 1 });

    // The same invitation offered to the worker again (a duplicate job) sends nothing.
    await h.queue.add('send', { invitationId: id }, { jobId: `${id}-again` });
    await waitFor(async () => (await h.queue.getJob(`${id}-again`))?.finishedOn, 10_000, 'the duplicate job');
    expect((await h.queue.getJob(`${id}-again`))?.returnvalue).toBe('already-sent'); // counted so, not as cancelled
    expect(await h.simMessages(phone)).toHaveLength(1);
    expect(await h.rollup()).toEqual({ sent: before.sent + 1, delivered: before.delivered + 1 });
  });

  it("a text the patient answered before Twilio's answer reached the sender is still marked sent and counted once", async () => {
    const { id } = await h.addInvitation({ enqueue: false });
    await h.pool.query("UPDATE invitations SET status = 'answered', step = 'awaiting-reason' WHERE id = $1", [id]);
    const before = await h.rollup();
    await markSent(h.pool, [{ id, sid: 'SMraced' }], 7);
    await markSent(h.pool, [{ id, sid: 'SMraced' }], 7); // a second mark changes nothing
    const { rows } = await h.pool.query('SELECT status, message_sid, expires_at, phone_enc FROM invitations WHERE id = $1', [id]);
    expect(rows[0]).toMatchObject({ status: 'answered', message_sid: 'SMraced', phone_enc: null });
    expect(rows[0]?.expires_at).toBeInstanceOf(Date); // so that its window closes and its phone hash goes
    // the answer proves delivery; the carrier's report that follows counts nothing more
    expect(await h.rollup()).toEqual({ sent: before.sent + 1, delivered: before.delivered + 1 });
    expect((await statusCallback(id, 'SMraced', 'delivered')).statusCode).toBe(204);
    expect(await h.rollup()).toEqual({ sent: before.sent + 1, delivered: before.delivered + 1 });
  });

  it('a text answered and then reported by its callback before the sender could mark it: the mark counts nothing more', async () => {
    const { id } = await h.addInvitation({ enqueue: false });
    await h.pool.query("UPDATE invitations SET status = 'answered', step = 'awaiting-reason' WHERE id = $1", [id]);
    const before = await h.rollup();
    expect((await statusCallback(id, 'SMlate', 'sent')).statusCode).toBe(204);
    expect(await h.rollup()).toEqual({ sent: before.sent + 1, delivered: before.delivered + 1 });
    await markSent(h.pool, [{ id, sid: null }], 7); // the restarted sender's job
    expect(await h.rollup()).toEqual({ sent: before.sent + 1, delivered: before.delivered + 1 });
  });

  it('a send that died after the patient had already answered it is marked sent by the next job: its window and phone data close', async () => {
    const { id, phone } = await h.addInvitation({ enqueue: false });
    await h.pool.query("UPDATE invitations SET status = 'answered', step = 'awaiting-reason' WHERE id = $1", [id]);
    const before = await h.rollup();
    await h.queue.add('send', { invitationId: id }, { jobId: `${id}-after-crash` });
    await waitFor(async () => (await h.queue.getJob(`${id}-after-crash`))?.finishedOn, 10_000, 'the job');
    expect((await h.queue.getJob(`${id}-after-crash`))?.returnvalue).toBe('already-sent');
    const { rows } = await h.pool.query('SELECT status, expires_at, phone_enc FROM invitations WHERE id = $1', [id]);
    expect(rows[0]).toMatchObject({ status: 'answered', phone_enc: null });
    expect(rows[0]?.expires_at).toBeInstanceOf(Date);
    expect(await h.rollup()).toEqual({ sent: before.sent + 1, delivered: before.delivered + 1 });
    expect(await h.simMessages(phone)).toEqual([]); // nothing sent again
  });

  it('many jobs for one invitation at the same time still send one text: only one claim matches', async () => {
    const { id, phone } = await h.addInvitation({ enqueue: false });
    const jobIds = Array.from({ length: 12 }, (_, k) => `${id}-dup-${k}`);
    await h.queue.addBulk(jobIds.map((jobId) => ({ name: 'send', data: { invitationId: id }, opts: { jobId } })));
    await waitFor(
      async () => (await Promise.all(jobIds.map(async (j) => (await h.queue.getJob(j))?.finishedOn))).every(Boolean),
      15_000,
      'every duplicate job',
    );
    await settled(id, 'delivered');
    expect(await h.simMessages(phone)).toHaveLength(1);
    expect((await h.invitation(id))?.attempt).toBe(1);
  });

  it('writes in Swedish with the Swedish unit name, and never names a sensitive unit', async () => {
    const sv = await h.addInvitation({ language: 'sv' });
    const sensitive = await h.addInvitation({ language: 'fi', unitId: SENSITIVE_UNIT });
    await settled(sv.id, 'delivered');
    await settled(sensitive.id, 'delivered');
    const [svMsg] = await h.simMessages(sv.phone);
    expect(svMsg?.body).toMatch(/^Kyyjärvi hälsostation: Tack för ditt besök/);
    expect(svMsg?.body).toContain('gratis');
    const [fiMsg] = await h.simMessages(sensitive.phone);
    expect(fiMsg?.body).not.toMatch(/Mielenterveys/i);
    expect(fiMsg?.body).toMatch(/^Kiitos käynnistäsi/);
  });

  it('writes in the language the number chose by SMS after the invitation was made (a probe: "SV" to one survey, the next in Finnish)', async () => {
    const { id, phone } = await h.addInvitation({ language: 'fi', enqueue: false });
    await h.pool.query(`INSERT INTO language_preferences (phone_hash, language) VALUES ($1, 'sv')`, [phoneHashOf(keys, phone)]);
    await h.queue.add('send', { invitationId: id }, { jobId: id });
    const inv = await settled(id, 'delivered');
    expect(inv?.language).toBe('sv'); // the conversation goes on in it too
    const [msg] = await h.simMessages(phone);
    expect(msg?.body).toMatch(/^Kyyjärvi hälsostation: Tack för ditt besök/);
  });

  it('texts one survey at a time to a number two patients share: the next once the first has its score (a probe: both at once, and the one reply went to either)', async () => {
    const phone = '+358401112233';
    const first = await h.addInvitation({ phone, enqueue: false });
    const second = await h.addInvitation({ phone, enqueue: false });
    // both due at the same minute, as next-day-12:00 makes them
    await h.queue.addBulk([first.id, second.id].map((id) => ({ name: 'send', data: { invitationId: id }, opts: { jobId: id } })));
    const sentOne = await waitFor(
      async () => {
        const states = await Promise.all([first.id, second.id].map(async (id) => ({ id, inv: await h.invitation(id) })));
        const delivered = states.filter((x) => x.inv?.status === 'delivered');
        const waiting = states.filter((x) => x.inv?.status === 'scheduled');
        const delayed = waiting.length === 1 && (await h.queue.getJob(waiting[0]?.id as string))?.delay;
        return delivered.length === 1 && delayed ? { sent: delivered[0]?.id as string, waiting: waiting[0]?.id as string } : null;
      },
      15_000,
      'one text, the other job delayed',
    );
    expect(await h.simMessages(phone)).toHaveLength(1);
    // The patient answers the text they got; the other survey goes at its next look.
    const answered = (await (
      await fetch(`${h.simUrl}/sim/reply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: phone, body: '8' }),
      })
    ).json()) as { status: number };
    expect(answered.status).toBe(200);
    expect((await h.pool.query('SELECT score FROM responses WHERE invitation_id = $1', [sentOne.sent])).rows).toEqual([{ score: 8 }]);
    await (await h.queue.getJob(sentOne.waiting))?.promote();
    await settled(sentOne.waiting, 'delivered');
    expect(await h.simMessages(phone)).toHaveLength(2);
  });

  it('does not text a number that opted out after the invitation was made', async () => {
    const { id, phone } = await h.addInvitation({ enqueue: false });
    await h.pool.query(`INSERT INTO opt_outs (phone_hash, method) VALUES ($1, 'sms')`, [phoneHashOf(keys, phone)]);
    await h.queue.add('send', { invitationId: id }, { jobId: id });
    const inv = await settled(id, 'skipped');
    expect(inv?.skip_reason).toBe('opted-out');
    expect(inv?.phone_enc).toBeNull();
    expect(await h.simMessages(phone)).toEqual([]);
  });

  it('does not text a cancelled invitation', async () => {
    const { id, phone } = await h.addInvitation({ enqueue: false });
    await h.pool.query(`UPDATE invitations SET status = 'cancelled' WHERE id = $1`, [id]);
    await h.queue.add('send', { invitationId: id }, { jobId: id });
    await waitFor(async () => (await h.queue.getJob(id))?.finishedOn, 10_000, 'the job');
    expect((await h.queue.getJob(id))?.returnvalue).toBe('not-scheduled');
    expect(await h.simMessages(phone)).toEqual([]);
    expect((await h.invitation(id))?.status).toBe('cancelled');
  });

  it('a permanent error (21211 invalid number) fails the invitation with its code, with no retry', async () => {
    const { id, phone } = await h.addInvitation({ attempts: 3 });
    await h.fault({ kind: 'error', to: phone, code: 21211, times: 3 });
    const inv = await settled(id, 'failed');
    expect(inv?.error_code).toBe(21211);
    expect(inv?.attempt).toBe(1);
    const { faults } = (await (await fetch(`${h.simUrl}/sim/faults`)).json()) as { faults: Array<{ to: string; remaining: number }> };
    expect(faults.find((f) => f.to === phone)?.remaining).toBe(2); // exactly one request
  });

  it('counts sends by result and Twilio error code for /metrics', async () => {
    const count = async (labels: { result: string; error_code: string }) =>
      (await kaikuMetrics.smsSends.get()).values.find((v) => v.labels.result === labels.result && v.labels.error_code === labels.error_code)
        ?.value ?? 0;
    const sentBefore = await count({ result: 'sent', error_code: 'none' });
    const failedBefore = await count({ result: 'failed', error_code: '21211' });
    const ok = await h.addInvitation();
    await settled(ok.id, 'delivered');
    const bad = await h.addInvitation();
    await h.fault({ kind: 'error', to: bad.phone, code: 21211, times: 1 });
    await settled(bad.id, 'failed');
    expect(await count({ result: 'sent', error_code: 'none' })).toBe(sentBefore + 1);
    expect(await count({ result: 'failed', error_code: '21211' })).toBe(failedBefore + 1);
  });

  it('21610 (the number unsubscribed at Twilio) also records an opt-out', async () => {
    const { id, phone } = await h.addInvitation();
    await h.fault({ kind: 'error', to: phone, code: 21610, times: 1 });
    const inv = await settled(id, 'failed');
    expect(inv?.error_code).toBe(21610);
    const { rows } = await h.pool.query('SELECT method FROM opt_outs WHERE phone_hash = $1', [phoneHashOf(keys, phone)]);
    expect(rows).toEqual([{ method: 'twilio-21610' }]);
  });

  it('a 500 is retried with backoff and the text goes out once', async () => {
    const { id, phone } = await h.addInvitation({ attempts: 4 });
    await h.fault({ kind: 'server-error', to: phone, times: 2 });
    const inv = await settled(id, 'delivered');
    expect(inv?.attempt).toBe(3);
    expect(inv?.error_code).toBeNull(); // the 500s' code went with them
    expect(await h.simMessages(phone)).toHaveLength(1);
  });

  it('a 500 after which Twilio had created the message after all: settled by its callback, never re-sent', async () => {
    const { id, phone } = await h.addInvitation({ attempts: 4 });
    await h.fault({ kind: 'server-error', to: phone, times: 1, create: true });
    const inv = await settled(id, 'delivered');
    expect(await h.simMessages(phone)).toHaveLength(1);
    expect(inv?.message_sid).toBe((await h.simMessages(phone))[0]?.sid);
  });

  it('a 500 that had created the message, with its callbacks lost: the retry finds it at Twilio and sends nothing', async () => {
    const { id, phone } = await h.addInvitation({ attempts: 4 });
    await h.fault({ kind: 'server-error', to: phone, times: 1, create: true, callbacks: false });
    const inv = await settled(id, 'sent');
    expect(inv?.attempt).toBe(2);
    const messages = await h.simMessages(phone);
    expect(messages).toHaveLength(1);
    expect(inv?.message_sid).toBe(messages[0]?.sid);
  });

  it('a retry after a 5xx that finds another text at Twilio sends nothing: the words changed since (a probe: Finnish, then English)', async () => {
    const { id, phone } = await h.addInvitation({ language: 'fi', enqueue: false });
    // The first attempt's text went out in Finnish; the answer was a 5xx, so the retry looks first.
    await h.pool.query(
      `UPDATE invitations SET attempt = 1, last_attempt_at = now() - interval '1 minute', lookup_before_retry = true, language = 'sv' WHERE id = $1`,
      [id],
    );
    const finnish = createInvitationTexts(h.kaiku.units).of('fi', UNIT).body;
    await h.twilio().messages.create({ to: phone, from: FROM, body: finnish });
    await h.queue.add('send', { invitationId: id }, { jobId: id });
    const inv = await settled(id, 'unknown');
    expect(inv?.attempt).toBe(2);
    expect(await h.simMessages(phone)).toHaveLength(1); // the Finnish one only
  });

  it('with no retry period left, gives up after the 5xx attempts: unknown (it may have gone out), never failed or re-sent', async () => {
    const { id, phone } = await h.addInvitation({ attempts: 2, enqueue: false });
    await h.pool.query(`UPDATE invitations SET retrying_since = now() - interval '25 hours' WHERE id = $1`, [id]);
    await h.queue.add('send', { invitationId: id }, { jobId: id, attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    await h.fault({ kind: 'server-error', to: phone });
    const inv = await settled(id, 'unknown');
    expect(inv?.error_code).toBe(20500);
    expect(inv?.attempt).toBe(2);
    const job = await h.queue.getJob(id);
    expect(await job?.getState()).toBe('failed');
    // Its answer window runs from now, so the expiry job erases the phone even if no callback comes.
    const { rows } = await h.pool.query(
      `SELECT expires_at > now() + interval '6 days' AS after, expires_at < now() + interval '8 days' AS before FROM invitations WHERE id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ after: true, before: true });
  });

  it('a dropped connection after Twilio took the message: unknown, never re-sent, settled by the callback', async () => {
    const { id, phone } = await h.addInvitation({ attempts: 5 });
    await h.fault({ kind: 'drop', to: phone, times: 1 });
    const inv = await settled(id, 'delivered');
    expect(inv?.attempt).toBe(1);
    expect(inv?.message_sid).toMatch(/^SM/);
    expect(await h.simMessages(phone)).toHaveLength(1);
    expect(await (await h.queue.getJob(id))?.getState()).toBe('completed');
  });

  it('reports an undelivered text with its error code', async () => {
    const { id, phone } = await h.addInvitation();
    await h.fault({ kind: 'undelivered', to: phone, times: 1 });
    const inv = await settled(id, 'undelivered');
    expect(inv?.error_code).toBe(30003);
    expect(inv?.delivery_status).toBe('undelivered');
  });

  it('a 429 pauses the queue and retries without using up an attempt', async () => {
    const { id, phone } = await h.addInvitation({ attempts: 2 });
    await h.fault({ kind: 'rate-limit', to: phone, times: 2 });
    const inv = await settled(id, 'delivered');
    expect(inv?.attempt).toBe(3); // marked three times, sent once
    expect(await h.simMessages(phone)).toHaveLength(1);
  });
});

describe('sender: other senders, timeouts and refused connections', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('uses the messaging service when one is configured', async () => {
    const worker = h.startWorker({ sender: { messagingServiceSid: `MG${'c'.repeat(32)}` } });
    const { id, phone } = await h.addInvitation();
    await waitFor(async () => (await h.invitation(id))?.status === 'delivered', 15_000, 'delivered');
    const [msg] = await h.simMessages(phone);
    expect(msg?.messagingServiceSid).toBe(`MG${'c'.repeat(32)}`);
    await worker.close();
  });

  it('a request that times out becomes unknown, is not re-sent, and the callback settles it', async () => {
    const worker = h.startWorker({ timeoutMs: 300 });
    const { id, phone } = await h.addInvitation({ attempts: 5 });
    await h.fault({ kind: 'slow', to: phone, delayMs: 1500, times: 1 });
    await waitFor(async () => (await h.invitation(id))?.status === 'unknown', 15_000, 'unknown');
    await waitFor(async () => (await h.invitation(id))?.status === 'delivered', 15_000, 'settled by callback');
    expect(await h.simMessages(phone)).toHaveLength(1);
    expect((await h.invitation(id))?.attempt).toBe(1);
    await worker.close();
  });

  it('a refused connection (nothing went out) fails when the attempts run out with no retry period configured', async () => {
    const worker = h.startWorker({ apiBaseUrl: 'http://127.0.0.1:1', kaiku: testKaiku({ sending: { retryForHours: 0 } }) });
    const { id } = await h.addInvitation({ attempts: 2 });
    await waitFor(async () => (await h.invitation(id))?.status === 'failed', 15_000, 'failed');
    expect((await h.invitation(id))?.attempt).toBe(2);
    await worker.close();
  });

  it('a job that comes due in quiet hours moves to the next allowed time, and nothing is sent', async () => {
    const kaiku = testKaiku({ survey: { quietHours: { from: '20:00', to: '09:00' } } });
    const lateEvening = new Date('2026-03-10T21:30:00+02:00');
    const worker = h.startWorker({ kaiku, now: () => lateEvening });
    // Due before quiet hours, its job still behind others in the queue: it waits for the morning
    // too, at once, so that the backlog gauges do not read it as stuck all night (an alerts probe).
    const behind = await h.addInvitation({ sendAt: new Date('2026-03-10T19:58:00+02:00'), enqueue: false });
    const later = await h.addInvitation({ sendAt: new Date('2026-03-11T10:00:00+02:00'), enqueue: false });
    const { id, phone } = await h.addInvitation({ sendAt: new Date('2026-03-10T19:55:00+02:00') });
    await waitFor(async () => (await h.queue.getJob(id))?.getState().then((s) => s === 'delayed'), 10_000, 'delayed');
    const inv = await h.invitation(id);
    expect(inv?.status).toBe('scheduled');
    expect(inv?.send_at?.toISOString()).toBe(new Date('2026-03-11T09:00:00+02:00').toISOString());
    expect((await h.invitation(behind.id))?.send_at?.toISOString()).toBe(new Date('2026-03-11T09:00:00+02:00').toISOString());
    expect((await h.invitation(later.id))?.send_at?.toISOString()).toBe(new Date('2026-03-11T10:00:00+02:00').toISOString());
    expect(await h.simMessages(phone)).toEqual([]);
    await worker.close();
    await (await h.queue.getJob(id))?.remove(); // its fixed-clock time is past for the next workers
  });

  it('a job that comes due on a skipped public holiday (Epiphany) moves to the next morning', async () => {
    const kaiku = testKaiku({ survey: { quietHours: { from: '20:00', to: '09:00' }, skipPublicHolidays: true } });
    const holiday = new Date('2026-01-06T12:00:00+02:00');
    const worker = h.startWorker({ kaiku, now: () => holiday });
    const { id, phone } = await h.addInvitation({ sendAt: holiday });
    await waitFor(async () => (await h.queue.getJob(id))?.getState().then((s) => s === 'delayed'), 10_000, 'delayed');
    expect((await h.invitation(id))?.send_at?.toISOString()).toBe(new Date('2026-01-07T09:00:00+02:00').toISOString());
    expect(await h.simMessages(phone)).toEqual([]);
    await worker.close();
    await (await h.queue.getJob(id))?.remove(); // its fixed-clock time is past for the next workers
  });

  it('keeps the validity period short enough that a stuck message is dropped before quiet hours', async () => {
    const kaiku = testKaiku({ survey: { quietHours: { from: '20:00', to: '09:00' } } });
    const evening = new Date('2026-03-10T18:30:00+02:00');
    const worker = h.startWorker({ kaiku, now: () => evening });
    const { id, phone } = await h.addInvitation({ sendAt: evening });
    await waitFor(async () => (await h.invitation(id))?.status === 'delivered', 15_000, 'delivered');
    expect((await h.simMessages(phone))[0]?.validityPeriod).toBe(90 * 60);
    await worker.close();
  });

  it('sends from the configured two-way number, which patients can answer', async () => {
    const worker = h.startWorker();
    const { id, phone } = await h.addInvitation();
    await waitFor(async () => (await h.invitation(id))?.status === 'delivered', 15_000, 'delivered');
    const res = (await (await fetch(`${h.simUrl}/sim/messages?to=${encodeURIComponent(phone)}`)).json()) as {
      messages: Array<{ from: string }>;
    };
    expect(res.messages[0]?.from).toBe(FROM);
    await worker.close();
  });
});
