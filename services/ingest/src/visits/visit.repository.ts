import { LANGUAGES } from '@kaiku/core';
import type { Pool, PoolClient } from '@kaiku/db';

/**
 * SQL for the ingest transaction. Every function runs inside the caller's transaction. The hot
 * path of a visit is few round trips (named, so prepared once per connection).
 */
export async function lockPatient(client: PoolClient, pseudonym: string) {
  await client.query({ name: 'ingest-lock-patient', text: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', values: [pseudonym] });
}

/**
 * One visit's lock (source and visit id; seed 1, apart from the patients' seed 0), held to the
 * commit: a cancellation and the visit-ended of the same visit, arriving at once, take it, so
 * that one sees what the other committed. Without it each could miss the other (the cancel found
 * no visit yet, the visit-ended no cancellation yet) and a cancelled visit was texted.
 */
const visitLockKey = (source: string, visitId: string) => `hashtextextended(${source} || chr(1) || ${visitId}, 1)`;
export async function lockVisit(client: PoolClient, source: string, sourceVisitId: string) {
  await client.query({
    name: 'ingest-lock-visit',
    text: `SELECT pg_advisory_xact_lock(${visitLockKey('$1', '$2')})`,
    values: [source, sourceVisitId],
  });
}

export interface NewVisit {
  source: string;
  sourceVisitId: string;
  sourceEventId: string | null;
  unitId: string;
  service: string;
  serviceClass: string | null;
  endedAt: Date;
  visitDay: string;
  language: string;
  ageBand: string | null;
  pseudonym: string | null;
}

export interface VisitEndedArgs {
  visit: NewVisit;
  skip: string | null;
  phoneHash: string | null;
  phoneEnc: Buffer | null;
  since: string;
  sendAt: Date | null;
}

export interface VisitEndedResult {
  outcome: 'cancelled' | 'duplicate' | 'skipped' | 'scheduled';
  reason: string | null;
  invitationId: string | null;
  language: string | null;
  superseded: string[];
}

interface VisitEndedRow {
  o_outcome: VisitEndedResult['outcome'];
  o_reason: string | null;
  o_invitation: string | null;
  o_language: string | null;
  o_superseded: string[];
}

const resultOf = (row: VisitEndedRow): VisitEndedResult => ({
  outcome: row.o_outcome,
  reason: row.o_reason,
  invitationId: row.o_invitation,
  language: row.o_language,
  superseded: row.o_superseded,
});

/**
 * A visit-ended event's database half in one call, in autocommit (see the migration
 * 1700000000110_ingest-visit-function.sql): cancelled first, duplicate, skipped or scheduled.
 */
export async function ingestVisitEnded(pool: Pool, a: VisitEndedArgs): Promise<VisitEndedResult> {
  const v = a.visit;
  const { rows } = await pool.query<VisitEndedRow>({
    name: 'ingest-visit-ended',
    // The visit's lock first (see lockVisit), in the same statement and transaction: the call takes
    // the locked value, so it runs after the lock is held.
    text: `WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock(${visitLockKey('$1', '$2')})::text AS held)
           SELECT f.* FROM l, LATERAL kaiku_ingest_visit_ended(l.held || $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) f`,
    values: [
      v.source,
      v.sourceVisitId,
      v.sourceEventId,
      v.unitId,
      v.service,
      v.serviceClass,
      v.endedAt,
      v.visitDay,
      v.language,
      v.ageBand,
      v.pseudonym,
      a.skip,
      a.phoneHash,
      a.phoneEnc,
      a.since,
      a.sendAt,
      LANGUAGES,
    ],
  });
  return resultOf(rows[0] as VisitEndedRow);
}

/**
 * Many visit-ended events in one call, in autocommit (one round trip, one commit; see the
 * migration 1700000000510_ingest-visits-function.sql), sorted by `round` (ascending): two events
 * of one visit or one patient must be in different rounds, the later event in the later round.
 * Decided as one by one in that order; results in the same order.
 */
export async function ingestVisitsEnded(pool: Pool, all: Array<VisitEndedArgs & { round: number }>): Promise<VisitEndedResult[]> {
  const col = <T>(f: (a: VisitEndedArgs & { round: number }) => T) => all.map(f);
  const { rows } = await pool.query<VisitEndedRow & { o_ord: number }>({
    name: 'ingest-visits-ended',
    // Every visit's lock first, in one order (see lockVisit), then the call, which takes their count.
    text: `WITH l AS MATERIALIZED (
             SELECT count(pg_advisory_xact_lock(k.h)) AS held
             FROM (SELECT DISTINCT ${visitLockKey('u.s', 'u.v')} AS h FROM unnest($2::text[], $3::text[]) AS u(s, v) ORDER BY 1) AS k)
           SELECT f.* FROM l, LATERAL kaiku_ingest_visits_ended(CASE WHEN l.held >= 0 THEN $1::int[] END,
             $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) f`,
    values: [
      col((a) => a.round),
      col((a) => a.visit.source),
      col((a) => a.visit.sourceVisitId),
      col((a) => a.visit.sourceEventId),
      col((a) => a.visit.unitId),
      col((a) => a.visit.service),
      col((a) => a.visit.serviceClass),
      col((a) => a.visit.endedAt.toISOString()),
      col((a) => a.visit.visitDay),
      col((a) => a.visit.language),
      col((a) => a.visit.ageBand),
      col((a) => a.visit.pseudonym),
      col((a) => a.skip),
      col((a) => a.phoneHash),
      col((a) => a.phoneEnc),
      col((a) => a.since),
      col((a) => a.sendAt?.toISOString() ?? null),
      LANGUAGES,
    ],
  });
  const results: VisitEndedResult[] = new Array(all.length);
  for (const row of rows) results[row.o_ord - 1] = resultOf(row);
  if (rows.length !== all.length || results.includes(undefined as never)) {
    throw new Error(`kaiku_ingest_visits_ended answered ${rows.length} rows for ${all.length} events`);
  }
  return results;
}
