import type { PoolClient } from '@kaiku/db';

/**
 * SQL for the ingest transaction. Every function runs inside the caller's transaction. The hot
 * path of a visit is few round trips (named, so prepared once per connection).
 */
export async function lockPatient(client: PoolClient, pseudonym: string) {
  await client.query({ name: 'ingest-lock-patient', text: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', values: [pseudonym] });
}

/** Locks the patient (when known) and tells whether the visit's cancellation came first, in one round trip. */
export async function lockPatientAndCheckCancelled(client: PoolClient, pseudonym: string | null, source: string, sourceVisitId: string) {
  const { rows } = await client.query<{ cancelled: boolean }>({
    name: 'ingest-lock-and-cancelled',
    text: `SELECT (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0)) WHERE $1::text IS NOT NULL) AS l) AS locked,
             EXISTS (SELECT 1 FROM visit_cancellations WHERE source = $2 AND source_visit_id = $3) AS cancelled`,
    values: [pseudonym, source, sourceVisitId],
  });
  return rows[0]?.cancelled === true;
}

/** Whether a number opted out, and the language its owner chose by SMS, in one round trip. */
export async function phoneFacts(client: PoolClient, phoneHash: string): Promise<{ optedOut: boolean; language: string | null }> {
  const { rows } = await client.query<{ opted_out: boolean; language: string | null }>({
    name: 'ingest-phone-facts',
    text: `SELECT EXISTS (SELECT 1 FROM opt_outs WHERE phone_hash = $1) AS opted_out,
             (SELECT language FROM language_preferences WHERE phone_hash = $1) AS language`,
    values: [phoneHash],
  });
  return { optedOut: rows[0]?.opted_out === true, language: rows[0]?.language ?? null };
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

/** Inserts the visit; null when (source, visit id) is already known. */
export async function insertVisit(client: PoolClient, v: NewVisit): Promise<string | null> {
  const { rows } = await client.query<{ id: string }>({
    name: 'ingest-insert-visit',
    text: `INSERT INTO visits (source, source_visit_id, source_event_id, unit_id, service, service_class, ended_at, visit_day, language, age_band, patient_pseudonym)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
     ON CONFLICT (source, source_visit_id) DO NOTHING RETURNING id`,
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
    ],
  });
  return rows[0]?.id ?? null;
}

export async function isOptedOut(client: PoolClient, phoneHash: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM opt_outs WHERE phone_hash = $1', [phoneHash]);
  return (rowCount ?? 0) > 0;
}

export async function preferredLanguage(client: PoolClient, phoneHash: string): Promise<string | null> {
  const { rows } = await client.query<{ language: string }>('SELECT language FROM language_preferences WHERE phone_hash = $1', [phoneHash]);
  return rows[0]?.language ?? null;
}

/** Live invitations of the same person (not skipped or cancelled) since a day, in the order of their visits' end. */
export async function recentInvitations(client: PoolClient, pseudonym: string, sinceDay: string) {
  const { rows } = await client.query<{ id: string; status: string; visit_day: string; ended_at: Date }>({
    name: 'ingest-recent-invitations',
    text: `SELECT i.id, i.status, v.visit_day, v.ended_at FROM invitations i JOIN visits v ON v.id = i.visit_id
     WHERE v.patient_pseudonym = $1 AND v.visit_day >= $2 AND i.status NOT IN ('skipped', 'cancelled')
     ORDER BY v.ended_at, v.source, v.source_visit_id`,
    values: [pseudonym, sinceDay],
  });
  return rows;
}

export interface NewInvitation {
  visitId: string;
  status: 'scheduled' | 'skipped';
  skipReason: string | null;
  phoneEnc: Buffer | null;
  phoneHash: string | null;
  language: string;
  sendAt: Date | null;
  expiresAt: Date | null;
}

export async function insertInvitation(client: PoolClient, i: NewInvitation): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO invitations (visit_id, status, skip_reason, phone_enc, phone_hash, language, send_at, expires_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`,
    [i.visitId, i.status, i.skipReason, i.phoneEnc, i.phoneHash, i.language, i.sendAt, i.expiresAt],
  );
  return (rows[0] as { id: string }).id;
}

/** A scheduled invitation and its outbox row, in one statement. */
export async function insertScheduledInvitation(client: PoolClient, i: Omit<NewInvitation, 'status' | 'skipReason'>): Promise<string> {
  const { rows } = await client.query<{ id: string }>({
    name: 'ingest-insert-scheduled',
    text: `WITH inv AS (
             INSERT INTO invitations (visit_id, status, phone_enc, phone_hash, language, send_at, expires_at)
             VALUES ($1, 'scheduled', $2, $3, $4, $5, $6) RETURNING id)
           INSERT INTO outbox (invitation_id) SELECT id FROM inv RETURNING invitation_id AS id`,
    values: [i.visitId, i.phoneEnc, i.phoneHash, i.language, i.sendAt, i.expiresAt],
  });
  return (rows[0] as { id: string }).id;
}

/** Turns a still-scheduled invitation into a skip (a later visit the same day replaced it). */
export async function supersedeInvitation(client: PoolClient, invitationId: string) {
  await client.query(
    `UPDATE invitations SET status = 'skipped', skip_reason = 'same-day-visit', phone_enc = NULL, phone_hash = NULL, updated_at = now()
     WHERE id = $1 AND status = 'scheduled'`,
    [invitationId],
  );
}

export async function findVisit(client: PoolClient, source: string, sourceVisitId: string) {
  const { rows } = await client.query<{ id: string; invitation_id: string | null; status: string | null }>(
    `SELECT v.id, i.id AS invitation_id, i.status FROM visits v LEFT JOIN invitations i ON i.visit_id = v.id
     WHERE v.source = $1 AND v.source_visit_id = $2 FOR UPDATE OF v`,
    [source, sourceVisitId],
  );
  return rows[0] ?? null;
}

export async function cancelInvitation(client: PoolClient, invitationId: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE invitations SET status = 'cancelled', phone_enc = NULL, phone_hash = NULL, updated_at = now()
     WHERE id = $1 AND status = 'scheduled'`,
    [invitationId],
  );
  return (rowCount ?? 0) > 0;
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
}

/** Still-scheduled invitations of one visit and/or one patient (any source), locked for update. */
export async function scheduledInvitationsOf(
  client: PoolClient,
  by: { source: string; sourceVisitId: string | null; pseudonym: string | null },
): Promise<ScheduledInvitation[]> {
  const { rows } = await client.query<ScheduledInvitation>(
    `SELECT i.id, i.phone_hash, i.language FROM invitations i JOIN visits v ON v.id = i.visit_id
     WHERE i.status = 'scheduled'
       AND ((v.source = $1 AND v.source_visit_id = $2) OR v.patient_pseudonym = $3)
     ORDER BY i.id FOR UPDATE OF i`,
    [by.source, by.sourceVisitId, by.pseudonym],
  );
  return rows;
}

export async function updateInvitationContact(
  client: PoolClient,
  invitationId: string,
  phoneEnc: Buffer | null,
  phoneHash: string | null,
  language: string,
) {
  const { rowCount } = await client.query(
    `UPDATE invitations SET phone_enc = COALESCE($2, phone_enc), phone_hash = COALESCE($3, phone_hash), language = $4, updated_at = now()
     WHERE id = $1 AND status = 'scheduled'`,
    [invitationId, phoneEnc, phoneHash, language],
  );
  return (rowCount ?? 0) > 0;
}

/** A scheduled invitation that must not be sent after all (the patient's data changed): a skip with its reason. */
export async function skipScheduledInvitation(client: PoolClient, invitationId: string, reason: string) {
  const { rowCount } = await client.query(
    `UPDATE invitations SET status = 'skipped', skip_reason = $2, phone_enc = NULL, phone_hash = NULL, updated_at = now()
     WHERE id = $1 AND status = 'scheduled'`,
    [invitationId, reason],
  );
  return (rowCount ?? 0) > 0;
}
