import { describe, expect, it } from 'vitest';
import { migrate } from '../src/migrate.ts';
import { withDatabaseBefore } from './database-before.ts';

// Migration 780: Pegasos encounter numbers stored with a bare OID system take the urn:oid: form
// ingest now writes, so a cancel written either way finds its visit.
describe('migration 780 (Pegasos OID systems)', () => {
  it('rewrites bare-OID ids to urn:oid:, leaves other ids and sources alone, and never makes two rows one', {
    timeout: 60_000,
  }, async () => {
    await withDatabaseBefore('1700000000780_', async (db, url) => {
      const visit = (source: string, id: string) =>
        db.query(
          `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language)
           VALUES ($1, $2, 'u1', 'health-station', now(), current_date, 'fi')`,
          [source, id],
        );
      await visit('pegasos', '1.2.246.10.1.10.0|V-1');
      await visit('pegasos', '1.2.246.10.1.10.0|V-2');
      await visit('pegasos', 'urn:oid:1.2.246.10.1.10.0|V-2'); // both forms stored: both stay
      await visit('pegasos', 'https://x.example/enc|V-3');
      await visit('lifecare', '1.2.246.10.1.10.0|V-4');
      await db.query(`INSERT INTO visit_cancellations (source, source_visit_id) VALUES ('pegasos', '1.2.246.10.1.10.0|V-5')`);
      await migrate(url);
      const ids = await db.query<{ source: string; source_visit_id: string }>(
        'SELECT source, source_visit_id FROM visits ORDER BY source, source_visit_id',
      );
      expect(ids.rows.map((r) => `${r.source} ${r.source_visit_id}`)).toEqual([
        'lifecare 1.2.246.10.1.10.0|V-4',
        'pegasos 1.2.246.10.1.10.0|V-2',
        'pegasos https://x.example/enc|V-3',
        'pegasos urn:oid:1.2.246.10.1.10.0|V-1',
        'pegasos urn:oid:1.2.246.10.1.10.0|V-2',
      ]);
      expect((await db.query('SELECT source_visit_id FROM visit_cancellations')).rows).toEqual([
        { source_visit_id: 'urn:oid:1.2.246.10.1.10.0|V-5' },
      ]);
    });
  });
});
