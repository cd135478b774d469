import { waitFor } from '@kaiku/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaleDeliveryReconciler } from '../src/stale-delivery.reconciler.ts';
import { createHarness, FROM, type Harness } from './harness.ts';

/**
 * Sent texts whose delivery report never came (Twilio does not send a status callback again that
 * the replies service could not take): Twilio's record of the message settles them.
 */
describe('sent texts whose delivery report was lost, settled from Twilio’s record', () => {
  let h: Harness;
  let reconciler: ReturnType<typeof createStaleDeliveryReconciler>;
  beforeAll(async () => {
    h = await createHarness();
    reconciler = createStaleDeliveryReconciler({ pool: h.pool, twilio: h.twilio(), kaiku: h.kaiku, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A text Twilio has, whose callbacks went nowhere, stored as sent `minutesAgo`. */
  async function sentWithoutReport(minutesAgo: number, fault?: 'undelivered') {
    const { id, phone } = await h.addInvitation({ enqueue: false });
    if (fault) await h.fault({ kind: 'undelivered', to: phone, code: 30007 });
    const message = await h.twilio().messages.create({ to: phone, from: FROM, body: 'Kysely', statusCallback: 'http://127.0.0.1:9/lost' });
    await waitFor(async () => (await h.simMessages(phone))[0]?.status === (fault ?? 'delivered'), 10_000, 'the sim to settle the text');
    await h.pool.query(
      `UPDATE invitations SET status = 'sent', message_sid = $2, sent_at = now() - make_interval(mins => $3),
         expires_at = now() + interval '7 days' WHERE id = $1`,
      [id, message.sid, minutesAgo],
    );
    return id;
  }

  it('applies the final status Twilio has an hour after the send, counts it once, and looks again only a day later', async () => {
    const before = await h.rollup();
    const delivered = await sentWithoutReport(90);
    const undelivered = await sentWithoutReport(90, 'undelivered');
    const recent = await sentWithoutReport(10);
    const unknownToTwilio = (await h.addInvitation({ enqueue: false })).id;
    await h.pool.query(
      `UPDATE invitations SET status = 'sent', message_sid = 'SM${'0'.repeat(32)}', sent_at = now() - interval '2 hours',
         expires_at = now() + interval '7 days' WHERE id = $1`,
      [unknownToTwilio],
    );

    expect(await reconciler.runOnce()).toEqual({ checked: 3, settled: 2 });
    expect(await h.invitation(delivered)).toMatchObject({ status: 'delivered', delivery_status: 'delivered' });
    expect(await h.invitation(undelivered)).toMatchObject({ status: 'undelivered', error_code: 30007 });
    expect(await h.invitation(recent)).toMatchObject({ status: 'sent', delivery_status: null }); // its report may still come
    expect(await h.invitation(unknownToTwilio)).toMatchObject({ status: 'sent' });
    expect((await h.rollup()).delivered - before.delivered).toBe(1);

    // Looked at: not again before a day has passed.
    expect(await reconciler.runOnce()).toEqual({ checked: 0, settled: 0 });
  });
});
