import { describe, expect, it } from 'vitest';
import { migrate } from '../src/migrate.ts';
import { withDatabaseBefore } from './database-before.ts';

// Migration 840 (an analyst probe): visits of units the config does not list were stored with the
// service `other`, so the funnel by service counted them among that service's own units' visits.
describe('migration 840 (the service of a unit the config does not list)', () => {
  it("moves such units' visits and funnel rows to `unknown`, and leaves a unit enrolled as `other` as it was", {
    timeout: 60_000,
  }, async () => {
    await withDatabaseBefore('1700000000840_', async (db, url) => {
      const visitSkipped = async (unit: string, id: string, status: string, reason: string | null) => {
        const { rows } = await db.query<{ id: string }>(
          `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language)
           VALUES ('lifecare', $1, $2, 'other', now(), current_date, 'fi') RETURNING id`,
          [id, unit],
        );
        await db.query(`INSERT INTO invitations (visit_id, status, skip_reason, language) VALUES ($1, $2, $3, 'fi')`, [
          rows[0]?.id,
          status,
          reason,
        ]);
      };
      await visitSkipped('u-unknown', 'V-1', 'skipped', 'unit-not-enrolled');
      await visitSkipped('u-unknown', 'V-2', 'skipped', 'under-age'); // a reason checked before the unit's
      await visitSkipped('u-mental-health', 'V-3', 'skipped', 'under-age');
      await visitSkipped('u-mental-health', 'V-4', 'scheduled', null);
      // enrolled later: its visits since then are the service's own
      await visitSkipped('u-enrolled-later', 'V-5', 'skipped', 'unit-not-enrolled');
      await visitSkipped('u-enrolled-later', 'V-6', 'scheduled', null);

      await migrate(url);
      const services = await db.query<{ unit_id: string; service: string }>('SELECT DISTINCT unit_id, service FROM visits ORDER BY 1');
      expect(services.rows).toEqual([
        { unit_id: 'u-enrolled-later', service: 'other' },
        { unit_id: 'u-mental-health', service: 'other' },
        { unit_id: 'u-unknown', service: 'unknown' },
      ]);
      for (const table of ['funnel_daily', 'funnel_monthly']) {
        const { rows } = await db.query<{ service: string; received: number; skipped: number }>(
          `SELECT service, sum(received)::int AS received, sum(skipped)::int AS skipped FROM ${table} GROUP BY service ORDER BY service`,
        );
        expect(rows, table).toEqual([
          { service: 'other', received: 4, skipped: 2 },
          { service: 'unknown', received: 2, skipped: 2 },
        ]);
        const reasons = await db.query(
          `SELECT skip_reason, sum(skipped)::int AS n FROM ${table} WHERE service = 'unknown' AND skipped > 0 GROUP BY 1 ORDER BY 1`,
        );
        expect(reasons.rows, table).toEqual([
          { skip_reason: 'under-age', n: 1 },
          { skip_reason: 'unit-not-enrolled', n: 1 },
        ]);
      }
    });
  });
});
