import type { PoolClient } from '@kaiku/db';
import { IN_FLIGHT_WITHDRAWN } from './in-flight.sql.ts';

// SQL of a visit's cancellation; every function runs inside the caller's ingest transaction.

export async function findVisit(client: PoolClient, source: string, sourceVisitId: string) {
  const { rows } = await client.query<{ id: string; invitation_id: string | null; status: string | null }>(
    `SELECT v.id, i.id AS invitation_id, i.status FROM visits v LEFT JOIN invitations i ON i.visit_id = v.id
     WHERE v.source = $1 AND v.source_visit_id = $2 FOR UPDATE OF v`,
    [source, sourceVisitId],
  );
  return rows[0] ?? null;
}

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
