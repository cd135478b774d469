import { keyFingerprintsOf, unitsTooLongToName } from '@kaiku/core';
import { changedKeys, createPool, untilSchemaReady } from '@kaiku/db';
import { createKeyCheck, createServiceLogger, exitOnStartupError, listenOrExit, logProcessWarnings, onShutdown } from '@kaiku/http';
import { createRedis, createSurveySendQueue, untilRedisReady } from '@kaiku/queue';
import { buildSenderApp } from './app.ts';
import { loadSenderConfig } from './config.ts';
import { connectionsAllowed } from './pool-size.ts';
import { createStaleDeliveryReconciler } from './stale-delivery.reconciler.ts';
import { createTwilioClient } from './twilio-client.ts';
import { createUnknownSendReconciler } from './unknown-send.reconciler.ts';
import { createSenderWorker } from './worker.ts';

let config: ReturnType<typeof loadSenderConfig>;
try {
  config = loadSenderConfig(process.env);
} catch (error) {
  exitOnStartupError('sender', error);
}
const logger = createServiceLogger(config.LOG_LEVEL, 'sender');
logProcessWarnings(logger);
const poolSize = await connectionsAllowed(config.DATABASE_URL, config.SENDER_DB_POOL_SIZE, logger);
const pool = createPool(config.DATABASE_URL, { applicationName: 'kaiku-sender', max: poolSize, timeZone: config.kaiku.timezone });
const redis = createRedis(config.REDIS_URL, {
  name: 'kaiku-sender',
  onWrongDatabase: (error) => exitOnStartupError('sender', error),
});
const twilio = createTwilioClient({
  accountSid: config.TWILIO_ACCOUNT_SID,
  authToken: config.TWILIO_AUTH_TOKEN,
  apiBaseUrl: config.TWILIO_API_BASE_URL,
  maxSockets: config.kaiku.sending.concurrency,
});
const keys = { pseudonymKey: config.KAIKU_PSEUDONYM_KEY, encryptionKey: config.KAIKU_ENCRYPTION_KEY };
// Says so (metric and log) when a key is not the one this database's hashes were made with.
const keyCheck = createKeyCheck({ check: () => changedKeys(pool, keyFingerprintsOf(keys)), logger });
keyCheck.start();
const app = buildSenderApp({
  pool,
  redis,
  logger,
  twilioConfigured: async () => {
    if (!config.TWILIO_MESSAGING_SERVICE_SID && !config.TWILIO_FROM) throw new Error('no sender configured');
  },
});

// The worker and the queue come once Redis has answered (see untilRedisReady): until then the
// sender serves /healthz, and /readyz names Redis.
let worker: ReturnType<typeof createSenderWorker> | undefined;
let queue: ReturnType<typeof createSurveySendQueue> | undefined;
let unknownSends: ReturnType<typeof createUnknownSendReconciler> | undefined;
// Needs no Redis: started at once.
const staleDeliveries = createStaleDeliveryReconciler({ pool, twilio, kaiku: config.kaiku, logger });
staleDeliveries.start();
let stopping = false;
onShutdown(logger, async () => {
  stopping = true;
  await staleDeliveries.stop();
  await keyCheck.stop();
  await unknownSends?.stop();
  await worker?.close(); // waits for in-flight jobs
  await queue?.close();
  await app.close();
  redis.disconnect();
  await pool.end();
});

await listenOrExit('sender', `${config.HOST}:${config.SENDER_PORT} (SENDER_PORT)`, () =>
  app.listen({ host: config.HOST, port: config.SENDER_PORT }),
);
const redisUp = await untilRedisReady(redis, {
  // once, then every minute: the log is not flooded through a long outage
  onWaiting: (waitedSeconds) => logger.warn({ waitedSeconds }, 'Redis not reachable; the sender starts sending when it is'),
  stopped: () => stopping,
});
// Nor before the database has this release's migrations (a new sender started before `pnpm db:migrate`).
const schemaUp =
  redisUp &&
  (await untilSchemaReady(pool, {
    onWaiting: (why, waitedSeconds) => logger.warn({ waitedSeconds }, `${why}; the sender starts sending when it is`),
    stopped: () => stopping,
  }));
if (schemaUp) {
  worker = createSenderWorker({
    connection: redis,
    prefix: config.KAIKU_QUEUE_PREFIX,
    pool,
    twilio,
    kaiku: config.kaiku,
    logger,
    keys,
    sender: { messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID, from: config.TWILIO_FROM },
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  for (const { unit, languages } of unitsTooLongToName(config.kaiku.units)) {
    logger.warn(
      { unit, languages },
      'unit name too long for the invitation (two SMS segments): its texts name no unit; give a shorter name',
    );
  }
  queue = createSurveySendQueue(redis, config.KAIKU_QUEUE_PREFIX);
  unknownSends = createUnknownSendReconciler({ pool, twilio, queue, kaiku: config.kaiku, keys, logger });
  unknownSends.start();
  logger.info({ twilio: config.TWILIO_API_BASE_URL ?? 'api.twilio.com' }, 'sender running');
}
