import type { Pool } from '@kaiku/db';
import { createRepeatingTask } from '@kaiku/http';
import type { Logger } from 'pino';

export interface ExpiryJobDeps {
  pool: Pool;
  logger: Logger;
  now?: () => Date;
  /** How often the job runs (default 5 minutes). */
  intervalMs?: number;
  /** Invitations closed per statement (default 500). */
  batchSize?: number;
  /** How long a closed survey's phone hash is kept for its one "survey closed" notice (default 30 days). */
  closedNoticeDays?: number;
  /** How long a language chosen by SMS is remembered for the number's next surveys (default 365 days). */
  languagePreferenceDays?: number;
  /** How long an inbound MessageSid is kept to de-duplicate Twilio's retries (default 30 days). */
  inboundMessageDays?: number;
  /**
   * `survey.resurveyAfterDays` and `survey.maxVisitAgeHours`: a visit's patient pseudonym is erased
   * once no event ingest still takes (one that ended up to maxVisitAgeHours ago) can look back to
   * it, and its survey no longer waits to be sent (unset: pseudonyms are kept).
   */
  pseudonymRules?: { resurveyAfterDays: number; maxVisitAgeHours: number };
}

export interface ExpiryRun {
  /** Invitations that closed unanswered (status → expired; answered ones → completed, not counted here). */
  expired: number;
  /** Invitations whose encrypted phone and phone hash were erased (answered ones included). */
  erased: number;
  /** Closed-survey hashes deleted after their retention. */
  forgotten: number;
  /** Language preferences (by phone hash) deleted after their retention. */
  preferencesForgotten: number;
  /** Inbound MessageSids deleted after their retention. */
  inboundForgotten: number;
  /** Visits whose patient pseudonym was erased. */
  pseudonymsErased: number;
}

// The patient may have seen these; a late reply from them deserves the "closed" notice.
const REACHED = `('sent', 'delivered', 'unknown', 'answered', 'completed')`;

/**
 * Closes surveys whose answer window has passed: unanswered ones become `expired`, answered ones
 * (a score, no reason) `completed`, every one
 * loses its encrypted phone, phone hash and unscored words. Only the keyed hash is kept, in
 * closed_surveys, for `closedNoticeDays`, so that a late reply gets one "this survey has closed".
 * A language chosen by SMS is kept (by hash) for `languagePreferenceDays` after it was chosen.
 * Safe to run in several processes at once (rows are claimed with SKIP LOCKED).
 */
export function createExpiryJob(deps: ExpiryJobDeps) {
  const now = deps.now ?? (() => new Date());
  const batchSize = deps.batchSize ?? 500;
  const retentionDays = deps.closedNoticeDays ?? 30;
  const preferenceDays = deps.languagePreferenceDays ?? 365;
  const inboundDays = deps.inboundMessageDays ?? 30;

  async function closeBatch(at: Date): Promise<{ expired: number; erased: number }> {
    const { rows } = await deps.pool.query<{ expired: string; erased: string }>(
      `WITH due AS (
         SELECT id, status, phone_hash, language, closed_notice_sent, expires_at FROM invitations
         WHERE expires_at <= $1 AND (phone_hash IS NOT NULL OR phone_enc IS NOT NULL OR pending_comment IS NOT NULL)
           AND status NOT IN ('scheduled', 'sending')
         ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), erased AS (
         UPDATE invitations i SET
           status = CASE WHEN i.status IN ('sent', 'delivered', 'undelivered', 'unknown') THEN 'expired'
                         WHEN i.status = 'answered' THEN 'completed' ELSE i.status END,
           phone_enc = NULL, phone_hash = NULL, pending_comment = NULL, updated_at = now()
         FROM due WHERE i.id = due.id
         RETURNING i.id
       ), remembered AS (
         INSERT INTO closed_surveys AS c (phone_hash, language, closed_at, notice_sent)
         -- (an answered survey gets no "your answer was not saved": as if that notice were sent)
         SELECT DISTINCT ON (phone_hash) phone_hash, language, $1, closed_notice_sent OR status IN ('answered', 'completed') FROM due
         WHERE phone_hash IS NOT NULL AND status IN ${REACHED}
         ORDER BY phone_hash, expires_at DESC
         ON CONFLICT (phone_hash) DO UPDATE SET language = EXCLUDED.language, closed_at = EXCLUDED.closed_at,
           notice_sent = EXCLUDED.notice_sent
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM erased) AS erased,
              (SELECT count(*) FROM due WHERE status IN ('sent', 'delivered', 'undelivered', 'unknown')) AS expired,
              (SELECT count(*) FROM remembered) AS remembered`,
      [at, batchSize],
    );
    return { expired: Number(rows[0]?.expired ?? 0), erased: Number(rows[0]?.erased ?? 0) };
  }

  /**
   * The pseudonym only answers "surveyed in the last N days" and "another visit the same day":
   * erased from visits older than that (days in the county's time zone, the session's), unless
   * their survey still waits to be sent (a patient update or withdrawal finds it by pseudonym).
   * The visit day is the day it ended in that zone, so the `ended_at` bound says the same and lets
   * the index of the visits that still hold one (migration 750) be read as a range.
   */
  async function erasePseudonyms(at: Date, days: number): Promise<number> {
    let erased = 0;
    for (;;) {
      const { rowCount } = await deps.pool.query(
        `UPDATE visits SET patient_pseudonym = NULL WHERE id IN (
           SELECT v.id FROM visits v
           WHERE v.patient_pseudonym IS NOT NULL AND v.visit_day < ($1::timestamptz)::date - $2::int
             AND v.ended_at < (($1::timestamptz)::date - $2::int)::timestamp::timestamptz
             AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.visit_id = v.id AND i.status IN ('scheduled', 'sending'))
           LIMIT $3 FOR UPDATE SKIP LOCKED)`,
        [at, days, batchSize * 10],
      );
      erased += rowCount ?? 0;
      if ((rowCount ?? 0) < batchSize * 10) return erased;
    }
  }

  /** One full pass; returns what it did. */
  async function runOnce(): Promise<ExpiryRun> {
    const at = now();
    const total: ExpiryRun = { expired: 0, erased: 0, forgotten: 0, preferencesForgotten: 0, inboundForgotten: 0, pseudonymsErased: 0 };
    for (;;) {
      const batch = await closeBatch(at);
      total.expired += batch.expired;
      total.erased += batch.erased;
      if (batch.erased < batchSize) break;
    }
    const { rowCount } = await deps.pool.query(`DELETE FROM closed_surveys WHERE closed_at < $1::timestamptz - make_interval(days => $2)`, [
      at,
      retentionDays,
    ]);
    total.forgotten = rowCount ?? 0;
    const preferences = await deps.pool.query(
      `DELETE FROM language_preferences WHERE updated_at < $1::timestamptz - make_interval(days => $2)`,
      [at, preferenceDays],
    );
    total.preferencesForgotten = preferences.rowCount ?? 0;
    // Twilio retries a webhook within hours: a month-old MessageSid de-duplicates nothing.
    for (;;) {
      const { rowCount: gone } = await deps.pool.query(
        `DELETE FROM inbound_messages WHERE message_sid IN (
           SELECT message_sid FROM inbound_messages WHERE received_at < $1::timestamptz - make_interval(days => $2) LIMIT $3)`,
        [at, inboundDays, batchSize * 10],
      );
      total.inboundForgotten += gone ?? 0;
      if ((gone ?? 0) < batchSize * 10) break;
    }
    const rules = deps.pseudonymRules;
    // A late event (up to maxVisitAgeHours old) looks back resurveyAfterDays from its own day.
    if (rules)
      total.pseudonymsErased = await erasePseudonyms(
        at,
        Math.max(rules.resurveyAfterDays, 30) + Math.ceil(rules.maxVisitAgeHours / 24) + 2,
      );
    if (Object.values(total).some((n) => n > 0)) deps.logger.info(total, 'expiry run: surveys closed, old data forgotten');
    return total;
  }

  const task = createRepeatingTask({
    run: runOnce,
    onError: (error) => deps.logger.warn({ err: { message: error.message } }, 'expiry run failed; will retry'),
    intervalMs: deps.intervalMs ?? 300_000,
  });
  return {
    runOnce,
    /** Runs now and then every `intervalMs`. */
    start: task.start,
    /** Stops the timer and waits for a run in progress. */
    stop: task.stop,
  };
}
export type ExpiryJob = ReturnType<typeof createExpiryJob>;
