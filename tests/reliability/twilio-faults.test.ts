// Twilio misbehaving at scale (sms-sim fault modes: 500, 429, slow answers, dropped connections with
// and without the message), then status callbacks duplicated and out of order and inbound webhooks
// replayed: at most one text per invitation, and every final state and count right.

import { createExpiryJob } from '@kaiku/replies';
import { waitFor } from '@kaiku/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_TOKEN, createHarness, type Harness, testKaiku } from '../../services/sender/test/harness.ts';
import { inParallel, twilioSignature } from './helpers.ts';
import { scanForPersonalData } from './privacy-scan.ts';

const N = 100;
/** A fixed-seed shuffle, so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('Twilio faults, duplicated callbacks and replayed webhooks', () => {
  let h: Harness;
  const invitations: Array<{ id: string; phone: string; fault: string }> = [];

  beforeAll(async () => {
    h = await createHarness(testKaiku({ sending: { ratePerSecond: 100, concurrency: 6 } }));
  });
  afterAll(async () => {
    await h?.close();
  });

  const signedPost = (path: string, params: Record<string, string>) =>
    fetch(`${h.repliesUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(AUTH_TOKEN, `${h.repliesUrl}${path}`, params),
      },
      body: new URLSearchParams(params).toString(),
    });

  it('500, 429, slow and dropped answers: retried with backoff, never a second text, every invitation settled', {
    timeout: 120_000,
  }, async () => {
    const kinds = ['none', 'server-error', 'rate-limit', 'slow', 'drop', 'drop-nothing-created'];
    for (let i = 0; i < N; i++) {
      const fault = kinds[i % kinds.length] as string;
      const phone = `+35840${String(5_000_000 + i)}`;
      if (fault === 'server-error') await h.fault({ kind: 'server-error', to: phone, times: 2 });
      if (fault === 'rate-limit') await h.fault({ kind: 'rate-limit', to: phone, times: 2 });
      if (fault === 'slow') await h.fault({ kind: 'slow', to: phone, delayMs: 400, times: 1 });
      if (fault === 'drop') await h.fault({ kind: 'drop', to: phone, times: 1 });
      if (fault === 'drop-nothing-created') await h.fault({ kind: 'drop', to: phone, create: false, times: 1 });
      const { id } = await h.addInvitation({ phone, enqueue: false });
      invitations.push({ id, phone, fault });
    }
    await h.queue.addBulk(
      invitations.map(({ id }) => ({
        name: 'send',
        data: { invitationId: id },
        opts: { jobId: id, attempts: 5, backoff: { type: 'exponential', delay: 300 } },
      })),
    );
    h.startWorker();
    h.startWorker(); // two sender processes share the queue

    const finals = ['delivered', 'unknown', 'failed'];
    await waitFor(
      async () => {
        const { rows } = await h.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM invitations WHERE NOT (status = ANY($1))', [
          finals,
        ]);
        return rows[0]?.n === 0;
      },
      90_000,
      'every invitation settled',
    );
    await new Promise((r) => setTimeout(r, 500)); // late callbacks land

    const messages = await h.simMessages();
    const perNumber = new Map<string, number>();
    for (const m of messages) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
    expect([...perNumber].filter(([, n]) => n > 1)).toEqual([]);
    for (const inv of invitations) {
      const row = await h.invitation(inv.id);
      const texts = perNumber.get(inv.phone) ?? 0;
      if (inv.fault === 'drop-nothing-created') {
        // Twilio may or may not have it: never re-sent, and here it has not, so no text at all.
        expect([row?.status, texts], inv.fault).toEqual(['unknown', 0]);
      } else {
        expect([row?.status, texts], inv.fault).toEqual(['delivered', 1]);
      }
      if (inv.fault === 'server-error') expect(row?.attempt, 'two 500s, then the text').toBe(3);
      if (inv.fault === 'rate-limit') expect(row?.attempt, 'two 429s, then the text').toBe(3);
    }
    expect(await h.rollup()).toEqual({ sent: messages.length, delivered: messages.length });
  });

  it('status callbacks duplicated, reordered and concurrent: final state right, counted once', async () => {
    const before = await h.rollup();
    const delivered = invitations.filter((i) => i.fault !== 'drop-nothing-created');
    const sidOf = new Map((await h.simMessages()).map((m) => [m.to, m.sid]));
    const callbacks = delivered.flatMap((inv) =>
      ['queued', 'sent', 'delivered', 'delivered', 'sent', 'accepted'].map((status) => ({ inv, status })),
    );
    // Plus the unknown ones, settled now by callbacks of a message Twilio did take, out of order.
    const unknown = invitations.filter((i) => i.fault === 'drop-nothing-created');
    for (const inv of unknown) {
      sidOf.set(inv.phone, `SM${inv.id.replace(/-/g, '')}`);
      for (const status of ['delivered', 'sent', 'queued', 'delivered']) callbacks.push({ inv, status });
    }
    const answers = await inParallel(shuffled(callbacks, 42), 16, async ({ inv, status }) => {
      const res = await signedPost(`/v1/twilio/status/${inv.id}`, {
        MessageSid: sidOf.get(inv.phone) as string,
        MessageStatus: status,
        AccountSid: `AC${'b'.repeat(32)}`,
      });
      return res.status;
    });
    expect(new Set(answers)).toEqual(new Set([204]));
    for (const inv of invitations) expect((await h.invitation(inv.id))?.status, inv.id).toBe('delivered');
    // Only the unknown ones add: each one sent and one delivered, however many callbacks came.
    expect(await h.rollup()).toEqual({ sent: before.sent + unknown.length, delivered: before.delivered + unknown.length });
  });

  it('inbound answers replayed five times, concurrently: one answer each, counted once, one reply text', async () => {
    const patients = invitations.slice(0, 30);
    const answers = await inParallel(
      shuffled(
        patients.flatMap((inv, k) => Array.from({ length: 5 }, () => ({ inv, sid: `SMreplay${String(k).padStart(24, '0')}` }))),
        7,
      ),
      12,
      async ({ inv, sid }) => {
        const res = await signedPost('/v1/twilio/inbound', {
          MessageSid: sid,
          From: inv.phone,
          To: '+358451234567',
          Body: '8 hyvä palvelu',
        });
        return { status: res.status, twiml: await res.text(), sid };
      },
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // Exactly one of the five copies got the thank-you; the others an empty TwiML.
    const withText = answers.filter((a) => a.twiml.includes('<Message'));
    expect(withText).toHaveLength(patients.length);
    expect(new Set(withText.map((a) => a.sid)).size).toBe(patients.length);
    const { rows } = await h.pool.query<{ n: number; passives: number }>(
      'SELECT (SELECT count(*)::int FROM responses) AS n, (SELECT COALESCE(sum(passives), 0)::int FROM nps_daily) AS passives',
    );
    expect(rows[0]).toEqual({ n: patients.length, passives: patients.length });

    // Once the answer window has passed, the expiry job closes every survey: no phone data is kept
    // (a completed survey keeps it until then, so a later message can still join its reason).
    const { rows: closed } = await h.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM invitations WHERE status = 'completed'");
    expect(closed[0]?.n).toBe(patients.length);
    const expiry = createExpiryJob({ pool: h.pool, logger: pino({ level: 'silent' }), now: () => new Date(Date.now() + 8 * 86_400_000) });
    await expiry.runOnce();
    const { rows: kept } = await h.pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM invitations WHERE phone_enc IS NOT NULL OR phone_hash IS NOT NULL GROUP BY status',
    );
    expect(kept).toEqual([]);
    const scan = await scanForPersonalData({
      pool: h.pool,
      redisUrl: h.env.redisUrl,
      prefix: h.env.prefix,
      logLines: [],
      hetus: [],
      phones: invitations.map((i) => i.phone),
    });
    expect(scan.findings).toEqual([]);
  });
});
