import { type Pool, type PoolClient, withTransaction } from '@kaiku/db';

export interface DueInvitation {
  id: string;
  status: string;
  attempt: number;
  language: string;
  phone_enc: Buffer | null;
  phone_hash: string | null;
  unit_id: string;
  visit_day: string;
  service: string;
  age_band: string | null;
  source: string;
  opted_out: boolean;
  visit_language: string;
  send_at: Date | null;
  /** A previous attempt got a 5xx: Twilio may have created the message after all. */
  lookup_before_retry: boolean;
  last_attempt_at: Date | null;
}

export async function lockInvitation(client: PoolClient, id: string): Promise<DueInvitation | null> {
  const { rows } = await client.query<DueInvitation>(
    `SELECT i.id, i.status, i.attempt, i.language, i.send_at, i.lookup_before_retry, i.last_attempt_at, i.phone_enc, i.phone_hash, v.unit_id, v.visit_day, v.service, v.age_band, v.source, v.language AS visit_language,
            EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone_hash = i.phone_hash) AS opted_out
     FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE i.id = $1 FOR UPDATE OF i`,
    [id],
  );
  return rows[0] ?? null;
}

/** The mark before the API call, committed before the request goes out; returns the attempt number. */
export async function markSending(client: PoolClient, id: string): Promise<number> {
  const { rows } = await client.query<{ attempt: number }>(
    `UPDATE invitations SET status = 'sending', attempt = attempt + 1, last_attempt_at = now(), updated_at = now() WHERE id = $1 RETURNING attempt`,
    [id],
  );
  return rows[0]?.attempt ?? 0;
}

/** A previous attempt died between the mark and Twilio's answer: the text may have gone out. */
export async function markInterrupted(client: PoolClient, id: string) {
  await client.query(`UPDATE invitations SET status = 'unknown', updated_at = now() WHERE id = $1 AND status = 'sending'`, [id]);
}

export async function skipOptedOut(client: PoolClient, id: string) {
  await client.query(
    `UPDATE invitations SET status = 'skipped', skip_reason = 'opted-out', phone_enc = NULL, phone_hash = NULL, updated_at = now() WHERE id = $1`,
    [id],
  );
}

export async function reschedule(client: PoolClient, id: string, sendAt: Date) {
  await client.query(`UPDATE invitations SET send_at = $2, updated_at = now() WHERE id = $1`, [id, sendAt]);
}

/** The rollup dimensions of an invitation's visit. */
export interface RollupKey {
  visit_day: string;
  unit_id: string;
  service: string;
  visit_language: string;
  age_band: string | null;
  source: string;
}

export async function bumpRollup(client: PoolClient, k: RollupKey, column: 'sent' | 'delivered') {
  await client.query(
    `INSERT INTO nps_daily (day, unit_id, service, language, age_band, source, ${column}) VALUES ($1,$2,$3,$4,$5,$6,1)
     ON CONFLICT (day, unit_id, service, language, age_band, source) DO UPDATE SET ${column} = nps_daily.${column} + 1`,
    [k.visit_day, k.unit_id, k.service, k.visit_language, k.age_band ?? 'unknown', k.source],
  );
}

/** Twilio accepted the message: `sent`, with its sid and the answer window. */
export function markSent(pool: Pool, inv: DueInvitation, sid: string, answerWindowDays: number) {
  return withTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      `UPDATE invitations SET status = 'sent', message_sid = $2, sent_at = now(), expires_at = now() + make_interval(days => $3),
         lookup_before_retry = false, updated_at = now()
       WHERE id = $1 AND status IN ('sending', 'unknown')`,
      [inv.id, sid, answerWindowDays],
    );
    if (rowCount) await bumpRollup(client, inv, 'sent');
  });
}

/** A permanent failure: `failed` with Twilio's code, phone data erased (21610 also opts the number out). */
export function markFailed(pool: Pool, id: string, code: number | null, optOutHash: string | null) {
  return withTransaction(pool, async (client) => {
    await client.query(
      `UPDATE invitations SET status = 'failed', error_code = $2, phone_enc = NULL, phone_hash = NULL, updated_at = now()
       WHERE id = $1 AND status IN ('sending', 'scheduled')`,
      [id, code],
    );
    if (optOutHash) {
      await client.query(`INSERT INTO opt_outs (phone_hash, method) VALUES ($1, 'twilio-21610') ON CONFLICT DO NOTHING`, [optOutHash]);
    }
  });
}

/** The request may have created a message: never re-send; the status callback settles it. */
export async function markUnknown(pool: Pool, id: string, code: number | null = null) {
  await pool.query(
    `UPDATE invitations SET status = 'unknown', error_code = COALESCE($2, error_code), updated_at = now() WHERE id = $1 AND status = 'sending'`,
    [id, code],
  );
}

/**
 * Back to `scheduled` for the retry. `lookup`: the request may have created a message (a 5xx), so
 * the retry must first look for it at Twilio.
 */
export async function markRetry(pool: Pool, id: string, code: number | null, lookup = false) {
  await pool.query(
    `UPDATE invitations SET status = 'scheduled', error_code = $2, lookup_before_retry = lookup_before_retry OR $3, updated_at = now()
     WHERE id = $1 AND status = 'sending'`,
    [id, code, lookup],
  );
}
