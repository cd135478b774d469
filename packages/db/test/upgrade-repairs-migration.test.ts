import { describe, expect, it } from 'vitest';
import { migrate } from '../src/migrate.ts';
import { withDatabaseBefore } from './database-before.ts';

// Migration 830 (an upgrade probe): a county upgrading with live data had deaths reported before
// migration 820 forgotten (an older visit then texted the family), and Pegasos visits stored with
// `URN:OID:` in capitals that no cancel could find any more (the text went out).
describe('migration 830 (repairs for an upgrade with live data)', () => {
  it('records the deaths earlier skips name, and gives Pegasos ids the urn:oid: form however they were stored', {
    timeout: 60_000,
  }, async () => {
    await withDatabaseBefore('1700000000830_', async (db, url) => {
      const visit = async (source: string, id: string, pseudonym: string | null = null) =>
        (
          await db.query<{ id: string }>(
            `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, patient_pseudonym)
             VALUES ($1, $2, 'u1', 'health-station', now(), current_date, 'fi', $3) RETURNING id`,
            [source, id, pseudonym],
          )
        ).rows[0]?.id;
      const invitation = (visitId: string | undefined, status: string, skipReason: string | null, withdrawn: string | null = null) =>
        db.query(`INSERT INTO invitations (visit_id, status, skip_reason, withdrawn_reason, language) VALUES ($1, $2, $3, $4, 'fi')`, [
          visitId,
          status,
          skipReason,
          withdrawn,
        ]);
      await invitation(await visit('lifecare', 'D-1', 'p-dead'), 'skipped', 'deceased');
      await invitation(await visit('lifecare', 'D-2', 'p-dead'), 'skipped', 'deceased');
      await invitation(await visit('lifecare', 'D-3', 'p-in-flight'), 'cancelled', null, 'deceased');
      await invitation(await visit('lifecare', 'D-4', 'p-young'), 'skipped', 'under-age');
      await invitation(await visit('lifecare', 'D-5', null), 'skipped', 'deceased'); // pseudonym already erased
      await db.query(`INSERT INTO deceased_patients (patient_pseudonym) VALUES ('p-known')`);

      await visit('pegasos', 'URN:OID:1.2.246.10.1.10.0|V-1');
      await visit('pegasos', '1.2.246.10.1.10.0|V-2'); // an earlier release's ingest, still running after 780
      await visit('pegasos', 'Urn:Oid:1.2.246.10.1.10.0|V-3');
      await visit('pegasos', 'urn:oid:1.2.246.10.1.10.0|V-3'); // both forms stored: both stay
      await visit('pegasos', 'URN:ISO:std:iso:1|V-6');
      // One id in both old forms, none in the new (a regression probe: the migration failed on it).
      await visit('pegasos', 'URN:OID:1.2.246.10.1.10.0|V-7');
      await visit('pegasos', '1.2.246.10.1.10.0|V-7');
      await visit('lifecare', 'URN:OID:1.2.246.10.1.10.0|V-4');
      await db.query(`INSERT INTO visit_cancellations (source, source_visit_id) VALUES ('pegasos', 'URN:OID:1.2.246.10.1.10.0|V-5')`);
      await db.query(
        `INSERT INTO visit_cancellations (source, source_visit_id) VALUES ('pegasos', 'URN:OID:1.2.9|C-1'), ('pegasos', '1.2.9|C-1')`,
      );

      await migrate(url);
      const deaths = await db.query<{ patient_pseudonym: string }>('SELECT patient_pseudonym FROM deceased_patients ORDER BY 1');
      expect(deaths.rows.map((r) => r.patient_pseudonym)).toEqual(['p-dead', 'p-in-flight', 'p-known']);
      const ids = await db.query<{ source: string; source_visit_id: string }>(
        "SELECT source, source_visit_id FROM visits WHERE source_visit_id NOT LIKE 'D-%' ORDER BY source, source_visit_id",
      );
      expect(ids.rows.map((r) => `${r.source} ${r.source_visit_id}`)).toEqual([
        'lifecare URN:OID:1.2.246.10.1.10.0|V-4',
        'pegasos 1.2.246.10.1.10.0|V-7',
        'pegasos URN:ISO:std:iso:1|V-6',
        'pegasos Urn:Oid:1.2.246.10.1.10.0|V-3',
        'pegasos urn:oid:1.2.246.10.1.10.0|V-1',
        'pegasos urn:oid:1.2.246.10.1.10.0|V-2',
        'pegasos urn:oid:1.2.246.10.1.10.0|V-3',
        'pegasos urn:oid:1.2.246.10.1.10.0|V-7',
      ]);
      expect((await db.query('SELECT source_visit_id FROM visit_cancellations ORDER BY 1')).rows).toEqual([
        { source_visit_id: 'URN:OID:1.2.9|C-1' },
        { source_visit_id: 'urn:oid:1.2.246.10.1.10.0|V-5' },
        { source_visit_id: 'urn:oid:1.2.9|C-1' },
      ]);
    });
  });
});
