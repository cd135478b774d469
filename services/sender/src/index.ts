export { buildSenderApp } from './app.ts';
export { loadSenderConfig } from './config.ts';
export { createSendSurveyJob } from './send-survey.job.ts';
export { createTwilioClient } from './twilio-client.ts';
export { createSenderWorker } from './worker.ts';
