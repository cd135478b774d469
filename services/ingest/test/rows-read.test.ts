import { hetuFor } from '@kaiku/core';
import { createPool, type Pool } from '@kaiku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxRelay } from '../src/outbox-relay.ts';
import { createIngestPipeline } from '../src/pipeline.ts';
import { endedEvent, type IngestHarness, keys, silent, startIngest, testConfig } from './helpers.ts';

/** startIngest's pool size. */
const HARNESS_POOL_SIZE = 5;

/** Rows read from `visits` and `invitations` so far, through every index and the tables' own scans. */
async function rowsRead(pool: Pool, connection: Pool): Promise<{ visits: number; invitations: number }> {
  // A backend's counters reach the shared statistics when it next goes idle, or up to 10 s later
  // when it flushed less than a second before: flushed now on the watched connection and on every
  // connection of the harness's pool (the earlier batches' reads must not land between two readings).
  await connection.query('SELECT pg_stat_force_next_flush()');
  const clients = await Promise.all(Array.from({ length: HARNESS_POOL_SIZE }, () => pool.connect()));
  try {
    await Promise.all(clients.map((c) => c.query('SELECT pg_stat_force_next_flush()')));
  } finally {
    for (const c of clients) c.release();
  }
  const { rows } = await pool.query<{ relname: string; n: string }>(
    `SELECT relname, (coalesce(idx_tup_fetch, 0) + seq_tup_read)::text AS n FROM pg_stat_user_tables
      WHERE relname IN ('visits', 'invitations')`,
  );
  const of = (name: string) => Number(rows.find((r) => r.relname === name)?.n);
  return { visits: of('visits'), invitations: of('invitations') };
}

/** Each describe's own ingest database, and one more connection to it whose plans the tests watch. */
function freshDatabase() {
  const db = {} as { h: IngestHarness; connection: Pool };
  beforeAll(async () => {
    db.h = await startIngest();
    db.connection = createPool(db.h.env.databaseUrl, { max: 1 });
  });
  afterAll(async () => {
    await db.connection.end();
    await db.h.close();
  });
  return db;
}

/**
 * One event on its own (a single HTTP event, an MLLP message that comes alone) locks its patient's
 * invitations of that day before deciding. Each connection keeps the plan it made for that when
 * the tables were small, and a database that never gathers statistics never replaces it: the lock
 * must still read the patient's own rows only, not every invitation waiting to be sent.
 */
describe('a lone event’s same-day lock', () => {
  const db = freshDatabase();

  it('reads only its own patient’s visits and invitations, however many others wait to be sent', async () => {
    const { h, connection } = db;
    const lone = createIngestPipeline({ pool: connection, kaiku: testConfig(), keys, logger: silent });
    // Plans made while the tables are nearly empty (a plan is kept after the fifth call).
    for (let i = 0; i < 8; i++) {
      expect((await lone.ingest(endedEvent(`EARLY${i}`, hetuFor('1950-01-01', 100 + i)))).outcome).toBe('scheduled');
      const pair = [
        endedEvent(`EARLY-PAIR${i}a`, hetuFor('1951-01-01', 100 + i)),
        endedEvent(`EARLY-PAIR${i}b`, hetuFor('1952-01-01', 100 + i)),
      ];
      expect((await lone.ingestMany(pair)).map((o) => o.outcome)).toEqual(['scheduled', 'scheduled']);
    }
    // 3,000 other patients' texts waiting.
    for (let b = 0; b < 3; b++) {
      const batch = Array.from({ length: 1000 }, (_, i) =>
        endedEvent(`OTHER${b}-${i}`, hetuFor(`19${60 + b}-0${1 + (i % 2)}-01`, 2 + (i >> 1))),
      );
      const outcomes = await h.pipeline.ingestMany(batch);
      expect(outcomes.every((o) => o.outcome === 'scheduled')).toBe(true);
    }

    const before = await rowsRead(h.pool, connection);
    const morning = await lone.ingest(endedEvent('PATIENT-AM', hetuFor('1970-07-07', 321)));
    const afternoon = await lone.ingest(endedEvent('PATIENT-PM', hetuFor('1970-07-07', 321)));
    const after = await rowsRead(h.pool, connection);

    expect(morning.outcome).toBe('scheduled');
    expect(afternoon).toMatchObject({ outcome: 'scheduled' });
    // Not the 3,008 visits of the same day (an index of the day alone read them all: 10 ms a call).
    expect(after.invitations - before.invitations).toBeLessThan(20);
    expect(after.visits - before.visits).toBeLessThan(20);
  });

  it('a group of events (MLLP connections arriving together) reads only its own patients’ visits', async () => {
    const { h, connection } = db;
    // The same connection: it keeps the group call's plan from the nearly empty tables above.
    const grouped = createIngestPipeline({ pool: connection, kaiku: testConfig(), keys, logger: silent });
    const before = await rowsRead(h.pool, connection);
    const ten = Array.from({ length: 10 }, (_, i) => endedEvent(`GROUP-${i}`, hetuFor('1980-03-03', 400 + i)));
    const outcomes = await grouped.ingestMany(ten);
    const after = await rowsRead(h.pool, connection);

    expect(outcomes.map((o) => o.outcome)).toEqual(Array(10).fill('scheduled'));
    expect(after.visits - before.visits).toBeLessThan(60);
    expect(after.invitations - before.invitations).toBeLessThan(60);
  });
});

/**
 * The funnel's counts are kept by a trigger on each insert of invitations. A connection keeps the
 * trigger's plan from the first time it ran, and one that first counted a few hundred visits on a
 * new database planned to read all of visits (migration 680 had dropped the settings that prevent
 * it): the trigger must still read only the new invitations' visits.
 */
describe('the funnel’s trigger on a connection that first ran it on a new database', () => {
  const db = freshDatabase();

  it('reads only the new invitations’ visits, however many other visits there are', async () => {
    const { h, connection } = db;
    const early = createIngestPipeline({ pool: connection, kaiku: testConfig(), keys, logger: silent });
    const first = Array.from({ length: 300 }, (_, i) => endedEvent(`FIRST-${i}`, hetuFor(`1955-0${1 + (i % 9)}-01`, 2 + i)));
    expect((await early.ingestMany(first)).every((o) => o.outcome === 'scheduled')).toBe(true);
    for (let b = 0; b < 3; b++) {
      const batch = Array.from({ length: 1000 }, (_, i) =>
        endedEvent(`MORE${b}-${i}`, hetuFor(`196${b}-0${1 + (i % 2)}-01`, 2 + (i >> 1))),
      );
      expect((await h.pipeline.ingestMany(batch)).every((o) => o.outcome === 'scheduled')).toBe(true);
    }

    const before = await rowsRead(h.pool, connection);
    const ten = Array.from({ length: 10 }, (_, i) => endedEvent(`LATER-${i}`, hetuFor('1985-04-04', 500 + i)));
    expect((await early.ingestMany(ten)).map((o) => o.outcome)).toEqual(Array(10).fill('scheduled'));
    const after = await rowsRead(h.pool, connection);

    // Not the 3,310 visits of the database (a hash join over all of them: 62 ms a group at 13,744).
    expect(after.visits - before.visits).toBeLessThan(60);
  });

  it('the outbox relay reads only the invitations of the rows it moves', async () => {
    const { h, connection } = db;
    // Ten rows left to move, beside the 3,320 scheduled invitations above.
    await h.pool.query('DELETE FROM outbox WHERE id NOT IN (SELECT id FROM outbox ORDER BY id DESC LIMIT 10)');
    const relay = createOutboxRelay({ pool: connection, queue: h.queue, logger: silent, intervalMs: 60_000 });
    const before = await rowsRead(h.pool, connection);
    expect(await relay.drain()).toBe(10);
    const after = await rowsRead(h.pool, connection);
    // Not every scheduled invitation (a semi-join on the status index read them all: 28 ms a run at 50,000).
    expect(after.invitations - before.invitations).toBeLessThan(40);
  });
});
