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
import { createRedis, createSurveySendQueue, untilRedisReady } from '@kaiku/queue';
import { buildIngestApp } from './app.ts';
import { loadIngestConfig } from './config.ts';
import { createMllpServer } from './mllp/mllp-server.ts';
import { createOutboxReconciler } from './outbox-reconciler.ts';
import { createOutboxRelay } from './outbox-relay.ts';
import { createIngestPipeline } from './pipeline.ts';

let config: ReturnType<typeof loadIngestConfig>;
try {
  config = loadIngestConfig(process.env);
} catch (error) {
  exitOnStartupError('ingest', error);
}
const logger = createServiceLogger(config.LOG_LEVEL, 'ingest');
logProcessWarnings(logger);
const pool = createPool(config.DATABASE_URL, { applicationName: 'kaiku-ingest', timeZone: config.kaiku.timezone });
const redis = createRedis(config.REDIS_URL, {
  name: 'kaiku-ingest',
  failFast: true,
  onWrongDatabase: (error) => exitOnStartupError('ingest', error),
});
const queue = createSurveySendQueue(redis, config.KAIKU_QUEUE_PREFIX);
const reconciler = createOutboxReconciler({
  pool,
  queue,
  redis,
  logger: logger.child({ part: 'outbox-reconciler' }),
  intervalMs: config.OUTBOX_RECONCILE_MS,
});
const relay = createOutboxRelay({
  pool,
  queue,
  logger: logger.child({ part: 'outbox-relay' }),
  intervalMs: config.OUTBOX_POLL_MS,
  beforeEnqueue: reconciler.beforeEnqueue,
});
const keys = { pseudonymKey: config.KAIKU_PSEUDONYM_KEY, encryptionKey: config.KAIKU_ENCRYPTION_KEY };
// Says so (metric and log) when a key is not the one this database's hashes were made with.
const keyCheck = createKeyCheck({ check: () => changedKeys(pool, keyFingerprintsOf(keys)), logger });
keyCheck.start();
const pipeline = createIngestPipeline({
  pool,
  kaiku: config.kaiku,
  keys,
  logger,
  hl7ProcessingIds: config.LIFECARE_PROCESSING_IDS,
  onCommitted: () => relay.nudge(),
  onCancelled: (ids) => {
    // Best effort: if Redis is down the job stays, and the sender finds the invitation cancelled.
    for (const id of ids) queue.remove(id).catch(() => {});
  },
});
const app = buildIngestApp({ pool, redis, kaiku: config.kaiku, keys, tokens: config.INGEST_TOKENS, logger, pipeline });
const mllp = createMllpServer({
  handleHl7: pipeline.handleHl7,
  logger: logger.child({ part: 'mllp' }),
  idleTimeoutMs: config.MLLP_IDLE_TIMEOUT_MS,
  maxConnections: config.MLLP_MAX_CONNECTIONS,
});
if (config.INGEST_TOKENS.size === 0) logger.warn('INGEST_TOKENS is empty: every ingest request will be refused');

let stopping = false;
// Drained first; the 10 s for what is in flight count from the drain's end.
onShutdown(
  logger,
  async () => {
    stopping = true;
    await Promise.all([drainConnections(app, config.SHUTDOWN_DRAIN_MS).then(() => app.close()), mllp.close()]);
    await reconciler.stop();
    await relay.stop();
    await keyCheck.stop();
    await queue.close();
    redis.disconnect();
    await pool.end();
  },
  10_000 + config.SHUTDOWN_DRAIN_MS,
);

// The relay and the reconciler start once Redis has answered: a queue that has never reached Redis
// waits for it (it does not fail fast), and the reconciler would take "not yet" for an outage.
// Visits are taken meanwhile and wait in the outbox.
void untilRedisReady(redis, {
  onWaiting: (waitedSeconds) => logger.warn({ waitedSeconds }, 'Redis not reachable yet; visits are kept in the outbox until it is'),
  stopped: () => stopping,
}).then((up) => {
  if (!up) return;
  relay.start();
  reconciler.start();
});
await listenOrExit('ingest', `${config.HOST}:${config.INGEST_PORT} (INGEST_PORT)`, () =>
  app.listen({ host: config.HOST, port: config.INGEST_PORT }),
);
const mllpAddress = await listenOrExit('ingest', `${config.HOST}:${config.MLLP_PORT} (MLLP_PORT)`, () =>
  mllp.listen(config.MLLP_PORT, config.HOST),
);
logger.info({ port: mllpAddress.port }, 'MLLP listener for Lifecare HL7 ready');
