import { hetuFor } from '@kaiku/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endedEvent, type IngestHarness, startIngest } from './helpers.ts';

describe('grouped ingest (real database)', () => {
  let h: IngestHarness;
  beforeAll(async () => {
    h = await startIngest();
  });
  afterAll(async () => h.close());

  it('takes 200 events at once (one visit ten times, one patient twice a day): every answer its own, one text per patient and day', async () => {
    const events = [
      ...Array.from({ length: 180 }, (_, i) => endedEvent(`G${i}`, hetuFor('1960-02-02', 2 + i))),
      ...Array.from({ length: 10 }, () => endedEvent('SAME')),
      endedEvent('TWICE-1', hetuFor('1961-03-03', 7)),
      endedEvent('TWICE-2', hetuFor('1961-03-03', 7)),
      ...Array.from({ length: 8 }, (_, i) => endedEvent(`BAD${i}`, '010101-0000')),
    ];
    const answers = await Promise.all(events.map((e) => h.pipeline.ingest(e)));
    expect(answers.map((a, i) => (a as { visitId?: string }).visitId ?? events[i]?.visitId)).toEqual(events.map((e) => e.visitId));
    expect(answers.slice(0, 180).every((a) => a.outcome === 'scheduled')).toBe(true);
    expect(
      answers
        .slice(180, 190)
        .map((a) => a.outcome)
        .sort(),
    ).toEqual([...Array(9).fill('duplicate'), 'scheduled']);
    expect(answers.slice(190, 192).map((a) => a.outcome)).toContain('scheduled');
    expect(answers.slice(192).every((a) => a.outcome === 'rejected')).toBe(true);
    const { rows } = await h.pool.query(
      `SELECT count(*)::int AS scheduled, count(DISTINCT v.patient_pseudonym)::int AS patients, count(o.id)::int AS outbox
       FROM invitations i JOIN visits v ON v.id = i.visit_id LEFT JOIN outbox o ON o.invitation_id = i.id WHERE i.status = 'scheduled'`,
    );
    expect(rows[0]).toEqual({ scheduled: 182, patients: 182, outbox: 182 });
    for (const a of answers) {
      if (a.outcome !== 'scheduled') continue;
      const own = await h.pool.query('SELECT v.source_visit_id FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE i.id = $1', [
        a.invitationId,
      ]);
      expect(own.rows[0]?.source_visit_id).toBe(a.visitId);
    }
  });
});
