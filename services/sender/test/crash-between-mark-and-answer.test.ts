import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';
import { startSenderProcess } from './sender-process.ts';

/**
 * The worker process is SIGKILLed after it marked the invitation `sending` and while sms-sim
 * (which has created the message) holds the answer. A restarted worker must not text again.
 */
describe('sender: a crash between the mark and Twilio answer', () => {
  let h: Harness;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await h?.close();
  });

  it('leaves the invitation unknown, sends no second text, and the status callback settles it', async () => {
    const before = await h.rollup();
    const { id, phone } = await h.addInvitation({ enqueue: false });
    await h.fault({ kind: 'hold', to: phone, times: 1 });
    await h.queue.add('send', { invitationId: id }, { jobId: id, attempts: 5, backoff: { type: 'fixed', delay: 50 } });

    const first = await startSenderProcess(h, children);
    // sms-sim has the message and holds the answer: the worker is between the mark and the answer.
    await waitFor(
      async () => ((await (await fetch(`${h.simUrl}/sim/faults`)).json()) as { held: number }).held === 1,
      20_000,
      'a held request',
    );
    expect(await h.invitation(id)).toMatchObject({ status: 'sending', attempt: 1, message_sid: null });
    first.kill('SIGKILL');
    await once(first, 'exit');

    await startSenderProcess(h, children);
    await waitFor(async () => (await h.invitation(id))?.status === 'unknown', 20_000, 'the restarted worker to settle the job as unknown');
    expect(await h.simMessages(phone)).toHaveLength(1);
    expect((await h.invitation(id))?.attempt).toBe(1);
    expect(await (await h.queue.getJob(id))?.getState()).toBe('completed');

    // Twilio's answer to the dead process is lost, but its status callbacks still arrive.
    await fetch(`${h.simUrl}/sim/faults/release`, { method: 'POST' });
    const settled = await waitFor(
      async () => {
        const inv = await h.invitation(id);
        return inv?.status === 'delivered' ? inv : null;
      },
      20_000,
      'the status callback',
    );
    const [msg, ...more] = await h.simMessages(phone);
    expect(more).toEqual([]);
    expect(settled.message_sid).toBe(msg?.sid);
    expect(await h.rollup()).toEqual({ sent: before.sent + 1, delivered: before.delivered + 1 });

    // The restarted process is a working sender: the next invitation goes out normally.
    const next = await h.addInvitation();
    await waitFor(async () => (await h.invitation(next.id))?.status === 'delivered', 20_000, 'the next invitation');
    expect(await h.simMessages(next.phone)).toHaveLength(1);
  });
});
