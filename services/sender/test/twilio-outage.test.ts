import { kaikuMetrics } from '@kaiku/http';
import { waitFor } from '@kaiku/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

/**
 * Twilio down, or refusing our credentials, for longer than a job's quick attempts: the survey
 * waits and goes out once Twilio is back, instead of failing for good.
 */
describe('sender: a Twilio outage longer than the quick attempts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The job waits to be tried again in a minute or more (not a quick retry), its invitation `scheduled`. */
  async function heldForLater(id: string) {
    const job = await waitFor(
      async () => {
        const j = await h.queue.getJob(id);
        return j && (await j.getState()) === 'delayed' && j.delay >= 30_000 ? j : null;
      },
      15_000,
      'the job held for later',
    );
    const { rows } = await h.pool.query<{ status: string; retrying: boolean; phone_kept: boolean }>(
      `SELECT status, retrying_since IS NOT NULL AS retrying, phone_enc IS NOT NULL AS phone_kept FROM invitations WHERE id = $1`,
      [id],
    );
    return { job, row: rows[0] };
  }

  it('refused connections: the invitation stays scheduled and is tried again a minute later, then sent once', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const down = h.startWorker({ apiBaseUrl: 'http://127.0.0.1:1', logger });
    const { id, phone } = await h.addInvitation({ attempts: 2 });
    const held = await heldForLater(id);
    expect(held.row).toEqual({ status: 'scheduled', retrying: true, phone_kept: true });
    expect(held.job.attemptsMade).toBe(1); // the quick attempts are spent; waiting does not count as one
    expect(held.job.delay).toBeGreaterThan(50_000);
    expect(held.job.delay).toBeLessThanOrEqual(60_000);
    // The log says what failed (a reliability probe: a refused connection, a timeout and a Twilio
    // error all read the same), and nothing of the number.
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'Twilio refused or failed', cause: 'ECONNREFUSED' }));
    expect(JSON.stringify(lines)).not.toContain(phone.slice(-7));
    await down.close();

    // Twilio is back: the retry (brought forward here instead of waiting a minute) sends it once.
    h.startWorker();
    await (await h.queue.getJob(id))?.promote();
    await waitFor(async () => (await h.invitation(id))?.status === 'delivered', 15_000, 'delivered');
    expect(await h.simMessages(phone)).toHaveLength(1);
  });

  it('a refusal of our sender settings (21606: From cannot send here) is not the patient’s failure either: held, then sent (a probe: failed for good)', async () => {
    const { id, phone } = await h.addInvitation({ attempts: 2 });
    await h.fault({ kind: 'error', status: 400, code: 21606, to: phone, times: 2 });
    const held = await heldForLater(id);
    expect(held.row).toEqual({ status: 'scheduled', retrying: true, phone_kept: true });
    expect((await h.invitation(id))?.error_code).toBe(21606);
    await (await h.queue.getJob(id))?.promote();
    await waitFor(async () => (await h.invitation(id))?.status === 'delivered', 15_000, 'delivered');
    expect(await h.simMessages(phone)).toHaveLength(1);
  });

  it('Twilio refusing our credentials (401, 20003) is not the patient’s failure: held, and sent once the credentials work', async () => {
    const { id, phone } = await h.addInvitation({ attempts: 2 });
    await h.fault({ kind: 'error', status: 401, code: 20003, to: phone, times: 3 });
    const held = await heldForLater(id);
    expect(held.row).toEqual({ status: 'scheduled', retrying: true, phone_kept: true });
    expect((await h.invitation(id))?.error_code).toBe(20003);
    expect(await h.simMessages(phone)).toEqual([]);

    // Still refused on the first later try: held again, for longer than the first wait.
    await (await h.queue.getJob(id))?.promote();
    await waitFor(async () => (await h.invitation(id))?.attempt === 3, 15_000, 'the third attempt');
    const again = await heldForLater(id);
    expect(again.row?.status).toBe('scheduled');

    await (await h.queue.getJob(id))?.promote();
    await waitFor(async () => (await h.invitation(id))?.status === 'delivered', 15_000, 'delivered');
    expect(await h.simMessages(phone)).toHaveLength(1);
    expect((await h.invitation(id))?.error_code).toBeNull();
  });

  it('5xx answers past the quick attempts: held, and the later try looks at Twilio first, so it never sends twice', async () => {
    const { id, phone } = await h.addInvitation({ attempts: 2 });
    // The second 500 had created the message after all (its callbacks lost).
    await h.fault([
      { kind: 'server-error', to: phone, times: 1 },
      { kind: 'server-error', to: phone, times: 1, create: true, callbacks: false },
    ]);
    await heldForLater(id);
    await (await h.queue.getJob(id))?.promote();
    await waitFor(async () => (await h.invitation(id))?.status === 'sent', 15_000, 'sent');
    const messages = await h.simMessages(phone);
    expect(messages).toHaveLength(1);
    expect((await h.invitation(id))?.message_sid).toBe(messages[0]?.sid);
  });

  it('an outage that fails the look-ups too: every attempt counts as a retry (what KaikuSendsRetrying watches)', async () => {
    const retries = async () =>
      (await kaikuMetrics.smsSends.get()).values
        .filter((v) => v.labels.result === 'retry' && v.labels.error_code === '20500')
        .reduce((sum, v) => sum + v.value, 0);
    const before = await retries();
    const { id, phone } = await h.addInvitation({ attempts: 2 });
    await h.fault({ kind: 'server-error', to: phone, times: 20, lookups: true });
    await heldForLater(id); // the send's 500, then a look-up's 500
    await (await h.queue.getJob(id))?.promote();
    await waitFor(async () => (await h.invitation(id))?.attempt === 3, 15_000, 'the third attempt');
    await heldForLater(id);
    // three attempts, each a retry, although only the first reached the send
    expect((await retries()) - before).toBe(3);
    expect(await h.simMessages(phone)).toEqual([]);
    await (await fetch(`${h.simUrl}/sim/faults`, { method: 'DELETE' })).arrayBuffer();
  });

  it('a survey that has failed to go out for the whole retry period fails, and its phone is erased', async () => {
    const { id, phone } = await h.addInvitation({ enqueue: false });
    await h.pool.query(`UPDATE invitations SET retrying_since = now() - interval '24 hours 1 minute' WHERE id = $1`, [id]);
    await h.fault({ kind: 'error', status: 401, code: 20003, to: phone, times: 1 });
    await h.queue.add('send', { invitationId: id }, { jobId: id, attempts: 1 });
    await waitFor(async () => (await h.invitation(id))?.status === 'failed', 15_000, 'failed');
    expect(await h.invitation(id)).toMatchObject({ error_code: 20003, phone_enc: null });
    expect(await (await h.queue.getJob(id))?.getState()).toBe('failed');
    expect(await h.simMessages(phone)).toEqual([]);
  });
});

describe('sender: keys other than ingest sealed the numbers with', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a number that does not open with its encryption key is held, not taken for a text that may have gone (a config probe: it became unknown)', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const otherKeys = { pseudonymKey: Buffer.alloc(32, 5), encryptionKey: Buffer.alloc(32, 6) };
    const wrong = h.startWorker({ keys: otherKeys, logger });
    const { id, phone } = await h.addInvitation({ attempts: 2 });
    // An earlier attempt answered 5xx (the text may exist at Twilio): the hold must keep the look-up.
    await h.pool.query('UPDATE invitations SET lookup_before_retry = true WHERE id = $1', [id]);
    const held = await waitFor(
      async () => {
        const j = await h.queue.getJob(id);
        return j && (await j.getState()) === 'delayed' && j.delay >= 30_000 ? h.invitation(id) : null;
      },
      15_000,
      'the job held for later',
    );
    expect(held).toMatchObject({ status: 'scheduled', message_sid: null });
    expect(held?.phone_enc).not.toBeNull();
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: expect.stringMatching(/KAIKU_ENCRYPTION_KEY is not the key/) }));
    expect(await h.simMessages(phone)).toHaveLength(0);
    const { rows } = await h.pool.query('SELECT lookup_before_retry FROM invitations WHERE id = $1', [id]);
    expect(rows[0]?.lookup_before_retry).toBe(true);
    await wrong.close();

    // The key restored: sent once.
    h.startWorker();
    await (await h.queue.getJob(id))?.promote();
    await waitFor(async () => (await h.invitation(id))?.status === 'delivered', 15_000, 'delivered');
    expect(await h.simMessages(phone)).toHaveLength(1);
  });
});
