import { createPool } from '@kaiku/db';
import { createServiceLogger, exitOnStartupError, listenOrExit, logProcessWarnings, onShutdown } from '@kaiku/http';
import { createRedis, createSurveySendQueue } from '@kaiku/queue';
import { buildConsoleApp } from './app.ts';
import { loadConsoleConfig } from './config.ts';

let config: ReturnType<typeof loadConsoleConfig>;
try {
  config = loadConsoleConfig(process.env);
} catch (error) {
  exitOnStartupError('console', error);
}
const logger = createServiceLogger(config.LOG_LEVEL, 'console');
logProcessWarnings(logger);
const pool = createPool(config.DATABASE_URL, { applicationName: 'kaiku-console', timeZone: config.kaiku.timezone });
const redis = createRedis(config.REDIS_URL, {
  name: 'kaiku-console',
  failFast: true,
  onWrongDatabase: (error) => exitOnStartupError('console', error),
});
const queue = createSurveySendQueue(redis, config.KAIKU_QUEUE_PREFIX);
// Each reconnect attempt fails with an error: said once a minute, not every second of an outage.
let redisWarnedAt = Number.NEGATIVE_INFINITY;
queue.on('error', (error) => {
  if (Date.now() - redisWarnedAt < 60_000) return;
  redisWarnedAt = Date.now();
  logger.warn({ err: { message: error.message } }, 'Redis unavailable: the queue board and queue metrics wait for it');
});
const app = buildConsoleApp({
  pool,
  kaiku: config.kaiku,
  logger,
  token: config.CONSOLE_TOKEN,
  opsToken: config.CONSOLE_OPS_TOKEN,
  queues: [queue],
  redis,
  secureCookies: config.CONSOLE_SECURE_COOKIES,
});

onShutdown(logger, async () => {
  await app.close();
  await queue.close();
  redis.disconnect();
  await pool.end();
});

await listenOrExit('console', `${config.HOST}:${config.CONSOLE_PORT} (CONSOLE_PORT)`, () =>
  app.listen({ host: config.HOST, port: config.CONSOLE_PORT }),
);
