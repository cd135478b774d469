import { createServiceLogger, exitOnStartupError, listenOrExit, logProcessWarnings, onShutdown } from '@kaiku/http';
import { buildSimApp } from './app.ts';
import { loadSimConfig } from './config.ts';
import { faultsFromEnv } from './faults.ts';
import { createMessageStore } from './message-store.ts';

let config: ReturnType<typeof loadSimConfig>;
try {
  config = loadSimConfig(process.env);
} catch (error) {
  exitOnStartupError('sms-sim', error);
}
const logger = createServiceLogger(config.LOG_LEVEL, 'sms-sim');
logProcessWarnings(logger);
const app = buildSimApp({
  accountSid: config.TWILIO_ACCOUNT_SID,
  authToken: config.TWILIO_AUTH_TOKEN,
  publicBaseUrl: config.PUBLIC_BASE_URL,
  repliesUrl: config.SMS_SIM_REPLIES_URL,
  number: config.SMS_SIM_NUMBER,
  callbackDelayMs: config.SMS_SIM_CALLBACK_DELAY_MS,
  store: createMessageStore(config.SMS_SIM_MAX_MESSAGES),
  faults: faultsFromEnv(config.SMS_SIM_FAULTS, config.SMS_SIM_UNDELIVERED_NUMBERS),
  logger,
});
onShutdown(logger, () => app.close());
await listenOrExit('sms-sim', `${config.HOST}:${config.SMS_SIM_PORT} (SMS_SIM_PORT)`, () =>
  app.listen({ host: config.HOST, port: config.SMS_SIM_PORT }),
);
