import type { Pool, PoolClient } from '@kaiku/db';
import { IN_FLIGHT_WITHDRAWN } from './in-flight.sql.ts';

// SQL of a patient's new details or withdrawal; every function runs inside the caller's ingest transaction.

export async function isOptedOut(client: PoolClient, phoneHash: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM opt_outs WHERE phone_hash = $1', [phoneHash]);
  return (rowCount ?? 0) > 0;
}

export async function preferredLanguage(client: PoolClient, phoneHash: string): Promise<string | null> {
  const { rows } = await client.query<{ language: string }>('SELECT language FROM language_preferences WHERE phone_hash = $1', [phoneHash]);
  return rows[0]?.language ?? null;
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
