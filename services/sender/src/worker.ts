import { isDatabaseUnavailable } from '@kaiku/db';
import { SURVEY_SEND_QUEUE, type SurveySendJob } from '@kaiku/queue';
import { Worker } from 'bullmq';
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
  worker = new Worker<SurveySendJob, SendResult>(SURVEY_SEND_QUEUE, (job, token) => sendSurvey(job, token), {
    connection: deps.connection,
    prefix,
    concurrency,
    limiter: { max: Math.max(1, Math.floor(ratePerSecond)), duration: 1000 },
    autorun: deps.autorun ?? true,
    ...(deps.lockDuration ? { lockDuration: deps.lockDuration } : {}),
    ...(deps.stalledInterval ? { stalledInterval: deps.stalledInterval } : {}),
  });
  worker.on('failed', (job, error) => {
    // Twilio's failures are logged where the job meets them; Postgres gone is not met anywhere else.
    if (!isDatabaseUnavailable(error)) return;
    const willRetry = job !== undefined && job.attemptsMade < (job.opts.attempts ?? 1);
    deps.logger.warn(
      { jobId: job?.id, attempt: job?.attemptsMade, err: { message: error.message } },
      willRetry
        ? 'send job could not reach Postgres; will retry'
        : 'send job could not reach Postgres; its attempts are spent (ingest re-queues it while the survey is scheduled)',
    );
  });
  return worker;
}
