import type { Pool, PoolClient } from '@kaiku/db';
import type { PreparedVisit } from './visit-decision.ts';

/**
 * Patients Kaiku has been told died (`deceased_patients`, by pseudonym). Before visit-ended events
 * are decided: the deaths they report are recorded, and an event of a patient recorded dead (or
 * reported dead by an earlier event of the same batch) is skipped as `deceased`. Without it, another system's
 * older visit that arrived after the death was texted to the family (a race probe): the withdrawal
 * of a death reaches only surveys already scheduled. One round trip, for the whole batch.
 */
export async function applyKnownDeaths(pool: Pool, prepared: PreparedVisit[]): Promise<void> {
  const reported = new Set<string>();
  const asked = new Set<string>();
  for (const p of prepared) {
    if (!p.pseudonym) continue;
    if (p.facts.bars === 'deceased') reported.add(p.pseudonym);
    else if (!p.facts.skip) asked.add(p.pseudonym);
  }
  if (reported.size === 0 && asked.size === 0) return;
  const { rows } = await pool.query<{ pseudonym: string }>(
    `WITH recorded AS (
       INSERT INTO deceased_patients (patient_pseudonym) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING
     )
     SELECT patient_pseudonym AS pseudonym FROM deceased_patients WHERE patient_pseudonym = ANY($2::text[])`,
    [[...reported], [...asked]],
  );
  // Recorded before, or reported by an earlier event of the batch (as one by one: an event before the
  // report is decided first, and the report's withdrawal reaches it).
  const dead = new Set(rows.map((r) => r.pseudonym));
  for (const p of prepared) {
    if (!p.pseudonym) continue;
    if (!p.facts.skip && dead.has(p.pseudonym)) p.facts = { ...p.facts, skip: 'deceased', bars: 'deceased' };
    else if (p.facts.bars === 'deceased') dead.add(p.pseudonym);
  }
}

/** The pseudonym of a stored visit's patient (null: no such visit, or no hetu was given for it). */
export async function pseudonymOfVisit(client: PoolClient, source: string, visitId: string): Promise<string | null> {
  const { rows } = await client.query<{ pseudonym: string | null }>(
    'SELECT patient_pseudonym AS pseudonym FROM visits WHERE source = $1 AND source_visit_id = $2',
    [source, visitId],
  );
  return rows[0]?.pseudonym ?? null;
}

/** A patient-updated event that reports a death records it, in its own transaction. */
export async function recordDeath(client: PoolClient, pseudonym: string): Promise<void> {
  await client.query('INSERT INTO deceased_patients (patient_pseudonym) VALUES ($1) ON CONFLICT DO NOTHING', [pseudonym]);
}
