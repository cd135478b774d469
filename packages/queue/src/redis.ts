import { Redis } from 'ioredis';

export interface RedisSettings {
  url: string;
  /** Key prefix of every BullMQ key; tests use their own. */
  prefix?: string;
}

const FAIL_FAST_COMMAND_TIMEOUT_MS = 5000;
const SOCKET_TIMEOUT_MS = 30_000;

/** An error of ioredis meaning Redis is not there (down, still connecting, hung), not a bug. */
export function isRedisUnavailable(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return (
    typeof message === 'string' &&
    /Command timed out|Stream isn't writeable|Connection is closed|connect ECONNREFUSED|max retries per request/i.test(message)
  );
}

/**
 * A Redis connection for BullMQ (`maxRetriesPerRequest: null` as workers require). The `/N` db
 * index of the URL is respected. Commands wait while Redis is down instead of failing fast,
 * unless `failFast` is set (producers that must answer quickly).
 */
export function createRedis(
  url: string,
  options: {
    failFast?: boolean;
    name?: string;
    socketTimeoutMs?: number;
    /**
     * Redis refused the URL's `/N` db index (out of range for its `databases`): the connection is
     * closed at once, since ioredis would go on in db 0, another application's keys; a main.ts
     * stops the process here, saying why.
     */
    onWrongDatabase?: (error: Error) => void;
  } = {},
): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableOfflineQueue: !options.failFast,
    connectionName: options.name,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    // A Redis that hangs (paused, a half-dead link) fails a fail-fast caller's command instead of
    // holding it for ever; the waiting kind (workers' blocking reads) keeps no such limit.
    ...(options.failFast ? { commandTimeout: FAIL_FAST_COMMAND_TIMEOUT_MS } : {}),
    // A connection that gets no byte back for this long after a command (a link that went silent,
    // its peer gone without a reset) is dropped and made again. Longer than any blocking read of
    // BullMQ's (at most 10 s): without it a worker's silent connection waited for ever, and the
    // sender sent nothing after a partition healed.
    socketTimeout: options.socketTimeoutMs ?? SOCKET_TIMEOUT_MS,
  });
  redis.on('error', (error: Error & { command?: { name?: string } }) => {
    // Otherwise it reconnects by itself, and health checks report the state.
    if (error.command?.name !== 'select') return;
    redis.disconnect();
    options.onWrongDatabase?.(new Error(`REDIS_URL: Redis refused its database index (${error.message})`));
  });
  return redis;
}

/**
 * Connects (if no one has started to yet: a BullMQ queue on the connection may have) and waits
 * until Redis answers, at most `ms`. False when it did not: a fail-fast connection then refuses
 * commands until it is back, so a caller knows not to take that for an outage yet.
 */
export async function redisReady(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'wait') redis.connect().catch(() => {});
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    redis.once('ready', onReady);
  });
}

/**
 * Starts connecting now, if no one has. BullMQ makes its first connection attempt itself when the
 * connection is still waiting (lazy), and when Redis is down then, that queue or worker stays
 * broken ("Connection is closed") after Redis is back; on a connection already connecting it waits
 * for Redis instead.
 */
export function connectEarly(redis: Redis): Redis {
  if (redis.status === 'wait') redis.connect().catch(() => {});
  return redis;
}

/**
 * Waits as long as it takes for Redis to answer; `onWaiting` (with the seconds waited) after the
 * first `everyMs` without it and then once a minute, so that a long outage does not flood the log;
 * false when `stopped()` says to give up (shutdown). A BullMQ worker is made only after this: its
 * blocking connection, a lazy copy of this one, would otherwise try once and stay broken.
 */
export async function untilRedisReady(
  redis: Redis,
  options: { everyMs?: number; onWaiting?: (waitedSeconds: number) => void; stopped?: () => boolean } = {},
): Promise<boolean> {
  const everyMs = options.everyMs ?? 5000;
  let waited = 0;
  let told = -Infinity;
  while (!(await redisReady(redis, everyMs))) {
    if (options.stopped?.()) return false;
    waited += everyMs;
    if (waited - told >= 60_000) {
      told = waited;
      options.onWaiting?.(Math.round(waited / 1000));
    }
  }
  return !options.stopped?.();
}

/** Deletes every key under `<prefix>:` (a test run's or the demo's queues), a page at a time, on a connected client. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}
