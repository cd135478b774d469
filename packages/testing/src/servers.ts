import { existsSync } from 'node:fs';

export interface TestServers {
  databaseUrl: string;
  redisUrl: string;
  stop: () => Promise<void>;
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

function dockerAvailable(): boolean {
  return existsSync('/var/run/docker.sock') || Boolean(process.env.DOCKER_HOST);
}

/**
 * Postgres and Redis for a test run: the URLs given (TEST_DATABASE_URL / DATABASE_URL,
 * TEST_REDIS_URL / REDIS_URL), else containers started with testcontainers when Docker is
 * there, else the local servers on their default ports.
 */
export async function startTestServers(env: Record<string, string | undefined> = process.env): Promise<TestServers> {
  const givenDb = env.TEST_DATABASE_URL ?? env.DATABASE_URL;
  const givenRedis = env.TEST_REDIS_URL ?? env.REDIS_URL;
  if (givenDb && givenRedis) return { databaseUrl: givenDb, redisUrl: givenRedis, stop: async () => {} };
  if (!dockerAvailable()) {
    return { databaseUrl: givenDb ?? DEFAULT_DATABASE_URL, redisUrl: givenRedis ?? DEFAULT_REDIS_URL, stop: async () => {} };
  }
  const stops: Array<() => Promise<unknown>> = [];
  let databaseUrl = givenDb;
  let redisUrl = givenRedis;
  if (!databaseUrl) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const pg = await new PostgreSqlContainer('postgres:15-alpine').start();
    stops.push(() => pg.stop());
    databaseUrl = pg.getConnectionUri();
  }
  if (!redisUrl) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const redis = await new RedisContainer('redis:7-alpine').start();
    stops.push(() => redis.stop());
    redisUrl = redis.getConnectionUrl();
  }
  return { databaseUrl, redisUrl, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}
