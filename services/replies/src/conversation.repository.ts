import type { Pool, PoolClient } from '@kaiku/db';

/** A pool (autocommit: each call its own transaction) or a client inside a transaction. */
export type Queryable = Pool | PoolClient;

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
  /** The stored answer's comment (masked, capped), if it has one. */
  comment: string | null;
}

const ANSWERABLE = `('sending', 'sent', 'delivered', 'undelivered', 'unknown', 'answered', 'completed')`;

// The status test is written so that no index can serve it: a phone hash has a handful of rows,
// and a planner without fresh statistics (after a burst of new invitations) otherwise ANDs the
// hash index with the status index, which reads every live invitation's entry: 1.5 ms instead of
// 0.04 ms per lookup with 92,000 invitations.
const OPEN_INVITATION = (hash: string, step: string, lock: boolean) => `
  SELECT i.id, i.status, i.step, i.reasked, i.language, COALESCE(i.expires_at <= $2, false) AS expired, i.closed_notice_sent,
         i.pending_comment, v.unit_id, v.visit_day, to_char(v.visit_day, 'YYYY-MM') AS visit_month, v.service, v.age_band,
         v.source, v.language AS visit_language, (SELECT r.comment FROM responses r WHERE r.invitation_id = i.id) AS comment
  FROM invitations i JOIN visits v ON v.id = i.visit_id
  WHERE i.phone_hash = ${hash} AND (i.status IN ${ANSWERABLE}) IS TRUE
  ORDER BY (i.expires_at IS NULL OR i.expires_at > $2) DESC, (i.status <> 'undelivered') DESC, (i.step = ${step}) DESC,
           (CASE WHEN ${step} = '' THEN i.updated_at END) DESC NULLS LAST, i.sent_at DESC NULLS LAST, v.ended_at DESC, i.created_at DESC
  LIMIT 1${lock ? ' FOR UPDATE OF i' : ''}`;

/**
 * The patient's survey that can still take (or politely refuse) an answer, locked. Of several (two
 * visits texted to one family phone): one whose text arrived before one reported undelivered (the
 * patient answers the text they have); then one at `preferredStep` (a score goes to a survey
 * waiting for its score, other words to one waiting for its reason; with '', for filler alone, the
 * one the conversation last moved: the text the patient just got); then the one texted last.
 */
export async function findOpenInvitation(
  client: PoolClient,
  phoneHash: string,
  now: Date,
  preferredStep: string,
): Promise<OpenInvitation | null> {
  const { rows } = await client.query<OpenInvitation>(OPEN_INVITATION('$1', '$3', true), [phoneHash, now, preferredStep]);
  return rows[0] ?? null;
}

/**
 * findOpenInvitation for many phone hashes in one round trip, unlocked: a plain read whose state
 * kaiku_reply_apply checks again before it stores anything.
 */
export async function findOpenInvitations(
  q: Queryable,
  lookups: Array<{ hash: string; step: string }>,
  now: Date,
): Promise<Map<string, OpenInvitation>> {
  const { rows } = await q.query<OpenInvitation & { key: string }>({
    name: 'replies-open-invitations',
    // Hex hashes and step names joined by commas: node-postgres's text[] serialiser was 7 % of the service's CPU.
    text: `SELECT h.hash || ' ' || h.step AS key, o.* FROM unnest(string_to_array($1, ','), string_to_array($3, ',')) AS h(hash, step)
           CROSS JOIN LATERAL (${OPEN_INVITATION('h.hash', 'h.step', false)}) o`,
    values: [lookups.map((l) => l.hash).join(','), now, lookups.map((l) => l.step).join(',')],
  });
  return new Map(rows.map(({ key, ...inv }) => [key, inv]));
}

/** Records a MessageSid; false when Twilio already delivered this message (a retry). */
export async function recordInbound(client: PoolClient, messageSid: string, invitationId: string | null): Promise<boolean> {
  const { rowCount } = await client.query(
    'INSERT INTO inbound_messages (message_sid, invitation_id) VALUES ($1, $2) ON CONFLICT (message_sid) DO NOTHING',
    [messageSid, invitationId],
  );
  return (rowCount ?? 0) > 0;
}

/** A closed survey's remembered hash (see the expiry job), locked; null when there is none. */
export async function findClosedSurvey(client: PoolClient, phoneHash: string): Promise<{ language: string; notice_sent: boolean } | null> {
  const { rows } = await client.query<{ language: string; notice_sent: boolean }>(
    'SELECT language, notice_sent FROM closed_surveys WHERE phone_hash = $1 FOR UPDATE',
    [phoneHash],
  );
  return rows[0] ?? null;
}

/** After START: the number as a closed survey's (no notice owed), in the language its confirmations are in. */
export async function rememberOptedIn(client: PoolClient, phoneHash: string, language: string) {
  await client.query(
    `INSERT INTO closed_surveys (phone_hash, language, closed_at, notice_sent) VALUES ($1, $2, now(), true)
     ON CONFLICT (phone_hash) DO NOTHING`,
    [phoneHash, language],
  );
}

export async function markClosedSurveyNoticeSent(client: PoolClient, phoneHash: string) {
  await client.query('UPDATE closed_surveys SET notice_sent = true WHERE phone_hash = $1', [phoneHash]);
}

export async function markClosedNoticeSent(client: PoolClient, id: string) {
  await client.query('UPDATE invitations SET closed_notice_sent = true WHERE id = $1', [id]);
}

/**
 * Closes every survey of an opting-out number (scheduled ones are skipped as `opted-out`, unsent,
 * as ingest skips one for an opted-out number: not `cancelled`, which is a visit's cancellation;
 * answered ones completed, their answers kept) and erases its language preference and
 * phone data and closed-survey hash. Returns the language of the newest of them, if any.
 */
export async function closeForOptOut(client: PoolClient, phoneHash: string): Promise<string | null> {
  const { rows } = await client.query<{ language: string }>(
    `WITH closed AS (
       UPDATE invitations SET status = CASE WHEN status = 'scheduled' THEN 'skipped' WHEN status IN ('answered', 'completed') THEN 'completed' ELSE 'expired' END,
         skip_reason = CASE WHEN status = 'scheduled' THEN 'opted-out' ELSE skip_reason END,
         phone_enc = NULL, phone_hash = NULL, pending_comment = NULL, updated_at = now()
       WHERE phone_hash = $1 AND status IN ('scheduled', 'sent', 'delivered', 'undelivered', 'unknown', 'answered', 'completed')
       RETURNING language, created_at
     ), forgotten AS (
       -- Opted out: no "survey closed" notice is owed any more. A language the patient chose by SMS
       -- stays (by the same hash, for its year): after START the next survey is in it.
       DELETE FROM closed_surveys WHERE phone_hash = $1 RETURNING language, closed_at AS created_at
     )
     SELECT language FROM (SELECT * FROM closed UNION ALL SELECT * FROM forgotten) s ORDER BY created_at DESC LIMIT 1`,
    [phoneHash],
  );
  return rows[0]?.language ?? null;
}

/** Records the opt-out with the language its confirmation went out in. */
export async function optOut(client: PoolClient, phoneHash: string, method: string, language: string) {
  await client.query(
    `INSERT INTO opt_outs (phone_hash, method, language) VALUES ($1, $2, $3)
     ON CONFLICT (phone_hash) DO UPDATE SET opted_out_at = now(), method = $2, language = $3`,
    [phoneHash, method, language],
  );
}

/** The language an opt-out of this number was confirmed in; null when it is not opted out. */
export async function optOutLanguage(client: PoolClient, phoneHash: string): Promise<string | null> {
  const { rows } = await client.query<{ language: string | null }>('SELECT language FROM opt_outs WHERE phone_hash = $1', [phoneHash]);
  return rows[0]?.language ?? null;
}

/** Ends an opt-out; `undefined` when the number was not opted out, else the opt-out's language. */
export async function optIn(client: PoolClient, phoneHash: string): Promise<string | null | undefined> {
  const { rows } = await client.query<{ language: string | null }>('DELETE FROM opt_outs WHERE phone_hash = $1 RETURNING language', [
    phoneHash,
  ]);
  return rows.length ? (rows[0]?.language ?? null) : undefined;
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

/**
 * What one inbound message does to an open survey, as kaiku_reply_apply stores it (migration
 * 520): the state it was decided on (`step` … `pending`), and the changes. Unset fields change
 * nothing.
 */
export interface ConversationWrite {
  sid: string;
  inv: string;
  hash: string;
  /** When the invitation was read (its window is checked against this). */
  at: Date;
  step: string;
  reasked: boolean;
  language: string;
  pending: string | null;
  set_status?: string;
  set_step?: string;
  set_reasked?: boolean;
  set_language?: string;
  /** Whether the invitation's updated_at moves. */
  touch: boolean;
  pending_append?: string;
  /** The pending comment with `pending_append` joined on, masked as a whole (a number split across two messages). */
  pending_joined?: string;
  pending_clear?: boolean;
  cap: number;
  /** A new response, with its nps_daily band (one of the three is 1). */
  score?: number;
  comment?: string | null;
  promoters?: number;
  passives?: number;
  detractors?: number;
  /** A new score for the stored response (a correction); its nps_daily band moves with it. */
  rescore?: number;
  /** Words added to the response's comment (counted as a comment if it had none). */
  append?: string;
  /**
   * The comment as read (`comment_was`) with `append` joined on, masked as a whole; stored instead of
   * the plain join. When the comment changed since it was read (two messages at once) the write is
   * `stale` and decided again.
   */
  append_joined?: string;
  comment_was?: string | null;
  /** The language remembered for this phone hash. */
  remember?: string;
}

/** applied; duplicate (MessageSid seen before: no effect); stale (the state changed: no effect, decide again). */
export type WriteOutcome = 'applied' | 'duplicate' | 'stale';

/**
 * Stores many conversation steps in one round trip, in invitation order (each invitation's steps
 * in the given order, so concurrent calls lock rows in the same order); answers in the given order.
 */
export async function applyConversation(q: Queryable, writes: ConversationWrite[]): Promise<WriteOutcome[]> {
  const items = writes.map((w, ord) => ({ ...w, ord })).sort((a, b) => (a.inv < b.inv ? -1 : a.inv > b.inv ? 1 : a.ord - b.ord));
  const { rows } = await q.query<{ ord: number; outcome: WriteOutcome }>({
    name: 'replies-apply',
    text: 'SELECT ord, outcome FROM kaiku_reply_apply($1::jsonb)',
    values: [JSON.stringify(items)],
  });
  const out = new Array<WriteOutcome>(writes.length);
  for (const r of rows) out[r.ord] = r.outcome;
  return out;
}
