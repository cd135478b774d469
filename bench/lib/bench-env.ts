import { randomBytes } from 'node:crypto';
import { migrate } from '@kaiku/db';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * A benchmark run's own Postgres databases (copied from one migrated template) and its own Redis
 * database index: the services run as child processes that read only the contract's env vars, so
 * the db index (`REDIS_URL=/N`, as the contract allows) is what keeps BullMQ keys apart from
 * everyone else's. Raw Redis measurements also use a key prefix of their own.
 */
export interface BenchEnv {
  runId: string;
  adminUrl: string;
  redisUrl: string;
  redisDb: number;
  prefix: string;
  /** Creates `kaiku_bench_<run>_<label>` from the migrated template; returns its URL. */
  newDatabase: (label: string) => Promise<string>;
  /** Deletes the BullMQ keys of the run's Redis db (between stages). */
  clearQueues: () => Promise<void>;
  cleanup: () => Promise<void>;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const CLAIM_KEY = 'kaiku-bench:claim';

/** Claims an empty Redis db index (1–15) for this run with a key that expires by itself. */
async function claimRedisDb(baseUrl: string, runId: string): Promise<number> {
  for (let db = 15; db >= 1; db--) {
    const u = new URL(baseUrl);
    u.pathname = `/${db}`;
    const redis = new Redis(u.toString(), { lazyConnect: true });
    await redis.connect();
    try {
      if ((await redis.dbsize()) !== 0) continue;
      if ((await redis.set(CLAIM_KEY, runId, 'EX', 3600, 'NX')) === 'OK') return db;
    } finally {
      redis.disconnect();
    }
  }
  throw new Error('no empty Redis database index (1–15) to run the benchmark in');
}

export async function createBenchEnv(env: Record<string, string | undefined>): Promise<BenchEnv> {
  const base = env.BENCH_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisBase = env.BENCH_REDIS_URL ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const runId = randomBytes(4).toString('hex');
  const adminUrl = withDatabase(base, 'postgres');
  const template = `kaiku_bench_${runId}_tpl`;
  await migrate(withDatabase(base, template));
  const redisDb = await claimRedisDb(redisBase, runId);
  const redisUrlObj = new URL(redisBase);
  redisUrlObj.pathname = `/${redisDb}`;
  const redisUrl = redisUrlObj.toString();
  const prefix = `kaiku-bench-${runId}`;
  return {
    runId,
    adminUrl,
    redisUrl,
    redisDb,
    prefix,
    async newDatabase(label) {
      const name = `kaiku_bench_${runId}_${label}`;
      await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return withDatabase(base, name);
    },
    clearQueues: () => deleteKeys(redisUrl, 'bull:*'),
    async cleanup() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ datname: string }>(
          "SELECT datname FROM pg_database WHERE datname LIKE 'kaiku\\_bench\\_' || $1 || '\\_%'",
          [runId],
        );
        // the template last: the others were copied from it
        rows.sort((a, b) => Number(a.datname.endsWith('_tpl')) - Number(b.datname.endsWith('_tpl')));
        for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
      await deleteKeys(redisUrl, 'bull:*');
      await deleteKeys(redisUrl, `${prefix}:*`);
      await deleteKeys(redisUrl, CLAIM_KEY);
    },
  };
}
