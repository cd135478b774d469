import { createPool, type Pool, type PoolClient } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The funnel and monthly rollups recomputed from the raw rows; compared as sets of non-zero rows.
const FUNNEL_FROM_RAW = `
  SELECT day::text, unit_id, service, language, age_band, source, skip_reason, sum(received)::int AS received, sum(skipped)::int AS skipped,
         sum(cancelled)::int AS cancelled, sum(failed)::int AS failed
  FROM (
    SELECT v.visit_day AS day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown') AS age_band, v.source, '' AS skip_reason,
           1 AS received, 0 AS skipped, (i.status = 'cancelled')::int AS cancelled, (i.status = 'failed' AND i.sent_at IS NULL)::int AS failed
    FROM invitations i JOIN visits v ON v.id = i.visit_id
    UNION ALL
    SELECT v.visit_day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown'), v.source, coalesce(i.skip_reason, 'unspecified'), 0, 1, 0, 0
    FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE i.status = 'skipped'
  ) x GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
const FUNNEL_DAILY = `SELECT day::text, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled, failed FROM funnel_daily
  WHERE received <> 0 OR skipped <> 0 OR cancelled <> 0 OR failed <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
const FUNNEL_MONTHLY_FROM_DAILY = `SELECT date_trunc('month', day)::date::text AS month, unit_id, service, language, age_band, source, skip_reason,
  sum(received)::int AS received, sum(skipped)::int AS skipped, sum(cancelled)::int AS cancelled, sum(failed)::int AS failed
  FROM funnel_daily GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(received) <> 0 OR sum(skipped) <> 0 OR sum(cancelled) <> 0 OR sum(failed) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
const FUNNEL_MONTHLY = `SELECT month::text, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled, failed
  FROM funnel_monthly WHERE received <> 0 OR skipped <> 0 OR cancelled <> 0 OR failed <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
const NPS_MONTHLY_FROM_DAILY = `SELECT date_trunc('month', day)::date::text AS month, unit_id, service, language, age_band, source,
  sum(sent)::int AS sent, sum(delivered)::int AS delivered, sum(promoters)::int AS promoters, sum(passives)::int AS passives,
  sum(detractors)::int AS detractors, sum(comments)::int AS comments FROM nps_daily GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(sent) <> 0 OR sum(delivered) <> 0 OR sum(promoters) <> 0 OR sum(passives) <> 0 OR sum(detractors) <> 0 OR sum(comments) <> 0
  ORDER BY 1, 2, 3, 4, 5, 6`;
const NPS_MONTHLY = `SELECT month::text, unit_id, service, language, age_band, source, sent, delivered, promoters, passives, detractors, comments
  FROM nps_monthly WHERE sent <> 0 OR delivered <> 0 OR promoters <> 0 OR passives <> 0 OR detractors <> 0 OR comments <> 0 ORDER BY 1, 2, 3, 4, 5, 6`;

const STATUSES = [
  'scheduled',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'unknown',
  'answered',
  'completed',
  'expired',
  'cancelled',
  'skipped',
];
const REASONS = ['under-age', 'no-mobile', 'opted-out', 'same-day-visit', 'recently-surveyed'];

const op = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    count: fc.integer({ min: 1, max: 6 }),
    skipped: fc.integer({ min: 0, max: 3 }),
    seed: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('status' as const),
    pick: fc.nat(),
    status: fc.constantFrom(...STATUSES),
    reason: fc.constantFrom(...REASONS),
    sent: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('bump' as const),
    day: fc.integer({ min: 0, max: 70 }),
    unit: fc.integer({ min: 1, max: 3 }),
    column: fc.constantFrom('sent', 'delivered', 'promoters', 'passives', 'detractors', 'comments'),
    by: fc.integer({ min: -1, max: 3 }),
  }),
  fc.record({ kind: fc.constant('rollback' as const), pick: fc.nat() }),
);

function ignoreDeadlock(error: { code?: string }) {
  if (error.code !== '40P01') throw error;
}

describe('rollups stay exact', () => {
  let env: TestEnv;
  let pool: Pool;
  let seq = 0;

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl, { max: 4 });
  });
  afterAll(async () => {
    await pool.end();
    await env.cleanup();
  });

  class RolledBack extends Error {}

  /** A transaction; a deadlock victim (40P01) is rolled back whole, which the rollups must survive too. */
  async function tx(fn: (client: PoolClient) => Promise<void>) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await fn(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      if (!(error instanceof RolledBack) && (error as { code?: string }).code !== '40P01') throw error;
    } finally {
      client.release();
    }
  }

  async function run(o: { kind: string } & Record<string, unknown>) {
    if (o.kind === 'insert') {
      // One multi-row statement, as a batch ingest would do it; a new visit per invitation.
      const count = o.count as number;
      const seed = o.seed as number;
      const rows = Array.from({ length: count }, (_, i) => {
        const n = seed + i;
        return {
          vid: `rv-${seq++}`,
          unit: `1.2.246.10.7.${1 + (n % 3)}`,
          day: new Date(Date.UTC(2025, 0, 1 + (n % 70))).toISOString().slice(0, 10),
          language: ['fi', 'sv', 'en'][n % 3] as string,
          age: n % 5 === 0 ? null : ['18-24', '65-74'][n % 2],
          status: i < (o.skipped as number) ? 'skipped' : n % 7 === 0 ? 'cancelled' : 'scheduled',
          reason: i < (o.skipped as number) ? REASONS[n % REASONS.length] : null,
        };
      });
      await pool.query(
        `WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(vid, unit, day, language, age, status, reason)),
         v AS (INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
               SELECT 'lifecare', vid, unit, 'health-station', day::timestamptz, day, language, age FROM input RETURNING id, source_visit_id)
         INSERT INTO invitations (visit_id, status, skip_reason, language)
         SELECT v.id, input.status, input.reason, input.language FROM input JOIN v ON v.source_visit_id = input.vid`,
        [
          rows.map((r) => r.vid),
          rows.map((r) => r.unit),
          rows.map((r) => r.day),
          rows.map((r) => r.language),
          rows.map((r) => r.age),
          rows.map((r) => r.status),
          rows.map((r) => r.reason),
        ],
      );
    } else if (o.kind === 'status') {
      // A text marked sent (sent_at) now and then: a failure after a send is no failed text.
      await pool.query(
        `UPDATE invitations SET status = $2, skip_reason = CASE WHEN $2 = 'skipped' THEN $3 ELSE skip_reason END,
                sent_at = CASE WHEN $4 THEN coalesce(sent_at, now()) ELSE sent_at END
         WHERE id = (SELECT id FROM invitations ORDER BY id OFFSET ($1::int % greatest(1, (SELECT count(*) FROM invitations)::int)) LIMIT 1)`,
        [o.pick, o.status, o.reason, o.sent],
      );
    } else if (o.kind === 'delete') {
      // Erasure: the invitation, then its visit (the rollup reads the visit's dimensions).
      await tx(async (client) => {
        const { rows } = await client.query<{ visit_id: string }>(
          `DELETE FROM invitations WHERE id = (SELECT id FROM invitations ORDER BY id OFFSET ($1::int % greatest(1, (SELECT count(*) FROM invitations)::int)) LIMIT 1) RETURNING visit_id`,
          [o.pick],
        );
        if (rows[0]) await client.query('DELETE FROM visits WHERE id = $1', [rows[0].visit_id]);
      });
    } else if (o.kind === 'bump') {
      const day = new Date(Date.UTC(2025, 0, 1 + (o.day as number))).toISOString().slice(0, 10);
      const column = o.column as string;
      await pool.query(
        `INSERT INTO nps_daily AS n (day, unit_id, service, language, age_band, source, ${column}) VALUES ($1, $2, 'health-station', 'fi', '18-24', 'lifecare', $3)
         ON CONFLICT (day, unit_id, service, language, age_band, source) DO UPDATE SET ${column} = n.${column} + EXCLUDED.${column}`,
        [day, `1.2.246.10.7.${o.unit}`, o.by],
      );
    } else {
      // A transaction that changes things and rolls back leaves every rollup untouched.
      await tx(async (client) => {
        await client.query(`UPDATE invitations SET status = 'cancelled' WHERE status = 'scheduled'`);
        await client.query(`UPDATE nps_daily SET promoters = promoters + 5`);
        throw new RolledBack();
      });
    }
  }

  it('funnel_daily, funnel_monthly and nps_monthly equal a recomputation from the raw rows after a random workload', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 60 }), async (ops) => {
        // Run in parallel batches of four so statements also interleave.
        for (let i = 0; i < ops.length; i += 4) await Promise.all(ops.slice(i, i + 4).map((o) => run(o).catch(ignoreDeadlock)));
        const q = async (sql: string) => (await pool.query(sql)).rows;
        expect(await q(FUNNEL_DAILY)).toEqual(await q(FUNNEL_FROM_RAW));
        expect(await q(FUNNEL_MONTHLY)).toEqual(await q(FUNNEL_MONTHLY_FROM_DAILY));
        expect(await q(NPS_MONTHLY)).toEqual(await q(NPS_MONTHLY_FROM_DAILY));
      }),
      { numRuns: 15, interruptAfterTimeLimit: 20_000 },
    );
  });
});
