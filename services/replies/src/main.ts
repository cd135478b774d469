import { createPool } from '@kaiku/db';
import { createServiceLogger, exitOnStartupError, listenOrExit, onShutdown } from '@kaiku/http';
import { buildRepliesApp } from './app.ts';
import { loadRepliesConfig } from './config.ts';
import { createExpiryJob } from './expiry-job.ts';

let config: ReturnType<typeof loadRepliesConfig>;
try {
  config = loadRepliesConfig(process.env);
} catch (error) {
  exitOnStartupError('replies', error);
}
const logger = createServiceLogger(config.LOG_LEVEL, 'replies');
const pool = createPool(config.DATABASE_URL, { applicationName: 'kaiku-replies', timeZone: config.kaiku.timezone });
const app = buildRepliesApp({
  pool,
  kaiku: config.kaiku,
  logger,
  authToken: config.TWILIO_AUTH_TOKEN,
  publicBaseUrl: config.PUBLIC_BASE_URL,
  keys: { pseudonymKey: config.KAIKU_PSEUDONYM_KEY, encryptionKey: config.KAIKU_ENCRYPTION_KEY },
});

// Closes surveys past their answer window and erases their phone data.
const expiry = createExpiryJob({
  pool,
  logger,
  pseudonymRules: { resurveyAfterDays: config.kaiku.survey.resurveyAfterDays, maxVisitAgeHours: config.kaiku.survey.maxVisitAgeHours },
});

onShutdown(logger, async () => {
  await expiry.stop();
  await app.close();
  await pool.end();
});

await listenOrExit('replies', `${config.HOST}:${config.REPLIES_PORT} (REPLIES_PORT)`, () =>
  app.listen({ host: config.HOST, port: config.REPLIES_PORT }),
);
expiry.start();
