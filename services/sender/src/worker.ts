import { isDatabaseUnavailable } from '@kaiku/db';
import { kaikuMetrics } from '@kaiku/http';
import { SURVEY_SEND_QUEUE, type SurveySendJob } from '@kaiku/queue';
import { DelayedError, type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createSegmentRateLimiter } from './segment-rate-limiter.ts';
import { createSendSurveyJob, type SendResult, type SendSurveyDeps } from './send-survey.job.ts';

export interface SenderWorkerDeps extends Omit<SendSurveyDeps, 'limiter' | 'pauseQueue'> {
  connection: Redis;
  prefix?: string;
  /** Start processing at once (default) or wait for `worker.run()`. */
  autorun?: boolean;
  /** BullMQ's lock on an active job; a dead worker's job is picked up again after it lapses (default 30 s). */
  lockDuration?: number;
  stalledInterval?: number;
}

/** How soon a send that could not reach Postgres is tried again. */
export const DATABASE_RETRY_MS = 10_000;

/** True at most once a minute: for a warning that would otherwise repeat with every job or retry. */
function oncePerMinute(): () => boolean {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    if (Date.now() - last < 60_000) return false;
    last = Date.now();
    return true;
  };
}

/** The key of the segment budget, beside the queue's own keys (shared by every sender process). */
export function segmentBudgetKey(prefix: string) {
  return `${prefix}:${SURVEY_SEND_QUEUE}:segment-budget`;
}

/**
 * The BullMQ worker of `survey-send`. The rate is counted in segments by a limiter in Redis shared
 * by every sender process; when it is spent, the queue's own rate limit (also in Redis, so also
 * shared) pauses every worker until there is budget again. BullMQ's job limiter is set to the same
 * number, which bounds jobs (each at least one segment) and never binds first.
 */
export function createSenderWorker(deps: SenderWorkerDeps): Worker<SurveySendJob, SendResult> {
  const prefix = deps.prefix ?? 'bull';
  const { ratePerSecond, concurrency } = deps.kaiku.sending;
  const limiter = createSegmentRateLimiter(deps.connection, { key: segmentBudgetKey(prefix), ratePerSecond });
  let worker: Worker<SurveySendJob, SendResult> | undefined;
  const sendSurvey = createSendSurveyJob({
    ...deps,
    limiter,
    pauseQueue: async (ms) => {
      await worker?.rateLimit(ms);
    },
  });
  const warnDatabase = oncePerMinute();
  const warnWorker = oncePerMinute();
  /**
   * Postgres unreachable: the job waits and comes back, without spending one of its attempts (an
   * outage of a minute used them all, and the texts then waited for the outbox reconciler's
   * 15-minute pass). Safe wherever it happened: each try reads the invitation first, and one left
   * `sending` by a mark that failed after Twilio's answer becomes `unknown`, never sent again blindly.
   */
  const processJob = async (job: Job<SurveySendJob>, token?: string): Promise<SendResult> => {
    try {
      return await sendSurvey(job, token);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      // Counted as a retry, so that KaikuSendsRetrying pages: the job waits in `delayed`, where the
      // backlog gauges do not see it (an alerts probe: 50 due texts waited unseen).
      kaikuMetrics.smsSends.inc({ result: 'retry', error_code: 'database' });
      if (warnDatabase())
        deps.logger.warn(
          { err: { message: (error as Error).message } },
          'Postgres not reachable: due texts wait and are tried again every 10 s',
        );
      await job.moveToDelayed(Date.now() + DATABASE_RETRY_MS, token);
      throw new DelayedError();
    }
  };
  worker = new Worker<SurveySendJob, SendResult>(SURVEY_SEND_QUEUE, processJob, {
    connection: deps.connection,
    prefix,
    concurrency,
    limiter: { max: Math.max(1, Math.floor(ratePerSecond)), duration: 1000 },
    autorun: deps.autorun ?? true,
    ...(deps.lockDuration ? { lockDuration: deps.lockDuration } : {}),
    ...(deps.stalledInterval ? { stalledInterval: deps.stalledInterval } : {}),
  });
  // Redis gone makes the worker fail every second: once a minute is enough to see it.
  worker.on('error', (error) => {
    if (warnWorker()) deps.logger.warn({ err: { message: error.message } }, 'worker error (repeats are not logged for a minute)');
  });
  return worker;
}
