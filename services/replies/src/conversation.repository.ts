import type { PoolClient } from '@kaiku/db';

export interface OpenInvitation {
  id: string;
  status: string;
  /** `awaiting-<question id>` or `completed` (packages/core survey-definition.ts). */
  step: string;
  reasked: boolean;
  language: string;
  expired: boolean;
  closed_notice_sent: boolean;
  unit_id: string;
  visit_day: string;
  visit_month: string;
  service: string;
  age_band: string | null;
  source: string;
  /** The visit's language: the rollup's dimension, fixed even when the patient switches. */
  visit_language: string;
  /** What the patient wrote before a score (masked, capped). */
  pending_comment: string | null;
}

const ANSWERABLE = `('sending', 'sent', 'delivered', 'undelivered', 'unknown', 'answered', 'completed')`;

/** The patient's most recent survey that can still take (or politely refuse) an answer. */
export async function findOpenInvitation(client: PoolClient, phoneHash: string, now: Date): Promise<OpenInvitation | null> {
  const { rows } = await client.query<OpenInvitation>(
    `SELECT i.id, i.status, i.step, i.reasked, i.language, COALESCE(i.expires_at <= $2, false) AS expired, i.closed_notice_sent,
            i.pending_comment, v.unit_id, v.visit_day, to_char(v.visit_day, 'YYYY-MM') AS visit_month, v.service, v.age_band,
            v.source, v.language AS visit_language
     FROM invitations i JOIN visits v ON v.id = i.visit_id
     WHERE i.phone_hash = $1 AND i.status IN ${ANSWERABLE}
     ORDER BY (i.expires_at IS NULL OR i.expires_at > $2) DESC, v.ended_at DESC, i.created_at DESC LIMIT 1 FOR UPDATE OF i`,
    [phoneHash, now],
  );
  return rows[0] ?? null;
}

/** Records a MessageSid; false when Twilio already delivered this message (a retry). */
export async function recordInbound(client: PoolClient, messageSid: string, invitationId: string | null): Promise<boolean> {
  const { rowCount } = await client.query(
    'INSERT INTO inbound_messages (message_sid, invitation_id) VALUES ($1, $2) ON CONFLICT (message_sid) DO NOTHING',
    [messageSid, invitationId],
  );
  return (rowCount ?? 0) > 0;
}

export async function updateStep(
  client: PoolClient,
  id: string,
  fields: { status?: string; step?: string; reasked?: boolean; language?: string },
) {
  await client.query(
    `UPDATE invitations SET status = COALESCE($2, status), step = COALESCE($3, step), reasked = COALESCE($4, reasked),
       language = COALESCE($5, language), updated_at = now() WHERE id = $1`,
    [id, fields.status ?? null, fields.step ?? null, fields.reasked ?? null, fields.language ?? null],
  );
}

/** Keeps what the patient wrote before a score, up to the cap. */
export async function appendPending(client: PoolClient, id: string, text: string, cap: number) {
  await client.query(
    `UPDATE invitations SET pending_comment = left(CASE WHEN pending_comment IS NULL OR pending_comment = '' THEN $2
       ELSE pending_comment || ' ' || $2 END, $3), updated_at = now() WHERE id = $1`,
    [id, text, cap],
  );
}

export async function clearPending(client: PoolClient, id: string) {
  await client.query('UPDATE invitations SET pending_comment = NULL WHERE id = $1 AND pending_comment IS NOT NULL', [id]);
}

/** A closed survey's remembered hash (see the expiry job), locked; null when there is none. */
export async function findClosedSurvey(client: PoolClient, phoneHash: string): Promise<{ language: string; notice_sent: boolean } | null> {
  const { rows } = await client.query<{ language: string; notice_sent: boolean }>(
    'SELECT language, notice_sent FROM closed_surveys WHERE phone_hash = $1 FOR UPDATE',
    [phoneHash],
  );
  return rows[0] ?? null;
}

export async function markClosedSurveyNoticeSent(client: PoolClient, phoneHash: string) {
  await client.query('UPDATE closed_surveys SET notice_sent = true WHERE phone_hash = $1', [phoneHash]);
}

export async function markClosedNoticeSent(client: PoolClient, id: string) {
  await client.query('UPDATE invitations SET closed_notice_sent = true WHERE id = $1', [id]);
}

type Band = 'promoters' | 'passives' | 'detractors';

export async function bumpAnswerRollup(client: PoolClient, inv: OpenInvitation, band: Band | null, comment: boolean) {
  await client.query(
    `INSERT INTO nps_daily (day, unit_id, service, language, age_band, source, promoters, passives, detractors, comments)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
     ON CONFLICT (day, unit_id, service, language, age_band, source) DO UPDATE SET
       promoters = nps_daily.promoters + EXCLUDED.promoters, passives = nps_daily.passives + EXCLUDED.passives,
       detractors = nps_daily.detractors + EXCLUDED.detractors, comments = nps_daily.comments + EXCLUDED.comments`,
    [
      inv.visit_day,
      inv.unit_id,
      inv.service,
      inv.visit_language,
      inv.age_band ?? 'unknown',
      inv.source,
      band === 'promoters' ? 1 : 0,
      band === 'passives' ? 1 : 0,
      band === 'detractors' ? 1 : 0,
      comment ? 1 : 0,
    ],
  );
}

export async function insertResponse(client: PoolClient, inv: OpenInvitation, score: number, comment: string | null) {
  await client.query(
    `INSERT INTO responses (invitation_id, score, comment, language, unit_id, service, visit_day, visit_month, age_band, source)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
    [inv.id, score, comment, inv.language, inv.unit_id, inv.service, inv.visit_day, inv.visit_month, inv.age_band, inv.source],
  );
}

/** Sets or appends the comment; returns true when the response had no comment before. */
export async function appendComment(client: PoolClient, invitationId: string, text: string, cap: number): Promise<boolean> {
  const { rows } = await client.query<{ had: boolean }>(
    `WITH old AS (SELECT comment FROM responses WHERE invitation_id = $1 FOR UPDATE)
     UPDATE responses r SET comment = left(CASE WHEN old.comment IS NULL OR old.comment = '' THEN $2 ELSE old.comment || ' ' || $2 END, $3)
     FROM old WHERE r.invitation_id = $1 RETURNING (old.comment IS NOT NULL AND old.comment <> '') AS had`,
    [invitationId, text, cap],
  );
  return rows.length > 0 && !rows[0]?.had;
}

export async function optOut(client: PoolClient, phoneHash: string, method: string) {
  await client.query(
    `INSERT INTO opt_outs (phone_hash, method) VALUES ($1, $2) ON CONFLICT (phone_hash) DO UPDATE SET opted_out_at = now(), method = $2`,
    [phoneHash, method],
  );
  await client.query(
    `UPDATE invitations SET status = CASE WHEN status = 'scheduled' THEN 'cancelled' WHEN status IN ('answered', 'completed') THEN status ELSE 'expired' END,
       phone_enc = NULL, phone_hash = NULL, pending_comment = NULL, updated_at = now()
     WHERE phone_hash = $1 AND status IN ('scheduled', 'sent', 'delivered', 'undelivered', 'unknown', 'answered', 'completed')`,
    [phoneHash],
  );
  // Opted out: no "survey closed" notice is owed any more; only the opt-out's hash stays.
  await client.query('DELETE FROM closed_surveys WHERE phone_hash = $1', [phoneHash]);
}

export async function optIn(client: PoolClient, phoneHash: string): Promise<boolean> {
  const { rowCount } = await client.query('DELETE FROM opt_outs WHERE phone_hash = $1', [phoneHash]);
  return (rowCount ?? 0) > 0;
}

export async function isOptedOut(client: PoolClient, phoneHash: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM opt_outs WHERE phone_hash = $1', [phoneHash]);
  return (rowCount ?? 0) > 0;
}

export async function rememberLanguage(client: PoolClient, phoneHash: string, language: string) {
  await client.query(
    `INSERT INTO language_preferences (phone_hash, language) VALUES ($1, $2)
     ON CONFLICT (phone_hash) DO UPDATE SET language = $2, updated_at = now()`,
    [phoneHash, language],
  );
}

export async function preferredLanguage(client: PoolClient, phoneHash: string): Promise<string | null> {
  const { rows } = await client.query<{ language: string }>('SELECT language FROM language_preferences WHERE phone_hash = $1', [phoneHash]);
  return rows[0]?.language ?? null;
}
