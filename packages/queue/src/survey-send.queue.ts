import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { SURVEY_SEND_QUEUE, type SurveySendJob, surveySendJobSchema } from './jobs.ts';
import { connectEarly } from './redis.ts';

export const DEFAULT_PREFIX = 'bull';

export function createSurveySendQueue(connection: Redis, prefix = DEFAULT_PREFIX): Queue<SurveySendJob> {
  // Connecting before BullMQ sees the connection: a queue made while Redis is down then waits for it.
  const queue = new Queue<SurveySendJob>(SURVEY_SEND_QUEUE, { connection: connectEarly(connection), prefix });
  // Redis unreachable: the connection reconnects by itself and /readyz names Redis. Without a
  // listener BullMQ prints each connection error to stderr as a raw multi-line stack, outside the
  // JSON log lines.
  queue.on('error', () => {});
  return queue;
}

/** Transient Twilio failures are retried with exponential backoff, a bounded number of times. */
export const SEND_ATTEMPTS = 5;

const JOB_OPTIONS: JobsOptions = {
  attempts: SEND_ATTEMPTS,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** Adds (idempotently: job id = invitation id) the send job of an invitation, delayed to its send time. */
export async function enqueueSurvey(queue: Queue<SurveySendJob>, invitationId: string, sendAt: Date, now = new Date()) {
  const data = surveySendJobSchema.parse({ invitationId });
  return queue.add('send', data, { ...JOB_OPTIONS, jobId: invitationId, delay: Math.max(0, sendAt.getTime() - now.getTime()) });
}

/**
 * Sends an invitation again through its job, for an invitation that is `scheduled` again: a
 * finished job (completed or failed) is retried with fresh attempts, a missing one is added, one
 * still waiting, delayed or active is left to run.
 */
export async function requeueSurvey(queue: Queue<SurveySendJob>, invitationId: string, now = new Date()): Promise<void> {
  const job = await queue.getJob(invitationId);
  if (!job) {
    await enqueueSurvey(queue, invitationId, now, now);
    return;
  }
  const state = await job.getState();
  if (state === 'completed' || state === 'failed') await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
}

/**
 * The same for many invitations in one Redis round trip (`addBulk`): each job as `enqueueSurvey`
 * would add it, a job whose id exists already is left as it is.
 */
export async function enqueueSurveys(queue: Queue<SurveySendJob>, items: Array<{ invitationId: string; sendAt: Date }>, now = new Date()) {
  if (items.length === 0) return [];
  return queue.addBulk(
    items.map(({ invitationId, sendAt }) => ({
      name: 'send',
      data: surveySendJobSchema.parse({ invitationId }),
      opts: { ...JOB_OPTIONS, jobId: invitationId, delay: Math.max(0, sendAt.getTime() - now.getTime()) },
    })),
  );
}
