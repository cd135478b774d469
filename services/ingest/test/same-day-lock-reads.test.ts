import { hetuFor } from '@kaiku/core';
import { createPool, type Pool } from '@kaiku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestPipeline } from '../src/pipeline.ts';
import { endedEvent, type IngestHarness, keys, silent, startIngest, testConfig } from './helpers.ts';

/** Index entries read from `invitations` so far, all indexes and the table's own scans together. */
async function invitationReads(pool: Pool, connection: Pool): Promise<number> {
  // The connection's counters reach the shared statistics when it next goes idle.
  await connection.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await pool.query<{ n: string }>(
    `SELECT (coalesce(idx_tup_fetch, 0) + seq_tup_read)::text AS n FROM pg_stat_user_tables WHERE relname = 'invitations'`,
  );
  return Number(rows[0]?.n);
}

/**
 * One event on its own (a single HTTP event, an MLLP message that comes alone) locks its patient's
 * invitations of that day before deciding. Each connection keeps the plan it made for that when
 * the tables were small, and a database that never gathers statistics never replaces it: the lock
 * must still read the patient's own rows only, not every invitation waiting to be sent.
 */
describe('a lone event’s same-day lock', () => {
  let h: IngestHarness;
  let connection: Pool;
  beforeAll(async () => {
    h = await startIngest();
    connection = createPool(h.env.databaseUrl, { max: 1 });
  });
  afterAll(async () => {
    await connection.end();
    await h.close();
  });

  it('reads only its own patient’s invitations, however many others wait to be sent', async () => {
    const lone = createIngestPipeline({ pool: connection, kaiku: testConfig(), keys, logger: silent });
    // Plans made while the tables are nearly empty (a plan is kept after the fifth call).
    for (let i = 0; i < 8; i++) {
      expect((await lone.ingest(endedEvent(`EARLY${i}`, hetuFor('1950-01-01', 100 + i)))).outcome).toBe('scheduled');
    }
    // 3,000 other patients' texts waiting.
    for (let b = 0; b < 3; b++) {
      const batch = Array.from({ length: 1000 }, (_, i) =>
        endedEvent(`OTHER${b}-${i}`, hetuFor(`19${60 + b}-0${1 + (i % 2)}-01`, 2 + (i >> 1))),
      );
      const outcomes = await h.pipeline.ingestMany(batch);
      expect(outcomes.every((o) => o.outcome === 'scheduled')).toBe(true);
    }

    const before = await invitationReads(h.pool, connection);
    const morning = await lone.ingest(endedEvent('PATIENT-AM', hetuFor('1970-07-07', 321)));
    const afternoon = await lone.ingest(endedEvent('PATIENT-PM', hetuFor('1970-07-07', 321)));
    const read = (await invitationReads(h.pool, connection)) - before;

    expect(morning.outcome).toBe('scheduled');
    expect(afternoon).toMatchObject({ outcome: 'scheduled' });
    expect(read).toBeLessThan(20);
  });
});
