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

/** What a cancelled survey held for sending: a same-day visit it had replaced is surveyed with it. */
export interface CancelledDetails {
  phone_enc: Buffer | null;
  phone_hash: string | null;
  language: string;
  send_at: Date | null;
  details_at: Date | null;
}

/** Cancels a survey not yet sent; what it held for sending, or null when it had gone (or may be going). */
export async function cancelInvitation(client: PoolClient, invitationId: string): Promise<CancelledDetails | null> {
  const { rows } = await client.query<CancelledDetails>(
    `WITH old AS (
       SELECT id, phone_enc, phone_hash, language, send_at, details_at FROM invitations
       WHERE id = $1 AND status = 'scheduled' AND NOT lookup_before_retry FOR UPDATE
     )
     UPDATE invitations i SET status = 'cancelled', phone_enc = NULL, phone_hash = NULL, updated_at = now()
       FROM old WHERE i.id = old.id
     RETURNING old.phone_enc, old.phone_hash, old.language, old.send_at, old.details_at`,
    [invitationId],
  );
  if (rows[0]) return rows[0];
  await client.query(IN_FLIGHT_WITHDRAWN('i.id = $1', `'cancelled'`), [invitationId]);
  return null;
}

/**
 * The patient's lock (the one ingest takes for the same-day and resurvey rules), before a cancel
 * changes one of their surveys: a visit-ended of the same patient decides after it, or before.
 */
export async function lockPatientOfVisit(client: PoolClient, visitId: string) {
  await client.query(
    'SELECT pg_advisory_xact_lock(hashtextextended(patient_pseudonym, 0)) FROM visits WHERE id = $1 AND patient_pseudonym IS NOT NULL',
    [visitId],
  );
}

/**
 * A cancelled visit had replaced an earlier one of the same patient and day (the same-day rule):
 * the latest such visit, not cancelled itself, is surveyed after all, with the number, language
 * and send time the cancelled survey held (the patient's latest), unless another survey of that
 * day is live. Its id, queued through the outbox; null when there is none.
 */
export async function restoreReplacedVisit(client: PoolClient, cancelledVisitId: string, held: CancelledDetails): Promise<string | null> {
  if (!held.phone_enc || !held.send_at) return null;
  const { rows } = await client.query<{ invitation_id: string }>(
    `WITH b AS (SELECT id, patient_pseudonym, visit_day, ended_at FROM visits WHERE id = $1 AND patient_pseudonym IS NOT NULL),
     a AS (
       SELECT i.id FROM b
       JOIN visits v ON v.patient_pseudonym = b.patient_pseudonym AND v.visit_day = b.visit_day AND v.ended_at <= b.ended_at AND v.id <> b.id
       JOIN invitations i ON i.visit_id = v.id
       WHERE i.status = 'skipped' AND i.skip_reason = 'same-day-visit'
         AND NOT EXISTS (SELECT 1 FROM visit_cancellations c WHERE c.source = v.source AND c.source_visit_id = v.source_visit_id)
         AND NOT EXISTS (
           SELECT 1 FROM visits v2 JOIN invitations i2 ON i2.visit_id = v2.id
           WHERE v2.patient_pseudonym = b.patient_pseudonym AND v2.visit_day = b.visit_day
             AND i2.status NOT IN ('skipped', 'cancelled', 'failed'))
       ORDER BY v.ended_at DESC, v.source DESC, v.source_visit_id DESC
       LIMIT 1
       FOR UPDATE OF i
     ), restored AS (
       UPDATE invitations i SET status = 'scheduled', skip_reason = NULL, phone_enc = $2, phone_hash = $3, language = $4,
              send_at = $5, details_at = $6, updated_at = now()
         FROM a WHERE i.id = a.id
       RETURNING i.id
     ), queued AS (
       -- (a row of its own from before it was replaced may wait there too: one job all the same, by its id)
       INSERT INTO outbox (invitation_id) SELECT id FROM restored
     )
     SELECT id AS invitation_id FROM restored`,
    [cancelledVisitId, held.phone_enc, held.phone_hash, held.language, held.send_at, held.details_at],
  );
  return rows[0]?.invitation_id ?? null;
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
    `SELECT i.id, i.phone_hash, i.language, i.lookup_before_retry, i.details_at
       FROM invitations i JOIN visits v ON v.id = i.visit_id
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
