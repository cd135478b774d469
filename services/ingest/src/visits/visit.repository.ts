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

export async function isOptedOut(client: PoolClient, phoneHash: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM opt_outs WHERE phone_hash = $1', [phoneHash]);
  return (rowCount ?? 0) > 0;
}

export async function preferredLanguage(client: PoolClient, phoneHash: string): Promise<string | null> {
  const { rows } = await client.query<{ language: string }>('SELECT language FROM language_preferences WHERE phone_hash = $1', [phoneHash]);
  return rows[0]?.language ?? null;
}

export async function findVisit(client: PoolClient, source: string, sourceVisitId: string) {
  const { rows } = await client.query<{ id: string; invitation_id: string | null; status: string | null }>(
    `SELECT v.id, i.id AS invitation_id, i.status FROM visits v LEFT JOIN invitations i ON i.visit_id = v.id
     WHERE v.source = $1 AND v.source_visit_id = $2 FOR UPDATE OF v`,
    [source, sourceVisitId],
  );
  return rows[0] ?? null;
}

/** Sending, unknown, or waiting for a retry that first looks at Twilio (an attempt got a 5xx: it may have gone). */
const IN_FLIGHT = `(i.status IN ('sending', 'unknown') OR (i.status = 'scheduled' AND i.lookup_before_retry))`;

/**
 * Texts in flight (`sending`) or that may have gone (`unknown`, or `scheduled` for a retry after a
 * 5xx) keep the withdrawal: the sender cancels or skips them by it once Twilio's log shows they did
 * not go, and never sends them again (migration 690). `where` selects the invitations (as `i`, visits as `v`); the
 * reason is SQL (a parameter or a literal). The first withdrawal stays; `updated_at` too (the
 * reconciler waits from the attempt, not from this).
 */
const IN_FLIGHT_WITHDRAWN = (where: string, reason: string) => `
  UPDATE invitations i SET withdrawn_reason = coalesce(i.withdrawn_reason, ${reason})
    FROM visits v WHERE v.id = i.visit_id AND ${IN_FLIGHT} AND (${where})`;

export async function cancelInvitation(client: PoolClient, invitationId: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE invitations SET status = 'cancelled', phone_enc = NULL, phone_hash = NULL, updated_at = now()
     WHERE id = $1 AND status = 'scheduled' AND NOT lookup_before_retry`,
    [invitationId],
  );
  if ((rowCount ?? 0) > 0) return true;
  await client.query(IN_FLIGHT_WITHDRAWN('i.id = $1', `'cancelled'`), [invitationId]);
  return false;
}

/** Records a cancellation (also of a visit not seen yet); false when it was already recorded. */
export async function recordCancellation(client: PoolClient, source: string, sourceVisitId: string, sourceEventId: string | null) {
  const { rowCount } = await client.query(
    `INSERT INTO visit_cancellations (source, source_visit_id, source_event_id) VALUES ($1, $2, $3)
     ON CONFLICT (source, source_visit_id) DO NOTHING`,
    [source, sourceVisitId, sourceEventId],
  );
  return (rowCount ?? 0) > 0;
}

export interface ScheduledInvitation {
  id: string;
  phone_hash: string | null;
  language: string;
  /** An attempt got a 5xx: its text may be at Twilio, and the retry looks for it by number and words. */
  lookup_before_retry: boolean;
  /** When the details it holds were recorded at the source: the last timed update's (null: none yet). */
  details_at: Date | null;
}

/** Still-scheduled invitations of one visit and/or one patient (any source), locked for update. */
export async function scheduledInvitationsOf(
  client: PoolClient,
  by: { source: string; sourceVisitId: string | null; pseudonym: string | null; namedVisitOfAnyone?: boolean },
): Promise<ScheduledInvitation[]> {
  const { rows } = await client.query<ScheduledInvitation>(
    `SELECT i.id, i.phone_hash, i.language, i.lookup_before_retry, i.details_at FROM invitations i JOIN visits v ON v.id = i.visit_id
     WHERE i.status = 'scheduled'
       -- The named visit only when it is this patient's (or its patient is unknown): an update that
       -- names another person's visit, or names no person for a visit whose patient is known, must
       -- not move that person's survey to this one's phone. A withdrawal ($4) reaches it anyway.
       AND ((v.source = $1 AND v.source_visit_id = $2 AND ($4 OR v.patient_pseudonym IS NULL OR v.patient_pseudonym = $3))
            OR v.patient_pseudonym = $3)
     ORDER BY i.id FOR UPDATE OF i`,
    [by.source, by.sourceVisitId, by.pseudonym, by.namedVisitOfAnyone ?? false],
  );
  return rows;
}

export async function updateInvitationContact(
  client: PoolClient,
  invitationId: string,
  phoneEnc: Buffer | null,
  phoneHash: string | null,
  language: string,
  recordedAt: Date | null,
) {
  const { rowCount } = await client.query(
    `UPDATE invitations SET phone_enc = COALESCE($2, phone_enc), phone_hash = COALESCE($3, phone_hash), language = $4,
       details_at = COALESCE($5, details_at), updated_at = now()
     WHERE id = $1 AND status = 'scheduled'`,
    [invitationId, phoneEnc, phoneHash, language, recordedAt],
  );
  return (rowCount ?? 0) > 0;
}

/** A scheduled invitation that must not be sent after all (the patient's data changed): a skip with its reason. */
export async function skipScheduledInvitation(client: PoolClient, invitationId: string, reason: string) {
  const { rowCount } = await client.query(
    `UPDATE invitations SET status = 'skipped', skip_reason = $2, phone_enc = NULL, phone_hash = NULL, updated_at = now()
     WHERE id = $1 AND status = 'scheduled' AND NOT lookup_before_retry`,
    [invitationId, reason],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * A patient's still-scheduled surveys, withdrawn as skips with `reason` (a later visit says the
 * patient has died, is under non-disclosure or refused texts); their phone data goes. The ids, so
 * that their queued jobs can be removed.
 */
export async function withdrawPatientSurveys(pool: Pool, pseudonym: string, reason: string): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `WITH in_flight AS (${IN_FLIGHT_WITHDRAWN('v.patient_pseudonym = $1', '$2')})
     UPDATE invitations i SET status = 'skipped', skip_reason = $2, phone_enc = NULL, phone_hash = NULL, updated_at = now()
     FROM visits v WHERE v.id = i.visit_id AND v.patient_pseudonym = $1 AND i.status = 'scheduled' AND NOT i.lookup_before_retry
     RETURNING i.id`,
    [pseudonym, reason],
  );
  return rows.map((r) => r.id);
}

/** The named visit's or the patient's texts in flight keep a withdrawal (see IN_FLIGHT_WITHDRAWN). */
export async function withdrawInFlight(
  client: PoolClient,
  by: { source: string; sourceVisitId: string | null; pseudonym: string | null },
  reason: string,
) {
  await client.query(IN_FLIGHT_WITHDRAWN('(v.source = $1 AND v.source_visit_id = $2) OR v.patient_pseudonym = $3', '$4'), [
    by.source,
    by.sourceVisitId,
    by.pseudonym,
    reason,
  ]);
}
