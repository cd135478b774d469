import { createTestEnv, type TestEnv } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../src/pool.ts';

/**
 * PL/pgSQL keeps each statement's plan for the whole session, so a connection that first ran one
 * of these functions on small tables could keep a plan that reads a whole table on every later
 * call (migration 540). They only ever look rows up by key, and say so with three settings.
 * `CREATE OR REPLACE FUNCTION` replaces a function's settings with its own `SET` clauses: migration
 * 680 re-created the funnel's trigger without them, and a benchmark found it reading every visit
 * per insert (migration 760). A migration that re-creates one of these must say them again.
 */
const KEY_LOOKUPS = ['enable_seqscan=off', 'enable_hashjoin=off', 'enable_mergejoin=off'];
const FUNCTIONS = [
  'kaiku_funnel_on_insert',
  'kaiku_reply_apply',
  'kaiku_delivery_status',
  'kaiku_invitations_visit_exists',
  'kaiku_claim_due',
];

describe('functions that only look rows up by key', () => {
  let env: TestEnv;
  let pool: Pool;
  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl, { max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await env?.cleanup();
  });

  it('keep their plan settings through every migration', async () => {
    const { rows } = await pool.query<{ name: string; config: string[] | null }>(
      `SELECT p.proname AS name, p.proconfig AS config FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proname = ANY($1::text[])`,
      [FUNCTIONS],
    );
    expect(rows.map((r) => r.name).sort()).toEqual([...FUNCTIONS].sort());
    for (const { name, config } of rows)
      expect({ name, config: [...(config ?? [])].sort() }).toEqual({ name, config: [...KEY_LOOKUPS].sort() });
  });
});
