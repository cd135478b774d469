import { randomUUID } from 'node:crypto';
import { createPool, type Pool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Migration 560 checks the invitation → visit reference per statement instead of by a foreign key;
// these are the guarantees the foreign key gave that it keeps.
let env: TestEnv;
let pool: Pool;
beforeAll(async () => {
  env = await createTestEnv();
  pool = createPool(env.databaseUrl, { max: 2 });
});
afterAll(async () => {
  await pool.end();
  await env.cleanup();
});

let n = 0;
async function visit(): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO visits (source, source_visit_id, unit_id, service, service_class, ended_at, visit_day, language)
     VALUES ('lifecare', $1, 'u1', 'health-station', 'primary-care', now(), current_date, 'fi') RETURNING id`,
    [`REF-${n++}`],
  );
  return rows[0]?.id as string;
}
const invite = (visitIds: string[]) =>
  pool.query(`INSERT INTO invitations (visit_id, status, language) SELECT v, 'scheduled', 'fi' FROM unnest($1::uuid[]) AS v`, [visitIds]);
const count = async (sql: string, params: unknown[]) => (await pool.query<{ n: number }>(sql, params)).rows[0]?.n;

const violation = { code: '23503' };

describe('the invitation → visit reference', () => {
  it('an insert naming a visit that does not exist is refused whole, alone or among existing ones', async () => {
    const known = await visit();
    const missing = randomUUID();
    await expect(invite([missing])).rejects.toMatchObject({ ...violation, detail: expect.stringContaining(missing) });
    await expect(invite([known, missing, await visit()])).rejects.toMatchObject(violation);
    expect(await count('SELECT count(*)::int AS n FROM invitations WHERE visit_id = $1', [known])).toBe(0);
    await invite([known]);
    expect(await count('SELECT count(*)::int AS n FROM invitations WHERE visit_id = $1', [known])).toBe(1);
  });

  it('an invitation can move to another existing visit, not to a missing one', async () => {
    const [a, b] = [await visit(), await visit()];
    await invite([a]);
    await expect(pool.query('UPDATE invitations SET visit_id = $2 WHERE visit_id = $1', [a, randomUUID()])).rejects.toMatchObject(
      violation,
    );
    await pool.query('UPDATE invitations SET visit_id = $2 WHERE visit_id = $1', [a, b]);
    expect(await count('SELECT count(*)::int AS n FROM invitations WHERE visit_id = $1', [b])).toBe(1);
  });

  it('a visit an invitation names cannot be deleted or renumbered; one nobody names can', async () => {
    const [named, unnamed] = [await visit(), await visit()];
    await invite([named]);
    await expect(pool.query('DELETE FROM visits WHERE id = $1', [named])).rejects.toMatchObject(violation);
    await expect(pool.query('UPDATE visits SET id = $2 WHERE id = $1', [named, randomUUID()])).rejects.toMatchObject(violation);
    expect(await count('SELECT count(*)::int AS n FROM visits WHERE id = $1', [named])).toBe(1);
    await pool.query('DELETE FROM visits WHERE id = $1', [unnamed]);
    expect(await count('SELECT count(*)::int AS n FROM visits WHERE id = $1', [unnamed])).toBe(0);
  });
});
