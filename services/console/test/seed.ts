import type { Pool } from '@kaiku/db';

/** One visit and what became of it, as the services would have recorded it. */
export interface SeedVisit {
  unit: string;
  day: string;
  service?: string;
  language?: string;
  ageBand?: string | null;
  source?: string;
  outcome: 'skipped' | 'cancelled' | 'scheduled' | 'sent' | 'delivered' | 'answered';
  skipReason?: string;
  score?: number;
  comment?: string | null;
}

const STATUS = {
  skipped: 'skipped',
  cancelled: 'cancelled',
  scheduled: 'scheduled',
  sent: 'sent',
  delivered: 'delivered',
  answered: 'completed',
};
let seq = 0;

/**
 * Writes visits, invitations and responses, and bumps nps_daily exactly as the sender, the status
 * callbacks and the replies service do (sent, delivered, answer band, comment), in one transaction.
 */
export async function seedVisits(pool: Pool, visits: readonly SeedVisit[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const col = <T>(f: (v: SeedVisit, i: number) => T) => visits.map(f);
    const ids = col(() => `seed-${process.pid}-${seq++}`);
    await client.query(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::text[])
           AS t(vid, unit, service, day, language, age_band, source, status, skip_reason, score, comment)
       ), v AS (
         INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
         SELECT source, vid, unit, service, (day + time '12:00') AT TIME ZONE 'Europe/Helsinki', day, language, age_band FROM input
         RETURNING id, source_visit_id
       ), i AS (
         INSERT INTO invitations (visit_id, status, skip_reason, language, delivery_status, sent_at)
         SELECT v.id, input.status, input.skip_reason, input.language,
                CASE WHEN input.status IN ('delivered', 'completed') THEN 'delivered' END,
                CASE WHEN input.status IN ('sent', 'delivered', 'completed') THEN now() END
         FROM input JOIN v ON v.source_visit_id = input.vid
         RETURNING id, visit_id
       )
       INSERT INTO responses (invitation_id, score, comment, language, unit_id, service, visit_day, visit_month, age_band, source)
       SELECT i.id, input.score, input.comment, input.language, input.unit, input.service, input.day, to_char(input.day, 'YYYY-MM'), input.age_band, input.source
       FROM input JOIN v ON v.source_visit_id = input.vid JOIN i ON i.visit_id = v.id WHERE input.status = 'completed'`,
      [
        ids,
        col((v) => v.unit),
        col((v) => v.service ?? 'health-station'),
        col((v) => v.day),
        col((v) => v.language ?? 'fi'),
        col((v) => (v.ageBand === undefined ? '45-54' : v.ageBand)),
        col((v) => v.source ?? 'lifecare'),
        col((v) => STATUS[v.outcome]),
        col((v) => (v.outcome === 'skipped' ? (v.skipReason ?? 'no-mobile') : null)),
        col((v) => (v.outcome === 'answered' ? (v.score ?? 9) : null)),
        col((v) => (v.outcome === 'answered' ? (v.comment ?? null) : null)),
      ],
    );
    await client.query(
      `INSERT INTO nps_daily AS n (day, unit_id, service, language, age_band, source, sent, delivered, promoters, passives, detractors, comments)
       SELECT v.visit_day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown'), v.source,
              count(*) FILTER (WHERE i.status IN ('sent', 'delivered', 'completed')),
              count(*) FILTER (WHERE i.status IN ('delivered', 'completed')),
              count(r.id) FILTER (WHERE r.score >= 9), count(r.id) FILTER (WHERE r.score BETWEEN 7 AND 8),
              count(r.id) FILTER (WHERE r.score <= 6), count(r.id) FILTER (WHERE r.comment IS NOT NULL AND r.comment <> '')
       FROM visits v JOIN invitations i ON i.visit_id = v.id LEFT JOIN responses r ON r.invitation_id = i.id
       WHERE v.source_visit_id = ANY($1::text[]) GROUP BY 1, 2, 3, 4, 5, 6
       ON CONFLICT (day, unit_id, service, language, age_band, source) DO UPDATE SET
         sent = n.sent + EXCLUDED.sent, delivered = n.delivered + EXCLUDED.delivered, promoters = n.promoters + EXCLUDED.promoters,
         passives = n.passives + EXCLUDED.passives, detractors = n.detractors + EXCLUDED.detractors, comments = n.comments + EXCLUDED.comments`,
      [ids],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** `count` answers with the given score mix spread over units and days. */
export function answers(
  count: { promoters: number; passives: number; detractors: number },
  at: (i: number) => Omit<SeedVisit, 'outcome' | 'score'>,
): SeedVisit[] {
  const scores = [
    ...Array<number>(count.promoters).fill(10),
    ...Array<number>(count.passives).fill(8),
    ...Array<number>(count.detractors).fill(3),
  ];
  return scores.map((score, i) => ({ ...at(i), outcome: 'answered', score }));
}
