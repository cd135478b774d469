import type { Pool } from './pool.ts';

/**
 * Records each key's fingerprint the first time a database meets it, and names the keys whose
 * fingerprint differs from the one recorded: a service started with another key than the one the
 * database's hashes were made with (its opt-outs no longer match their numbers).
 */
export async function changedKeys(pool: Pool, fingerprints: Readonly<Record<string, string>>): Promise<string[]> {
  const names = Object.keys(fingerprints);
  const values = names.map((n) => fingerprints[n] as string);
  const { rows } = await pool.query<{ name: string }>(
    `WITH given AS (SELECT * FROM unnest($1::text[], $2::text[]) AS g(name, fingerprint)),
     recorded AS (
       INSERT INTO key_fingerprints (name, fingerprint) SELECT name, fingerprint FROM given
       ON CONFLICT (name) DO NOTHING RETURNING name
     )
     SELECT k.name FROM key_fingerprints k JOIN given g ON g.name = k.name
     WHERE k.fingerprint <> g.fingerprint ORDER BY k.name`,
    [names, values],
  );
  return rows.map((r) => r.name);
}
