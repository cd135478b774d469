import { Redis } from 'ioredis';

export interface RedisSettings {
  url: string;
  /** Key prefix of every BullMQ key; tests use their own. */
  prefix?: string;
}

/**
 * A Redis connection for BullMQ (`maxRetriesPerRequest: null` as workers require). The `/N` db
 * index of the URL is respected. Commands wait while Redis is down instead of failing fast,
 * unless `failFast` is set (producers that must answer quickly).
 */
export function createRedis(url: string, options: { failFast?: boolean; name?: string } = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableOfflineQueue: !options.failFast,
    connectionName: options.name,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', () => {}); // reconnects by itself; health checks report the state
  return redis;
}
