export { buildSenderApp } from './app.ts';
export { loadSenderConfig } from './config.ts';
export { createSegmentRateLimiter } from './segment-rate-limiter.ts';
export { classifySendError, type SendFailure } from './send-errors.ts';
export { createSendSurveyJob } from './send-survey.job.ts';
export { createTwilioClient } from './twilio-client.ts';
export { validityPeriodSeconds } from './validity-period.ts';
export { createSenderWorker, segmentBudgetKey } from './worker.ts';
