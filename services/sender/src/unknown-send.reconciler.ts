import type { KaikuConfig } from '@kaiku/config';
import { decryptPhone, type Keys } from '@kaiku/core';
import type { Pool } from '@kaiku/db';
import { createRepeatingTask } from '@kaiku/http';
import { requeueSurvey, type SurveySendJob } from '@kaiku/queue';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import * as repo from './invitation.repository.ts';
import { createInvitationTexts } from './invitation-texts.ts';
import type { TwilioClient } from './twilio-client.ts';
import { earlierAttempt } from './twilio-lookup.ts';

export interface UnknownSendReconcilerDeps {
  pool: Pool;
  twilio: TwilioClient;
  queue: Queue<SurveySendJob>;
  kaiku: KaikuConfig;
  keys: Keys;
  logger: Logger;
  /** How long an `unknown` send is left to its status callback before Twilio's log is read (default 10 minutes). */
  settleAfterMs?: number;
  /** How often it looks (default 1 minute). */
  intervalMs?: number;
  batchSize?: number;
}

export interface UnknownSendRun {
  /** Found in Twilio's log: now `sent`, with the message's sid. */
  found: number;
  /** Nothing sent to the number since the attempt: back to `scheduled` and queued, to go out once. */
  resent: number;
  /** Other messages to the number, none with this text: left `unknown` (never a second text). */
  unclear: number;
  /** Nothing sent, and the visit was cancelled or the patient withdrawn meanwhile: cancelled or skipped, not sent. */
  withdrawn: number;
}

interface UnknownSend {
  id: string;
  phone_enc: Buffer;
  language: string;
  unit_id: string;
  last_attempt_at: Date | null;
  withdrawn_reason: string | null;
  phone_hash: string | null;
}

/**
 * Settles `unknown` sends that no status callback settled: a request that ended without an answer
 * (a timeout, a crash between the `sending` mark and Twilio's answer, Postgres gone before the sid
 * was stored) may or may not have created a message. After `settleAfterMs`, Twilio's message log
 * for the number tells: the text is there (`sent`), or nothing at all went to the number since the
 * attempt, so the text is sent now (the send job looks at the log once more before it texts) or,
 * when the visit was cancelled or the patient withdrawn meanwhile, cancelled or skipped; or
 * something else went there, and it stays `unknown`. Only sends attempted within
 * `sending.retryForHours` are looked at. Safe in several sender processes: each change is made
 * only from `unknown`.
 */
export function createUnknownSendReconciler(deps: UnknownSendReconcilerDeps) {
  const settleAfterMs = deps.settleAfterMs ?? 10 * 60_000;
  const intervalMs = deps.intervalMs ?? 60_000;
  const batchSize = deps.batchSize ?? 50;
  const texts = createInvitationTexts(deps.kaiku.units);
  const { answerWindowDays } = deps.kaiku.survey;
  const retryForMs = deps.kaiku.sending.retryForHours * 3600_000;

  async function settle(inv: UnknownSend): Promise<keyof UnknownSendRun> {
    const body = texts.of(inv.language, inv.unit_id).body;
    const earlier = await earlierAttempt(deps.twilio, decryptPhone(deps.keys, inv.phone_enc), body, inv.last_attempt_at, (sids) =>
      repo.sidsOfOtherInvitations(deps.pool, inv.id, inv.phone_hash, sids),
    );
    if (earlier !== null && earlier !== 'other') {
      await repo.markSent(deps.pool, [{ id: inv.id, sid: earlier }], answerWindowDays);
      return 'found';
    }
    // A cancellation or a withdrawal came while it was in flight: it never goes now.
    if (earlier === null && inv.withdrawn_reason !== null) {
      if (await repo.settleWithdrawn(deps.pool, inv.id)) return 'withdrawn';
    }
    if (earlier === 'other' || !(await repo.resendUnknown(deps.pool, inv.id))) {
      await repo.markUnknownChecked(deps.pool, inv.id);
      return 'unclear';
    }
    await requeueSurvey(deps.queue, inv.id);
    return 'resent';
  }

  async function runOnce(): Promise<UnknownSendRun> {
    const run: UnknownSendRun = { found: 0, resent: 0, unclear: 0, withdrawn: 0 };
    const { rows } = await deps.pool.query<UnknownSend>(
      `SELECT i.id, i.phone_enc, i.phone_hash, i.language, v.unit_id, i.last_attempt_at, i.withdrawn_reason
         FROM invitations i JOIN visits v ON v.id = i.visit_id
        WHERE i.status = 'unknown' AND i.message_sid IS NULL AND i.phone_enc IS NOT NULL
          AND i.updated_at < now() - make_interval(secs => $1) AND i.last_attempt_at > now() - make_interval(secs => $2)
          AND (i.unknown_checked_at IS NULL OR i.unknown_checked_at < i.last_attempt_at)
        ORDER BY i.updated_at LIMIT $3`,
      [settleAfterMs / 1000, retryForMs / 1000, batchSize],
    );
    for (const inv of rows) run[await settle(inv)] += 1;
    if (rows.length > 0) deps.logger.warn(run, 'unknown sends settled from Twilio’s message log');
    return run;
  }

  const task = createRepeatingTask({
    run: runOnce,
    onError: (error) => deps.logger.warn({ err: { message: error.message } }, 'could not settle unknown sends; will retry'),
    intervalMs,
    firstDelayMs: intervalMs,
  });
  return { runOnce, start: task.start, stop: task.stop };
}
export type UnknownSendReconciler = ReturnType<typeof createUnknownSendReconciler>;
