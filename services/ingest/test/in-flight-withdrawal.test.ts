import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestHarness, invitationOf, postJson, startIngest, testHetu, visitYesterday } from './helpers.ts';

/**
 * A cancellation or a withdrawal that arrives while the text is in flight (`sending`) or may have
 * gone (`unknown`): it cannot stop a text that went, but it must stop the sender from sending it
 * later (a sender probe: three `unknown` sends were sent 12 minutes after their visit was
 * cancelled, the patient had died or refused texts). Ingest keeps it on the invitation; the
 * sender's reconciler reads it (services/sender/test/unknown-send-reconciler.test.ts).
 */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest();
});
afterAll(async () => h.close());

const post = (body: unknown) => postJson(`${h.url}/v1/visits`, body);
const visit = (personalId: string, hour: number, patient: Record<string, unknown> = {}) => visitYesterday('FV', personalId, hour, patient);
/** What the sender leaves: a send under way, or one whose answer never came. */
async function inFlight(visitId: string, status: 'sending' | 'unknown') {
  await h.pool.query(
    `UPDATE invitations i SET status = $2 FROM visits v WHERE v.id = i.visit_id AND v.source = 'lifecare' AND v.source_visit_id = $1`,
    [visitId, status],
  );
}

describe('a withdrawal while the text is in flight', () => {
  it('a cancellation is kept on an unknown send, whose status stays (it may have gone)', async () => {
    const v = visit(testHetu(), 9);
    expect((await post(v)).json).toMatchObject({ outcome: 'scheduled' });
    await inFlight(v.visitId, 'unknown');
    expect((await post({ source: 'lifecare', kind: 'visit-cancelled', visitId: v.visitId })).json).toMatchObject({ outcome: 'cancelled' });
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toMatchObject({ status: 'unknown', withdrawn_reason: 'cancelled' });
  });

  it('a cancellation is kept, not applied, on a survey waiting to retry after a 5xx (its text may be at Twilio)', async () => {
    const v = visit(testHetu(), 9);
    await post(v);
    const before = await invitationOf(h.pool, 'lifecare', v.visitId);
    await h.pool.query('UPDATE invitations SET lookup_before_retry = true WHERE id = $1', [before?.id]);
    expect((await post({ source: 'lifecare', kind: 'visit-cancelled', visitId: v.visitId })).json).toMatchObject({ outcome: 'cancelled' });
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toMatchObject({ status: 'scheduled', withdrawn_reason: 'cancelled' });
    expect(h.cancelled).not.toContain(before?.id); // its job stays: the sender looks at Twilio first
  });

  it.each([
    ['deceased', { deceased: true }],
    ['consent-refused', { smsConsent: false }],
  ])('an update saying %s is kept on a send under way, and so is a later visit saying it', async (reason, patient) => {
    const hetu = testHetu();
    const v = visit(hetu, 9);
    await post(v);
    await inFlight(v.visitId, 'sending');
    const update = { source: 'lifecare', kind: 'patient-updated', visitId: v.visitId, patient: { personalId: hetu, ...patient } };
    expect((await post(update)).json).toMatchObject({ outcome: 'updated' });
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toMatchObject({ status: 'sending', withdrawn_reason: reason });

    const other = testHetu();
    const earlier = visit(other, 8);
    await post(earlier);
    await inFlight(earlier.visitId, 'unknown');
    expect((await post(visit(other, 11, patient))).json).toMatchObject({ outcome: 'skipped', reason });
    expect(await invitationOf(h.pool, 'lifecare', earlier.visitId)).toMatchObject({ status: 'unknown', withdrawn_reason: reason });
  });

  it('a new number or language does not reach a text whose first attempt may be at Twilio (a probe: texted in Finnish, then again in English)', async () => {
    const hetu = testHetu();
    const v = visit(hetu, 9);
    await post(v);
    const before = await invitationOf(h.pool, 'lifecare', v.visitId);
    await h.pool.query('UPDATE invitations SET lookup_before_retry = true WHERE id = $1', [before?.id]);
    const update = {
      source: 'lifecare',
      kind: 'patient-updated',
      visitId: v.visitId,
      patient: { personalId: hetu, mobilePhones: ['050 765 4321'], languages: { service: 'en' } },
    };
    expect((await post(update)).json).toMatchObject({ outcome: 'updated', invitations: 0 });
    expect(await invitationOf(h.pool, 'lifecare', v.visitId)).toMatchObject({
      status: 'scheduled',
      language: 'fi',
      phone_hash: before?.phone_hash,
    });
  });
});
