import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resurveySince } from '../src/visits/visit-decision.ts';
import { type IngestHarness, postJson, startIngest, testConfig, testHetu, UNITS, uniqueId } from './helpers.ts';

describe('the resurvey window counts the county’s calendar days', () => {
  let h: IngestHarness;
  beforeAll(async () => {
    // visits from months ago are taken here, so that a 30-day window can be crossed
    h = await startIngest(testConfig({ maxVisitAgeHours: 24 * 800, resurveyAfterDays: 30 }));
  });
  afterAll(async () => h.close());

  const visit = (personalId: string, endedAt: string) => ({
    source: 'lifecare',
    kind: 'visit-ended',
    visitId: uniqueId('RV'),
    endedAt,
    unit: { id: UNITS.kyyjarvi },
    patient: { personalId, mobilePhones: ['040 123 4567'], languages: { service: 'fi' } },
  });
  const outcome = async (body: unknown) => (await postJson(`${h.url}/v1/visits`, body, 'lc-token')).json;

  it('a night visit belongs to its local day: 31 days after the last survey it is surveyed, at 01:00 as at 10:00', async () => {
    for (const hour of ['10:00', '01:00']) {
      const hetu = testHetu('1960-01-01');
      expect((await outcome(visit(hetu, '2025-09-30T10:00:00+03:00'))).outcome).toBe('scheduled');
      // 31 local days later (01:00 there is still the day before in UTC)
      expect(await outcome(visit(hetu, `2025-10-31T${hour}:00+02:00`))).toMatchObject({ outcome: 'scheduled' });
    }
  });

  it('30 days after is still within the window, whatever the hour', async () => {
    for (const hour of ['10:00', '23:30', '01:00']) {
      const hetu = testHetu('1961-01-01');
      expect((await outcome(visit(hetu, '2025-09-30T10:00:00+03:00'))).outcome).toBe('scheduled');
      expect(await outcome(visit(hetu, `2025-10-30T${hour}:00+02:00`))).toMatchObject({ outcome: 'skipped', reason: 'recently-surveyed' });
    }
  });

  it('a text that failed (an invalid number) was no survey: the next visit, with the right number, is surveyed', async () => {
    const hetu = testHetu('1962-01-01');
    const first = await outcome(visit(hetu, '2025-09-30T10:00:00+03:00'));
    expect(first.outcome).toBe('scheduled');
    await h.pool.query("UPDATE invitations SET status = 'failed', error_code = 21211 WHERE id = $1", [first.invitationId]);
    // one event alone, and one of a batch (the two ingest functions)
    expect.soft(await outcome(visit(hetu, '2025-10-05T10:00:00+03:00'))).toMatchObject({ outcome: 'scheduled' });
    const other = testHetu('1963-01-01');
    const again = await outcome(visit(other, '2025-09-30T10:00:00+03:00'));
    await h.pool.query("UPDATE invitations SET status = 'failed', error_code = 21211 WHERE id = $1", [again.invitationId]);
    const batch = await outcome([visit(other, '2025-10-05T10:00:00+03:00'), visit(testHetu('1964-01-01'), '2025-10-05T10:00:00+03:00')]);
    expect.soft((batch as { results: unknown[] }).results[0]).toMatchObject({ outcome: 'scheduled' });
    // a text that went out still counts
    expect(await outcome(visit(hetu, '2025-10-06T10:00:00+03:00'))).toMatchObject({ outcome: 'skipped', reason: 'recently-surveyed' });
  });

  it('counts whole calendar days back; 0 leaves only the same-day rule', () => {
    expect(resurveySince('2026-01-01', 30)).toBe('2025-12-02');
    expect(resurveySince('2026-01-01', 1)).toBe('2025-12-31');
    expect(resurveySince('2026-01-01', 0)).toBe('2026-01-01');
  });
});
