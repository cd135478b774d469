import { LANGUAGES, NPS_SURVEY, stepOf } from '@kaiku/core';
import type { Pool } from '@kaiku/db';

/** An invitation this worker has just marked `sending`, with what the send needs. */
export interface ClaimedInvitation {
  id: string;
  /** The unit of its visit (the text names it). */
  unit_id: string;
  attempt: number;
  language: string;
  phone_enc: Buffer;
  phone_hash: string | null;
  /** A previous attempt got a 5xx: Twilio may have created the message after all. */
  lookup_before_retry: boolean;
  /** The previous attempt's mark (before this claim), for the look-up. */
  previous_attempt_at: Date | null;
  /** When its first failed attempt was, if one failed (see `markRetry`). */
  retrying_since: Date | null;
}

/** An invitation as it stands, for the rare job that could not claim it. */
export interface InvitationState {
  id: string;
  status: string;
  send_at: Date | null;
  opted_out: boolean;
  /** Another survey texted to the same number still waits for its score: until when, at most (null: no end known yet). */
  number_busy: boolean;
  busy_until: Date | null;
  /** Cancelled or withdrawn while an attempt may have gone (migration 690): never sent as it is. */
  withdrawn_reason: string | null;
}

/** The survey step that waits for the score (`awaiting-score`): a number with one there takes no other text. */
const SCORE_STEP = stepOf(NPS_SURVEY.questions.find((q) => q.kind === 'nps'));

/**
 * Another invitation of the same number (`i`'s) whose text went out, or may have, and still waits
 * for its score: a second text now (two patients sharing one phone, texted at the same minute)
 * would leave the number's one reply to either survey. Its status test is written so that no index
 * serves it (see the replies' open-invitation look-up): the phone hash has a handful of rows.
 * kaiku_claim_due (migration 700) makes the same test.
 */
const BUSY_NUMBER = (step: string) => `
  SELECT o.expires_at FROM invitations o
   WHERE o.phone_hash = i.phone_hash AND o.id <> i.id
     AND ((o.status IN ('sending', 'sent', 'delivered', 'unknown')) IS TRUE OR (o.status = 'scheduled' AND o.lookup_before_retry))
     AND o.step = ${step}
     AND (o.expires_at IS NULL OR o.expires_at > now())`;

/**
 * The claim, for many jobs in one call (kaiku_claim_due, migration 700): marks each due, scheduled
 * invitation of a number that has not opted out `sending` (autocommit, so committed before any
 * request goes out). Only one UPDATE can match a row, which keeps "at most once"; an invitation
 * named twice is given to the first job only; of one number's invitations, one at a time (see
 * BUSY_NUMBER), also across sender processes: the call locks the numbers before it looks. One
 * answer per item: the claimed invitation, or `null` (see `invitationState`). A language the
 * number chose by SMS since the invitation was made (answering another survey on the same phone)
 * is the text's: ingest read the choice only when the visit came in.
 */
export async function claimDue(pool: Pool, items: Array<{ id: string; dueBy: Date }>): Promise<Array<ClaimedInvitation | null>> {
  const { rows } = await pool.query<ClaimedInvitation>({
    name: 'sender-claim-due',
    text: `SELECT o_id AS id, o_attempt AS attempt, o_language AS language, o_phone_enc AS phone_enc, o_phone_hash AS phone_hash,
                  o_lookup_before_retry AS lookup_before_retry, o_retrying_since AS retrying_since,
                  o_previous_attempt_at AS previous_attempt_at, o_unit_id AS unit_id
             FROM kaiku_claim_due($1::uuid[], $2::timestamptz[], $3::text[], $4)`,
    values: [items.map((c) => c.id), items.map((c) => c.dueBy), LANGUAGES, SCORE_STEP],
  });
  const claimed = new Map(rows.map((r) => [r.id, r]));
  return items.map((c) => {
    const row = claimed.get(c.id) ?? null;
    claimed.delete(c.id);
    return row;
  });
}

export async function invitationState(pool: Pool, id: string): Promise<InvitationState | null> {
  const { rows } = await pool.query<InvitationState>(
    `SELECT i.id, i.status, i.send_at, EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone_hash = i.phone_hash) AS opted_out, i.withdrawn_reason,
            b.number_busy IS NOT NULL AS number_busy, b.busy_until
       FROM invitations i
       LEFT JOIN LATERAL (SELECT true AS number_busy, max(o.expires_at) AS busy_until FROM (${BUSY_NUMBER('$2')}) o HAVING count(*) > 0) b ON true
      WHERE i.id = $1`,
    [id, SCORE_STEP],
  );
  return rows[0] ?? null;
}

/** A previous attempt died between the mark and Twilio's answer: the text may have gone out. */
export async function markInterrupted(pool: Pool, id: string, answerWindowDays: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE invitations SET status = 'unknown', updated_at = now(), expires_at = COALESCE(expires_at, now() + make_interval(days => $2))
     WHERE id = $1 AND status = 'sending'`,
    [id, answerWindowDays],
  );
  return (rowCount ?? 0) > 0;
}

export async function skipOptedOut(pool: Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE invitations SET status = 'skipped', skip_reason = 'opted-out', phone_enc = NULL, phone_hash = NULL, updated_at = now()
     WHERE id = $1 AND status = 'scheduled'`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Quiet hours (or a holiday) have begun: this invitation, and every other scheduled one already due
 * at `at`, wait for `sendAt`, the next allowed time. Their jobs still come through the queue one
 * by one at the job rate, but their send times, which the backlog gauges read, say at once that
 * they wait for the morning (an alerts probe: a backlog met by quiet hours read as stuck, and
 * paged, for as long as the jobs took to pass). Whether this invitation was still scheduled.
 */
export async function rescheduleDue(pool: Pool, id: string, sendAt: Date, at: Date): Promise<boolean> {
  const { rows } = await pool.query<{ mine: boolean }>(
    `UPDATE invitations SET send_at = $2, updated_at = now()
      WHERE status = 'scheduled' AND send_at < $2 AND (id = $1 OR send_at <= $3)
     RETURNING id = $1 AS mine`,
    [id, sendAt, at],
  );
  return rows.some((r) => r.mine);
}

/**
 * Twilio accepted these messages: each invitation `sent`, with its sid and the answer window (an
 * earlier attempt's error code cleared: it no longer describes the invitation; the encrypted phone
 * erased: it was only for sending, and replies are matched by the keyed hash), and
 * the `sent` counts bumped, in one statement (one round trip, autocommit; rollup rows in key
 * order). Nothing is counted for an invitation that had moved on already (a callback got there
 * first); one the patient already answered is marked (its status kept) and counted sent and, as
 * the answer proves, delivered.
 */
export async function markSent(pool: Pool, items: Array<{ id: string; sid: string | null }>, answerWindowDays: number): Promise<void> {
  await pool.query(
    `WITH sent AS (
       UPDATE invitations i SET status = CASE WHEN i.status IN ('sending', 'unknown') THEN 'sent' ELSE i.status END,
              message_sid = s.sid, sent_at = now(), expires_at = now() + make_interval(days => $3),
              -- an answer proves delivery (nothing counted it: no callback has reached an unmarked text)
              delivery_status = CASE WHEN i.status IN ('answered', 'completed') THEN 'delivered' ELSE i.delivery_status END,
              lookup_before_retry = false, error_code = NULL, phone_enc = NULL, updated_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS s(id, sid)
        WHERE i.id = s.id
          AND (i.status IN ('sending', 'unknown')
               -- the patient answered before Twilio's answer reached us: still to be marked sent
               OR (i.status IN ('answered', 'completed') AND i.message_sid IS NULL AND i.sent_at IS NULL))
        RETURNING i.visit_id, (i.status IN ('answered', 'completed'))::int AS delivered)
     INSERT INTO nps_daily (day, unit_id, service, language, age_band, source, sent, delivered)
     SELECT v.visit_day, v.unit_id, v.service, v.language, COALESCE(v.age_band, 'unknown'), v.source, count(*), sum(sent.delivered)
       FROM sent JOIN visits v ON v.id = sent.visit_id
      GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
     ON CONFLICT (day, unit_id, service, language, age_band, source) DO UPDATE
       SET sent = nps_daily.sent + EXCLUDED.sent, delivered = nps_daily.delivered + EXCLUDED.delivered`,
    [items.map((s) => s.id), items.map((s) => s.sid), answerWindowDays],
  );
}

/** A permanent failure: `failed` with Twilio's code, phone data erased (21610 also opts the number out). */
export async function markFailed(pool: Pool, id: string, code: number | null, optOutHash: string | null): Promise<void> {
  await pool.query(
    `WITH failed AS (
       UPDATE invitations SET status = 'failed', error_code = $2, phone_enc = NULL, phone_hash = NULL, updated_at = now()
        WHERE id = $1 AND status IN ('sending', 'scheduled')
        RETURNING id)
     INSERT INTO opt_outs (phone_hash, method) SELECT $3::text, 'twilio-21610' FROM failed WHERE $3::text IS NOT NULL
     ON CONFLICT DO NOTHING`,
    [id, code, optOutHash],
  );
}

/**
 * `unknown`: it may have gone out. Its answer window starts now, as if sent, so that the expiry job
 * closes it and erases the phone even if no status callback ever settles it (a callback that does
 * keeps the window it finds).
 */
export async function markUnknown(pool: Pool, id: string, answerWindowDays: number, code: number | null = null) {
  await pool.query(
    `UPDATE invitations SET status = 'unknown', error_code = COALESCE($2, error_code), updated_at = now(),
       expires_at = COALESCE(expires_at, now() + make_interval(days => $3))
     WHERE id = $1 AND status = 'sending'`,
    [id, code, answerWindowDays],
  );
}

/**
 * Back to `scheduled` for the retry. `lookup`: the request may have created a message (a 5xx), so
 * the retry must first look for it at Twilio. `failedAt`: this attempt failed (not Twilio's 429),
 * which starts the retry period if it is the first to.
 */
export async function markRetry(
  pool: Pool,
  id: string,
  code: number | null,
  lookup: boolean,
  failedAt: Date | null,
  answerWindowDays: number,
) {
  await pool.query(
    `UPDATE invitations SET status = 'scheduled', error_code = $2, lookup_before_retry = lookup_before_retry OR $3,
       retrying_since = COALESCE(retrying_since, $4), updated_at = now()
     WHERE id = $1 AND status = 'sending'`,
    [id, code, lookup, failedAt],
  );
  // Cancelled or withdrawn while this attempt was under way: never tried again.
  await settleWithdrawnRetry(pool, id, answerWindowDays);
}

/** What a withdrawal kept on an invitation (migration 690) makes of it: cancelled, or skipped with its reason. */
const WITHDRAWN = {
  status: `CASE WHEN withdrawn_reason = 'cancelled' THEN 'cancelled' ELSE 'skipped' END`,
  skipReason: `CASE WHEN withdrawn_reason = 'cancelled' THEN NULL ELSE withdrawn_reason END`,
};

/**
 * A scheduled invitation withdrawn while an attempt was under way (migration 690) is not sent:
 * when no attempt can have created a message, cancelled (or skipped with the reason) at once, its
 * phone data erased; when one may have (a 5xx), `unknown`, which the unknown-send reconciler
 * settles from Twilio's log (sent, or cancelled/skipped). Returns the status it took, or null.
 */
export async function settleWithdrawnRetry(pool: Pool, id: string, answerWindowDays: number): Promise<string | null> {
  const { rows } = await pool.query<{ status: string }>(
    `UPDATE invitations SET
       status = CASE WHEN lookup_before_retry THEN 'unknown' ELSE ${WITHDRAWN.status} END,
       skip_reason = CASE WHEN lookup_before_retry THEN skip_reason ELSE ${WITHDRAWN.skipReason} END,
       phone_enc = CASE WHEN lookup_before_retry THEN phone_enc END,
       phone_hash = CASE WHEN lookup_before_retry THEN phone_hash END,
       expires_at = CASE WHEN lookup_before_retry THEN COALESCE(expires_at, now() + make_interval(days => $2)) END,
       updated_at = now()
     WHERE id = $1 AND status = 'scheduled' AND withdrawn_reason IS NOT NULL
     RETURNING status`,
    [id, answerWindowDays],
  );
  return rows[0]?.status ?? null;
}

/**
 * An `unknown` send that Twilio's log shows never went out: `scheduled` again, to be sent now; the
 * send looks at the log once more first. False when it is no longer `unknown` (settled meanwhile).
 */
export async function resendUnknown(pool: Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE invitations SET status = 'scheduled', lookup_before_retry = true, unknown_checked_at = now(), send_at = now(),
       expires_at = NULL, updated_at = now()
     WHERE id = $1 AND status = 'unknown' AND message_sid IS NULL AND withdrawn_reason IS NULL`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * An `unknown` send that did not go (Twilio's log) and was withdrawn while in flight (migration
 * 690): cancelled, or skipped with the withdrawal's reason; its phone data erased.
 */
export async function settleWithdrawn(pool: Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE invitations SET status = ${WITHDRAWN.status}, skip_reason = ${WITHDRAWN.skipReason},
       phone_enc = NULL, phone_hash = NULL, expires_at = NULL, unknown_checked_at = now(), updated_at = now()
     WHERE id = $1 AND status = 'unknown' AND message_sid IS NULL AND withdrawn_reason IS NOT NULL`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}

/** An `unknown` send whose look-up settled nothing: not looked up again until a later attempt. */
export async function markUnknownChecked(pool: Pool, id: string): Promise<void> {
  await pool.query(`UPDATE invitations SET unknown_checked_at = now() WHERE id = $1 AND status = 'unknown'`, [id]);
}

/** Of these message sids, those stored on another invitation of the same number (see earlierAttempt). */
export async function sidsOfOtherInvitations(pool: Pool, id: string, phoneHash: string | null, sids: string[]): Promise<Set<string>> {
  if (!phoneHash || sids.length === 0) return new Set();
  const { rows } = await pool.query<{ message_sid: string }>(
    'SELECT message_sid FROM invitations WHERE phone_hash = $1 AND id <> $2 AND message_sid = ANY ($3::text[])',
    [phoneHash, id, sids],
  );
  return new Set(rows.map((r) => r.message_sid));
}
