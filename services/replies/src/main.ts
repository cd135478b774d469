import { keyFingerprintsOf } from '@kaiku/core';
import { changedKeys, createPool } from '@kaiku/db';
import {
  createKeyCheck,
  createServiceLogger,
  drainConnections,
  exitOnStartupError,
  listenOrExit,
  logProcessWarnings,
  onShutdown,
} from '@kaiku/http';
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
logProcessWarnings(logger);
const pool = createPool(config.DATABASE_URL, { applicationName: 'kaiku-replies', timeZone: config.kaiku.timezone });
const keys = { pseudonymKey: config.KAIKU_PSEUDONYM_KEY, encryptionKey: config.KAIKU_ENCRYPTION_KEY };
// Says so (metric and log) when a key is not the one this database's hashes were made with.
const keyCheck = createKeyCheck({ check: () => changedKeys(pool, keyFingerprintsOf(keys)), logger });
keyCheck.start();
const app = buildRepliesApp({
  pool,
  kaiku: config.kaiku,
  logger,
  authToken: config.TWILIO_AUTH_TOKEN,
  publicBaseUrl: config.PUBLIC_BASE_URL,
  keys,
});

// Closes surveys past their answer window and erases their phone data.
const expiry = createExpiryJob({
  pool,
  logger,
  pseudonymRules: { resurveyAfterDays: config.kaiku.survey.resurveyAfterDays, maxVisitAgeHours: config.kaiku.survey.maxVisitAgeHours },
});

// Drained first; the 10 s for what is in flight count from the drain's end.
onShutdown(
  logger,
  async () => {
    await drainConnections(app, config.SHUTDOWN_DRAIN_MS);
    await expiry.stop();
    await keyCheck.stop();
    await app.close();
    await pool.end();
  },
  10_000 + config.SHUTDOWN_DRAIN_MS,
);

await listenOrExit('replies', `${config.HOST}:${config.REPLIES_PORT} (REPLIES_PORT)`, () =>
  app.listen({ host: config.HOST, port: config.REPLIES_PORT }),
);
expiry.start();
