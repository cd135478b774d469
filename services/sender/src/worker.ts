import { renderText, smsSegments } from '@kaiku/core';
import { SURVEY_SEND_QUEUE, type SurveySendJob } from '@kaiku/queue';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createSendSurveyJob, type SendResult, type SendSurveyDeps } from './send-survey.job.ts';

export interface SenderWorkerDeps extends SendSurveyDeps {
  connection: Redis;
  prefix?: string;
  /** Start processing at once (default) or wait for `worker.run()`. */
  autorun?: boolean;
}

/** Segments of the longest invitation text: the limiter counts messages, Twilio counts segments. */
function segmentsPerMessage(): number {
  const longest = 'X'.repeat(64);
  return Math.max(
    ...(['fi', 'sv', 'en'] as const).map((l) =>
      smsSegments(renderText(l, 'invitation', { unitNames: { fi: longest, sv: longest, en: longest } })),
    ),
  );
}

/** The BullMQ worker of `survey-send`; its limiter is shared by every sender process. */
export function createSenderWorker(deps: SenderWorkerDeps): Worker<SurveySendJob, SendResult> {
  const sendSurvey = createSendSurveyJob(deps);
  const { ratePerSecond, concurrency } = deps.kaiku.sending;
  const perSecond = Math.max(1, Math.floor(ratePerSecond / segmentsPerMessage()));
  return new Worker<SurveySendJob, SendResult>(SURVEY_SEND_QUEUE, (job, token) => sendSurvey(job, token), {
    connection: deps.connection,
    prefix: deps.prefix ?? 'bull',
    concurrency,
    limiter: { max: perSecond, duration: 1000 },
    autorun: deps.autorun ?? true,
  });
}
