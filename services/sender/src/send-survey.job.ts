import type { KaikuConfig, UnitConfig } from '@kaiku/config';
import { decryptPhone, isAllowedTime, isLanguage, type Keys, type Language, nextAllowedTime, renderText } from '@kaiku/core';
import { type Pool, withTransaction } from '@kaiku/db';
import { type SurveySendJob, surveySendJobSchema } from '@kaiku/queue';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import * as repo from './invitation.repository.ts';
import { classifySendError } from './send-errors.ts';
import type { TwilioClient } from './twilio-client.ts';

export interface SendSurveyDeps {
  pool: Pool;
  twilio: TwilioClient;
  kaiku: KaikuConfig;
  keys: Keys;
  logger: Logger;
  sender: { messagingServiceSid?: string | undefined; from?: string | undefined };
  publicBaseUrl: string;
  now?: () => Date;
}

export type SendResult = 'sent' | 'not-scheduled' | 'opted-out' | 'rescheduled' | 'failed' | 'unknown';

/** Messages older than this in Twilio's queue are dropped rather than delivered late. */
export const VALIDITY_PERIOD_SECONDS = 4 * 3600;

/** The `survey-send` handler: at most one text per invitation. */
export function createSendSurveyJob(deps: SendSurveyDeps) {
  const units = new Map<string, UnitConfig>(deps.kaiku.units.map((u) => [u.id, u]));
  const now = deps.now ?? (() => new Date());
  const window = { ...deps.kaiku.survey, timezone: deps.kaiku.timezone };
  const callbackBase = deps.publicBaseUrl.replace(/\/+$/, '');

  return async function sendSurvey(job: Job<SurveySendJob>, token?: string): Promise<SendResult> {
    const { invitationId } = surveySendJobSchema.parse(job.data);
    const log = deps.logger.child({ invitationId, jobId: job.id });
    const at = now();

    const claimed = await withTransaction(deps.pool, async (client) => {
      const inv = await repo.lockInvitation(client, invitationId);
      if (!inv) return { result: 'not-scheduled' as const };
      if (inv.status === 'sending') {
        // A previous attempt died between the mark and Twilio's answer: it may have gone out.
        await client.query(`UPDATE invitations SET status = 'unknown', updated_at = now() WHERE id = $1`, [inv.id]);
        return { result: 'unknown' as const };
      }
      if (inv.status !== 'scheduled') return { result: 'not-scheduled' as const };
      if (inv.opted_out) {
        await repo.skipOptedOut(client, inv.id);
        return { result: 'opted-out' as const };
      }
      if (!isAllowedTime(at, window)) {
        const next = nextAllowedTime(at, window);
        await repo.reschedule(client, inv.id, next);
        return { result: 'rescheduled' as const, next };
      }
      await repo.markSending(client, inv.id);
      return { result: 'claimed' as const, inv };
    });

    if (claimed.result === 'rescheduled') {
      log.info({ sendAt: claimed.next.toISOString() }, 'outside the allowed hours; moved');
      await job.moveToDelayed(claimed.next.getTime(), token);
      throw new DelayedError();
    }
    if (claimed.result !== 'claimed') {
      log.info({ result: claimed.result }, 'not sent');
      return claimed.result;
    }
    const inv = claimed.inv;
    const language: Language = isLanguage(inv.language) ? inv.language : 'fi';
    const unit = units.get(inv.unit_id);
    const body = renderText(language, 'invitation', { unitNames: unit?.name, sensitive: unit?.sensitive ?? true });
    let sid: string;
    try {
      const message = await deps.twilio.messages.create({
        to: decryptPhone(deps.keys, inv.phone_enc as Buffer),
        body,
        ...(deps.sender.messagingServiceSid
          ? { messagingServiceSid: deps.sender.messagingServiceSid }
          : { from: deps.sender.from as string }),
        statusCallback: `${callbackBase}/v1/twilio/status/${inv.id}`,
        validityPeriod: VALIDITY_PERIOD_SECONDS,
      });
      sid = message.sid;
    } catch (error) {
      const failure = classifySendError(error);
      log.warn({ failure }, 'Twilio refused or failed');
      if (failure.kind === 'permanent') {
        await repo.markFailed(deps.pool, inv.id, failure.code, failure.optOut ? inv.phone_hash : null);
        return 'failed';
      }
      if (failure.kind === 'ambiguous') {
        await repo.markUnknown(deps.pool, inv.id);
        return 'unknown';
      }
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (lastAttempt) {
        await repo.markFailed(deps.pool, inv.id, failure.code, null);
        throw new UnrecoverableError(`gave up after ${job.attemptsMade + 1} attempts`);
      }
      await repo.markRetry(deps.pool, inv.id, failure.code);
      throw new Error(`transient Twilio failure${failure.code ? ` ${failure.code}` : ''}; will retry`);
    }
    await repo.markSent(deps.pool, inv, sid, deps.kaiku.survey.answerWindowDays);
    log.info({ messageSid: sid, language }, 'survey sent');
    return 'sent';
  };
}
