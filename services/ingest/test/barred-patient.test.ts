import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestHarness, invitationOf, postJson, startIngest, testHetu, visitYesterday } from './helpers.ts';

/**
 * A later visit whose record says the patient has died, is under non-disclosure or refused texts:
 * the patient's survey still waiting from an earlier visit must not go out either (found by a probe:
 * only `patient-updated` withdrew it, and Pegasos has no such event).
 */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest();
});
afterAll(async () => h.close());

const visit = (personalId: string, hour: number, patient: Record<string, unknown> = {}) => visitYesterday('BV', personalId, hour, patient);
const post = (body: unknown) => postJson(`${h.url}/v1/visits`, body);

describe('a visit that bars every text to its patient', () => {
  it.each([
    ['deceased', { deceased: true }],
    ['non-disclosure', { nonDisclosure: true }],
    ['consent-refused', { smsConsent: false }],
  ])('withdraws the patient’s scheduled survey as %s, and its queued job', async (reason, patient) => {
    const hetu = testHetu();
    const first = visit(hetu, 9);
    const scheduled = await post(first);
    expect(scheduled.json).toMatchObject({ outcome: 'scheduled' });
    const later = await post(visit(hetu, 11, patient));
    expect(later.json).toMatchObject({ outcome: 'skipped', reason });
    expect(await invitationOf(h.pool, 'lifecare', first.visitId)).toMatchObject({
      status: 'skipped',
      skip_reason: reason,
      phone_enc: null,
    });
    expect(h.cancelled).toContain(scheduled.json.invitationId);
  });

  it('withdraws it also when both visits come in one batch, and leaves other patients alone', async () => {
    const [hetu, other] = [testHetu(), testHetu()];
    const first = visit(hetu, 8);
    const bystander = visit(other, 8);
    const res = await post([first, bystander, visit(hetu, 10, { deceased: true })]);
    expect(res.json.results).toMatchObject([
      { outcome: 'scheduled' },
      { outcome: 'scheduled' },
      { outcome: 'skipped', reason: 'deceased' },
    ]);
    expect(await invitationOf(h.pool, 'lifecare', first.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'deceased' });
    expect(await invitationOf(h.pool, 'lifecare', bystander.visitId)).toMatchObject({ status: 'scheduled' });
  });

  it('keeps the survey when the later visit is skipped for a reason about that visit only', async () => {
    const hetu = testHetu();
    const first = visit(hetu, 9);
    expect((await post(first)).json).toMatchObject({ outcome: 'scheduled' });
    expect((await post(visit(hetu, 11, { mobilePhones: [] }))).json).toMatchObject({ outcome: 'skipped', reason: 'no-mobile' });
    expect(await invitationOf(h.pool, 'lifecare', first.visitId)).toMatchObject({ status: 'scheduled' });
  });

  it('withdraws it also when the later visit is itself skipped as stale (what it says about the patient holds now)', async () => {
    const hetu = testHetu();
    const first = visit(hetu, 9);
    expect((await post(first)).json).toMatchObject({ outcome: 'scheduled' });
    const old = { ...visit(hetu, 9, { deceased: true }), endedAt: new Date(Date.now() - 5 * 86_400_000).toISOString() };
    expect((await post(old)).json).toMatchObject({ outcome: 'skipped', reason: 'stale-visit' });
    expect(await invitationOf(h.pool, 'lifecare', first.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'deceased' });
  });

  it('in a batch, withdraws only what came before the barred event, as one by one would', async () => {
    const hetu = testHetu();
    const later = visit(hetu, 12);
    const res = await post([visit(hetu, 10, { nonDisclosure: true }), later]);
    expect(res.json.results).toMatchObject([{ outcome: 'skipped', reason: 'non-disclosure' }, { outcome: 'scheduled' }]);
    expect(await invitationOf(h.pool, 'lifecare', later.visitId)).toMatchObject({ status: 'scheduled' });
  });

  it('in a batch, a visit after the barred one is decided as one by one would (not recently surveyed by a withdrawn one)', async () => {
    const hetu = testHetu();
    const earlier = { ...visit(hetu, 9), endedAt: new Date(Date.now() - 30 * 3600_000).toISOString() };
    const barred = { ...visit(hetu, 9, { nonDisclosure: true }), endedAt: new Date(Date.now() - 3 * 3600_000).toISOString() };
    const last = { ...visit(hetu, 9, { nonDisclosure: false }), endedAt: new Date(Date.now() - 3600_000).toISOString() };
    const res = await post([earlier, barred, last]);
    expect(res.json.results).toMatchObject([
      { outcome: 'scheduled' },
      { outcome: 'skipped', reason: 'non-disclosure' },
      { outcome: 'scheduled' },
    ]);
    expect(await invitationOf(h.pool, 'lifecare', earlier.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'non-disclosure' });
  });

  describe('a death, once reported', () => {
    // A race probe: a Pegasos visit reporting the death, then Lifecare's A03 of an earlier visit
    // that day, sent late: the A03 was scheduled and texted to the family.
    it.each([
      ['a visit', (hetu: string) => post(visit(hetu, 11, { deceased: true }))],
      [
        'a patient update',
        (hetu: string) => post({ source: 'lifecare', kind: 'patient-updated', patient: { personalId: hetu, deceased: true } }),
      ],
    ])('by %s, skips every later event of the patient as deceased, from any system', async (_by, report) => {
      const hetu = testHetu();
      expect((await report(hetu)).status).toBeLessThan(300);
      const late = { ...visit(hetu, 9), source: 'pegasos' };
      const res = await postJson(`${h.url}/v1/visits`, late, 'pg-token');
      expect(res.json).toMatchObject({ outcome: 'skipped', reason: 'deceased' });
      expect(await invitationOf(h.pool, 'pegasos', late.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'deceased' });
      // Nobody else's.
      expect((await post(visit(testHetu(), 9))).json).toMatchObject({ outcome: 'scheduled' });
    });

    it("by an update that names only the visit, no hetu: kept by that visit's patient, under deceased whatever else it says (a regression probe)", async () => {
      const hetu = testHetu();
      const first = visit(hetu, 9);
      expect((await post(first)).json).toMatchObject({ outcome: 'scheduled' });
      const update = {
        source: 'lifecare',
        kind: 'patient-updated',
        visitId: first.visitId,
        patient: { deceased: true, nonDisclosure: true, mobilePhones: [] },
      };
      expect((await post(update)).json).toMatchObject({ outcome: 'updated', invitations: 1 });
      expect(await invitationOf(h.pool, 'lifecare', first.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'deceased' });
      const late = { ...visit(hetu, 8), source: 'pegasos' };
      expect((await postJson(`${h.url}/v1/visits`, late, 'pg-token')).json).toMatchObject({ outcome: 'skipped', reason: 'deceased' });
    });

    it('in a batch too, also for the events after the one that reports it', async () => {
      const hetu = testHetu();
      const res = await post([visit(hetu, 10, { deceased: true }), visit(hetu, 12)]);
      expect(res.json.results).toMatchObject([
        { outcome: 'skipped', reason: 'deceased' },
        { outcome: 'skipped', reason: 'deceased' },
      ]);
      const after = await post([visit(hetu, 13), visit(testHetu(), 13)]);
      expect(after.json.results).toMatchObject([{ outcome: 'skipped', reason: 'deceased' }, { outcome: 'scheduled' }]);
    });
  });
});
