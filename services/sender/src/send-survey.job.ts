import type { KaikuConfig } from '@kaiku/config';
import { decryptPhone, isAllowedTime, type Keys, nextAllowedTime } from '@kaiku/core';
import { createGroupCommit, type Pool, retryIfRolledBack } from '@kaiku/db';
import { kaikuMetrics, lazyChildLogger } from '@kaiku/http';
import { type SurveySendJob, surveySendJobSchema } from '@kaiku/queue';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import * as repo from './invitation.repository.ts';
import { createInvitationTexts } from './invitation-texts.ts';
import { nextRetryAt } from './retry-schedule.ts';
import type { SegmentRateLimiter } from './segment-rate-limiter.ts';
import { classifySendError, PhoneKeyError, sendErrorCause } from './send-errors.ts';
import type { TwilioClient } from './twilio-client.ts';
import { earlierAttempt } from './twilio-lookup.ts';
import { createValidityPeriod } from './validity-period.ts';

export interface SendSurveyDeps {
  pool: Pool;
  twilio: TwilioClient;
  kaiku: KaikuConfig;
  keys: Keys;
  logger: Logger;
  sender: { messagingServiceSid?: string | undefined; from?: string | undefined };
  publicBaseUrl: string;
  now?: () => Date;
  /** The shared segment budget; without it every message goes at once. */
  limiter?: SegmentRateLimiter;
  /** Pauses the queue for every sender process (BullMQ's rate limit) for `ms`. */
  pauseQueue?: (ms: number) => Promise<void>;
}

export type SendResult = 'sent' | 'already-sent' | 'not-scheduled' | 'opted-out' | 'rescheduled' | 'failed' | 'unknown';

/** An invitation in one of these was texted (the patient got it, or may answer it). */
const SENT_STATUSES = new Set(['sent', 'delivered', 'undelivered', 'answered', 'completed', 'expired']);

/** How long the queue pauses after Twilio answers 429. */
export const TWILIO_429_PAUSE_MS = 1000;

/** How often a text waiting for its number's other survey (see `number_busy`) looks again. */
export const BUSY_NUMBER_RECHECK_MS = 5 * 60_000;

type Claim =
  | { result: 'already-sent' | 'not-scheduled' | 'opted-out' | 'unknown' }
  | { result: 'delayed'; until: Date; moved: boolean; why: 'send-time' | 'quiet-time' | 'number-busy' }
  | { result: 'rate-limited'; waitMs: number }
  | { result: 'claimed'; inv: repo.ClaimedInvitation; body: string; segments: number; validity: number };

/** The `survey-send` handler: at most one text per invitation. */
export function createSendSurveyJob(deps: SendSurveyDeps) {
  const now = deps.now ?? (() => new Date());
  const window = { ...deps.kaiku.survey, timezone: deps.kaiku.timezone };
  const validityAt = createValidityPeriod(window);
  const callbackBase = deps.publicBaseUrl.replace(/\/+$/, '');
  const pauseQueue = deps.pauseQueue ?? (async () => {});
  const texts = createInvitationTexts(deps.kaiku.units);
  const { answerWindowDays } = deps.kaiku.survey;
  const retryForMs = deps.kaiku.sending.retryForHours * 3600_000;
  // Concurrent jobs share their claim and their result statements (group commit), one statement
  // of each kind at a time: a statement costs Postgres ~1 ms of CPU whatever its size, and each
  // item only ~0.03 ms, so the jobs that arrive while one runs go together in the next.
  const batching = { inFlight: 1, maxGroup: 200 };
  const claimDue = createGroupCommit({
    run: (items: Array<{ id: string; dueBy: Date }>) => retryIfRolledBack(() => repo.claimDue(deps.pool, items)),
    ...batching,
  });
  const markSent = createGroupCommit({
    run: async (items: Array<{ id: string; sid: string }>) => {
      await retryIfRolledBack(() => repo.markSent(deps.pool, items, answerWindowDays));
      return items.map(() => undefined);
    },
    ...batching,
  });

  /**
   * Re-checks the invitation at send time and, when it may go, marks it `sending` (committed). The
   * segment budget is taken first, for the longest invitation text, so that no transaction or row
   * lock waits on Redis; what this text did not need is given back.
   */
  async function claim(invitationId: string, at: Date, again = true): Promise<Claim> {
    const validity = isAllowedTime(at, window) ? validityAt(at) : null;
    if (validity !== null) {
      const taken = texts.maxSegments;
      const waitMs = deps.limiter ? await deps.limiter.take(taken) : 0;
      if (waitMs > 0) return { result: 'rate-limited', waitMs };
      const inv = await claimDue({ id: invitationId, dueBy: new Date(at.getTime() + 1000) }).catch(async (error) => {
        await deps.limiter?.giveBack(taken);
        throw error;
      });
      const text = inv ? texts.of(inv.language, inv.unit_id) : null;
      if (deps.limiter && taken > (text?.segments ?? 0)) await deps.limiter.giveBack(taken - (text?.segments ?? 0));
      if (inv && text) return { result: 'claimed', inv, body: text.body, segments: text.segments, validity };
    }
    // Not claimed: find out why (a cancelled, opted-out, early or late invitation; a crashed attempt).
    const state = await repo.invitationState(deps.pool, invitationId);
    if (!state) return { result: 'not-scheduled' };
    if (state.status === 'sending') {
      // A previous attempt died between the mark and Twilio's answer: the text may have gone out.
      await repo.markInterrupted(deps.pool, state.id, answerWindowDays);
      return { result: 'unknown' };
    }
    // Sent already (a status callback settled an earlier attempt's 5xx), or cancelled, skipped, failed.
    if (state.status === 'answered' || state.status === 'completed') {
      // The patient answered before this text was marked sent (an attempt died between Twilio's
      // answer and the mark): mark it now, without a sid, so that its window closes and its phone
      // data goes. A no-op for one marked already.
      await repo.markSent(deps.pool, [{ id: state.id, sid: null }], answerWindowDays);
      return { result: 'already-sent' };
    }
    if (state.status !== 'scheduled') return { result: SENT_STATUSES.has(state.status) ? 'already-sent' : 'not-scheduled' };
    if (state.withdrawn_reason !== null) {
      // Cancelled or withdrawn while an earlier attempt may have gone (a 5xx): never sent now.
      const settled = await repo.settleWithdrawnRetry(deps.pool, state.id, answerWindowDays);
      return settled ? { result: settled === 'unknown' ? 'unknown' : 'not-scheduled' } : retry();
    }
    if (state.opted_out) return (await repo.skipOptedOut(deps.pool, state.id)) ? { result: 'opted-out' } : retry();
    if (state.send_at && state.send_at.getTime() > at.getTime() + 1000) {
      return { result: 'delayed', until: state.send_at, moved: false, why: 'send-time' };
    }
    if (validity === null) {
      // Late (quiet hours, a skipped holiday) or too close to them: the next allowed time.
      const next = nextAllowedTime(new Date(at.getTime() + 60_000), window);
      return (await repo.rescheduleDue(deps.pool, state.id, next, at))
        ? { result: 'delayed', until: next, moved: true, why: 'quiet-time' }
        : retry();
    }
    if (state.number_busy) {
      // One conversation per number at a time: another survey texted to it still waits for its
      // score (two patients sharing a phone). Looked at again in a while, or when that one closes.
      const until = Math.min(at.getTime() + BUSY_NUMBER_RECHECK_MS, state.busy_until?.getTime() ?? Number.POSITIVE_INFINITY);
      return { result: 'delayed', until: new Date(Math.max(until, at.getTime() + 1000)), moved: false, why: 'number-busy' };
    }
    // Due and scheduled now, but not when the claim ran: it changed in between; look once more.
    return retry();

    function retry(): Promise<Claim> {
      if (!again) throw new Error('the invitation kept changing while it was being claimed; will retry');
      return claim(invitationId, at, false);
    }
  }

  const sends = kaikuMetrics.smsSends;
  return async function sendSurvey(job: Job<SurveySendJob>, token?: string): Promise<SendResult> {
    const { invitationId } = surveySendJobSchema.parse(job.data);
    const log = lazyChildLogger(deps.logger, { invitationId, jobId: job.id });
    const at = now();
    const claimed = await claim(invitationId, at);

    if (claimed.result === 'delayed') {
      log.info({ sendAt: claimed.until.toISOString(), moved: claimed.moved, why: claimed.why }, 'not yet allowed to send; delayed');
      await job.moveToDelayed(claimed.until.getTime(), token);
      throw new DelayedError();
    }
    if (claimed.result === 'rate-limited') {
      await pauseQueue(claimed.waitMs);
      throw Worker.RateLimitError();
    }
    if (claimed.result !== 'claimed') {
      const notSent = claimed.result === 'not-scheduled' || claimed.result === 'opted-out';
      sends.inc({ result: notSent ? 'cancelled' : claimed.result, error_code: 'none' });
      if (claimed.result === 'unknown')
        log.warn(
          { result: claimed.result },
          "an earlier attempt stopped mid-send (its text may have gone out): not sent again; marked unknown, settled from Twilio's log",
        );
      else log.info({ result: claimed.result }, 'not sent');
      return claimed.result;
    }
    const { inv, body, segments, validity } = claimed;
    const attempt = inv.attempt;
    let to: string;
    try {
      to = decryptPhone(deps.keys, inv.phone_enc);
    } catch {
      // Claimed (`sending`) but not sent: handled as a failure before Twilio, so that the next
      // attempt does not take it for one that died mid-send (`unknown`).
      return handleFailure(new PhoneKeyError(inv.lookup_before_retry));
    }
    if (inv.lookup_before_retry) {
      let earlier: string | 'other' | null;
      try {
        earlier = await earlierAttempt(deps.twilio, to, body, inv.previous_attempt_at, (sids) =>
          repo.sidsOfOtherInvitations(deps.pool, inv.id, inv.phone_hash, sids),
        );
      } catch (error) {
        return handleFailure(error, true);
      }
      if (earlier === 'other') {
        // Something else went to the number since that attempt (the text in other words: the
        // language or the unit's name changed since): never a second text; the reconciler and the
        // status callbacks settle it.
        await repo.markUnknown(deps.pool, inv.id, answerWindowDays);
        sends.inc({ result: 'unknown', error_code: 'none' });
        log.warn({ attempt }, 'another message went to the number after the earlier attempt; not sent again');
        return 'unknown';
      }
      if (earlier) {
        await markSent({ id: inv.id, sid: earlier });
        sends.inc({ result: 'sent', error_code: 'none' });
        log.info({ messageSid: earlier, attempt }, 'the earlier attempt had gone out after all; not sent again');
        return 'sent';
      }
    }
    let sid: string;
    try {
      const message = await deps.twilio.messages.create({
        to,
        body,
        ...(deps.sender.messagingServiceSid
          ? { messagingServiceSid: deps.sender.messagingServiceSid }
          : { from: deps.sender.from as string }),
        statusCallback: `${callbackBase}/v1/twilio/status/${inv.id}`,
        validityPeriod: validity,
      });
      sid = message.sid;
    } catch (error) {
      return handleFailure(error);
    }
    await markSent({ id: inv.id, sid });
    sends.inc({ result: 'sent', error_code: 'none' });
    kaikuMetrics.smsSegments.inc({ kind: 'invitation' }, segments);
    log.info({ messageSid: sid, language: inv.language, attempt, segments }, 'survey sent');
    return 'sent';

    async function handleFailure(error: unknown, lookingUp = false): Promise<SendResult> {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // Once the quick attempts are spent, a text that may still go out is tried again later, for
      // `sending.retryForHours` from its first failure (Twilio down, our credentials refused).
      const retryAt = lastAttempt ? nextRetryAt(inv.retrying_since ?? at, at, retryForMs) : null;
      if (lookingUp) {
        // The look-up for an earlier message failed; this attempt sent nothing. Try again later,
        // and never end in `failed` (the earlier attempt may have gone out).
        log.warn({ attempt, cause: sendErrorCause(error).cause }, 'could not look up the earlier attempt at Twilio');
        // Counted like any failed attempt, so that an outage that fails look-ups too is seen.
        const lookupCode = String(classifySendError(error).code ?? 'none');
        sends.inc({ result: lastAttempt && !retryAt ? 'unknown' : 'retry', error_code: lookupCode });
        if (lastAttempt && !retryAt) {
          await repo.markUnknown(deps.pool, inv.id, answerWindowDays);
          throw new UnrecoverableError(`gave up after ${attempt} attempts; the text may have gone out`);
        }
        await repo.markRetry(deps.pool, inv.id, null, true, at, answerWindowDays);
        if (retryAt) return tryAgainAt(retryAt);
        throw new Error('Twilio look-up failed; will retry');
      }
      const failure = classifySendError(error);
      const { cause } = sendErrorCause(error);
      if (error instanceof PhoneKeyError)
        log.error(
          { attempt },
          "cannot open the patient's number: KAIKU_ENCRYPTION_KEY is not the key ingest sealed it with (nothing sent; held and tried again); restore the key (README, Environment)",
        );
      else if (failure.kind === 'transient' && failure.account)
        log.error(
          { failure, cause, attempt },
          'Twilio refused our credentials, account or sender: check TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID',
        );
      else log.warn({ failure, cause, attempt }, 'Twilio refused or failed');
      const code = String(failure.code ?? 'none');
      if (failure.kind === 'permanent') {
        sends.inc({ result: 'failed', error_code: code });
        if (failure.optOut) kaikuMetrics.optOuts.inc({ method: 'twilio' });
        await repo.markFailed(deps.pool, inv.id, failure.code, failure.optOut ? inv.phone_hash : null);
        return 'failed';
      }
      if (failure.kind === 'ambiguous') {
        sends.inc({ result: 'unknown', error_code: code });
        await repo.markUnknown(deps.pool, inv.id, answerWindowDays);
        return 'unknown';
      }
      if (failure.rateLimited) {
        // Twilio's own limit: hold every sender for a moment; this attempt doesn't count.
        sends.inc({ result: 'retry', error_code: code });
        await repo.markRetry(deps.pool, inv.id, failure.code, false, null, answerWindowDays);
        await pauseQueue(TWILIO_429_PAUSE_MS);
        throw Worker.RateLimitError();
      }
      const givingUp = lastAttempt && !retryAt;
      sends.inc({ result: givingUp ? (failure.mayHaveCreated ? 'unknown' : 'failed') : 'retry', error_code: code });
      if (givingUp) {
        if (failure.mayHaveCreated) {
          // It may have gone out: `unknown`, settled by its status callback if Twilio created it.
          await repo.markUnknown(deps.pool, inv.id, answerWindowDays, failure.code);
          throw new UnrecoverableError(`gave up after ${attempt} attempts; the text may have gone out`);
        }
        await repo.markFailed(deps.pool, inv.id, failure.code, null);
        throw new UnrecoverableError(`gave up after ${attempt} attempts`);
      }
      // A 5xx may have created the message: the retry looks for it before sending again.
      await repo.markRetry(deps.pool, inv.id, failure.code, failure.mayHaveCreated, at, answerWindowDays);
      if (retryAt) return tryAgainAt(retryAt);
      throw new Error(`transient Twilio failure${failure.code ? ` ${failure.code}` : ''}; will retry`);
    }

    /** The invitation is `scheduled` again; its job waits (the sender re-checks it then, as always). */
    async function tryAgainAt(retryAt: Date): Promise<never> {
      log.warn({ attempt, retryAt: retryAt.toISOString() }, 'Twilio still failing; will try again later');
      await job.moveToDelayed(retryAt.getTime(), token);
      throw new DelayedError();
    }
  };
}
